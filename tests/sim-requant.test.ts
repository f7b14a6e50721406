/**
 * The WebAssembly requantisation (the SIMD form the int8 kernels use for 4 channels at a time, and the scalar
 * form for leftover channels and single rounding) over the whole int32 range, against BigInt transcriptions
 * of the spec's formulas (int8 spec §3.2–3.3, TFLM's nudge-and-truncate forms). Each value has its own
 * multiplier and shift, so every SIMD vector mixes shifts, as per-channel quantisation does.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { isMicronetsError } from "../src/errors.js";
import { loadSimKernels, type SimKernels } from "../src/sim/kernel-runner.js";

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const B = BigInt;
const toI32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

function srdhmSpec(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const p = B(a) * B(b);
  const nudge = p >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return toI32((p + nudge) / (1n << 31n)); // BigInt division truncates, like C
}
function rdbpotSpec(x: number, e: number): number {
  const mask = (1n << B(e)) - 1n;
  const rem = B(x) & mask;
  const thr = (mask >> 1n) + (x < 0 ? 1n : 0n);
  return toI32((B(x) >> B(e)) + (rem > thr ? 1n : 0n));
}
/** TFLM MultiplyByQuantizedMultiplier, double rounding: the left shift is a wrapping 32-bit multiply. */
const doubleSpec = (x: number, m: number, s: number): number => rdbpotSpec(srdhmSpec(toI32(B(x) << B(Math.max(s, 0))), m), Math.max(-s, 0));
/** TFLITE_SINGLE_ROUNDING: (x·M + 2^(t−1)) >> t in 64 bits, t = 31 − s. */
const singleSpec = (x: number, m: number, s: number): number => {
  const t = B(31 - s);
  return toI32((B(x) * B(m) + (1n << (t - 1n))) >> t);
};

/** Deterministic xorshift32. */
function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    return s;
  };
}

interface Case { x: number; m: number; s: number; bias: number }

/** Random values over the whole range, exact rounding ties of the second (RDBPOT) step, and extremes. */
function cases(maxShift: number): Case[] {
  const r = rng(0x2545f491);
  const out: Case[] = [];
  const mults = [0, 1, 1 << 30, INT32_MAX, 1518500250];
  const xs = [0, 1, -1, INT32_MAX, INT32_MIN, INT32_MIN + 1, 1 << 30, -(1 << 30)];
  for (let s = -31; s <= maxShift; s++) for (const m of mults) for (const x of xs) out.push({ x, m, s, bias: 0 });
  for (let i = 0; i < 20000; i++) {
    const s = (((r() >>> 0) % (32 + maxShift)) - 31) | 0;
    const m = (r() >>> 1) | (i & 1 ? 1 << 30 : 0);
    const x = i & 2 ? r() : r() >> ((r() >>> 0) % 31);
    out.push({ x, m, s, bias: i & 4 ? r() >> 8 : 0 });
  }
  // SRDHM(2v, 2^30) = v exactly, so x = 2v with v = k·2^rs ± 2^(rs−1) makes RDBPOT round an exact half.
  for (let rs = 1; rs <= 29; rs++) {
    for (let i = 0; i < 40; i++) {
      const k = (r() >> (rs + 3)) | 0;
      const v = k * 2 ** rs + (i & 1 ? 1 : -1) * 2 ** (rs - 1);
      if (Math.abs(2 * v) < 2 ** 31) out.push({ x: 2 * v, m: 1 << 30, s: -rs, bias: 0 });
    }
  }
  return out;
}

let kernels: SimKernels;
beforeAll(async () => {
  kernels = await loadSimKernels();
});

function check(rounding: "double" | "single", spec: (x: number, m: number, s: number) => number, maxShift: number): void {
  const cs = cases(maxShift);
  const got = kernels.requantize32(
    Int32Array.from(cs, (c) => c.x),
    cs.map((c) => c.m),
    cs.map((c) => c.s),
    Int32Array.from(cs, (c) => c.bias),
    rounding,
  );
  let first: string | null = null;
  let bad = 0;
  cs.forEach((c, i) => {
    const want = spec((c.x + c.bias) | 0, c.m, c.s);
    if (got[i] === want) return;
    bad++;
    first ??= `value ${i}: x=${c.x} bias=${c.bias} M=${c.m} s=${c.s}: spec ${want}, simulator ${got[i]}`;
  });
  expect(first && `${bad} of ${cs.length} differ; first ${first}`).toBeNull();
}

describe("WebAssembly MultiplyByQuantizedMultiplier over the int32 range", () => {
  it("double rounding (SIMD lanes and the scalar tail) equals the spec", () => check("double", doubleSpec, 31));
  it("single rounding equals the spec", () => check("single", singleSpec, 30));

  it("rejects what TFLM's domain excludes: negative multipliers and shifts out of range", () => {
    const bad = [
      () => kernels.requantize32(Int32Array.of(5), [-1], [0], null, "double"),
      () => kernels.requantize32(Int32Array.of(5), [1 << 30], [32], null, "double"),
      () => kernels.requantize32(Int32Array.of(5), [1 << 30], [-32], null, "double"),
      () => kernels.requantize32(Int32Array.of(5), [1 << 30], [31], null, "single"),
    ];
    for (const f of bad) {
      let err: unknown;
      try { f(); } catch (e) { err = e; }
      expect(isMicronetsError(err)).toBe(true);
    }
  });
});
