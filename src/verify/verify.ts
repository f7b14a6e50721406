/** Runs several engines on the same inputs and compares each, bit for bit, with the reference interpreter. */
import type { Graph } from "../ir/types.js";
import type { TensorValue } from "../io/tensor-files.js";
import type { Rounding } from "../quant/rounding.js";
import { compareResults, type Comparison } from "./compare.js";
import { getEngine, type EngineResult } from "./engines.js";

export interface VerifyOptions {
  /** Engines to check against the reference (default: every other registered engine given by the caller). */
  engines: string[];
  inputs: TensorValue[];
  rounding?: Rounding;
  /** Called before each engine runs (progress display). */
  onEngine?: (name: string) => void;
}

export interface EngineVerdict {
  engine: string;
  comparison: Comparison;
}

export interface VerifyResult {
  baseline: "reference";
  verdicts: EngineVerdict[];
  ok: boolean;
}

export async function verifyModel(graph: Graph, opts: VerifyOptions): Promise<VerifyResult> {
  const rounding = opts.rounding ?? "double";
  const engines = opts.engines.filter((e) => e !== "reference").map(getEngine);
  opts.onEngine?.("reference");
  const expected: EngineResult = await getEngine("reference").run(graph, opts.inputs, { keepIntermediates: true, rounding });
  const verdicts: EngineVerdict[] = [];
  for (const e of engines) {
    opts.onEngine?.(e.name);
    const actual = await e.run(graph, opts.inputs, { keepIntermediates: true, rounding });
    verdicts.push({ engine: e.name, comparison: compareResults(graph, expected, actual) });
  }
  return { baseline: "reference", verdicts, ok: verdicts.every((v) => v.comparison.mismatch === null) };
}
