/** Shared by `run` and `verify`: turns --input/--fill options into one value per graph input. */
import { usageError } from "../../errors.js";
import { readInputFile } from "../../io/input-file.js";
import { tensorLabel } from "../../ir/tensor-data.js";
import type { Graph } from "../../ir/types.js";
import { readTensorFile, type TensorValue } from "../../io/tensor-files.js";
import { fillInputs, parseFill } from "../../verify/inputs.js";

export function modelInputs(graph: Graph, files: string[], fill: string | undefined): TensorValue[] {
  if (files.length > 0) {
    if (fill !== undefined) throw usageError("give either --input or --fill, not both");
    if (files.length !== graph.inputs.length) {
      throw usageError(`the model has ${graph.inputs.length} input(s); got ${files.length} --input file(s)`);
    }
    return files.map((f, k) => {
      const t = graph.tensors[graph.inputs[k]!]!;
      return readTensorFile(readInputFile(f, { expected: "an input tensor file (.npy or .bin)" }), f, t, `input ${k} (${tensorLabel(t)})`);
    });
  }
  return fillInputs(graph, parseFill(fill ?? "golden"));
}

export const INPUT_OPTIONS = {
  input: { type: "string", multiple: true },
  fill: { type: "string" },
  seed: { type: "string" },
  rounding: { type: "string" },
} as const;

export function roundingOpt(v: string | undefined): "double" | "single" {
  if (v === undefined || v === "double") return "double";
  if (v === "single") return "single";
  throw usageError(`--rounding must be 'double' or 'single', got '${v}'`);
}
