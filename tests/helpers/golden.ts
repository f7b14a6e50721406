/**
 * Loads the TFLite Micro goldens in ../shared/golden/tflm (outputs and every non-constant tensor after one
 * inference with the standard input fill) and the fixture models they belong to, for any engine's tests.
 */
import { readFileSync } from "node:fs";
import { readTflite } from "../../src/frontends/tflite/read-tflite.js";
import { opLabel } from "../../src/ir/tensor-data.js";
import type { Graph } from "../../src/ir/types.js";
import { fillInput } from "../../src/reference/interpreter.js";

export const GOLDEN_MODELS = ["hello_world_int8", "ad01_int8", "kws_ref_model", "person_detect"] as const;
export type GoldenModel = (typeof GOLDEN_MODELS)[number];

export const GOLDEN_DIR = "../shared/golden/tflm";

export interface GoldenTensor {
  tensor: number;
  name: string;
  type: string;
  shape: number[];
  /** The op that wrote it (−1 for a graph input). */
  producerOp: number;
  data: Int8Array;
}

export interface Golden {
  model: string;
  inputs: GoldenTensor[];
  outputs: GoldenTensor[];
  /** Every non-constant tensor of the run, by tensor index. */
  tensors: Map<number, GoldenTensor>;
}

interface RawTensor {
  tensor: number;
  name: string;
  type: string;
  shape: number[];
  producer_op?: number;
  bytes: number;
  data: number[];
}

function toTensor(t: RawTensor, where: string): GoldenTensor {
  if (t.type !== "INT8") throw new Error(`${where}: tensor ${t.tensor} has type ${t.type}; the goldens loader handles INT8 only`);
  if (t.data.length !== t.bytes) throw new Error(`${where}: tensor ${t.tensor} lists ${t.data.length} values for ${t.bytes} bytes`);
  return { tensor: t.tensor, name: t.name, type: t.type, shape: t.shape, producerOp: t.producer_op ?? -1, data: Int8Array.from(t.data) };
}

/** The TFLM reference-kernel golden of `model` (variant "reference" unless told). */
export function loadGolden(model: string, variant: "reference" | "cmsis_nn" = "reference"): Golden {
  const mainFile = `${GOLDEN_DIR}/${model}.${variant}.json`;
  const main = JSON.parse(readFileSync(mainFile, "utf8")) as { inputs: RawTensor[]; outputs: RawTensor[] };
  const interFile = `${GOLDEN_DIR}/${model}.reference.intermediates.json`;
  const inter = JSON.parse(readFileSync(interFile, "utf8")) as { tensors: RawTensor[] };
  const tensors = new Map<number, GoldenTensor>();
  for (const t of inter.tensors) tensors.set(t.tensor, toTensor(t, interFile));
  return {
    model,
    inputs: main.inputs.map((t) => toTensor(t, mainFile)),
    outputs: main.outputs.map((t) => toTensor(t, mainFile)),
    tensors,
  };
}

/** The fixture model the golden was computed from, read through the project's .tflite reader. */
export function loadFixtureModel(model: string): Graph {
  return readTflite(readFileSync(`fixtures/models/${model}.tflite`), `${model}.tflite`);
}

export interface Mismatch {
  element: number;
  expected: number;
  actual: number;
}

/** The first element where `actual` differs from `expected` (a length difference counts), or null. */
export function firstMismatch(expected: ArrayLike<number>, actual: ArrayLike<number>): Mismatch | null {
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) if (expected[i] !== actual[i]) return { element: i, expected: expected[i]!, actual: actual[i]! };
  if (expected.length !== actual.length) return { element: n, expected: expected[n] ?? NaN, actual: actual[n] ?? NaN };
  return null;
}

/** Number of differing elements (over the common length). */
export function countMismatches(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  let c = 0;
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) if (expected[i] !== actual[i]) c++;
  return c + Math.abs(expected.length - actual.length);
}

/** The standard input fill (byte i = ((i·7+3) mod 256) − 128) for each graph input: what TFLM was fed. */
export function standardInputs(graph: Graph): Int8Array[] {
  return graph.inputs.map((id) => fillInput(graph.tensors[id]!.shape.reduce((a, b) => a * b, 1)));
}

/**
 * The first tensor TFLM recorded that an engine did not compute or computed differently, walking in the
 * producers' execution order (later tensors inherit a difference); null when all are bit-exact.
 */
export function firstGoldenDifference(graph: Graph, golden: Golden, got: ReadonlyMap<number, ArrayLike<number>>, engine: string): string | null {
  const ordered = [...golden.tensors.values()].sort((a, b) => a.producerOp - b.producerOp);
  for (const g of ordered) {
    const v = got.get(g.tensor);
    const where = g.producerOp >= 0 ? opLabel(graph.operators[g.producerOp]!, g.producerOp) : "graph input";
    if (!v) return `${where}: tensor ${g.tensor} '${g.name}' was not computed`;
    const m = firstMismatch(g.data, v);
    if (m) return `${where}: tensor ${g.tensor} '${g.name}' element ${m.element}: TFLM ${m.expected}, ${engine} ${m.actual} (${countMismatches(g.data, v)} of ${g.data.length} differ)`;
  }
  return null;
}
