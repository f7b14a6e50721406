/** Loaded model → report: target lookup, latency-family choice and analysis, shared by analyze/report/check. */
import { analyzeGraph } from "../analysis/analyze.js";
import { chooseLatencyFamily, type FamilyChoice } from "../analysis/latency.js";
import { loadTarget, type Target } from "../analysis/targets.js";
import { isMicronetsError, usageError } from "../errors.js";
import type { LoadedModel } from "../frontends/load-model.js";
import { buildReport, type Report } from "../report/report-data.js";

export interface AnalyzeModelOptions {
  /** A target name (targets/), a target JSON path, or a loaded Target. */
  target?: string | Target;
  /** Latency family; default: the model's searchSpace hint, else the target's default. */
  family?: string;
  /** Arena planner name (default greedy-by-size). */
  planner?: string;
}

export interface AnalyzedModel {
  report: Report;
  target: Target | null;
  family: FamilyChoice | null;
}

export function analyzeModel(model: LoadedModel, opts: AnalyzeModelOptions = {}): AnalyzedModel {
  const target = opts.target === undefined ? null : typeof opts.target === "string" ? loadTarget(opts.target) : opts.target;
  if (opts.family !== undefined && !target) throw usageError("--family needs --target");
  const family = target ? chooseLatencyFamily(target, { family: opts.family, hint: model.searchSpace }) : null;
  let analysis;
  try {
    analysis = analyzeGraph(model.graph, { target: target ?? undefined, planner: opts.planner, latencyFamily: family?.family });
  } catch (e) {
    // A model that loads but cannot be analysed (a limit hit while planning) is still that file's problem.
    if (isMicronetsError(e) && (e.kind === "input" || e.kind === "limit")) throw e.withFile(model.path);
    throw e;
  }
  return { report: buildReport(analysis, { path: model.path, format: model.format }), target, family };
}
