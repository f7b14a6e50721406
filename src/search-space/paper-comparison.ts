/**
 * micronets' architecture fixtures against the paper's results table. Compared:
 * - ops: our 2 × MACs of conv, depthwise and FC layers (integer output sizes) against the table's Mops;
 * - flash: the size of the .tflite file micronets writes for the fixture (seeded weights, int8, per-channel
 *   quantization) against the table's flash KB, which is the released .tflite file size (KB = 1000 B);
 *   our parameter count (weights + biases) is listed beside it;
 * - SRAM, for information only: our planned arena (greedy-by-size, activations only) against the table's
 *   SRAM KB, which is TFLM's whole arena including its persistent allocations (≈ 34 KB for KWS-L).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { planArena } from "../analysis/arena-plan.js";
import { layerCosts, sumCosts } from "../analysis/layer-costs.js";
import { loadArchitecture } from "../frontends/architecture/index.js";
import { writeTflite } from "../frontends/tflite/write-tflite.js";
import { textTable, thousands } from "../report/format.js";
import { PAPER_ROWS, type PaperRow } from "./paper-table.js";

export interface PaperComparison extends PaperRow {
  ourMops: number;
  /** (ours − paper) / paper × 100. */
  opsDiffPercent: number;
  ourParams: number;
  ourTfliteBytes: number;
  flashDiffPercent: number;
  ourArenaBytes: number;
}

/** Compares every fixture of PAPER_ROWS found in `fixturesDir` (fixtures/architectures). */
export function compareWithPaper(fixturesDir: string): PaperComparison[] {
  return PAPER_ROWS.map((row) => {
    const text = readFileSync(join(fixturesDir, row.fixture), "utf8");
    const graph = loadArchitecture(text, { file: row.fixture, weights: "generate", seed: 0 });
    const c = sumCosts(layerCosts(graph));
    const ourMops = c.ops / 1e6;
    const tflite = writeTflite(graph).length;
    return {
      ...row,
      ourMops,
      opsDiffPercent: ((ourMops - row.mops) / row.mops) * 100,
      ourParams: c.params,
      ourTfliteBytes: tflite,
      flashDiffPercent: ((tflite / 1000 - row.flashKB) / row.flashKB) * 100,
      ourArenaBytes: planArena(graph).total,
    };
  });
}

const signed = (p: number): string => `${p >= 0 ? "+" : ""}${p.toFixed(1)} %`;

/** The comparison as a printable table with a legend. */
export function formatPaperComparison(rows: readonly PaperComparison[]): string {
  const table = textTable(
    ["model", "layer list", "paper Mops", "ours", "Δ ops", "paper flash KB", "our .tflite KB", "Δ flash", "our params", "paper SRAM KB", "our arena KB"],
    rows.map((r) => [
      r.model,
      r.layerList,
      r.mops.toFixed(1),
      r.ourMops.toFixed(2),
      signed(r.opsDiffPercent),
      String(r.flashKB),
      (r.ourTfliteBytes / 1000).toFixed(1),
      signed(r.flashDiffPercent),
      thousands(r.ourParams),
      r.sramKB.toFixed(1),
      (r.ourArenaBytes / 1000).toFixed(1),
    ]),
    ["l", "l", "r", "r", "r", "r", "r", "r", "r", "r", "r"],
  );
  const legend = [
    "ops = 2 × MACs of conv/depthwise/FC layers with integer output sizes; flash = .tflite file size (paper: the released",
    "file, KB = 1000 B; ours: micronets' writer with seeded int8 weights); SRAM: paper = TFLM's whole arena (incl. persistent",
    "data), ours = planned activation arena only. Layer list: exact = the paper's Table 5; approximate = a third-party",
    "re-creation; different = Hello Edge's DS-CNN, not the paper's baseline.",
  ];
  return `${table}\n\n${legend.join("\n")}\n`;
}
