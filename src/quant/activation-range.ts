/**
 * Fused activation → quantised clamp range, as TFLM's CalculateActivationRangeQuantized (int8 spec §3.6).
 * The quantisation of the bounds runs in float32: Q(f) = zp + (int32)round(f / scale).
 */
import type { Activation } from "../ir/types.js";
import { roundHalfAway, toInt32 } from "./rounding.js";

export interface ActivationRange {
  min: number;
  max: number;
}

export const INT8_MIN = -128;
export const INT8_MAX = 127;

/** zero_point + (int32)TfLiteRound(f / scale), with the division done in float32. */
function quantizeBound(f: number, scale: number, zeroPoint: number): number {
  return zeroPoint + toInt32(roundHalfAway(Math.fround(f / Math.fround(scale))));
}

/**
 * The int8 clamp range of an output with (scale, zeroPoint) after `activation`. TANH, SIGN_BIT and other
 * non-clamp activations leave the full range, as TFLM does for quantised kernels.
 */
export function activationRangeInt8(activation: Activation, scale: number, zeroPoint: number, qmin = INT8_MIN, qmax = INT8_MAX): ActivationRange {
  switch (activation) {
    case "relu":
      return { min: Math.max(qmin, quantizeBound(0, scale, zeroPoint)), max: qmax };
    case "relu6":
      return { min: Math.max(qmin, quantizeBound(0, scale, zeroPoint)), max: Math.min(qmax, quantizeBound(6, scale, zeroPoint)) };
    case "relu_n1_to_1":
      return { min: Math.max(qmin, quantizeBound(-1, scale, zeroPoint)), max: Math.min(qmax, quantizeBound(1, scale, zeroPoint)) };
    default:
      return { min: qmin, max: qmax };
  }
}
