/**
 * Unrolled dot-product blocks for the matrix kernels (conv via im2col columns, fully connected): P columns
 * (pixels) × O weight rows per block, sharing every load — each column word pair is loaded once for the O
 * rows and each weight word is unpacked once for the P columns. Two SMLADs per 4 MACs per accumulator.
 *
 * Column layout: K4 int16 values per column as words (x0, x2), (x1, x3) per group of 4; weight rows: K4 int8
 * values as packed words, so SXTB16 / SXTB16 ROR 8 yield the matching (w0, w2), (w1, w3).
 */

export interface DotShape {
  /** Columns: their pointer names (`const uint32_t *`), one per column. */
  cols: string[];
  /** Weight row pointer name (`const uint32_t *`) of the first row; rows follow every `rowWords` words. */
  w: string;
  rows: number;
  /** Words per weight row (K4 / 4). */
  rowWords: number;
  /** Accumulator name for (column p, row o). */
  acc: (p: number, o: number) => string;
}

/** Full unroll up to this many steps (4 K-elements each); longer rows loop over blocks of BLOCK_STEPS. */
export const MAX_FULL_UNROLL = 24;
export const BLOCK_STEPS = 8;

/** Steps (groups of 4 K-elements) unrolled in one loop body, for a row of `rowWords` words. */
export function unrollPlan(rowWords: number): { full: boolean; block: number; loops: number; rest: number } {
  if (rowWords <= MAX_FULL_UNROLL) return { full: true, block: rowWords, loops: 1, rest: 0 };
  return { full: false, block: BLOCK_STEPS, loops: Math.floor(rowWords / BLOCK_STEPS), rest: rowWords % BLOCK_STEPS };
}

function step(s: DotShape, colPtr: (p: number) => string, wPtr: string, off: number): string {
  const lines: string[] = [];
  const P = s.cols.length;
  const xs: string[] = [];
  for (let p = 0; p < P; p++) {
    lines.push(`const int32_t x${p}a = (int32_t)${colPtr(p)}[${2 * off}], x${p}b = (int32_t)${colPtr(p)}[${2 * off + 1}];`);
    xs.push(`x${p}`);
  }
  for (let o = 0; o < s.rows; o++) {
    const w = `${wPtr}[${o * s.rowWords + off}]`;
    lines.push(`${o === 0 ? "int32_t " : ""}v = (int32_t)${w}; ${o === 0 ? "int32_t " : ""}l = mn_sxtb16(v); ${o === 0 ? "int32_t " : ""}h = mn_sxtb16_ror8(v);`);
    for (let p = 0; p < P; p++) {
      const a = s.acc(p, o);
      lines.push(`${a} = mn_smlad(l, x${p}a, ${a}); ${a} = mn_smlad(h, x${p}b, ${a});`);
    }
  }
  return `{\n  ${lines.join("\n  ")}\n}`;
}

/** The block's C statements (a compound statement); the accumulators must be declared by the caller. */
export function dotBlock(s: DotShape): string {
  const plan = unrollPlan(s.rowWords);
  if (plan.full) {
    const out: string[] = [];
    for (let k = 0; k < s.rowWords; k++) out.push(step(s, (p) => s.cols[p]!, s.w, k));
    return out.join("\n");
  }
  const P = s.cols.length;
  const ptrs = s.cols.map((c, p) => `const uint32_t *cp${p} = ${c};`).join(" ");
  const adv = [...s.cols.map((_, p) => `cp${p} += ${2 * plan.block}`), `wp += ${plan.block}`].join(", ");
  const body: string[] = [];
  for (let k = 0; k < plan.block; k++) body.push(step(s, (p) => `cp${p}`, "wp", k));
  const rest: string[] = [];
  for (let k = 0; k < plan.rest; k++) rest.push(step(s, (p) => `cp${p}`, "wp", k));
  void P;
  return [
    "{",
    `  ${ptrs} const uint32_t *wp = ${s.w}; int32_t j;`,
    `  for (j = 0; j < ${plan.loops}; j++, ${adv}) {`,
    indentBlock(body.join("\n"), "    "),
    "  }",
    rest.length > 0 ? indentBlock(rest.join("\n"), "  ") : "",
    "}",
  ]
    .filter((l) => l !== "")
    .join("\n");
}

function indentBlock(b: string, by: string): string {
  return b
    .split("\n")
    .map((l) => by + l)
    .join("\n");
}
