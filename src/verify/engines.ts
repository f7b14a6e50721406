/**
 * The execution engines `run` and `verify` can use, behind one interface: the reference interpreter, the
 * WebAssembly simulator (inside the planned arena), and generated C (registered by the codegen stage).
 */
import { usageError } from "../errors.js";
import type { Graph } from "../ir/types.js";
import type { TensorValue } from "../io/tensor-files.js";
import { runReference } from "../reference/interpreter.js";
import { runWasm } from "../sim/index.js";
import type { Rounding } from "../quant/rounding.js";

export interface EngineResult {
  outputs: TensorValue[];
  /** Every non-constant tensor by index, when the engine can report them. */
  intermediates?: Map<number, TensorValue>;
}

export interface EngineRunOptions {
  keepIntermediates: boolean;
  rounding: Rounding;
}

export interface Engine {
  name: string;
  description: string;
  run(graph: Graph, inputs: TensorValue[], opts: EngineRunOptions): Promise<EngineResult>;
}

const referenceEngine: Engine = {
  name: "reference",
  description: "bit-exact TypeScript reference interpreter (TFLM's integer semantics)",
  async run(graph, inputs, opts) {
    return runReference(graph, inputs, { keepIntermediates: opts.keepIntermediates, rounding: opts.rounding });
  },
};

const wasmEngine: Engine = {
  name: "wasm",
  description: "WebAssembly kernels executing inside one linear memory laid out by the arena plan",
  async run(graph, inputs, opts) {
    return runWasm(graph, inputs, { keepIntermediates: opts.keepIntermediates, rounding: opts.rounding });
  },
};

const ENGINES: Engine[] = [referenceEngine, wasmEngine];

/** Adds an engine (the C backends register theirs); a later registration with the same name replaces it. */
export function registerEngine(e: Engine): void {
  const i = ENGINES.findIndex((x) => x.name === e.name);
  if (i >= 0) ENGINES[i] = e;
  else ENGINES.push(e);
}

export function engineNames(): string[] {
  return ENGINES.map((e) => e.name);
}

export function getEngine(name: string): Engine {
  const e = ENGINES.find((x) => x.name === name);
  if (!e) throw usageError(`unknown engine '${name}'; engines: ${engineNames().join(", ")}`);
  return e;
}
