/**
 * Real multiplier → (int32 multiplier, shift), as TFLM's `QuantizeMultiplier` does it (int8 spec §3.1): frexp,
 * round the mantissa to Q31 with halves away from zero, renormalise 2^31, flush tiny values, and in
 * single-rounding builds cap the shift at 30. A positive shift means a left shift.
 */
import { inputError } from "../errors.js";
import { roundHalfAway, type Rounding } from "./rounding.js";

export interface QuantizedMultiplier {
  /** Q31 mantissa, in [2^30, 2^31) for a normal positive input (0 for 0). */
  multiplier: number;
  /** Power of two; positive = left shift. */
  shift: number;
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
// Float64Array and Uint32Array share the platform's byte order; find which word holds the exponent.
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * C's frexp read from the IEEE-754 bits: x = mantissa · 2^exponent with |mantissa| in [0.5, 1). Zero gives
 * (0, 0); subnormals are normalised. Not defined for NaN or ±Infinity (callers reject those first).
 */
export function frexp(x: number): { mantissa: number; exponent: number } {
  if (x === 0) return { mantissa: x, exponent: 0 };
  F64[0] = x;
  let biased = (U32[HI]! >>> 20) & 0x7ff;
  let adjust = 0;
  if (biased === 0) {
    // Subnormal: scale into the normal range first (exact, a power of two).
    F64[0] = x * 2 ** 64;
    biased = (U32[HI]! >>> 20) & 0x7ff;
    adjust = -64;
  }
  // Replace the exponent with 1022 (so |m| is in [0.5, 1)), keeping sign and fraction bits.
  U32[HI] = (U32[HI]! & 0x800fffff) | (1022 << 20);
  return { mantissa: F64[0]!, exponent: biased - 1022 + adjust };
}

/** QuantizeMultiplier(double m). Throws a MicronetsError for a non-finite m. */
export function quantizeMultiplier(m: number, rounding: Rounding = "double"): QuantizedMultiplier {
  if (!Number.isFinite(m)) throw inputError(`real multiplier ${m} is not finite`);
  if (m === 0) return { multiplier: 0, shift: 0 };
  const { mantissa, exponent } = frexp(m);
  let shift = exponent;
  let q = roundHalfAway(mantissa * 2 ** 31); // the product is exact
  if (q === 2 ** 31) {
    q = 2 ** 30;
    shift += 1;
  }
  if (shift < -31) {
    shift = 0;
    q = 0;
  }
  if (rounding === "single" && shift > 30) {
    shift = 30;
    q = 2 ** 31 - 1;
  }
  return { multiplier: q, shift };
}

/** QuantizeMultiplierSmallerThanOneExp: requires 0 < m < 1, so shift ≤ 0. */
export function quantizeMultiplierSmallerThanOneExp(m: number, rounding: Rounding = "double"): QuantizedMultiplier {
  if (!(m > 0 && m < 1)) throw inputError(`real multiplier ${m} must be in (0, 1)`);
  const r = quantizeMultiplier(m, rounding);
  if (r.shift > 0) throw inputError(`real multiplier ${m} gives a left shift of ${r.shift}; expected ≤ 0`);
  return r;
}

/** QuantizeMultiplierGreaterThanOne: requires m > 1, so shift ≥ 0. */
export function quantizeMultiplierGreaterThanOne(m: number, rounding: Rounding = "double"): QuantizedMultiplier {
  if (!(m > 1)) throw inputError(`real multiplier ${m} must be greater than 1`);
  const r = quantizeMultiplier(m, rounding);
  if (r.shift < 0) throw inputError(`real multiplier ${m} gives a right shift of ${-r.shift}; expected ≥ 0`);
  return r;
}
