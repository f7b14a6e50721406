/**
 * Loaded model → report: target lookup, latency-family choice and analysis, shared by analyze/report/check.
 * The analysis is for a deployment (backend): this layer asks the code generator for that backend's exact
 * arena plan, since analysis itself does not reach into code generation.
 */
import { analyzeGraph, DEPLOYMENT_BACKENDS, type AnalyzeOptions, type DeploymentBackend } from "../analysis/analyze.js";
import { chooseLatencyFamily, type FamilyChoice } from "../analysis/latency.js";
import { loadTarget, type Target } from "../analysis/targets.js";
import { arenaPlanOfLayout, cmsisCoreOf, planCmsisNnArena, planPortableArena } from "../codegen/deployed-arena.js";
import { isMicronetsError, usageError } from "../errors.js";
import type { LoadedModel } from "../frontends/load-model.js";
import type { Graph } from "../ir/types.js";
import { buildReport, type Report } from "../report/report-data.js";

/** The backend analyses are for unless told otherwise: the one `micronets compile` uses by default. */
export const DEFAULT_DEPLOYMENT_BACKEND: DeploymentBackend = "portable";

export interface AnalyzeModelOptions {
  /** A target name (targets/), a target JSON path, or a loaded Target. */
  target?: string | Target;
  /** Latency family; default: the model's searchSpace hint, else the target's default. */
  family?: string;
  /** Arena planner name (default greedy-by-size; the portable backend compares its in-place plan with it). */
  planner?: string;
  /**
   * What the figures are for: "portable" (default: micronets' portable C, as `micronets compile` generates
   * it), "cmsis-nn" (the CMSIS-NN backend, scratch sizes for the target's core), or "tflm" (TFLite Micro's
   * own plan of the tensors).
   */
  backend?: DeploymentBackend;
  /** Portable backend: let layers write over dying inputs (default true, as compile). */
  inPlace?: boolean;
  /** Portable backend: conv/FC weights as int16 pairs (compile's wide weights; flash only). */
  wideWeights?: boolean;
}

export interface AnalyzedModel {
  report: Report;
  target: Target | null;
  family: FamilyChoice | null;
}

/** A --backend value checked (undefined stays undefined: the default applies). */
export function parseBackend(backend: string | undefined): DeploymentBackend | undefined {
  if (backend === undefined) return undefined;
  if (!(DEPLOYMENT_BACKENDS as readonly string[]).includes(backend)) throw usageError(`unknown backend '${backend}' (use ${DEPLOYMENT_BACKENDS.join(", ")})`);
  return backend as DeploymentBackend;
}

export interface DeploymentSettings {
  backend?: DeploymentBackend;
  planner?: string;
  /** The target whose core decides CMSIS-NN's scratch sizes (default Cortex-M4, as compile). */
  target?: Target | null;
  inPlace?: boolean;
  wideWeights?: boolean;
}

/** analyzeGraph's options for a deployment: the backend's own arena plan and flash model. */
export function deploymentOptions(graph: Graph, s: DeploymentSettings = {}): AnalyzeOptions {
  const backend = parseBackend(s.backend) ?? DEFAULT_DEPLOYMENT_BACKEND;
  switch (backend) {
    case "portable":
      return {
        backend,
        planner: s.planner,
        arenaPlan: arenaPlanOfLayout(planPortableArena(graph, { planner: s.planner, inPlace: s.inPlace, wideWeights: s.wideWeights })),
        flashBackend: "portable",
        wideWeights: s.wideWeights === true,
      };
    case "cmsis-nn":
      return { backend, planner: s.planner, arenaPlan: planCmsisNnArena(graph, { core: cmsisCoreOf(s.target?.core ?? "cortex-m4"), planner: s.planner }), flashBackend: "cmsis-nn" };
    case "tflm":
      return { backend, planner: s.planner };
  }
}

export function analyzeModel(model: LoadedModel, opts: AnalyzeModelOptions = {}): AnalyzedModel {
  const target = opts.target === undefined ? null : typeof opts.target === "string" ? loadTarget(opts.target) : opts.target;
  if (opts.family !== undefined && !target) throw usageError("--family needs --target");
  const family = target ? chooseLatencyFamily(target, { family: opts.family, hint: model.searchSpace }) : null;
  let analysis;
  try {
    const deployment = deploymentOptions(model.graph, { backend: opts.backend, planner: opts.planner, target, inPlace: opts.inPlace, wideWeights: opts.wideWeights });
    analysis = analyzeGraph(model.graph, { ...deployment, target: target ?? undefined, latencyFamily: family?.family });
  } catch (e) {
    // A model that loads but cannot be analysed (a limit hit while planning) is still that file's problem.
    if (isMicronetsError(e) && (e.kind === "input" || e.kind === "limit")) throw e.withFile(model.path);
    throw e;
  }
  return { report: buildReport(analysis, { path: model.path, format: model.format }), target, family };
}
