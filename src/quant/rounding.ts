/**
 * Rounding helpers shared by every engine: the C library's round-half-away-from-zero and the choice between
 * TFLite's two requantisation builds.
 */

/**
 * Which MultiplyByQuantizedMultiplier build to emulate: "double" is TFLM's and CMSIS-NN's default (SRDHM then
 * a rounding shift); "single" is TFLITE_SINGLE_ROUNDING / CMSIS_NN_USE_SINGLE_ROUNDING (one 64-bit rounding).
 */
export type Rounding = "double" | "single";

/**
 * std::round / TfLiteRound: nearest integer, halves away from zero. (Math.round sends −2.5 to −2.) Exact for
 * every double, since Math.round is defined on the exact value.
 */
export function roundHalfAway(x: number): number {
  return (x < 0 ? -Math.round(-x) : Math.round(x)) + 0; // + 0 turns −0 into 0
}

/**
 * C's float → int32 conversion of an already-rounded value. Out-of-range values and NaN are undefined
 * behaviour in C and hosts differ (x86 yields INT32_MIN); we follow the Cortex-M targets' VCVT, which
 * saturates and sends NaN to 0.
 */
export function toInt32(x: number): number {
  if (Number.isNaN(x)) return 0;
  if (x <= -2147483648) return -2147483648;
  if (x >= 2147483647) return 2147483647;
  return Math.trunc(x) | 0;
}

/** Clamps an integer to the int8 range. */
export function clampInt8(x: number): number {
  return x < -128 ? -128 : x > 127 ? 127 : x;
}
