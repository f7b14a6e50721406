/**
 * The linearity study (MicroNets §3: within a search space, latency on an MCU is linear in op count).
 * For each space, ≥ 200 architectures sampled uniformly (`micronets sample`) are given seeded int8 weights,
 * compiled with the portable C backend, cross-built for Cortex-M4 and run under QEMU with the exact
 * instruction-count plugin; the instructions of one inference (between two mn_mark calls around
 * model_invoke) are fitted against ops by least squares. Instruction counts are a deterministic proxy for
 * cycles (cortex-m-emulation.md), so R² here measures how linear the generated code's work is in ops.
 *
 * usage: node dist/scripts/study-linearity.js [--n 200] [--seed 1] [--spaces kws,vww] [--core cortex-m4]
 *                                            [--out linearity-study] [--fresh]
 * Writes <out>/linearity.csv (one row per architecture), <out>/linearity.svg (scatter plot with the fit line
 * per space) and <out>/fits.json; prints R², slope and intercept per space. Finished samples are kept in
 * <out>/progress.jsonl, so an interrupted run resumes (--fresh starts over).
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { linearFit, type LinearFit } from "../src/calibrate/linear-fit.js";
import { compileModel } from "../src/codegen/compile.js";
import { buildFirmware } from "../src/emulator/build-firmware.js";
import { runOnQemu } from "../src/emulator/run-qemu.js";
import type { CortexCore } from "../src/emulator/cores.js";
import { loadArchitecture } from "../src/frontends/architecture/index.js";
import { startProgress } from "../src/cli/progress.js";
import { writeFileAtomic } from "../src/io/atomic-write.js";
import { sampleOne } from "../src/search-space/sampler.js";
import { isSpaceName, type SpaceName } from "../src/search-space/spaces.js";

export interface StudyRow {
  space: SpaceName;
  index: number;
  name: string;
  ops: number;
  macs: number;
  params: number;
  sramBytes: number;
  /** Instructions of one model_invoke (between the two marks, minus the marker's own 2). */
  instructions: number;
  /** Instructions from reset to exit (input fill and startup included). */
  totalInstructions: number;
  core: CortexCore;
}

export interface SpaceFit {
  space: SpaceName;
  n: number;
  /** Instructions per op. */
  slope: number;
  /** Instructions at 0 ops (fixed per-inference and per-layer overheads). */
  intercept: number;
  r2: number;
  /** Instructions per op of each model: min, median, max. */
  perOp: { min: number; median: number; max: number };
}

/** The firmware main: fills the input like the TFLM goldens, marks, invokes, marks. */
export function firmwareMain(prefix: string): string {
  const P = prefix.toUpperCase();
  return `/* micronets linearity study: one inference of ${prefix}_invoke between two instruction marks. */
#include <stdint.h>
#include "mn_firmware.h"
#include "${prefix}_model.h"

static int8_t input_buf[${P}_INPUT_BYTES];
static int8_t output_buf[${P}_OUTPUT_BYTES];

int main(void) {
  uint32_t i;
  /* byte i = ((i * 7 + 3) mod 256) - 128, the fill of ../shared/golden/tflm */
  for (i = 0; i < (uint32_t)${P}_INPUT_BYTES; i++) input_buf[i] = (int8_t)((int32_t)((i * 7u + 3u) & 0xffu) - 128);
  mn_mark();
  if (${prefix}_invoke((const void *)input_buf, (void *)output_buf) != 0) return 3;
  mn_mark();
  return 0;
}
`;
}

/** Samples, compiles, builds and runs one architecture; returns its row. */
export function measureSample(space: SpaceName, seed: number, index: number, core: CortexCore): StudyRow {
  const s = sampleOne(space, seed, index);
  const graph = loadArchitecture(JSON.parse(JSON.stringify(s.doc)), { file: `${s.name}.json`, weights: "generate", seed: index });
  const compiled = compileModel(graph, { backend: "portable", core, prefix: "model", modelName: s.name });
  const dir = mkdtempSync(join(tmpdir(), "mn-linearity-"));
  try {
    for (const f of compiled.files) writeFileSync(join(dir, f.name), f.contents);
    writeFileSync(join(dir, "main.c"), firmwareMain(compiled.prefix));
    const elf = buildFirmware({ sources: [join(dir, compiled.sourceFile), join(dir, "main.c")], includeDirs: [dir], core, outDir: dir, name: "study", optimize: "O2" });
    const run = runOnQemu(elf, { core, countInstructions: true, timeoutMs: 1_800_000 });
    if (run.exitCode !== 0) throw new Error(`${s.name}: firmware exited with ${run.exitCode}: ${run.stderr.trim()}`);
    const marks = run.instructions?.marks ?? [];
    if (marks.length !== 2) throw new Error(`${s.name}: expected 2 marks, got ${marks.length}`);
    return {
      space,
      index,
      name: s.name,
      ops: s.metrics.ops,
      macs: s.metrics.macs,
      params: s.metrics.params,
      sramBytes: s.metrics.sramBytes,
      instructions: marks[1]! - marks[0]! - 2,
      totalInstructions: run.instructions!.total,
      core,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function fitSpace(space: SpaceName, rows: readonly StudyRow[]): SpaceFit {
  const f: LinearFit = linearFit(rows.map((r) => r.ops), rows.map((r) => r.instructions));
  const per = rows.map((r) => r.instructions / r.ops).sort((a, b) => a - b);
  return { space, n: rows.length, slope: f.slope, intercept: f.intercept, r2: f.r2, perOp: { min: per[0]!, median: per[per.length >> 1]!, max: per[per.length - 1]! } };
}

export const CSV_HEADER = "space,index,name,ops,macs,params,sram_bytes,instructions,total_instructions,core";

export function rowsCsv(rows: readonly StudyRow[]): string {
  return `${CSV_HEADER}\n${rows.map((r) => [r.space, r.index, r.name, r.ops, r.macs, r.params, r.sramBytes, r.instructions, r.totalInstructions, r.core].join(",")).join("\n")}\n`;
}

/** "Nice" axis ticks: 1, 2 or 5 × 10^k steps from 0 to the first tick at or above `max`. */
export function ticks(max: number, count = 5): number[] {
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [0];
  while (out[out.length - 1]! < max * (1 - 1e-12)) out.push(Number((out.length * step).toPrecision(12)));
  return out;
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * One scatter panel per space: x = Mops, y = million instructions, the points and the least-squares line,
 * with the fit printed in the panel. Plain SVG (no scripts, no external resources).
 */
export function scatterSvg(rows: readonly StudyRow[], fits: readonly SpaceFit[], title: string): string {
  const W = 460;
  const H = 380;
  const m = { l: 64, r: 16, t: 40, b: 48 };
  const colors: Record<string, string> = { kws: "#1f77b4", vww: "#d62728" };
  const panels = fits.map((fit, p) => {
    const pts = rows.filter((r) => r.space === fit.space);
    const xMax = Math.max(...pts.map((r) => r.ops / 1e6)) * 1.05;
    const yMax = Math.max(...pts.map((r) => r.instructions / 1e6), (fit.slope * xMax * 1e6 + fit.intercept) / 1e6) * 1.05;
    const xs = ticks(xMax);
    const ys = ticks(yMax);
    const X = (v: number): number => m.l + (v / xs[xs.length - 1]!) * (W - m.l - m.r);
    const Y = (v: number): number => H - m.b - (v / ys[ys.length - 1]!) * (H - m.t - m.b);
    const xEnd = xs[xs.length - 1]!;
    const fitY = (x: number): number => (fit.slope * x * 1e6 + fit.intercept) / 1e6;
    const parts: string[] = [];
    parts.push(`<g transform="translate(${p * W},0)">`);
    parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(fit.space.toUpperCase())} search space (n = ${fit.n})</text>`);
    for (const t of xs) parts.push(`<line x1="${X(t).toFixed(1)}" y1="${H - m.b}" x2="${X(t).toFixed(1)}" y2="${m.t}" stroke="#eee"/><text x="${X(t).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${t}</text>`);
    for (const t of ys) parts.push(`<line x1="${m.l}" y1="${Y(t).toFixed(1)}" x2="${W - m.r}" y2="${Y(t).toFixed(1)}" stroke="#eee"/><text x="${m.l - 6}" y="${(Y(t) + 4).toFixed(1)}" text-anchor="end" font-size="11">${t}</text>`);
    parts.push(`<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#333"/><line x1="${m.l}" y1="${H - m.b}" x2="${m.l}" y2="${m.t}" stroke="#333"/>`);
    parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" text-anchor="middle" font-size="12">ops (millions, 2 × MACs)</text>`);
    parts.push(`<text transform="translate(16,${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" font-size="12">instructions per inference (millions)</text>`);
    for (const r of pts) parts.push(`<circle cx="${X(r.ops / 1e6).toFixed(1)}" cy="${Y(r.instructions / 1e6).toFixed(1)}" r="2.6" fill="${colors[fit.space] ?? "#555"}" fill-opacity="0.55"><title>${esc(r.name)}: ${(r.ops / 1e6).toFixed(2)} Mops, ${(r.instructions / 1e6).toFixed(2)} M instructions</title></circle>`);
    // The fit line, clipped to the plot: from x = 0 (or where it crosses y = 0) to the last x tick (or the top).
    const yTop = ys[ys.length - 1]!;
    const x0 = fitY(0) >= 0 ? 0 : -fit.intercept / 1e6 / fit.slope;
    const x1 = fitY(xEnd) <= yTop ? xEnd : (yTop * 1e6 - fit.intercept) / fit.slope / 1e6;
    parts.push(`<line x1="${X(x0).toFixed(1)}" y1="${Y(fitY(x0)).toFixed(1)}" x2="${X(x1).toFixed(1)}" y2="${Y(fitY(x1)).toFixed(1)}" stroke="#000" stroke-width="1.5"/>`);
    parts.push(`<text x="${m.l + 10}" y="${m.t + 16}" font-size="12">instructions = ${fit.slope.toFixed(3)} × ops ${fit.intercept >= 0 ? "+" : "−"} ${Math.abs(fit.intercept / 1e6).toFixed(3)} M</text>`);
    parts.push(`<text x="${m.l + 10}" y="${m.t + 32}" font-size="12">R² = ${fit.r2.toFixed(4)}</text>`);
    parts.push("</g>");
    return parts.join("\n");
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W * fits.length}" height="${H + 24}" viewBox="0 0 ${W * fits.length} ${H + 24}" font-family="sans-serif">
<title>${esc(title)}</title>
<rect width="100%" height="100%" fill="#fff"/>
${panels.join("\n")}
<text x="8" y="${H + 16}" font-size="11" fill="#555">${esc(title)}</text>
</svg>
`;
}

interface Args {
  n: number;
  seed: number;
  spaces: SpaceName[];
  core: CortexCore;
  out: string;
  fresh: boolean;
}

function parse(argv: string[]): Args {
  const { values } = parseArgs({ args: argv, options: { n: { type: "string" }, seed: { type: "string" }, spaces: { type: "string" }, core: { type: "string" }, out: { type: "string" }, fresh: { type: "boolean" } }, strict: true });
  const n = Number(values.n ?? 200);
  const seed = Number(values.seed ?? 1);
  if (!Number.isInteger(n) || n < 2) throw new Error(`--n must be an integer ≥ 2, got ${values.n}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`--seed must be an integer from 0 to 4294967295, got ${values.seed}`);
  const spaces = (values.spaces ?? "kws,vww").split(",").map((s) => s.trim());
  for (const s of spaces) if (!isSpaceName(s)) throw new Error(`unknown space '${s}'`);
  const core = (values.core ?? "cortex-m4") as CortexCore;
  if (core !== "cortex-m4" && core !== "cortex-m7") throw new Error(`--core must be cortex-m4 or cortex-m7`);
  return { n, seed, spaces: spaces as SpaceName[], core, out: resolve(values.out ?? "linearity-study"), fresh: values.fresh === true };
}

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  mkdirSync(a.out, { recursive: true });
  const progress = join(a.out, "progress.jsonl");
  if (a.fresh) rmSync(progress, { force: true });
  const done = new Map<string, StudyRow>();
  if (existsSync(progress)) {
    for (const line of readFileSync(progress, "utf8").split("\n")) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as StudyRow & { seed: number };
      if (r.seed === a.seed && r.core === a.core) done.set(r.name, r);
    }
  }
  const rows: StudyRow[] = [];
  // A bar on a terminal, a line every 10 % otherwise; each sample's figures are in progress.jsonl.
  const bar = startProgress({ label: "linearity study", total: a.spaces.length * a.n, unit: "models" });
  for (const space of a.spaces) {
    for (let i = 0; i < a.n; i++) {
      const key = `${space}-s${a.seed}-${String(i).padStart(6, "0")}`;
      let row = done.get(key);
      if (!row) {
        row = measureSample(space, a.seed, i, a.core);
        appendFileSync(progress, `${JSON.stringify({ ...row, seed: a.seed })}\n`);
      }
      rows.push(row);
      bar.tick();
    }
  }
  bar.done();
  const fits = a.spaces.map((s) => fitSpace(s, rows.filter((r) => r.space === s)));
  const title = `micronets linearity study: portable C backend, ${a.core} under QEMU (exact instruction counts), seed ${a.seed}, ${a.n} architectures per space`;
  writeFileAtomic(join(a.out, "linearity.csv"), rowsCsv(rows));
  writeFileAtomic(join(a.out, "linearity.svg"), scatterSvg(rows, fits, title));
  writeFileAtomic(join(a.out, "fits.json"), `${JSON.stringify({ title, core: a.core, seed: a.seed, n: a.n, fits }, null, 2)}\n`);
  console.log("");
  console.log(title);
  for (const f of fits) {
    console.log(`  ${f.space}: R² ${f.r2.toFixed(4)}, slope ${f.slope.toFixed(4)} instructions per op, intercept ${(f.intercept / 1e6).toFixed(3)} M instructions (n ${f.n}; per op min ${f.perOp.min.toFixed(3)}, median ${f.perOp.median.toFixed(3)}, max ${f.perOp.max.toFixed(3)})`);
  }
  console.log(`wrote ${join(a.out, "linearity.csv")}, linearity.svg, fits.json`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(`study-linearity: ${(e as Error).message}`);
    process.exitCode = 1;
  });
}
