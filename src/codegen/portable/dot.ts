/**
 * Weight layout and unrolled dot-product blocks of the matrix kernels (conv via columns, fully connected).
 *
 * Weights of a row range are stored in blocks of G rows (G = 2 for pixel pairs, 4 for single rows), the
 * block's rows interleaved per step (one word of 4 int8 per row and step), so the block's weights for a step
 * are one or two LDRDs; rows left over (n mod G) follow as plain rows. The main blocks use the runtime's
 * MN_STEP_2X2 / MN_STEP_1X4 (a fixed DSP instruction sequence per step, or C); left-over rows use mn_dot.
 */

import { PORTABLE_BLOCK_STEPS, PORTABLE_MAX_FULL_UNROLL } from "../../analysis/code-size.js";

/** Full unroll up to this many steps; longer rows loop over blocks of BLOCK_STEPS (shared with the flash model). */
export const MAX_FULL_UNROLL = PORTABLE_MAX_FULL_UNROLL;
export const BLOCK_STEPS = PORTABLE_BLOCK_STEPS;

export interface UnrollPlan {
  full: boolean;
  /** Steps per loop body. */
  block: number;
  loops: number;
  /** Steps after the loop. */
  rest: number;
}

export function unrollPlan(steps: number): UnrollPlan {
  if (steps <= MAX_FULL_UNROLL) return { full: true, block: steps, loops: 1, rest: 0 };
  return { full: false, block: BLOCK_STEPS, loops: Math.floor(steps / BLOCK_STEPS), rest: steps % BLOCK_STEPS };
}

/**
 * The weight words of padded rows (`rows` × `k4` int8 values, row-major), interleaved per step within blocks
 * of `g` rows, per group of `rowsPerGroup` rows (conv groups are laid out independently). A row's words per
 * step: one word of 4 int8 values, or with `wide` the int16 pairs (w0, w2), (w1, w3).
 */
export function weightLayout(padded: Int8Array, rows: number, k4: number, g: number, rowsPerGroup: number, wide: boolean): number[] {
  const steps = k4 / 4;
  const per = wide ? 2 : 1;
  const rowWords = (r: number): number[] => {
    const out: number[] = [];
    for (let s = 0; s < steps; s++) {
      const v = (j: number): number => padded[r * k4 + 4 * s + j]!;
      if (wide) out.push((((v(0) & 0xffff) | (v(2) << 16)) >>> 0), (((v(1) & 0xffff) | (v(3) << 16)) >>> 0));
      else out.push((((v(0) & 0xff) | ((v(1) & 0xff) << 8) | ((v(2) & 0xff) << 16) | ((v(3) & 0xff) << 24)) >>> 0));
    }
    return out;
  };
  const words: number[] = [];
  for (let r0 = 0; r0 < rows; r0 += rowsPerGroup) {
    const nb = Math.floor(rowsPerGroup / g);
    for (let b = 0; b < nb; b++) {
      const block = Array.from({ length: g }, (_, r) => rowWords(r0 + b * g + r));
      for (let s = 0; s < steps; s++) for (let r = 0; r < g; r++) for (let k = 0; k < per; k++) words.push(block[r]![s * per + k]!);
    }
    // Element by element: spreading a row of hundreds of thousands of words as arguments overflows the stack.
    for (let r = r0 + nb * g; r < r0 + rowsPerGroup; r++) for (const w of rowWords(r)) words.push(w);
  }
  return words;
}

export type StepKind = "2x2" | "1x2" | "1x4";

/**
 * The C statements of one block's inner product: `steps` steps of MN_STEP_2X2 (2 pixels × 2 rows, paired
 * columns), MN_STEP_1X2 (the first pixel of paired columns × 2 rows) or MN_STEP_1X4 (1 column × 4 rows),
 * from column pointer `c` and weight pointer `w`, into the named accumulators; MN_WSTEP_* with `wide`
 * weights (int16 pairs, two words per row and step).
 */
export function blockSteps(kind: StepKind, steps: number, c: string, w: string, accs: string[], wide = false): string {
  const plan = unrollPlan(steps);
  const colBytes = kind === "1x4" ? 8 : 16; // per step
  const wBytes = (kind === "1x4" ? 16 : 8) * (wide ? 2 : 1);
  const macro = `MN_${wide ? "W" : ""}STEP_${kind === "2x2" ? "2X2" : kind === "1x2" ? "1X2" : "1X4"}`;
  const stepAt = (cp: string, wp: string, s: number): string => `${macro}(${cp}, ${wp}, ${colBytes * s}, ${wBytes * s}, ${accs.join(", ")});`;
  if (plan.full) {
    const lines: string[] = [];
    for (let s = 0; s < steps; s++) lines.push(stepAt(c, w, s));
    return lines.join("\n");
  }
  const body: string[] = [];
  for (let s = 0; s < plan.block; s++) body.push(`  ${stepAt("cp", "wp", s)}`);
  const rest: string[] = [];
  for (let s = 0; s < plan.rest; s++) rest.push(`  ${stepAt("cp", "wp", s)}`);
  return [
    "{",
    `  const uint32_t *cp = ${c};`,
    `  const uint32_t *wp = ${w};`,
    `  const uint32_t *const wend = wp + ${(plan.loops * plan.block * wBytes) / 4};`,
    `  for (; wp != wend; cp += ${(plan.block * colBytes) / 4}, wp += ${(plan.block * wBytes) / 4}) {`,
    ...body.map((l) => `  ${l}`),
    "  }",
    ...rest,
    "}",
  ].join("\n");
}
