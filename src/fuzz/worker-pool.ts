/**
 * The parallel campaign driver behind `npm run fuzz`: worker threads run batches of case indices, and the
 * main thread only supervises. A case that has not finished after the hang bound gets its worker
 * terminated (which interrupts even a tight synchronous loop), is recorded as a "hang" finding with its
 * reproducer regenerated from (seed, index), and a fresh worker carries on with the rest of the batch. A
 * worker that dies (out of memory under its heap limit, a native crash) is handled the same way, as a
 * "memory" or "crash" finding. Counts do not depend on scheduling: every index is recorded exactly once.
 */
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { loadCorpus, makeCase, type Corpus, type KindSelection } from "./cases.js";
import { findingSignature, saveFinding } from "./findings.js";
import { DEFAULT_BOUNDS, type CaseBounds, type CaseOutcome, type FindingKind } from "./pipeline.js";
import { emptyStats, recordOutcome, type CampaignStats } from "./stats.js";
import type { CaseMeta, FromWorker, ToWorker, WorkerSetup } from "./worker-entry.js";

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
  /** Host C check every Nth case (0 = never). */
  hostEvery?: number;
  /** Hang self-test: this case spins forever. */
  debugHangAt?: number;
}

interface Slot {
  worker: Worker;
  control: Int32Array;
  batch: number[];
  recorded: Set<number>;
  done: boolean;
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
  const epoch = Date.now();
  let corpus: Corpus | null = null;
  const t0 = performance.now();

  const queue: number[][] = [];
  for (let i = start; i < start + opts.n; i += batchSize) {
    queue.push(Array.from({ length: Math.min(batchSize, start + opts.n - i) }, (_, k) => i + k));
  }

  const record = (index: number, o: CaseOutcome, meta: CaseMeta): void => {
    let file: string | null = null;
    if (o.status === "finding" && opts.findingsDir) {
      const sig = findingSignature(o);
      if (!saved.has(sig) && saved.size < maxSaved) {
        saved.add(sig);
        corpus ??= loadCorpus(root);
        try {
          file = saveFinding(opts.findingsDir, makeCase(corpus, opts.seed, index, kind), o, { seed: opts.seed, kindSelection: kind });
        } catch {
          file = null; // the case generator itself failed (reported as the finding)
        }
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
    const finish = (err?: unknown): void => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      for (const s of slots) void s.worker.terminate();
      if (err) rejectAll(err);
      else resolveAll();
    };
    const maybeFinish = (): void => {
      if (!finished && queue.length === 0 && [...slots].every((s) => s.done)) finish();
    };

    const spawn = (batch: number[]): void => {
      const control = new SharedArrayBuffer(8);
      const setup: WorkerSetup = { seed: opts.seed, kind, root, bounds, control, epoch, hostEvery: opts.hostEvery ?? 0, debugHangAt: opts.debugHangAt };
      const worker = new Worker(new URL("./worker-entry.js", import.meta.url), {
        workerData: setup,
        resourceLimits: { maxOldGenerationSizeMb: opts.heapLimitMb ?? 2048 },
      });
      const slot: Slot = { worker, control: new Int32Array(control), batch, recorded: new Set(), done: false };
      slots.add(slot);
      const assign = (b: number[]): void => {
        slot.batch = b;
        slot.recorded = new Set();
        worker.postMessage({ type: "run", indices: b } satisfies ToWorker);
      };
      worker.on("message", (m: FromWorker) => {
        if (slot.done) return;
        if (m.type === "ready") assign(slot.batch);
        else if (m.type === "done") {
          slot.recorded.add(m.index);
          record(m.index, m.outcome, m.meta);
        } else if (m.type === "idle") {
          const b = queue.shift();
          if (b) assign(b);
          else {
            slot.done = true;
            worker.postMessage({ type: "exit" } satisfies ToWorker);
            maybeFinish();
          }
        }
      });
      const died = (why: FindingKind, message: string): void => {
        if (slot.done || finished) return;
        slot.done = true;
        slots.delete(slot);
        worker.removeAllListeners("message");
        void worker.terminate();
        const running = Atomics.load(slot.control, 0) - 1;
        if (running < 0 && slot.recorded.size === 0) {
          // Died before running anything: not a case's fault (a broken corpus or build); stop rather than loop.
          finish(new Error(`fuzz worker died before running a case: ${message}`));
          return;
        }
        if (running >= 0) lost(running, why, message, Date.now() - epoch - Atomics.load(slot.control, 1));
        // Cases of the batch not recorded yet run again on a fresh worker (results still in flight are dropped).
        const rest = slot.batch.filter((i) => i !== running && !slot.recorded.has(i));
        if (rest.length > 0) queue.unshift(rest);
        if (queue.length > 0) spawn(queue.shift()!);
        else maybeFinish();
      };
      worker.on("error", (e: Error & { code?: string }) => {
        died(e.code === "ERR_WORKER_OUT_OF_MEMORY" ? "memory" : "crash", `worker died: ${e.code ? `${e.code} ` : ""}${e.message}`);
      });
      worker.on("exit", (code) => died("crash", `worker exited with code ${code}`));
      hangChecks.set(slot, () => {
        const running = Atomics.load(slot.control, 0) - 1;
        if (running < 0) return;
        const ran = Date.now() - epoch - Atomics.load(slot.control, 1);
        if (ran > hangMs) died("hang", `no result after ${ran} ms (hang bound ${hangMs} ms); worker terminated`);
      });
    };

    const hangChecks = new Map<Slot, () => void>();
    const timer = setInterval(() => {
      for (const s of [...slots]) if (!s.done) hangChecks.get(s)?.();
    }, 200);

    const n = Math.max(1, Math.min(opts.workers, queue.length));
    if (queue.length === 0) finish();
    else for (let k = 0; k < n && queue.length > 0; k++) spawn(queue.shift()!);
  });
  stats.elapsedMs = performance.now() - t0;
  return stats;
}
