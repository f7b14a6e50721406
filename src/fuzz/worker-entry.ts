/**
 * A fuzz worker thread (started by worker-pool.ts from the compiled JavaScript): loads the corpus once,
 * then runs the case indices it is sent and posts each outcome. It announces every case before running it,
 * so the pool knows which case a hung or crashed worker was on.
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadCorpus, makeCase, type KindSelection } from "./cases.js";
import { runPipeline, type CaseBounds } from "./pipeline.js";

export interface WorkerSetup {
  seed: number;
  kind: KindSelection;
  root: string;
  bounds: CaseBounds;
}

export type ToWorker = { type: "run"; indices: number[] } | { type: "exit" };

if (parentPort) {
  const port = parentPort;
  const setup = workerData as WorkerSetup;
  const corpus = loadCorpus(setup.root);
  port.on("message", (m: ToWorker) => {
    if (m.type === "exit") {
      port.close();
      return;
    }
    for (const index of m.indices) {
      const c = makeCase(corpus, setup.seed, index, setup.kind);
      port.postMessage({ type: "start", index });
      const outcome = runPipeline(c.input, { bounds: setup.bounds, variant: c.variant });
      port.postMessage({ type: "done", index, outcome, meta: { kind: c.kind, seedName: c.seedName, mutation: c.mutation, mode: c.mode } });
    }
    port.postMessage({ type: "idle" });
  });
  port.postMessage({ type: "ready" });
}
