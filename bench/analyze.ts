/**
 * Analysis speed: in-process analyze of person_detect as `micronets analyze` does it (load + validate +
 * costs + flash + the portable backend's arena plan + TFLM's plan + target fit), median over many runs, and
 * the whole `micronets analyze` process (Node start-up included).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { loadTarget } from "../src/analysis/targets.js";
import { analyzeModel } from "../src/api/analyze-model.js";
import { parseModel } from "../src/frontends/load-model.js";
import { fmtTiming, summarize, timeSync, type Timing } from "./stats.js";

const ROOT = fileURLToPath(new URL(import.meta.url.includes("/dist/") ? "../../" : "../", import.meta.url));

export interface AnalyzeBench {
  model: string;
  inProcess: Timing;
  wholeProcess: Timing;
}

export function benchAnalyze(model = "person_detect", runs = 200, processRuns = 10): AnalyzeBench {
  const path = `${ROOT}fixtures/models/${model}.tflite`;
  const bytes = new Uint8Array(readFileSync(path));
  const target = loadTarget("stm32f746zg");
  const inProcess = timeSync(() => {
    analyzeModel(parseModel(bytes, path), { target });
  }, runs, 10);
  const samples: number[] = [];
  for (let i = 0; i < processRuns; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [`${ROOT}bin/micronets.js`, "analyze", path, "--target", "stm32f746zg"], { encoding: "utf8" });
    samples.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`micronets analyze failed: ${r.stderr}`);
  }
  return { model, inProcess, wholeProcess: summarize(samples) };
}

export function printAnalyzeBench(b: AnalyzeBench): void {
  console.log(`analyze ${b.model} (parse + validate + costs + flash + portable in-place arena + TFLM plan + target fit)`);
  console.log(`  in-process:    ${fmtTiming(b.inProcess)}`);
  console.log(`  whole process: ${fmtTiming(b.wholeProcess, 1)}`);
}
