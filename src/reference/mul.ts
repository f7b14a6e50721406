/**
 * MUL int8 (TFLM reference_integer_ops::MulElementwise, int8 spec §4.8):
 * out = clamp(zp_out + MBQM((x + input1_offset)·(y + input2_offset), M, s)).
 */
import type { MulKernelParams } from "../quant/op-params.js";
import { mbqmDouble, mbqmSingle } from "../quant/fixed-point.js";
import { forEachBroadcast } from "./broadcast.js";

export function mulS8(p: MulKernelParams, input1: Int8Array, input2: Int8Array, output: Int8Array): void {
  const requant = p.rounding === "single" ? mbqmSingle : mbqmDouble;
  const actMin = p.activation.min;
  const actMax = p.activation.max;
  forEachBroadcast(p.input1_shape, p.input2_shape, p.output_shape, (o, i1, i2) => {
    const prod = (input1[i1]! + p.input1_offset) * (input2[i2]! + p.input2_offset);
    const v = (p.output_offset + requant(prod, p.output_multiplier, p.output_shift)) | 0;
    output[o] = v < actMin ? actMin : v > actMax ? actMax : v;
  });
}
