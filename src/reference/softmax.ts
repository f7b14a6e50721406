/**
 * SOFTMAX int8 → int8 (TFLM reference_ops::Softmax, the gemmlowp fixed-point method; int8 spec §4.9), per
 * row of the last dimension. Output scale 1/256, zero point −128.
 */
import type { SoftmaxKernelParams } from "../quant/op-params.js";
import { mbqmSingle, rdbpot, srdhm } from "../quant/fixed-point.js";
import { ACCUMULATION_INTEGER_BITS, expOnNegativeValues, getReciprocal } from "../quant/softmax-fixed-point.js";

/** MultiplyByQuantizedMultiplierGreaterThanOne (shift ≥ 0) for the chosen build. */
function scaleDiff(diff: number, p: SoftmaxKernelParams): number {
  if (p.rounding === "single") return mbqmSingle(diff, p.input_multiplier, p.input_left_shift);
  return srdhm(Math.imul(diff, 2 ** p.input_left_shift | 0), p.input_multiplier);
}

export function softmaxS8(p: SoftmaxKernelParams, input: Int8Array, output: Int8Array): void {
  const D = p.row_size;
  const exps = new Int32Array(D);
  for (let r = 0; r < p.num_rows; r++) {
    const base = r * D;
    let max = -128;
    for (let c = 0; c < D; c++) if (input[base + c]! > max) max = input[base + c]!;
    let sum = 0; // Q12.19, plain int32 additions
    for (let c = 0; c < D; c++) {
      const diff = input[base + c]! - max;
      if (diff >= p.diff_min) {
        exps[c] = expOnNegativeValues(scaleDiff(diff, p)); // Q5.26 in, Q0.31 out
        // Rescale<12>: Q0.31 → Q12.19 is a rounding right shift by 12.
        sum = (sum + rdbpot(exps[c]!, ACCUMULATION_INTEGER_BITS)) | 0;
      }
    }
    const { scale, numBitsOverUnit } = getReciprocal(sum, ACCUMULATION_INTEGER_BITS);
    const exponent = numBitsOverUnit + 31 - 8;
    for (let c = 0; c < D; c++) {
      const diff = input[base + c]! - max;
      if (diff >= p.diff_min) {
        // A shift past 31 (rows of ≥ 512 near-equal values) is outside gemmlowp's RDBPOT domain; the exact
        // rounded quotient of a value below 2^31 by 2^32 or more is 0.
        const prob = srdhm(scale, exps[c]!);
        const v = (exponent > 31 ? 0 : rdbpot(prob, exponent)) - 128;
        output[base + c] = v < -128 ? -128 : v > 127 ? 127 : v;
      } else {
        output[base + c] = -128;
      }
    }
  }
}
