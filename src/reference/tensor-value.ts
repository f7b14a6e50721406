import { inputError } from "../errors.js";
import { elementCount, tensorLabel } from "../ir/tensor-data.js";
import type { Graph, Tensor } from "../ir/types.js";

/** A tensor's value in the reference interpreter: the typed array of its dtype, row-major. */
export type TensorValue = Int8Array | Int16Array | Int32Array | Float32Array;

function isOfDtype(v: TensorValue, t: Tensor): boolean {
  switch (t.dtype) {
    case "int8": return v instanceof Int8Array;
    case "int16": return v instanceof Int16Array;
    case "int32": return v instanceof Int32Array;
    case "float32": return v instanceof Float32Array;
    default: return false;
  }
}

/** The values given for a graph's inputs, checked before an engine runs: count, dtype, element count. */
export function checkGraphInputs(graph: Graph, inputs: readonly TensorValue[]): void {
  if (inputs.length !== graph.inputs.length) throw inputError(`the graph has ${graph.inputs.length} inputs, ${inputs.length} were given`, "graph inputs");
  graph.inputs.forEach((id, k) => {
    const t = graph.tensors[id]!;
    const v = inputs[k]!;
    const where = `graph input ${k} (${tensorLabel(t)})`;
    if (!isOfDtype(v, t)) throw inputError(`expected ${t.dtype} data, got ${v.constructor.name}`, where);
    if (v.length !== elementCount(t.shape)) throw inputError(`expected ${elementCount(t.shape)} elements, got ${v.length}`, where);
  });
}
