/**
 * person_detect inferences per second for the reference interpreter and for the WebAssembly simulator, in
 * the same process, with the golden input fill. Each engine is prepared once (parameters derived, simulator
 * memory laid out), warmed up, then timed over repeated inferences. The two outputs are compared, so a fast
 * but wrong simulator cannot report a ratio.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readTflite } from "../frontends/tflite/read-tflite.js";
import { elementCount } from "../ir/tensor-data.js";
import type { Graph } from "../ir/types.js";
import { deriveOpParams } from "../quant/op-params.js";
import { fillInput, runReference, type TensorValue } from "../reference/interpreter.js";
import { createSimulator } from "./simulator.js";

export interface SimBenchResult {
  referenceInfPerS: number;
  wasmInfPerS: number;
  /** wasmInfPerS / referenceInfPerS. */
  ratio: number;
  /** The model timed. */
  model: string;
  /** Timed inferences per engine. */
  referenceRuns: number;
  wasmRuns: number;
}

export interface SimBenchOptions {
  /** Path of the .tflite model; default fixtures/models/person_detect.tflite of this repository. */
  modelPath?: string;
  /** Minimum timed milliseconds per engine (default 1000). */
  minMs?: number;
}

function defaultModelPath(): string {
  const name = "fixtures/models/person_detect.tflite";
  // From the repository root, from src/sim (vitest / sources) or dist/src/sim (the compiled bench).
  const candidates = [name, fileURLToPath(new URL(`../../${name}`, import.meta.url)), fileURLToPath(new URL(`../../../${name}`, import.meta.url))];
  return candidates.find((p) => existsSync(p)) ?? name;
}

/** Runs `f` until at least `minMs` have passed (and at least 3 times); returns runs per second and the count. */
function time(f: () => void, minMs: number): { perS: number; runs: number } {
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    f();
    runs++;
    elapsed = performance.now() - start;
  } while (elapsed < minMs || runs < 3);
  return { perS: (runs * 1000) / elapsed, runs };
}

function sameValues(a: TensorValue, b: TensorValue): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export async function benchSimulator(opts: SimBenchOptions = {}): Promise<SimBenchResult> {
  const path = opts.modelPath ?? defaultModelPath();
  const graph: Graph = readTflite(readFileSync(path), path);
  const minMs = opts.minMs ?? 1000;
  const inputs = graph.inputs.map((id) => fillInput(elementCount(graph.tensors[id]!.shape)));
  const params = deriveOpParams(graph);
  const sim = await createSimulator(graph, { params });

  const ref = runReference(graph, inputs, { params });
  const ours = sim.run(inputs);
  if (!ref.outputs.every((v, k) => sameValues(v, ours.outputs[k]!))) throw new Error("the simulator's output differs from the reference interpreter's; refusing to report a speed");

  // Warm-up: let the JIT tiers settle for both engines.
  time(() => runReference(graph, inputs, { params }), minMs / 4);
  time(() => sim.run(inputs), minMs / 4);
  const r = time(() => runReference(graph, inputs, { params }), minMs);
  const w = time(() => sim.run(inputs), minMs);
  return {
    referenceInfPerS: r.perS,
    wasmInfPerS: w.perS,
    ratio: w.perS / r.perS,
    model: graph.name || path,
    referenceRuns: r.runs,
    wasmRuns: w.runs,
  };
}
