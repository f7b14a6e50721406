/**
 * QUANTIZE to int8 (int8 spec §4.14): from float32 by TFLM AffineQuantize (division in float32, rounding
 * half away from zero), or from int8/int16/int32 by requantisation.
 */
import type { QuantizeFloatKernelParams, RequantizeKernelParams } from "../quant/op-params.js";
import { mbqm } from "../quant/fixed-point.js";
import { clampInt8, roundHalfAway, toInt32 } from "../quant/rounding.js";

export function quantizeFloatToS8(p: QuantizeFloatKernelParams, input: Float32Array, output: Int8Array): void {
  const scale = Math.fround(p.scale);
  for (let i = 0; i < p.size; i++) {
    // The int32 sum cannot overflow meaningfully: toInt32 saturates, and the clamp follows at once.
    const q = toInt32(roundHalfAway(Math.fround(input[i]! / scale)));
    output[i] = clampInt8(q + p.zero_point);
  }
}

export function requantizeToS8(p: RequantizeKernelParams, input: Int8Array | Int16Array | Int32Array, output: Int8Array): void {
  for (let i = 0; i < p.size; i++) {
    const x = (input[i]! + p.input_offset) | 0;
    output[i] = clampInt8((mbqm(x, p.multiplier, p.shift, p.rounding) + p.output_offset) | 0);
  }
}
