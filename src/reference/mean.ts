/**
 * MEAN int8 (TFLM QuantizedMeanOrSum, int8 spec §4.10): per output, the int32 (wrapping) sum of the reduced
 * raw values, offset by input_offset · n, requantised with the count-adjusted multiplier.
 */
import type { MeanKernelParams } from "../quant/op-params.js";
import { mbqmDouble, mbqmSingle } from "../quant/fixed-point.js";

export function meanS8(p: MeanKernelParams, input: Int8Array, output: Int8Array): void {
  const shape = p.input_shape;
  const rank = shape.length;
  const reduced = shape.map((_, d) => p.axes.includes(d));
  // Output strides over the kept dims (reduced dims contribute 0), in input-dim order.
  const outStride = new Array<number>(rank).fill(0);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (reduced[d]) continue;
    outStride[d] = s;
    s *= shape[d]!;
  }
  const sums = new Float64Array(output.length); // exact; wrapped once below (same result modulo 2^32)
  const idx = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < input.length; i++) {
    sums[o] += input[i]!;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      o += outStride[d]!;
      if (idx[d]! < shape[d]!) break;
      o -= outStride[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  const requant = p.rounding === "single" ? mbqmSingle : mbqmDouble;
  // sum − zp_in · n, with zp_in · n taken in 64 bits and the difference cast to int32.
  const correction = p.input_offset * p.num_elements;
  for (let k = 0; k < output.length; k++) {
    const shifted = (sums[k]! + correction) | 0;
    const v = (requant(shifted, p.multiplier, p.shift) + p.output_offset) | 0;
    output[k] = v < -128 ? -128 : v > 127 ? 127 : v;
  }
}
