/**
 * person_detect inferences per second for the reference interpreter and for the WebAssembly simulator, in
 * the same process, with the golden input fill. Each engine is prepared once (parameters derived, simulator
 * memory laid out), warmed up, then timed inference by inference; the rate is 1000 / median milliseconds,
 * which other processes on a shared machine disturb less than a throughput window. The two outputs are
 * compared first, so a fast but wrong simulator cannot report a ratio.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readTflite } from "../frontends/tflite/read-tflite.js";
import { elementCount } from "../ir/tensor-data.js";
import type { Graph } from "../ir/types.js";
import { deriveOpParams } from "../quant/op-params.js";
import { fillInput, runReference, type TensorValue } from "../reference/interpreter.js";
import { createSimulator } from "./simulator.js";

export interface EngineTiming {
  /** Timed inferences. */
  runs: number;
  minMs: number;
  medianMs: number;
  maxMs: number;
}

export interface SimBenchResult {
  /** 1000 / median ms of the reference interpreter. */
  referenceInfPerS: number;
  /** 1000 / median ms of the simulator. */
  wasmInfPerS: number;
  /** wasmInfPerS / referenceInfPerS. */
  ratio: number;
  /** The model timed. */
  model: string;
  reference: EngineTiming;
  wasm: EngineTiming;
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

/** Runs `f` until at least `minMs` have passed (and at least 5 times), timing each call. */
function time(f: () => void, minMs: number): EngineTiming {
  const samples: number[] = [];
  const start = performance.now();
  do {
    const t0 = performance.now();
    f();
    samples.push(performance.now() - t0);
  } while (performance.now() - start < minMs || samples.length < 5);
  samples.sort((a, b) => a - b);
  const mid = samples.length >> 1;
  const median = samples.length % 2 ? samples[mid]! : (samples[mid - 1]! + samples[mid]!) / 2;
  return { runs: samples.length, minMs: samples[0]!, medianMs: median, maxMs: samples[samples.length - 1]! };
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
  const reference = time(() => runReference(graph, inputs, { params }), minMs);
  const wasm = time(() => sim.run(inputs), minMs);
  const referenceInfPerS = 1000 / reference.medianMs;
  const wasmInfPerS = 1000 / wasm.medianMs;
  return { referenceInfPerS, wasmInfPerS, ratio: wasmInfPerS / referenceInfPerS, model: graph.name || path, reference, wasm };
}
