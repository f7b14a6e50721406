/**
 * The integer primitives against hand-derived values (int8 spec §3) and against straightforward BigInt
 * transcriptions of the spec's formulas (which use TFLM's nudge-and-truncate forms, not our limb arithmetic).
 */
import { describe, expect, it } from "vitest";
import { activationRangeInt8 } from "../src/quant/activation-range.js";
import { INT32_MAX, INT32_MIN, mbqm, mbqmDouble, mbqmSingle, rdbpot, roundingHalfSum, satRoundMulPOT, srdhm, wrap32 } from "../src/quant/fixed-point.js";
import { adjustMeanMultiplier } from "../src/quant/mean-multiplier.js";
import { frexp, quantizeMultiplier, quantizeMultiplierGreaterThanOne, quantizeMultiplierSmallerThanOneExp } from "../src/quant/quantize-multiplier.js";
import { roundHalfAway } from "../src/quant/rounding.js";
import { calculateInputRadius, expOnNegativeValues, getReciprocal, oneOverOnePlusXForXIn01 } from "../src/quant/softmax-fixed-point.js";
import { softmaxInputParams } from "../src/quant/op-params.js";

// ---- spec formulas in BigInt (independent of the limb implementation) ----
const B = BigInt;
/** C's truncating division. */
const cdiv = (a: bigint, b: bigint): bigint => a / b; // BigInt division truncates toward zero, like C
const toI32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
function srdhmSpec(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const p = B(a) * B(b);
  const nudge = p >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return toI32(cdiv(p + nudge, 1n << 31n));
}
function rdbpotSpec(x: number, e: number): number {
  const mask = (1n << B(e)) - 1n;
  const rem = B(x) & mask; // two's complement & on BigInt matches int32 &
  const thr = (mask >> 1n) + (x < 0 ? 1n : 0n);
  return toI32((B(x) >> B(e)) + (rem > thr ? 1n : 0n));
}
function mbqmDoubleSpec(x: number, m: number, s: number): number {
  const ls = Math.max(s, 0);
  const rs = Math.max(-s, 0);
  return rdbpotSpec(srdhmSpec(toI32(B(x) << B(ls)), m), rs);
}
function mbqmSingleSpec(x: number, m: number, s: number): number {
  const t = B(31 - s);
  return toI32((B(x) * B(m) + (1n << (t - 1n))) >> t);
}

/** Deterministic pseudo-random int32s (xorshift32), biased towards edge values. */
function* int32s(n: number, seed = 0x9e3779b9): Generator<number> {
  const edges = [0, 1, -1, INT32_MAX, INT32_MIN, INT32_MIN + 1, 1 << 30, -(1 << 30), 65535, -65536, 65536];
  let s = seed | 0;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    yield i < edges.length ? edges[i]! : (i & 3) === 0 ? s >> (s & 31) : s;
  }
}

describe("frexp and QuantizeMultiplier (§3.1)", () => {
  it("frexp splits doubles from their IEEE bits, including subnormals", () => {
    expect(frexp(1)).toEqual({ mantissa: 0.5, exponent: 1 });
    expect(frexp(0.75)).toEqual({ mantissa: 0.75, exponent: 0 });
    expect(frexp(-3)).toEqual({ mantissa: -0.75, exponent: 2 });
    expect(frexp(2 ** -1074)).toEqual({ mantissa: 0.5, exponent: -1073 });
    expect(frexp(3 * 2 ** -1070)).toEqual({ mantissa: 0.75, exponent: -1068 });
    expect(frexp(Number.MAX_VALUE)).toEqual({ mantissa: 1 - 2 ** -53, exponent: 1024 });
  });

  it("gives hand-derived (multiplier, shift) pairs", () => {
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 1610612736, shift: 0 });
    expect(quantizeMultiplier(3)).toEqual({ multiplier: 1610612736, shift: 2 });
  });

  it("rounds the Q31 mantissa half away from zero", () => {
    // q·2^31 = 2^30 + 0.5 exactly.
    expect(quantizeMultiplier(0.5 + 2 ** -32)).toEqual({ multiplier: 2 ** 30 + 1, shift: 0 });
    expect(quantizeMultiplier(-(0.5 + 2 ** -32))).toEqual({ multiplier: -(2 ** 30 + 1), shift: 0 });
  });

  it("renormalises a mantissa that rounds up to 2^31", () => {
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 2 ** 30, shift: 1 });
  });

  it("flushes multipliers below 2^-32 to zero", () => {
    expect(quantizeMultiplier(2 ** -32)).toEqual({ multiplier: 2 ** 30, shift: -31 });
    expect(quantizeMultiplier(2 ** -33)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(2 ** -40)).toEqual({ multiplier: 0, shift: 0 });
  });

  it("caps the shift at 30 only in single-rounding builds", () => {
    expect(quantizeMultiplier(2 ** 40)).toEqual({ multiplier: 2 ** 30, shift: 41 });
    expect(quantizeMultiplier(2 ** 40, "single")).toEqual({ multiplier: 2 ** 31 - 1, shift: 30 });
    expect(quantizeMultiplier(2 ** 29, "single")).toEqual({ multiplier: 2 ** 30, shift: 30 });
  });

  it("checks the ranges of the SmallerThanOne / GreaterThanOne variants and rejects non-finite values", () => {
    expect(quantizeMultiplierSmallerThanOneExp(0.25)).toEqual({ multiplier: 2 ** 30, shift: -1 });
    expect(() => quantizeMultiplierSmallerThanOneExp(1)).toThrow(/\(0, 1\)/);
    expect(quantizeMultiplierGreaterThanOne(4)).toEqual({ multiplier: 2 ** 30, shift: 3 });
    expect(() => quantizeMultiplierGreaterThanOne(1)).toThrow(/greater than 1/);
    expect(() => quantizeMultiplier(Infinity)).toThrow(/not finite/);
    expect(() => quantizeMultiplier(NaN)).toThrow(/not finite/);
  });
});

describe("gemmlowp primitives (§3.2)", () => {
  it("SRDHM: hand-derived values, round half toward +∞, and the one saturating case", () => {
    expect(srdhm(INT32_MIN, INT32_MIN)).toBe(INT32_MAX);
    expect(srdhm(2 ** 30, 2 ** 30)).toBe(2 ** 29);
    expect(srdhm(1, 2 ** 30)).toBe(1); // +0.5 → 1
    expect(srdhm(-1, 2 ** 30)).toBe(0); // −0.5 → 0
    expect(srdhm(3, 2 ** 30)).toBe(2); // 1.5 → 2
    expect(srdhm(-3, 2 ** 30)).toBe(-1); // −1.5 → −1
    expect(srdhm(INT32_MAX, INT32_MAX)).toBe(2147483646);
    expect(srdhm(INT32_MIN, INT32_MAX)).toBe(-2147483647);
    expect(srdhm(INT32_MAX, INT32_MIN)).toBe(-2147483647);
  });

  it("SRDHM equals the spec's nudge-and-truncate formula on 20 000 pairs", () => {
    const a = [...int32s(20000, 1)];
    const b = [...int32s(20000, 2)];
    for (let i = 0; i < a.length; i++) {
      if (srdhm(a[i]!, b[i]!) !== srdhmSpec(a[i]!, b[i]!)) expect([a[i], b[i], srdhm(a[i]!, b[i]!)]).toEqual([a[i], b[i], srdhmSpec(a[i]!, b[i]!)]);
    }
  });

  it("RDBPOT rounds halves away from zero, for every exponent 0…31", () => {
    expect(rdbpot(5, 1)).toBe(3);
    expect(rdbpot(-5, 1)).toBe(-3);
    expect(rdbpot(-4, 1)).toBe(-2);
    expect(rdbpot(7, 2)).toBe(2);
    expect(rdbpot(-6, 2)).toBe(-2);
    expect(rdbpot(-5, 2)).toBe(-1);
    expect(rdbpot(123, 0)).toBe(123);
    expect(rdbpot(INT32_MIN, 31)).toBe(-1);
    expect(rdbpot(INT32_MAX, 31)).toBe(1);
    expect(rdbpot(2 ** 30, 31)).toBe(1);
    expect(rdbpot(-(2 ** 30), 31)).toBe(-1);
    expect(rdbpot(2 ** 30 - 1, 31)).toBe(0);
    for (const x of int32s(2000, 3)) for (let e = 0; e <= 31; e++) if (rdbpot(x, e) !== rdbpotSpec(x, e)) expect([x, e, rdbpot(x, e)]).toEqual([x, e, rdbpotSpec(x, e)]);
  });

  it("SaturatingRoundingMultiplyByPOT saturates beyond ±(2^(31−k) − 1)", () => {
    expect(satRoundMulPOT(2 ** 28, 2)).toBe(2 ** 30);
    expect(satRoundMulPOT(2 ** 29 - 1, 2)).toBe(2 ** 31 - 4);
    expect(satRoundMulPOT(2 ** 29, 2)).toBe(INT32_MAX);
    expect(satRoundMulPOT(-(2 ** 29) + 1, 2)).toBe(-(2 ** 31) + 4);
    expect(satRoundMulPOT(-(2 ** 29), 2)).toBe(INT32_MIN);
    expect(satRoundMulPOT(5, -1)).toBe(3);
    expect(satRoundMulPOT(-7, 0)).toBe(-7);
  });

  it("RoundingHalfSum works past int32 and truncates", () => {
    expect(roundingHalfSum(INT32_MAX, INT32_MAX)).toBe(INT32_MAX);
    expect(roundingHalfSum(INT32_MIN, INT32_MIN)).toBe(INT32_MIN);
    expect(roundingHalfSum(1, 2)).toBe(2);
    expect(roundingHalfSum(-1, -2)).toBe(-2);
    expect(roundingHalfSum(0, 0)).toBe(0);
    expect(roundingHalfSum(0, INT32_MAX)).toBe(2 ** 30);
  });

  it("wrap32 reduces modulo 2^32", () => {
    expect(wrap32(2 ** 31)).toBe(INT32_MIN);
    expect(wrap32(2 ** 32 + 5)).toBe(5);
    expect(wrap32(-(2 ** 31) - 1)).toBe(INT32_MAX);
  });

  it("round half away from zero (std::round), unlike Math.round", () => {
    expect(roundHalfAway(2.5)).toBe(3);
    expect(roundHalfAway(-2.5)).toBe(-3);
    expect(Math.round(-2.5)).toBe(-2);
    expect(roundHalfAway(-2.4)).toBe(-2);
    expect(roundHalfAway(0.49999999999999994)).toBe(0);
    expect(Object.is(roundHalfAway(-0.2), 0)).toBe(true);
  });
});

describe("MultiplyByQuantizedMultiplier, double and single rounding (§3.3)", () => {
  it("differ where double rounding rounds twice: 1 · 0.25", () => {
    // M = 2^30 (0.5), s = −1: real factor 0.25. Double: SRDHM(1, 2^30) = 1 (0.5 up), RDBPOT(1, 1) = 1 (0.5
    // away). Single: (2^30 + 2^31) >> 32 = 0.
    expect(mbqmDouble(1, 2 ** 30, -1)).toBe(1);
    expect(mbqmSingle(1, 2 ** 30, -1)).toBe(0);
    expect(mbqm(1, 2 ** 30, -1, "double")).toBe(1);
    expect(mbqm(1, 2 ** 30, -1, "single")).toBe(0);
  });

  it("agree where no double rounding happens", () => {
    expect(mbqmDouble(3, 2 ** 30, 1)).toBe(3);
    expect(mbqmSingle(3, 2 ** 30, 1)).toBe(3);
    expect(mbqmDouble(-6, 1610612736, -1)).toBe(-2); // −6 · 0.375 = −2.25
    expect(mbqmSingle(-6, 1610612736, -1)).toBe(-2);
  });

  it("wraps the left shift like a 32-bit multiply", () => {
    // 2^30 · 2^2 wraps to 0 before the multiplier applies.
    expect(mbqmDouble(2 ** 30, 2 ** 30, 2)).toBe(0);
  });

  it("match BigInt transcriptions of the spec on 40 000 random (x, M, s)", () => {
    const xs = [...int32s(40000, 7)];
    const ms = [...int32s(40000, 11)].map((m) => (m & 0x7fffffff) | 0x40000000); // normal multipliers [2^30, 2^31)
    const ss = [...int32s(40000, 13)].map((s) => (((s % 62) + 62) % 62) - 31); // −31 … 30
    let checkedSingle = 0;
    let differ = 0;
    for (let i = 0; i < xs.length; i++) {
      const [x, m, s] = [xs[i]!, ms[i]!, ss[i]!];
      const d = mbqmDouble(x, m, s);
      if (d !== mbqmDoubleSpec(x, m, s)) expect([x, m, s, d]).toEqual([x, m, s, mbqmDoubleSpec(x, m, s)]);
      // Single rounding is defined (TFLM DCHECK) only where the result fits int32.
      const exact = (B(x) * B(m) + (1n << B(30 - s))) >> B(31 - s);
      if (exact < -(2n ** 31n) || exact >= 2n ** 31n) continue;
      checkedSingle++;
      const sr = mbqmSingle(x, m, s);
      if (sr !== mbqmSingleSpec(x, m, s)) expect([x, m, s, sr]).toEqual([x, m, s, mbqmSingleSpec(x, m, s)]);
      // Without a wrapping left shift the two builds differ by at most one step.
      const shifted = x * 2 ** Math.max(s, 0);
      if (shifted >= INT32_MIN && shifted <= INT32_MAX && Math.abs(sr - d) > 1) expect({ x, m, s, single: sr, double: d }).toBeNull();
      if (sr !== d) differ++;
    }
    expect(checkedSingle).toBeGreaterThan(10000);
    expect(differ).toBeGreaterThan(0);
  });
});

describe("softmax fixed point (§3.5, §4.9)", () => {
  it("derives the CMSIS softmax example: β = 1, input scale float32(1/255) → 1077952640, 19, −3968", () => {
    // float32(1/255) = 8421505 · 2^−31; · 2^26 = 8421505 · 2^−5, whose Q31 mantissa is 8421505 · 2^7.
    const inScale = Math.fround(1 / 255);
    expect(inScale * 2 ** 31).toBe(8421505);
    expect(softmaxInputParams(1, inScale, "double")).toEqual({ input_multiplier: 1077952640, input_left_shift: 19, diff_min: -3968 });
    expect(calculateInputRadius(5, 19)).toBe(3968); // 31 · 2^26 / 2^19 = 31 · 128
  });

  it("caps β·s·2^26 at 2^31 − 1 (2^30 − 1 with single rounding)", () => {
    // 1000 · 2^26 > 2^31 − 1 = (1 − 2^−31) · 2^31: mantissa 2^31 − 1, shift 31, radius floor(31/32) = 0.
    expect(softmaxInputParams(1, 1000, "double")).toEqual({ input_multiplier: 2147483647, input_left_shift: 31, diff_min: 0 });
    const bigSingle = softmaxInputParams(1, 1000, "single");
    expect(bigSingle).toEqual({ input_multiplier: 2 ** 31 - 2, input_left_shift: 30, diff_min: -calculateInputRadius(5, 30) });
  });

  it("exp_on_negative_values: exp(0) = 1 and close to e^x elsewhere, monotone", () => {
    expect(expOnNegativeValues(0)).toBe(INT32_MAX);
    for (const x of [-1 / 64, -0.25, -0.5, -1, -2.75, -8, -16]) {
      const got = expOnNegativeValues(Math.round(x * 2 ** 26)) / 2 ** 31;
      expect(Math.abs(got - Math.exp(x))).toBeLessThan(1e-8 + 1e-6 * Math.exp(x));
    }
    let prev = INT32_MAX;
    for (let a = 0; a >= -(2 ** 28); a -= 1234567) {
      const v = expOnNegativeValues(a);
      expect(v).toBeLessThanOrEqual(prev);
      prev = v;
    }
  });

  it("one_over_one_plus_x and GetReciprocal approximate 1 / (1 + x)", () => {
    expect(Math.abs(oneOverOnePlusXForXIn01(0) - INT32_MAX)).toBeLessThan(4);
    expect(Math.abs(oneOverOnePlusXForXIn01(2 ** 30) - (2 / 3) * 2 ** 31)).toBeLessThan(4);
    // A Q12.19 sum of exactly 1.0: headroom 12, no bits over unit, reciprocal 1.
    const r = getReciprocal(2 ** 19, 12);
    expect(r.numBitsOverUnit).toBe(0);
    expect(Math.abs(r.scale - INT32_MAX)).toBeLessThan(4);
    // 3.0 = 1.5 · 2^1: one bit over unit, scale 1/1.5.
    const r3 = getReciprocal(3 * 2 ** 19, 12);
    expect(r3.numBitsOverUnit).toBe(1);
    expect(Math.abs(r3.scale - (2 / 3) * 2 ** 31)).toBeLessThan(4);
  });
});

describe("activation range (§3.6)", () => {
  it("quantises the bounds in float32 with rounding half away from zero", () => {
    // float32(0.4) is slightly above 0.4: in double 1/0.4f = 2.49999996…, in float32 it rounds to 2.5,
    // which rounds away to 3. A double computation would give ±2.
    const s = Math.fround(0.4);
    expect(Math.round(1 / s)).toBe(2);
    expect(activationRangeInt8("relu_n1_to_1", s, 0)).toEqual({ min: -3, max: 3 });
    expect(activationRangeInt8("relu", 0.25, 3)).toEqual({ min: 3, max: 127 });
    expect(activationRangeInt8("relu6", 0.5, 0)).toEqual({ min: 0, max: 12 });
    expect(activationRangeInt8("relu6", Math.fround(6 / 255), -128)).toEqual({ min: -128, max: 127 });
    expect(activationRangeInt8("relu6", 0.01, -128)).toEqual({ min: -128, max: 127 }); // Q(6) = 472, capped
    expect(activationRangeInt8("none", 0.5, 7)).toEqual({ min: -128, max: 127 });
    expect(activationRangeInt8("tanh", 0.5, 7)).toEqual({ min: -128, max: 127 });
  });
});

describe("MEAN multiplier adjustment (§4.10)", () => {
  it("folds 1/n into the multiplier", () => {
    expect(adjustMeanMultiplier(2 ** 30, 0, 3)).toEqual({ multiplier: 715827882, shift: -1 }); // floor(2^31 / 3)
    expect(adjustMeanMultiplier(2 ** 30, 1, 4)).toEqual({ multiplier: 2 ** 30, shift: -1 });
    expect(adjustMeanMultiplier(2 ** 30, 0, 1)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    // sh = min(floor(log2 1000) = 9, 32, 31 − 25 = 6) = 6: floor(2^30 · 64 / 1000).
    expect(adjustMeanMultiplier(2 ** 30, -25, 1000)).toEqual({ multiplier: Math.floor((2 ** 36) / 1000), shift: -31 });
    // n = 2^40: sh capped at 32.
    expect(adjustMeanMultiplier(2 ** 30, 5, 2 ** 40)).toEqual({ multiplier: 2 ** 22, shift: -27 });
  });
});
