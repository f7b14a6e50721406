import { inputError } from "../errors.js";
import { LIMITS } from "./limits.js";
import { dtypeSize, type Graph, type Operator, type Tensor } from "./types.js";

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Byte size of a tensor's data (0 for dtypes without a byte size). */
export function tensorBytes(t: Tensor): number {
  return elementCount(t.shape) * dtypeSize(t.dtype);
}

export function tensorLabel(t: Tensor): string {
  return t.name ? `tensor ${t.id} '${t.name}'` : `tensor ${t.id}`;
}

export function opLabel(op: Operator, index: number): string {
  return `op ${index} (${op.type})`;
}

/** Checks a shape against the hard limits; `where` names the place for the error. */
export function checkShape(shape: readonly number[], where: string): void {
  if (shape.length > LIMITS.maxRank + 2) throw inputError(`rank ${shape.length} exceeds the limit of ${LIMITS.maxRank + 2}`, where);
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (!Number.isInteger(d) || d < 1) throw inputError(`dimension ${i} is ${d}; dimensions must be positive integers`, where);
    if (d > LIMITS.maxDim) throw inputError(`dimension ${i} is ${d}, above the limit of ${LIMITS.maxDim}`, where);
    n *= d;
    if (n > LIMITS.maxElements) throw inputError(`shape [${shape.join(", ")}] has more than ${LIMITS.maxElements} elements`, where);
  }
}

function view(t: Tensor): DataView {
  if (!t.data) throw inputError("constant tensor has no data (shape-only model)", tensorLabel(t));
  return new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** The tensor's constant data as int8 values (no copy). */
export function int8Data(t: Tensor): Int8Array {
  if (!t.data) throw inputError("constant tensor has no data (shape-only model)", tensorLabel(t));
  return new Int8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** The tensor's constant data as int32 values (copied; the bytes need not be aligned). */
export function int32Data(t: Tensor): Int32Array {
  const dv = view(t);
  const out = new Int32Array(dv.byteLength >> 2);
  for (let i = 0; i < out.length; i++) out[i] = dv.getInt32(i * 4, true);
  return out;
}

/** Integer values of an int32 or int64 constant tensor (small index/shape tensors: PAD, MEAN, RESHAPE). */
export function integerData(t: Tensor): number[] {
  const dv = view(t);
  const out: number[] = [];
  if (t.dtype === "int32") {
    for (let i = 0; i + 4 <= dv.byteLength; i += 4) out.push(dv.getInt32(i, true));
  } else if (t.dtype === "int64") {
    for (let i = 0; i + 8 <= dv.byteLength; i += 8) {
      const v = dv.getBigInt64(i, true);
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw inputError(`value ${v} out of range`, tensorLabel(t));
      out.push(Number(v));
    }
  } else {
    throw inputError(`expected an int32 or int64 tensor, found ${t.dtype}`, tensorLabel(t));
  }
  return out;
}

export function int32Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setInt32(i * 4, values[i]!, true);
  return out;
}

/** The tensor at `index`, or undefined for an omitted optional input (-1). */
export function optionalTensor(graph: Graph, index: number | undefined): Tensor | undefined {
  if (index === undefined || index < 0) return undefined;
  return graph.tensors[index];
}
