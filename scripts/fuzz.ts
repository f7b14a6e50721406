/**
 * npm run fuzz -- --seed S --n N [--kind tflite|json|all] [--start I] [--workers W] [--findings DIR]
 *                 [--no-save] [--slow-ms MS] [--hang-ms MS] [--heap-mb MB] [--host-c-every K]
 *                 [--debug-hang-at I]   (self-test: case I spins forever, to see the hang detection work)
 *
 * Mutates the shared models and architecture fixtures and drives every case through load → analyze →
 * plan → op params → reports → convert → compile → reference interpreter, cross-checking the WebAssembly
 * simulator and (about one in K of the cases that ran the interpreter, with --host-c-every K) the generated C
 * built with gcc and sanitizers.
 * Prints the counts (cases, ok, typed errors by kind and stage, findings, slowest case). A finding — an untyped exception, a broken
 * invariant, a case over the time or memory bound, a hang, a dead worker — is saved under --findings
 * (default tests/fuzz-findings) as the reproducer plus a record. Deterministic for a seed: case I of seed S
 * is the same input however the run is split (`--start I --n 1` replays it). Exit code 1 when there are
 * findings, 2 on bad arguments.
 *
 * Runs from the compiled JavaScript (npm run fuzz builds first); `--workers 0` runs in-process.
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { startProgress } from "../src/cli/progress.js";
import { runCampaign } from "../src/fuzz/campaign.js";
import type { KindSelection } from "../src/fuzz/cases.js";
import { DEFAULT_BOUNDS } from "../src/fuzz/pipeline.js";
import { formatStats } from "../src/fuzz/stats.js";
import { runPool } from "../src/fuzz/worker-pool.js";

function fail(msg: string): never {
  process.stderr.write(`fuzz: ${msg}\n`);
  process.exit(2);
}

function int(v: string | undefined, name: string, def: number, min = 0): number {
  if (v === undefined) return def;
  if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) fail(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return Number(v);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        seed: { type: "string" }, n: { type: "string" }, kind: { type: "string" }, start: { type: "string" }, workers: { type: "string" },
        findings: { type: "string" }, "no-save": { type: "boolean" }, "slow-ms": { type: "string" }, "hang-ms": { type: "string" },
        "heap-mb": { type: "string" }, "host-c-every": { type: "string" }, "debug-hang-at": { type: "string" }, help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    });
  } catch (e) {
    fail((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write("usage: npm run fuzz -- --seed S --n N [--kind tflite|json|all] [--start I] [--workers W] [--findings DIR] [--no-save] [--slow-ms MS] [--hang-ms MS] [--heap-mb MB] [--host-c-every K]\n");
    return;
  }
  const seed = int(v.seed, "seed", 1);
  if (seed > 0xffffffff) fail("--seed must be below 2^32");
  const n = int(v.n, "n", 1000);
  const start = int(v.start, "start", 0);
  const kind = (v.kind ?? "all") as KindSelection;
  if (!["tflite", "json", "all"].includes(kind)) fail(`--kind must be tflite, json or all, got '${kind}'`);
  const workers = int(v.workers, "workers", Math.min(2, availableParallelism()));
  const findingsDir = v["no-save"] ? null : (v.findings ?? "tests/fuzz-findings");
  const bounds = { slowMs: int(v["slow-ms"], "slow-ms", DEFAULT_BOUNDS.slowMs, 1), memoryBytes: DEFAULT_BOUNDS.memoryBytes };
  const hangMs = int(v["hang-ms"], "hang-ms", 20_000, 100);
  const hostEvery = int(v["host-c-every"], "host-c-every", 0);
  const debugHangAt = v["debug-hang-at"] === undefined ? undefined : int(v["debug-hang-at"], "debug-hang-at", 0);

  const progress = startProgress({ label: `fuzz seed ${seed}`, total: n, unit: "cases" });
  let findings = 0;
  const onOutcome = (index: number, o: { status: string; findingKind?: string; stage?: string; message?: string }): void => {
    if (o.status === "finding") {
      findings++;
      progress.log(`finding #${index}: ${o.findingKind}${o.stage ? ` at ${o.stage}` : ""}: ${(o.message ?? "").slice(0, 200)}`);
    }
    progress.tick();
  };
  const stats = workers === 0
    ? await runCampaign({ seed, n, start, kind, bounds, findingsDir, hangMs, hostEvery, debugHangAt, onCase: (c, o) => onOutcome(c.index, o) })
    : await runPool({ seed, n, start, kind, bounds, findingsDir, hangMs, hostEvery, debugHangAt, workers, heapLimitMb: int(v["heap-mb"], "heap-mb", 2048, 64), onCase: onOutcome });
  progress.done();
  process.stdout.write(`${formatStats(stats)}\n`);
  process.stdout.write(`command: npm run fuzz -- --seed ${seed} --n ${n}${start ? ` --start ${start}` : ""} --kind ${kind}${hostEvery ? ` --host-c-every ${hostEvery}` : ""}\n`);
  process.exitCode = findings > 0 ? 1 : 0;
}

main().catch((e: unknown) => {
  process.stderr.write(`fuzz: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(70);
});
