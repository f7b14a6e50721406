/**
 * A fuzz worker thread (started by worker-pool.ts from the compiled JavaScript): loads the corpus once,
 * then runs the case indices it is sent and posts each outcome. Before each case it stores the case index
 * and start time in shared memory — synchronously, unlike messages — so the pool knows exactly which case a
 * hung or dead worker was on.
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadCorpus, makeCase, type FuzzCase, type KindSelection } from "./cases.js";
import { spinForever } from "./campaign.js";
import { runPipeline, type CaseBounds, type CaseOutcome } from "./pipeline.js";

export interface WorkerSetup {
  seed: number;
  kind: KindSelection;
  root: string;
  bounds: CaseBounds;
  /** Host C check every Nth case (0 = never). */
  hostEvery: number;
  /** Hang self-test: this case spins forever. */
  debugHangAt?: number;
  /** Int32 [running index + 1 (0 = none), start time in ms since `epoch`]. */
  control: SharedArrayBuffer;
  epoch: number;
}

export type ToWorker = { type: "run"; indices: number[] } | { type: "exit" };

export interface CaseMeta {
  kind: FuzzCase["kind"];
  seedName: string;
  mutation: string[];
}

export type FromWorker = { type: "ready" } | { type: "idle" } | { type: "done"; index: number; outcome: CaseOutcome; meta: CaseMeta };

if (parentPort) {
  const port = parentPort;
  const setup = workerData as WorkerSetup;
  const control = new Int32Array(setup.control);
  const corpus = loadCorpus(setup.root);
  const post = (m: FromWorker): void => port.postMessage(m);
  port.on("message", async (m: ToWorker) => {
    if (m.type === "exit") {
      port.close();
      return;
    }
    for (const index of m.indices) {
      Atomics.store(control, 1, Date.now() - setup.epoch);
      Atomics.store(control, 0, index + 1);
      let c: FuzzCase;
      try {
        c = makeCase(corpus, setup.seed, index, setup.kind);
      } catch (e) {
        // A bug in a mutator, not in micronets; still reported, so it gets fixed.
        const err = e as Error;
        post({ type: "done", index, outcome: { status: "finding", findingKind: "exception", stage: "generate", message: `case generator: ${err?.message}`, stack: err?.stack, ms: 0, memoryBytes: 0, completed: [] }, meta: { kind: "tflite", seedName: "?", mutation: [] } });
        continue;
      }
      if (index === setup.debugHangAt) spinForever();
      const outcome = await runPipeline(c.input, { bounds: setup.bounds, variant: c.variant, hostCEvery: setup.hostEvery });
      Atomics.store(control, 0, 0);
      post({ type: "done", index, outcome, meta: { kind: c.kind, seedName: c.seedName, mutation: c.mutation } });
    }
    post({ type: "idle" });
  });
  post({ type: "ready" });
}
