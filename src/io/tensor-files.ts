/**
 * Tensor values in files: raw little-endian `.bin` and NumPy `.npy` (format 1.0/2.0/3.0, C order), read
 * with checks against the tensor they feed, and written atomically.
 */
import { MicronetsError, inputError } from "../errors.js";
import { elementCount } from "../ir/tensor-data.js";
import type { DType, Tensor } from "../ir/types.js";
import { writeFileAtomic } from "./atomic-write.js";

export type TensorValue = Int8Array | Int16Array | Int32Array | Float32Array;

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const NPY_DESCR: Partial<Record<DType, string>> = { int8: "|i1", int16: "<i2", int32: "<i4", float32: "<f4" };

function allocate(dtype: DType, n: number, where: string): TensorValue {
  switch (dtype) {
    case "int8": return new Int8Array(n);
    case "int16": return new Int16Array(n);
    case "int32": return new Int32Array(n);
    case "float32": return new Float32Array(n);
    default: throw inputError(`tensors of dtype ${dtype} cannot be read from files`, where);
  }
}

/** Copies little-endian bytes into a typed value of `dtype` (checked length). */
function fromBytes(bytes: Uint8Array, dtype: DType, n: number, file: string, where: string): TensorValue {
  const out = allocate(dtype, n, where);
  if (bytes.byteLength !== out.byteLength) {
    throw new MicronetsError("input", `has ${bytes.byteLength} data bytes; ${where} needs ${out.byteLength} (${n} × ${dtype})`, { file });
  }
  new Uint8Array(out.buffer).set(bytes); // the platforms Node runs on are little-endian
  return out;
}

function parseNpyHeader(bytes: Uint8Array, file: string): { descr: string; shape: number[]; dataOffset: number } {
  const fail = (msg: string): never => { throw new MicronetsError("input", `not a valid .npy file: ${msg}`, { file }); };
  if (bytes.length < 10 || NPY_MAGIC.some((b, i) => bytes[i] !== b)) fail("missing the \\x93NUMPY magic");
  const major = bytes[6]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail("truncated header");
    headerLen = dv.getUint32(8, true);
    start = 12;
  } else {
    return fail(`unsupported format version ${major}`);
  }
  if (start + headerLen > bytes.length) fail("header extends past the end of the file");
  const header = new TextDecoder("latin1").decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) return fail("header lacks descr/fortran_order/shape");
  if (fortran === "True") fail("Fortran-ordered arrays are not supported");
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) fail(`bad shape (${shapeText})`);
  return { descr, shape, dataOffset: start + headerLen };
}

/** Reads a value for `tensor` from a .npy or .bin file (the element count and dtype must match). */
export function readTensorFile(bytes: Uint8Array, file: string, tensor: Tensor, where: string): TensorValue {
  const n = elementCount(tensor.shape);
  if (file.toLowerCase().endsWith(".npy")) {
    const h = parseNpyHeader(bytes, file);
    const want = NPY_DESCR[tensor.dtype];
    const descr = h.descr.replace(/^=/, "<");
    if (descr !== want && !(tensor.dtype === "int8" && descr === "<i1")) {
      throw new MicronetsError("input", `array dtype '${h.descr}' does not match ${where} (${tensor.dtype}, '${want}')`, { file });
    }
    if (elementCount(h.shape) !== n) {
      throw new MicronetsError("input", `array shape (${h.shape.join(", ")}) has ${elementCount(h.shape)} elements; ${where} has shape [${tensor.shape.join(", ")}] (${n})`, { file });
    }
    return fromBytes(bytes.subarray(h.dataOffset), tensor.dtype, n, file, where);
  }
  return fromBytes(bytes, tensor.dtype, n, file, where);
}

export function npyBytes(value: TensorValue, shape: readonly number[]): Uint8Array {
  const descr = value instanceof Int8Array ? "|i1" : value instanceof Int16Array ? "<i2" : value instanceof Int32Array ? "<i4" : "<f4";
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so the data starts on a 64-byte boundary; the header ends with '\n'.
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const out = new Uint8Array(10 + header.length + value.byteLength);
  out.set(NPY_MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), 10 + header.length);
  return out;
}

/** Writes a value as .npy (by extension) or raw little-endian bytes. */
export function writeTensorFile(path: string, value: TensorValue, shape: readonly number[]): void {
  const data = path.toLowerCase().endsWith(".npy") ? npyBytes(value, shape) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  writeFileAtomic(path, data);
}
