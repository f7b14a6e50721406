import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { MicronetsError, usageError } from "../../errors.js";
import { writeDirAtomic } from "../../io/atomic-write.js";
import { sampleArchitectures, sampleCsvHeader, sampleCsvRow, type SampledArchitecture } from "../../search-space/sampler.js";
import { isSpaceName, SPACE_NAMES } from "../../search-space/spaces.js";
import { intOpt, parseCommandArgs, stringOpt } from "../args.js";
import type { Command } from "../command.js";
import { startProgress } from "../progress.js";

/** More samples than anyone needs for a linearity study, and few enough to keep a run bounded. */
export const MAX_SAMPLES = 10_000_000;

/** Sample runs at least this large show progress. */
const PROGRESS_FROM = 2000;

const usage = `usage: micronets sample --space <${SPACE_NAMES.join("|")}> --n N [--seed S] [-o DIR]

Uniform random architectures from a MicroNet search space (micronets-paper.md; every decision drawn
uniformly and independently; deterministic for a seed — sample i is the same whatever N is):
  kws  DS-CNN backbone on 49×10×1: conv 10×4, 1–7 depthwise-separable blocks, widths from
       {28, 56, 84, 112, 140, 168, 196, 224, 248, 276} (multiples of 4; contains MicroNet-KWS-S/M/L)
  vww  MobileNetV2 backbone on grayscale 50×50 or 128×128: widths 10–100 % of MobileNetV2's in 10 %
       steps, identity to drop a block, residual ADD where shapes allow
Each sample is lowered to the IR and analysed: ops (2 × MACs), MACs, parameters, planned SRAM (TFLM's
greedy-by-size arena plan) and estimated flash.

options:
  --space NAME   the search space: ${SPACE_NAMES.join(", ")}
  --n N          number of architectures (1 to ${MAX_SAMPLES.toLocaleString("en-US")})
  --seed S       seed, 0 to 4294967295 (default 0)
  -o, --out DIR  write DIR/<name>.json (architecture JSONs, schemas/architecture.schema.json) and
                 DIR/samples.csv; the folder is replaced atomically (it appears complete or not at
                 all), so DIR must be new, empty or an earlier sample output; without -o the CSV is
                 printed

CSV columns: index, name, space, resolution, blocks, operators, ops, macs, params, sram_bytes, flash_bytes`;

export const sampleCommand: Command = {
  name: "sample",
  usage,
  async run(argv, io) {
    const p = parseCommandArgs("sample", argv, {
      space: { type: "string" },
      n: { type: "string" },
      seed: { type: "string" },
      out: { type: "string", short: "o" },
    }, { min: 0, max: 0, names: "" });
    const space = stringOpt(p, "space");
    if (space === undefined) throw usageError(`sample: --space is required (${SPACE_NAMES.join(", ")})`);
    if (!isSpaceName(space)) throw usageError(`sample: unknown search space '${space}'; spaces: ${SPACE_NAMES.join(", ")}`);
    const n = intOpt(p, "n", 1, MAX_SAMPLES);
    if (n === undefined) throw usageError("sample: --n is required");
    const seed = intOpt(p, "seed", 0, 0xffffffff) ?? 0;
    const out = stringOpt(p, "out");

    const t0 = performance.now();
    const rows: string[] = [sampleCsvHeader()];
    if (!out) {
      for (const s of sampleArchitectures({ space, n, seed })) rows.push(sampleCsvRow(s));
      io.out(`${rows.join("\n")}\n`);
      return 0;
    }
    refuseForeignFolder(out);
    let analyseMs = 0;
    // Large runs show progress on stderr (a bar on a terminal, a line every 10 % otherwise).
    const bar = n >= PROGRESS_FROM ? startProgress({ label: `sample ${space}`, total: n, unit: "architectures" }) : null;
    writeDirAtomic(out, (dir) => {
      let t = performance.now();
      for (const s of sampleArchitectures({ space, n, seed })) {
        const done = performance.now();
        analyseMs += done - t;
        rows.push(sampleCsvRow(s));
        writeFileSync(join(dir, `${s.name}.json`), docJson(s));
        bar?.tick();
        t = performance.now();
      }
      writeFileSync(join(dir, "samples.csv"), `${rows.join("\n")}\n`);
    });
    bar?.done();
    const totalMs = performance.now() - t0;
    io.out(
      `sampled ${n} ${space} architecture${n === 1 ? "" : "s"} (seed ${seed}) into ${out}/: ${n} JSON file${n === 1 ? "" : "s"} + samples.csv\n` +
        `  generation + lowering + costs + arena plan + flash: ${analyseMs.toFixed(0)} ms (${Math.round((n / analyseMs) * 1000)} architectures/s); with writing: ${totalMs.toFixed(0)} ms\n`,
    );
    return 0;
  },
};

/**
 * -o replaces the folder as a whole (atomically), so it must be new, empty, or an earlier `sample` output
 * (it has samples.csv): never a folder holding other work.
 */
function refuseForeignFolder(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new MicronetsError("io", "exists and is not a folder", { file: out });
  const entries = readdirSync(out);
  if (entries.length > 0 && !entries.includes("samples.csv")) {
    throw new MicronetsError("io", "exists and is not an earlier `micronets sample` output (no samples.csv); -o replaces the whole folder, so give a new or empty one", { file: out });
  }
}

/** One top-level field per line and one layer per line: readable, diffable, and small. */
export function docJson(s: SampledArchitecture): string {
  const fields = Object.entries(s.doc).map(([k, v]) =>
    k === "layers" ? `  "layers": [\n${(v as unknown[]).map((l) => `    ${JSON.stringify(l)}`).join(",\n")}\n  ]` : `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`,
  );
  return `{\n${fields.join(",\n")}\n}\n`;
}
