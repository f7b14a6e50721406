/**
 * NumPy broadcasting for the binary ops (TFLM BroadcastAdd6DSlow / BroadcastMul6DSlow): for every output
 * element, the flat offsets of the two input elements it reads.
 */
import { inputError } from "../errors.js";

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Row-major strides of `shape` right-aligned to `rank`, with 0 for broadcast (size-1 or missing) dims. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length;
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = rank - shape.length + i;
    const d = shape[i]!;
    if (d !== 1 && d !== outShape[o]) throw inputError(`shape [${shape.join(", ")}] does not broadcast to [${outShape.join(", ")}]`);
    strides[o] = d === 1 ? 0 : stride;
    stride *= d;
  }
  return strides;
}

/**
 * Calls `f(outIndex, index1, index2)` for every output element in row-major order. When neither input
 * broadcasts this is the flat loop of the non-broadcast kernels.
 */
export function forEachBroadcast(
  shape1: readonly number[],
  shape2: readonly number[],
  outShape: readonly number[],
  f: (o: number, i1: number, i2: number) => void,
): void {
  let total = 1;
  for (const d of outShape) total *= d;
  if (sameShape(shape1, outShape) && sameShape(shape2, outShape)) {
    for (let i = 0; i < total; i++) f(i, i, i);
    return;
  }
  const s1 = broadcastStrides(shape1, outShape);
  const s2 = broadcastStrides(shape2, outShape);
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  let i1 = 0;
  let i2 = 0;
  for (let o = 0; o < total; o++) {
    f(o, i1, i2);
    // Advance the multi-index like an odometer, keeping both input offsets in step.
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      i1 += s1[d]!;
      i2 += s2[d]!;
      if (idx[d]! < outShape[d]!) break;
      i1 -= s1[d]! * outShape[d]!;
      i2 -= s2[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}
