/**
 * Requantisation code for one layer: acc (int32) → clamped int8, exactly TFLM's double-rounding
 * MultiplyByQuantizedMultiplier plus zero point and activation clamp, in the cheapest form the layer's
 * constants allow. Which form is decided here at generation time from the per-channel multipliers and a
 * proven bound on |acc|:
 *
 * - "right" (every shift ≤ −1, |acc| < 2^30): SRDHM(acc, M) = SMMULR(2·acc, M) exactly (both are
 *   (acc·M + 2^30) >> 31), then RoundingDivideByPOT by rs = −shift as
 *   (((y + (y >> 31)) >> (rs − 1)) + 1 + 2·zp) >> 1, the zero point folded in. When the clamp's lower bound
 *   is at or above the zero point, a negative y ends at that bound whatever its rounding, so the sign
 *   correction (y >> 31) is dropped.
 * - "left" (every shift ≥ 0, |acc|·2^(shift+1) < 2^31): y = SMMULR(acc·2^(shift+1), M) + zp (no wrap).
 * - "exact": the general int64 formula (mn_mbqm), wrap of the left shift included.
 */
import type { ActivationRange } from "../../quant/op-params.js";
import { cInt32 } from "../c-format.js";

export type RequantMode = "right" | "left" | "exact";

export interface RequantPlan {
  mode: RequantMode;
  /** True when every channel shares multiplier and shift (constants instead of tables). */
  uniform: boolean;
  /** Multiplier table (or the single value). */
  mult: number[];
  /** Second table: rs − 1 ("right"), 2^(shift+1) ("left"), shift ("exact"). */
  aux: number[];
  zp: number;
  act: ActivationRange;
  /** Drop the sign correction (see the file comment). */
  negClamps: boolean;
}

/**
 * Chooses the form. `bound[c]` is an upper bound on |acc| for channel c. `perChannelTable` keeps per-channel
 * multipliers and shifts in the table even when they are all equal (kernels that read them from there).
 */
export function planRequant(mult: readonly number[], shift: readonly number[], bound: readonly number[], zp: number, act: ActivationRange, perChannelTable = false): RequantPlan {
  const uniform = !perChannelTable && mult.every((m) => m === mult[0]) && shift.every((s) => s === shift[0]);
  const allRight = shift.every((s) => s <= -1 && s >= -31);
  const allLeft = shift.every((s) => s >= 0 && s <= 30);
  // A loop, not Math.max(...bound): one argument per channel overflows the stack past ~100,000 channels.
  let maxBound = 0;
  for (const b of bound) if (b > maxBound) maxBound = b;
  const negClamps = act.min >= zp;
  const pick = (m: number[], a: number[], mode: RequantMode): RequantPlan => ({
    mode,
    uniform,
    mult: uniform ? [m[0] ?? 0] : m,
    aux: uniform ? [a[0] ?? 0] : a,
    zp,
    act,
    negClamps,
  });
  if (allRight && maxBound < 2 ** 30 && mult.every((m) => m >= 0)) {
    return pick([...mult], shift.map((s) => -s - 1), "right");
  }
  if (allLeft && mult.every((m) => m >= 0) && bound.every((b, c) => b * 2 ** (shift[c]! + 1) < 2 ** 31)) {
    return pick([...mult], shift.map((s) => 2 ** (s + 1)), "left");
  }
  return pick([...mult], [...shift], "exact");
}

/** The clamp of `v` (an int32 lvalue name) to the activation range, as C statements ending in a return. */
export function clampReturn(v: string, act: ActivationRange): string {
  if (act.min === -128 && act.max === 127) return `return mn_ssat8(${v});`;
  const lines: string[] = [];
  if (act.min > -128) lines.push(`${v} = ${v} < ${cInt32(act.min)} ? ${cInt32(act.min)} : ${v};`);
  if (act.max < 127) lines.push(`${v} = ${v} > ${cInt32(act.max)} ? ${cInt32(act.max)} : ${v};`);
  lines.push(`return mn_ssat8(${v});`);
  return lines.join("\n  ");
}

/** Words per channel in a layer's channel table: the (folded) bias, then multiplier and aux unless uniform. */
export function channelWords(p: RequantPlan): number {
  return p.uniform ? 1 : 3;
}

/**
 * The layer's channel table `<fn>_q`: per output channel its starting accumulator value (bias, with any
 * folded terms, doubled when the kernel accumulates 2·acc), then — unless every channel shares them — its
 * multiplier and aux value, so a kernel reaches all of a channel's constants from one pointer.
 */
export function channelTable(fn: string, p: RequantPlan, bias: readonly number[]): string {
  const w = channelWords(p);
  const values: number[] = [];
  bias.forEach((b, c) => {
    values.push(b | 0);
    if (w === 3) values.push(p.mult[c]!, p.aux[c]!);
  });
  return `static const int32_t ${fn}_q[${values.length}] MN_ALIGN16 = {\n${table(values, w === 3 ? 9 : 8)}\n};`;
}

/**
 * `<fn>_rq(int32_t acc, const int32_t *q)`: the clamped output value of accumulator `acc` for the channel
 * whose table row starts at q. With `doubled` (only for the "right" form) the kernel passes 2·acc, which it
 * accumulated at no cost.
 */
export function requantCode(fn: string, p: RequantPlan, doubled = false): string {
  const m = p.uniform ? cInt32(p.mult[0]!) : "q[1]";
  const a = p.uniform ? cInt32(p.aux[0]!) : "q[2]";
  const body: string[] = [];
  if (p.uniform) body.push("(void)q;");
  const round = cInt32(1 + 2 * p.zp);
  switch (p.mode) {
    case "right":
      body.push(`int32_t y = mn_smmulr(${doubled ? "acc" : "acc * 2"}, ${m});`);
      body.push(p.negClamps ? `y = ((y >> ${a}) + ${round}) >> 1;` : `y = (((y + (y >> 31)) >> ${a}) + ${round}) >> 1;`);
      break;
    case "left":
      body.push(`int32_t y = mn_smmulr(acc * ${a}, ${m}) + ${cInt32(p.zp)};`);
      break;
    case "exact":
      body.push(`int32_t y = mn_mbqm(acc, ${m}, ${a}) + ${cInt32(p.zp)};`);
      break;
  }
  body.push(clampReturn("y", p.act));
  return `MN_INLINE int32_t ${fn}_rq(int32_t acc, const int32_t *q) {\n  ${body.join("\n  ")}\n}`;
}

function table(values: readonly number[], perLine = 8): string {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += perLine) lines.push(`  ${values.slice(i, i + perLine).map(cInt32).join(", ")}`);
  return lines.join(",\n");
}

/** Largest |x + offset| over int8 x. */
export function maxAbsOffsetInput(offset: number): number {
  return Math.max(Math.abs(-128 + offset), Math.abs(127 + offset));
}
