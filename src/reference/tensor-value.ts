/** A tensor's value in the reference interpreter: the typed array of its dtype, row-major. */
export type TensorValue = Int8Array | Int16Array | Int32Array | Float32Array;
