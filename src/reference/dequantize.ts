/** DEQUANTIZE int8 → float32 (TFLM reference_ops::Dequantize, int8 spec §4.15): (float)(scale · (q − zp)). */
import type { DequantizeKernelParams } from "../quant/op-params.js";

export function dequantizeS8(p: DequantizeKernelParams, input: Int8Array, output: Float32Array): void {
  for (let i = 0; i < p.size; i++) output[i] = Math.fround(p.scale * (input[i]! - p.zero_point));
}
