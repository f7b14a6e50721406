/**
 * ADD int8 (TFLM reference_integer_ops::AddElementwise, int8 spec §4.7): both inputs are offset, scaled by
 * 2^left_shift and requantised to a common scale, summed, and requantised to the output.
 */
import type { AddKernelParams } from "../quant/op-params.js";
import { mbqmDouble, mbqmSingle } from "../quant/fixed-point.js";
import { forEachBroadcast } from "./broadcast.js";

export function addS8(p: AddKernelParams, input1: Int8Array, input2: Int8Array, output: Int8Array): void {
  // MultiplyByQuantizedMultiplierSmallerThanOneExp is MBQM with a shift ≤ 0 in both builds.
  const requant = p.rounding === "single" ? mbqmSingle : mbqmDouble;
  const scale = 2 ** p.left_shift;
  const actMin = p.activation.min;
  const actMax = p.activation.max;
  forEachBroadcast(p.input1_shape, p.input2_shape, p.output_shape, (o, i1, i2) => {
    const a = Math.imul(input1[i1]! + p.input1_offset, scale);
    const b = Math.imul(input2[i2]! + p.input2_offset, scale);
    const sa = requant(a, p.input1_multiplier, p.input1_shift);
    const sb = requant(b, p.input2_multiplier, p.input2_shift);
    const v = (requant((sa + sb) | 0, p.output_multiplier, p.output_shift) + p.output_offset) | 0;
    output[o] = v < actMin ? actMin : v > actMax ? actMax : v;
  });
}
