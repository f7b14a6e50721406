/** Bit-exact comparison of two engines' results, reporting the first mismatch in execution order. */
import { elementCount } from "../ir/tensor-data.js";
import type { Graph } from "../ir/types.js";
import type { TensorValue } from "../io/tensor-files.js";
import type { EngineResult } from "./engines.js";

export interface Mismatch {
  /** The operator that produced the tensor (-1 for a graph input). */
  op: number;
  opType: string | null;
  tensor: number;
  tensorName: string;
  element: number;
  expected: number;
  actual: number;
}

export interface Comparison {
  /** Tensors compared and their bytes. */
  tensors: number;
  bytes: number;
  /** Whether intermediates were compared (both engines had them) or only the outputs. */
  scope: "all tensors" | "outputs";
  mismatch: Mismatch | null;
}

function firstDiff(a: TensorValue, b: TensorValue): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    // Compare floats by bits too: NaN must equal NaN, -0 must differ from 0.
    if (!Object.is(a[i], b[i])) return i;
  }
  return -1;
}

/** Compares `actual` against `expected` (the reference). */
export function compareResults(graph: Graph, expected: EngineResult, actual: EngineResult): Comparison {
  const producer = new Map<number, number>();
  graph.operators.forEach((op, i) => producer.set(op.outputs[0]!, i));
  const ids: number[] = [];
  const pairs: [TensorValue, TensorValue][] = [];
  const full = expected.intermediates !== undefined && actual.intermediates !== undefined;
  if (full) {
    // Execution order: each op's output as it is produced, then anything else (graph inputs).
    for (const op of graph.operators) ids.push(op.outputs[0]!);
    for (const id of graph.inputs) if (!ids.includes(id)) ids.unshift(id);
    for (const id of ids) pairs.push([expected.intermediates!.get(id)!, actual.intermediates!.get(id)!]);
  } else {
    graph.outputs.forEach((id, k) => {
      ids.push(id);
      pairs.push([expected.outputs[k]!, actual.outputs[k]!]);
    });
  }
  let bytes = 0;
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k]!;
    const [e, a] = pairs[k]!;
    const t = graph.tensors[id]!;
    if (!e || !a) {
      return { tensors: k, bytes, scope: full ? "all tensors" : "outputs", mismatch: { op: producer.get(id) ?? -1, opType: null, tensor: id, tensorName: t.name, element: -1, expected: NaN, actual: NaN } };
    }
    const at = firstDiff(e, a);
    if (at >= 0 || e.length !== elementCount(t.shape)) {
      const op = producer.get(id) ?? -1;
      return {
        tensors: k,
        bytes,
        scope: full ? "all tensors" : "outputs",
        mismatch: { op, opType: op >= 0 ? graph.operators[op]!.type : null, tensor: id, tensorName: t.name, element: at, expected: Number(e[at]), actual: Number(a[at]) },
      };
    }
    bytes += e.byteLength;
  }
  return { tensors: ids.length, bytes, scope: full ? "all tensors" : "outputs", mismatch: null };
}
