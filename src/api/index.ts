/**
 * The library API: `import { loadModel, analyze, planArena, compile, verify } from "micronets"`.
 * The CLI is a thin layer over these functions; everything here is typed and documented.
 */
import { planArena as planArenaOf, type ArenaPlan, type ArenaPlanOptions } from "../analysis/arena-plan.js";
import { compileModel, type CompileOptions, type CompileResult } from "../codegen/index.js";
import { loadModelFile, parseModel, type LoadedModel, type LoadOptions } from "../frontends/load-model.js";
import type { Graph } from "../ir/types.js";
import type { TensorValue } from "../io/tensor-files.js";
import type { Report } from "../report/report-data.js";
import { engineNames } from "../verify/engines.js";
import { fillInputs, type FillSpec } from "../verify/inputs.js";
import { verifyModel, type VerifyResult } from "../verify/verify.js";
import { analyzeModel, type AnalyzeModelOptions } from "./analyze-model.js";

/** A model as loaded from a file or bytes, or a bare graph. */
export type ModelLike = LoadedModel | Graph;

function graphOf(model: ModelLike): Graph {
  return "graph" in model ? model.graph : model;
}

function loadedOf(model: ModelLike): LoadedModel {
  return "graph" in model ? model : { graph: model, format: "tflite", path: model.name || "(graph)", bytes: new Uint8Array(0) };
}

/**
 * Loads a .tflite file or an architecture JSON (by path, or from bytes with a name for messages) into the
 * graph IR. Throws a MicronetsError naming the file and the place on bad input.
 */
export function loadModel(source: string | { bytes: Uint8Array; name: string }, opts: LoadOptions = {}): LoadedModel {
  return typeof source === "string" ? loadModelFile(source, opts) : parseModel(source.bytes, source.name, opts);
}

/**
 * target: a name (see listTargets()), a target JSON path, or a loaded Target; family: the latency family
 * (default: the model's searchSpace hint, else the target's default); backend: which deployment the SRAM and
 * flash figures are for — "portable" (default, the C compile() generates), "cmsis-nn" or "tflm".
 */
export type AnalyzeOptions = AnalyzeModelOptions;

/** Per-layer and total MACs/ops/params/flash, the arena plan, and target fit/latency/energy (the JSON report). */
export function analyze(model: ModelLike, opts: AnalyzeOptions = {}): Report {
  return analyzeModel(loadedOf(model), opts).report;
}

/** The tensor-arena plan (offsets and lifetimes of every planned buffer) for the model's execution order. */
export function planArena(model: ModelLike, opts: ArenaPlanOptions = {}): ArenaPlan {
  return planArenaOf(graphOf(model), opts);
}

/** C sources for the model (portable kernels or CMSIS-NN calls), as strings; nothing is written. */
export function compile(model: ModelLike, opts: CompileOptions = {}): CompileResult {
  return compileModel(graphOf(model), opts);
}

export interface VerifyOptions {
  /** Engines compared with the reference interpreter; default every engine but the reference. */
  engines?: string[];
  /** Input values (one per graph input); default: the fill. */
  inputs?: TensorValue[];
  /** Default { kind: "golden" } (TFLite Micro's test pattern). */
  fill?: FillSpec;
  rounding?: "double" | "single";
}

/** Runs the engines side by side and compares every tensor with the reference, bit for bit. */
export async function verify(model: ModelLike, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const graph = graphOf(model);
  return verifyModel(graph, {
    engines: opts.engines ?? engineNames().filter((e) => e !== "reference"),
    inputs: opts.inputs ?? fillInputs(graph, opts.fill ?? { kind: "golden" }),
    rounding: opts.rounding,
  });
}

// Building blocks, for callers who need more than the five calls above.
export { MicronetsError, isMicronetsError, type ErrorKind } from "../errors.js";
export type { Graph, Tensor, Operator, OpType, DType, Quantization } from "../ir/types.js";
export { validateGraph } from "../ir/validate.js";
export type { LoadedModel, LoadOptions } from "../frontends/load-model.js";
export { readTflite } from "../frontends/tflite/read-tflite.js";
export { writeTflite } from "../frontends/tflite/write-tflite.js";
export { loadArchitecture } from "../frontends/architecture/index.js";
export { analyzeGraph, type ModelAnalysis, type LayerAnalysis, type ModelTotals, type TargetAnalysis } from "../analysis/analyze.js";
export type { ArenaPlan, ArenaPlanOptions, PlannedBuffer } from "../analysis/arena-plan.js";
export { checkPlan, getPlanner, plannerNames, lowerBound, type PlannerAlgorithm, type PlannerBuffer, type PlanResult } from "../analysis/planner/index.js";
export { listTargets, loadTarget, type Target } from "../analysis/targets.js";
export type { Report } from "../report/report-data.js";
export type { CompileOptions, CompileResult, GeneratedFile, Backend, CodegenCore } from "../codegen/index.js";
export { planPortableArena, planCmsisNnArena, arenaPlanOfLayout } from "../codegen/index.js";
export type { DeploymentBackend } from "../analysis/analyze.js";
export { deriveOpParams, type OpParams } from "../quant/op-params.js";
export { runReference } from "../reference/interpreter.js";
export { createSimulator, runWasm, type Simulator } from "../sim/index.js";
export type { TensorValue } from "../io/tensor-files.js";
export type { VerifyResult } from "../verify/verify.js";
export { engineNames } from "../verify/engines.js";
export { goldenFill, type FillSpec } from "../verify/inputs.js";
export { evaluateChecks, loadBudget, loadBaseline, type Budget, type CheckResult } from "../check/index.js";
export { sampleArchitectures, type SampledArchitecture } from "../search-space/index.js";
export { linearFit, type LinearFit } from "../calibrate/index.js";
export { VERSION } from "../version.js";
