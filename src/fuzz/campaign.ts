/**
 * The in-process campaign driver: generates cases [start, start + n) of a seed, runs each through the
 * pipeline, counts outcomes, and saves one reproducer per distinct finding. A watchdog thread turns a hang
 * into a saved reproducer and a killed process instead of a silent stall. Used by the CI slice (vitest) and
 * by `npm run fuzz -- --workers 0`; the default script run uses the worker pool (worker-pool.ts).
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { kindOf, loadCorpus, makeCase, type Corpus, type FuzzCase, type KindSelection } from "./cases.js";
import { findingSignature, graphToJson, saveFinding } from "./findings.js";
import { DEFAULT_BOUNDS, runPipeline, type CaseBounds, type CaseOutcome } from "./pipeline.js";
import { emptyStats, recordOutcome, type CampaignStats } from "./stats.js";
import { Watchdog } from "./watchdog.js";

export interface CampaignOptions {
  seed: number;
  n: number;
  /** First case index (default 0): `--start I --n 1` replays one case. */
  start?: number;
  kind?: KindSelection;
  corpus?: Corpus;
  /** Repository root for the corpus (default "."). */
  root?: string;
  bounds?: CaseBounds;
  /** Where reproducers are saved; null = do not save. */
  findingsDir?: string | null;
  /** A case still running after this long is a hang (default 20 s); 0 disables the watchdog. */
  hangMs?: number;
  /** Called after every case (progress display). */
  onCase?: (c: FuzzCase, o: CaseOutcome) => void;
  /** Save at most this many reproducers per run (default 50). */
  maxSaved?: number;
  /** Check generated C on the host (gcc + sanitizers vs the interpreter) for every Nth case; 0 = never. */
  hostEvery?: number;
  /** Self-test of hang detection: case `debugHangAt` spins forever instead of running. */
  debugHangAt?: number;
}

/** How one case is published to the watchdog (its reproducer if it hangs). */
export function watchdogCase(c: FuzzCase, seed: number, kindSelection: string): Parameters<Watchdog["begin"]>[0] {
  const base = `${c.kind}-s${seed}-i${c.index}`;
  const bytes = c.input.kind === "bytes" ? c.input.bytes : new TextEncoder().encode(graphToJson(c.input.graph));
  const ext = c.input.kind === "graph" ? ".graph.json" : c.kind === "json" ? ".json.input" : ".tflite";
  return {
    index: c.index,
    bytes,
    base,
    ext,
    record: {
      seed, index: c.index, kind: c.kind, kindSelection, mode: c.mode, seedModel: c.seedName, mutation: c.mutation, variant: c.variant,
      stage: null, input: base + ext, inputPath: c.input.path, weights: c.input.kind === "bytes" ? c.input.weights : undefined,
    },
  };
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignStats> {
  const kind = opts.kind ?? "all";
  const start = opts.start ?? 0;
  const corpus = opts.corpus ?? loadCorpus(opts.root ?? ".");
  const bounds = opts.bounds ?? DEFAULT_BOUNDS;
  const stats = emptyStats(opts.seed, kind);
  const saved = new Set<string>();
  const maxSaved = opts.maxSaved ?? 50;
  const hangMs = opts.hangMs ?? 20_000;
  const hostEvery = opts.hostEvery ?? 0;
  const dog = hangMs > 0 ? new Watchdog({ hangMs, dir: opts.findingsDir ?? join(tmpdir(), "micronets-fuzz-hangs") }) : null;
  const t0 = performance.now();
  try {
    for (let i = start; i < start + opts.n; i++) {
      let c: FuzzCase;
      try {
        c = makeCase(corpus, opts.seed, i, kind);
      } catch (e) {
        const err = e as Error;
        const o: CaseOutcome = { status: "finding", findingKind: "exception", stage: "generate", message: `case generator: ${err?.message}`, stack: err?.stack, ms: 0, memoryBytes: 0, completed: [] };
        recordOutcome(stats, { index: i, kind: kindOf(kind, i), seedName: "?", mutation: [] }, o, null);
        continue;
      }
      dog?.begin(watchdogCase(c, opts.seed, kind));
      if (i === opts.debugHangAt) spinForever();
      const o = await runPipeline(c.input, { bounds, variant: c.variant, hostCEvery: hostEvery });
      dog?.end();
      let file: string | null = null;
      if (o.status === "finding" && opts.findingsDir) {
        const sig = findingSignature(o);
        if (!saved.has(sig) && saved.size < maxSaved) {
          saved.add(sig);
          file = saveFinding(opts.findingsDir, c, o, { seed: opts.seed, kindSelection: kind });
        }
      }
      recordOutcome(stats, c, o, file);
      opts.onCase?.(c, o);
    }
  } finally {
    await dog?.stop();
  }
  stats.elapsedMs = performance.now() - t0;
  return stats;
}

/** A synchronous endless loop (the hang self-test): only the watchdog or a worker termination ends it. */
export function spinForever(): never {
  let x = 0;
  for (;;) x = (x + 1) | 0;
}
