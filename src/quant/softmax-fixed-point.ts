/**
 * gemmlowp fixed-point transcendental functions used by TFLM's int8 softmax (int8 spec §4.9), on raw int32
 * values. FixedPoint<int32, I> holds 31 − I fractional bits; `*` is SRDHM and `+`/`−` wrap.
 */
import { INT32_MAX, rdbpot, roundingHalfSum, satRoundMulPOT, srdhm } from "./fixed-point.js";

/** Integer bits of the scaled input difference (Q5.26) TFLM's softmax uses. */
export const SCALED_DIFF_INTEGER_BITS = 5;
/** Integer bits of the sum-of-exponentials accumulator (Q12.19). */
export const ACCUMULATION_INTEGER_BITS = 12;

const CONST_EXP_MINUS_ONE_EIGHTH = 1895147668; // e^(−1/8), Q0.31
const CONST_ONE_THIRD = 715827883; // 1/3, Q0.31
/** e^(−2^k) for k = −2 … 4, Q0.31, applied for bits 24 … 30 of the remainder. */
const BARREL_SHIFTER = [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242];

/** exp(a) for a in [−1/4, 0), input and output Q0.31 (Taylor series around −1/8). */
function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: number): number {
  const x = (a + (1 << 28)) | 0; // a + 1/8
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const x4Over4 = rdbpot(x4, 2);
  const tail = rdbpot((srdhm((x4Over4 + x3) | 0, CONST_ONE_THIRD) + x2) | 0, 1);
  return (CONST_EXP_MINUS_ONE_EIGHTH + srdhm(CONST_EXP_MINUS_ONE_EIGHTH, (x + tail) | 0)) | 0;
}

/** gemmlowp exp_on_negative_values for a Q5.26 input a ≤ 0; returns Q0.31. */
export function expOnNegativeValues(a: number): number {
  const quarter = 1 << 24; // 1/4 in Q5.26
  const aModQuarterMinusQuarter = ((a & (quarter - 1)) - quarter) | 0;
  // Rescale<0> from 5 integer bits: a saturating ×32, exact for values in [−1/4, 0).
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(satRoundMulPOT(aModQuarterMinusQuarter, 5));
  const remainder = (aModQuarterMinusQuarter - a) | 0;
  for (let k = 0; k < BARREL_SHIFTER.length; k++) {
    if (remainder & (1 << (24 + k))) result = srdhm(result, BARREL_SHIFTER[k]!);
  }
  return a === 0 ? INT32_MAX : result;
}

/** gemmlowp one_over_one_plus_x_for_x_in_0_1: 1 / (1 + a) for a Q0.31 input in [0, 1); returns Q0.31. */
export function oneOverOnePlusXForXIn01(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX); // Q0.31
  const CONST_48_OVER_17 = 1515870810; // Q2.29
  const CONST_NEG_32_OVER_17 = -1010580540; // Q2.29
  let x = (CONST_48_OVER_17 + srdhm(halfDenominator, CONST_NEG_32_OVER_17)) | 0;
  const oneQ2 = 1 << 29;
  for (let i = 0; i < 3; i++) {
    const halfDenominatorTimesX = srdhm(halfDenominator, x); // Q2.29
    const oneMinus = (oneQ2 - halfDenominatorTimesX) | 0;
    x = (x + satRoundMulPOT(srdhm(x, oneMinus), 2)) | 0; // Q4 product rescaled to Q2
  }
  // ExactMulByPot<−1> reinterprets Q2.29 as Q1.30; Rescale<0> is a saturating ×2.
  return satRoundMulPOT(x, 1);
}

/**
 * TFLM GetReciprocal: the reciprocal of a positive fixed-point sum with `integerDigits` integer bits, as a
 * Q0.31 scale and the extra right shift `numBitsOverUnit`.
 */
export function getReciprocal(x: number, integerDigits: number): { scale: number; numBitsOverUnit: number } {
  const headroomPlusOne = Math.clz32(x);
  const numBitsOverUnit = integerDigits - headroomPlusOne;
  // (uint32)x << headroom − 2^31, taken as int32.
  const shiftedSumMinusOne = ((x << headroomPlusOne) - INT32_MAX - 1) | 0;
  return { scale: oneOverOnePlusXForXIn01(shiftedSumMinusOne), numBitsOverUnit };
}

/**
 * TFLM CalculateInputRadius(integerBits, leftShift, totalSignedBits = 31): the largest |input diff| whose
 * rescaled value still fits, floor((2^I − 1) · 2^(31−I) / 2^leftShift).
 */
export function calculateInputRadius(integerBits: number, leftShift: number, totalSignedBits = 31): number {
  const maxInputRescaled = ((2 ** integerBits - 1) * 2 ** (totalSignedBits - integerBits)) / 2 ** leftShift;
  return Math.floor(maxInputRescaled);
}
