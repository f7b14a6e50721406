/**
 * gemmlowp / TFLM integer primitives (int8 spec §3.2–3.4), exact in JS.
 *
 * All arguments are int32 values held in JS numbers. 64-bit products are formed from 16-bit limbs of one
 * operand: |a · b_lo| < 2^47 and |a · b_hi| < 2^46 are exact in a double, so no BigInt is needed on the
 * hot path.
 */

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Reduces an integer (exact in a double, |x| < 2^53) modulo 2^32 to a signed int32, like C's wrap-around. */
export function wrap32(x: number): number {
  return x | 0;
}

/**
 * SaturatingRoundingDoublingHighMul: (a·b + 2^30) >> 31 in 64 bits (round half toward +∞), with the single
 * overflow case INT32_MIN · INT32_MIN saturating to INT32_MAX. Identical to NEON VQRDMULH.
 */
export function srdhm(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // a·b = hi·2^16 + (lo − 2^30), with the rounding nudge 2^30 folded into lo.
  const lo = a * (b & 0xffff) + 0x40000000;
  const hi = a * (b >> 16);
  // floor((hi·2^16 + lo) / 2^31) = floor((hi + floor(lo / 2^16)) / 2^15): the dropped low bits are < 2^16.
  return Math.floor((hi + Math.floor(lo / 65536)) / 32768) | 0;
}

const POW2: number[] = Array.from({ length: 64 }, (_, i) => 2 ** i);

/**
 * floor((a·b + 2^(t−1)) / 2^t) for int32 a, b and 1 ≤ t ≤ 62: a 64-bit product rounded half toward +∞ at
 * bit t. Exact whenever the result fits in ±2^53 (always, for results that fit int32).
 */
export function mulRoundShift64(a: number, b: number, t: number): number {
  const lo = a * (b & 0xffff);
  const hi = a * (b >> 16);
  const q1 = Math.floor(lo / 65536);
  const n = hi + q1; // a·b = n·2^16 + r1, 0 ≤ r1 < 2^16
  if (t >= 17) return Math.floor((n + POW2[t - 17]!) / POW2[t - 16]!);
  const r1 = lo - q1 * 65536;
  return n * POW2[16 - t]! + Math.floor((r1 + POW2[t - 1]!) / POW2[t]!);
}

/**
 * RoundingDivideByPOT: x / 2^e rounded to nearest, halves away from zero, for 0 ≤ e ≤ 31.
 */
export function rdbpot(x: number, e: number): number {
  const mask = e === 0 ? 0 : (0xffffffff >>> (32 - e)) | 0;
  const rem = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (rem > threshold ? 1 : 0);
}

/**
 * SaturatingRoundingMultiplyByPOT: x · 2^k, saturating for k > 0; RDBPOT(x, −k) for k ≤ 0. −31 ≤ k ≤ 31.
 */
export function satRoundMulPOT(x: number, k: number): number {
  if (k <= 0) return rdbpot(x, -k);
  const threshold = POW2[31 - k]! - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return Math.imul(x, POW2[k]! | 0);
}

/** gemmlowp RoundingHalfSum for int32: (a + b ± 1) / 2 computed without overflow, truncating division. */
export function roundingHalfSum(a: number, b: number): number {
  const s = a + b; // exact: |s| < 2^32
  return Math.trunc((s + (s >= 0 ? 1 : -1)) / 2);
}

/**
 * TFLM MultiplyByQuantizedMultiplier, default (double-rounding) build:
 * RDBPOT(SRDHM(wrap32(x · 2^max(s,0)), M), max(−s,0)). Domain: −31 ≤ s ≤ 31.
 */
export function mbqmDouble(x: number, multiplier: number, shift: number): number {
  if (shift > 0) return srdhm(Math.imul(x, POW2[shift]! | 0), multiplier);
  return rdbpot(srdhm(x, multiplier), -shift);
}

/**
 * TFLM MultiplyByQuantizedMultiplier with TFLITE_SINGLE_ROUNDING: (x·M + 2^(t−1)) >> t with t = 31 − s, in
 * 64 bits, then cast to int32. Domain (TFLM DCHECKs): M ≥ 0, −31 ≤ s ≤ 30, result fits int32.
 */
export function mbqmSingle(x: number, multiplier: number, shift: number): number {
  return mulRoundShift64(x, multiplier, 31 - shift) | 0;
}

/** MultiplyByQuantizedMultiplier for the chosen build. */
export function mbqm(x: number, multiplier: number, shift: number, rounding: "double" | "single"): number {
  return rounding === "single" ? mbqmSingle(x, multiplier, shift) : mbqmDouble(x, multiplier, shift);
}
