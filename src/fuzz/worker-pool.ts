/**
 * The parallel campaign driver behind `npm run fuzz`: worker threads run batches of case indices, and the
 * main thread only supervises. A case that has not finished after the hang bound gets its worker
 * terminated (which interrupts even a tight synchronous loop), is recorded as a "hang" finding with its
 * reproducer regenerated from (seed, index), and a fresh worker carries on with the rest of the batch. A
 * worker that dies (out of memory under its heap limit, a native crash) is handled the same way, as a
 * "memory" or "crash" finding. Counts do not depend on scheduling: every index runs exactly once.
 */
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { loadCorpus, makeCase, type Corpus, type KindSelection } from "./cases.js";
import { findingSignature, saveFinding } from "./findings.js";
import { DEFAULT_BOUNDS, type CaseBounds, type CaseOutcome, type FindingKind } from "./pipeline.js";
import { emptyStats, recordOutcome, type CampaignStats } from "./stats.js";
import type { ToWorker, WorkerSetup } from "./worker-entry.js";

export interface PoolOptions {
  seed: number;
  n: number;
  start?: number;
  kind?: KindSelection;
  root?: string;
  workers: number;
  bounds?: CaseBounds;
  findingsDir?: string | null;
  hangMs?: number;
  /** Old-generation heap limit per worker, MB (default 2048): beyond it the worker dies → "memory" finding. */
  heapLimitMb?: number;
  batch?: number;
  maxSaved?: number;
  onCase?: (index: number, o: CaseOutcome) => void;
}

interface Slot {
  worker: Worker;
  batch: number[];
  /** Position in `batch` of the case running now (-1: none). */
  running: number;
  startedAt: number;
  done: boolean;
  /** Gives the worker up: records the case it was on and hands the rest of its batch on. */
  fail: (why: FindingKind, message: string) => void;
}

export async function runPool(opts: PoolOptions): Promise<CampaignStats> {
  const kind = opts.kind ?? "all";
  const start = opts.start ?? 0;
  const root = opts.root ?? ".";
  const bounds = opts.bounds ?? DEFAULT_BOUNDS;
  const hangMs = opts.hangMs ?? 20_000;
  const batchSize = opts.batch ?? 25;
  const stats = emptyStats(opts.seed, kind);
  const saved = new Set<string>();
  const maxSaved = opts.maxSaved ?? 50;
  let corpus: Corpus | null = null;
  const t0 = performance.now();

  // Batches of indices still to hand out.
  const queue: number[][] = [];
  for (let i = start; i < start + opts.n; i += batchSize) {
    queue.push(Array.from({ length: Math.min(batchSize, start + opts.n - i) }, (_, k) => i + k));
  }

  const record = (index: number, o: CaseOutcome, meta: { kind: "tflite" | "json"; seedName: string; mutation: string[] }): void => {
    let file: string | null = null;
    if (o.status === "finding" && opts.findingsDir) {
      const sig = findingSignature(o);
      if (!saved.has(sig) && saved.size < maxSaved) {
        saved.add(sig);
        corpus ??= loadCorpus(root);
        file = saveFinding(opts.findingsDir, makeCase(corpus, opts.seed, index, kind), o, { seed: opts.seed, kindSelection: kind });
      }
    }
    recordOutcome(stats, { index, ...meta }, o, file);
    opts.onCase?.(index, o);
  };

  const lost = (index: number, findingKind: FindingKind, message: string, ms: number): void => {
    corpus ??= loadCorpus(root);
    const c = makeCase(corpus, opts.seed, index, kind);
    record(index, { status: "finding", findingKind, message, ms, memoryBytes: 0, completed: [] }, { kind: c.kind, seedName: c.seedName, mutation: c.mutation });
  };

  await new Promise<void>((resolveAll, rejectAll) => {
    const slots = new Set<Slot>();
    let finished = false;
    const maybeFinish = (): void => {
      if (finished || queue.length > 0 || [...slots].some((s) => !s.done)) return;
      finished = true;
      clearInterval(timer);
      for (const s of slots) s.worker.postMessage({ type: "exit" } satisfies ToWorker);
      resolveAll();
    };

    const spawn = (batch: number[]): void => {
      const setup: WorkerSetup = { seed: opts.seed, kind, root, bounds };
      const worker = new Worker(new URL("./worker-entry.js", import.meta.url), {
        workerData: setup,
        resourceLimits: { maxOldGenerationSizeMb: opts.heapLimitMb ?? 2048 },
        stdout: false,
        stderr: false,
      });
      const slot: Slot = { worker, batch, running: -1, startedAt: 0, done: false, fail: () => {} };
      slots.add(slot);
      const next = (): void => {
        const b = queue.shift();
        if (!b) {
          slot.done = true;
          maybeFinish();
          return;
        }
        slot.batch = b;
        slot.running = -1;
        worker.postMessage({ type: "run", indices: b } satisfies ToWorker);
      };
      worker.on("message", (m: { type: string; index?: number; outcome?: CaseOutcome; meta?: { kind: "tflite" | "json"; seedName: string; mutation: string[] } }) => {
        if (m.type === "ready") {
          worker.postMessage({ type: "run", indices: slot.batch } satisfies ToWorker);
        } else if (m.type === "start") {
          slot.running = slot.batch.indexOf(m.index!);
          slot.startedAt = performance.now();
        } else if (m.type === "done") {
          slot.running = -1;
          record(m.index!, m.outcome!, m.meta!);
        } else if (m.type === "idle") {
          next();
        }
      });
      // A dead worker (heap limit, crash, termination after a hang): record the case it was on, go on without it.
      const died = (why: FindingKind, message: string): void => {
        if (slot.done || finished) return;
        slot.done = true;
        slots.delete(slot);
        const rest = slot.running >= 0 ? slot.batch.slice(slot.running + 1) : slot.batch;
        if (slot.running >= 0) lost(slot.batch[slot.running]!, why, message, performance.now() - slot.startedAt);
        if (rest.length > 0) queue.unshift(rest);
        if (queue.length > 0) spawn(queue.shift()!);
        else maybeFinish();
      };
      worker.on("error", (e: Error & { code?: string }) => {
        died(e.code === "ERR_WORKER_OUT_OF_MEMORY" ? "memory" : "crash", `worker died: ${e.code ?? ""} ${e.message}`.trim());
      });
      worker.on("exit", (code) => {
        if (!slot.done && !finished) died("crash", `worker exited with code ${code}`);
      });
      slot.fail = died;
    };

    const timer = setInterval(() => {
      const now = performance.now();
      for (const s of slots) {
        if (!s.done && s.running >= 0 && now - s.startedAt > hangMs) {
          s.fail("hang", `no result after ${Math.round(now - s.startedAt)} ms (hang bound ${hangMs} ms); worker terminated`);
          void s.worker.terminate();
        }
      }
    }, 200);

    try {
      const n = Math.max(1, Math.min(opts.workers, queue.length));
      for (let k = 0; k < n; k++) spawn(queue.shift()!);
      maybeFinish();
    } catch (e) {
      clearInterval(timer);
      rejectAll(e);
    }
  });
  stats.elapsedMs = performance.now() - t0;
  return stats;
}
