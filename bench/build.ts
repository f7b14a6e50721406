/**
 * Incremental `micronets build` of the four shared models, as a firmware build runs it: whole processes of
 * the built CLI (bin/micronets.js). fullMs: the first build (everything analysed, checked, compiled and
 * written); noopMs: the median of unchanged re-runs (hash the inputs, compare stamps, skip); startupMs:
 * the median of `micronets --version`, the CLI's own start-up, which every command pays.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL(import.meta.url.includes("/dist/") ? "../../" : "../", import.meta.url));
const MODELS = ["hello_world_int8", "ad01_int8", "kws_ref_model", "person_detect"];

export interface IncrementalBuildBench {
  models: number;
  /** First build of every model, whole process, ms. */
  fullMs: number;
  /** Unchanged re-run, whole process, median ms. */
  noopMs: number;
  /** Fastest unchanged re-run, ms. */
  noopMinMs: number;
  /** `micronets --version`, median ms: the part of noopMs that is Node and the CLI loading. */
  startupMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function timed(args: string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, "bin/micronets.js"), ...args], { cwd, encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`micronets ${args.join(" ")} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return ms;
}

export function benchIncrementalBuild(runs = 7): IncrementalBuildBench {
  const dir = mkdtempSync(join(tmpdir(), "mn-bench-build-"));
  try {
    const config = {
      defaults: { target: "stm32f746zg" },
      models: MODELS.map((m) => ({
        name: m,
        source: join(ROOT, "fixtures/models", `${m}.tflite`),
        out: `generated/${m}`,
        reports: { json: `reports/${m}.json`, html: `reports/${m}.html` },
      })),
    };
    writeFileSync(join(dir, "micronets.config.json"), JSON.stringify(config, null, 2));
    const fullMs = timed(["build"], dir);
    const noop: number[] = [];
    for (let i = 0; i < runs; i++) noop.push(timed(["build"], dir));
    const startup: number[] = [];
    for (let i = 0; i < runs; i++) startup.push(timed(["--version"], dir));
    return { models: MODELS.length, fullMs, noopMs: median(noop), noopMinMs: Math.min(...noop), startupMs: median(startup) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printIncrementalBuildBench(b: IncrementalBuildBench): void {
  console.log(`micronets build of the ${b.models} shared models (whole process; C, JSON and HTML reports)`);
  console.log(`  first build:        ${b.fullMs.toFixed(0)} ms`);
  console.log(`  unchanged re-run:   ${b.noopMs.toFixed(0)} ms median (fastest ${b.noopMinMs.toFixed(0)} ms)`);
  console.log(`  of which start-up:  ${b.startupMs.toFixed(0)} ms (micronets --version)`);
}
