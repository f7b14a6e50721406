/**
 * The execution engines `run` and `verify` can use, behind one interface: the reference interpreter, the
 * WebAssembly simulator (inside the planned arena), and generated C (registered by the codegen stage).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileModel, createHostEngine, createMcuEngine, type CodegenCore } from "../codegen/index.js";
import { usageError } from "../errors.js";
import { elementCount } from "../ir/tensor-data.js";
import { dtypeSize, type Graph } from "../ir/types.js";
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

/** Concatenates the inputs' bytes in graph-input order (the generated invoke's input layout). */
function packInputs(inputs: TensorValue[]): Uint8Array {
  const total = inputs.reduce((n, v) => n + v.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const v of inputs) {
    out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), at);
    at += v.byteLength;
  }
  return out;
}

/** Splits the generated invoke's output bytes into one typed value per graph output. */
function unpackOutputs(graph: Graph, bytes: Uint8Array): TensorValue[] {
  let at = 0;
  return graph.outputs.map((id) => {
    const t = graph.tensors[id]!;
    const n = elementCount(t.shape) * dtypeSize(t.dtype);
    const chunk = bytes.slice(at, at + n);
    at += n;
    switch (t.dtype) {
      case "float32": return new Float32Array(chunk.buffer);
      case "int16": return new Int16Array(chunk.buffer);
      case "int32": return new Int32Array(chunk.buffer);
      default: return new Int8Array(chunk.buffer);
    }
  });
}

/** Generated C (portable backend) built and run on the host or on an emulated core; outputs only. */
function generatedCEngine(name: string, core: CodegenCore, description: string): Engine {
  return {
    name,
    description,
    async run(graph, inputs, opts) {
      if (opts.rounding !== "double") throw usageError(`engine ${name}: generated C implements TFLM's double rounding only`);
      const result = compileModel(graph, { backend: "portable", core });
      const dir = mkdtempSync(join(tmpdir(), `micronets-${name}-`));
      try {
        const input = packInputs(inputs);
        const output = core === "host"
          ? createHostEngine(result, { dir }).run(input)
          : createMcuEngine(result, { core, outDir: dir, profileLayers: false }).run(input).output;
        return { outputs: unpackOutputs(graph, output) };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

const ENGINES: Engine[] = [
  referenceEngine,
  wasmEngine,
  generatedCEngine("c-host", "host", "generated portable C compiled with the host's gcc"),
  generatedCEngine("c-m4", "cortex-m4", "generated portable C on an emulated Cortex-M4 (QEMU mps2-an386)"),
  generatedCEngine("c-m7", "cortex-m7", "generated portable C on an emulated Cortex-M7 (QEMU mps2-an500)"),
];

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
