/**
 * The work for one model that needs rebuilding: load the target, the budget and the model, analyse, check
 * the budget and the target's memory, compile to C and render the reports — all in memory. Nothing is
 * written here (output-folder.ts does that, atomically), so a failure at any step leaves no partial output.
 *
 * Loaded with a dynamic import by the build only when some model is out of date: an up-to-date build never
 * pays for the analysis, code generation and report modules.
 */
import { basename } from "node:path";
import { analyzeGraph } from "../analysis/analyze.js";
import { deploymentOptions } from "../api/analyze-model.js";
import { chooseLatencyFamily } from "../analysis/latency.js";
import { getPlanner } from "../analysis/planner/registry.js";
import { loadTarget, type Target } from "../analysis/targets.js";
import { loadBaseline } from "../check/baseline.js";
import { loadBudget, parseBudget, type Budget } from "../check/budget.js";
import { evaluateChecks, type CheckResult } from "../check/evaluate.js";
import { compileModel, type CompileResult } from "../codegen/index.js";
import { inputError, isMicronetsError, MicronetsError } from "../errors.js";
import { parseModel } from "../frontends/load-model.js";
import { renderHtml, type HtmlBudgets } from "../report/html.js";
import { renderMarkdown } from "../report/markdown.js";
import { buildReport, reportJson } from "../report/report-data.js";
import type { ModelSpec } from "./config.js";

export interface ReportFile {
  path: string;
  contents: string;
}

export interface ModelBuild {
  checks: CheckResult;
  /** Null when a check failed: a model over its budget gets no C. */
  compiled: CompileResult | null;
  reports: ReportFile[];
  target: Target;
}

/** Errors about an inline budget point into the config (`/models/1/budget/limits/sram`), not at "/limits/…". */
function inBudget<T>(spec: ModelSpec, configFile: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isMicronetsError(e) && spec.budget?.kind === "inline" && e.file === configFile && e.where?.startsWith("/")) {
      throw new MicronetsError(e.kind, e.message, { file: configFile, where: `${spec.where}/budget${e.where === "/" ? "" : e.where}` });
    }
    throw e;
  }
}

function loadSpecBudget(spec: ModelSpec, configFile: string): Budget | null {
  if (!spec.budget) return null;
  if (spec.budget.kind === "file") return loadBudget(spec.budget.path);
  const doc = spec.budget.doc;
  // Paths inside an inline budget are relative to the config file, which parseBudget takes from `file`.
  return inBudget(spec, configFile, () => parseBudget(doc, configFile));
}

/** Budget limits that are plain numbers become the HTML report's latency/energy gauges. */
function htmlBudgets(budget: Budget | null): HtmlBudgets {
  const out: HtmlBudgets = {};
  const lat = budget?.limits.latency;
  const en = budget?.limits.energy;
  if (lat && "value" in lat) out.latencyMs = lat.value;
  if (en && "value" in en) out.energyMj = en.value;
  return out;
}

export function buildModel(spec: ModelSpec, configFile: string, modelBytes: Uint8Array): ModelBuild {
  const target = withWhere(`${spec.where}/target`, configFile, () => loadTarget(spec.target));
  if (target.core !== "cortex-m4" && target.core !== "cortex-m7") {
    throw inputError(`target '${target.name}' has core ${target.core}; code generation supports cortex-m4 and cortex-m7`, `${spec.where}/target`, configFile);
  }
  const budget = loadSpecBudget(spec, configFile);
  if (budget?.target !== undefined) {
    const fromBudget = loadTarget(budget.target);
    if (fromBudget.name !== target.name) {
      throw inputError(`the budget is for target '${fromBudget.name}', but the model's target is '${target.name}'`, `${spec.where}/budget`, configFile);
    }
  }
  // The source as written in the config names the model in reports and comments: outputs do not depend on
  // where the build runs from.
  const model = parseModel(modelBytes, spec.source, { weights: "generate", seed: spec.seed ?? 0 });
  const familyWhere = spec.family !== undefined ? `${spec.where}/family` : `${spec.where}/budget`;
  const family = withWhere(familyWhere, configFile, () => chooseLatencyFamily(target, { family: spec.family ?? budget?.family, hint: model.searchSpace }));
  if (spec.planner !== undefined) withWhere(`${spec.where}/planner`, configFile, () => getPlanner(spec.planner!));
  // The figures of the C this build writes: the backend's own arena and flash model.
  const deployment = deploymentOptions(model.graph, { backend: spec.backend, planner: spec.planner, target, inPlace: spec.inPlace, wideWeights: spec.wideWeights });
  const analysis = analyzeGraph(model.graph, { ...deployment, target, latencyFamily: family.family });
  const report = buildReport(analysis, { path: spec.source, format: model.format });
  const baseline = budget?.baseline ? loadBaseline(budget.baseline) : null;
  const checks = inBudget(spec, configFile, () => evaluateChecks({ analysis: report, target, budget, baseline }));
  if (!checks.passed) return { checks, compiled: null, reports: [], target };

  const compiled = compileModel(model.graph, {
    backend: spec.backend,
    core: target.core,
    prefix: spec.prefix,
    inPlace: spec.inPlace,
    wideWeights: spec.wideWeights,
    planner: spec.planner,
    modelName: basename(spec.source),
  });
  const reports: ReportFile[] = [];
  if (spec.reports.json) reports.push({ path: spec.reports.json, contents: reportJson(report) });
  if (spec.reports.md) reports.push({ path: spec.reports.md, contents: renderMarkdown(report) });
  if (spec.reports.html) reports.push({ path: spec.reports.html, contents: renderHtml(report, { budgets: htmlBudgets(budget) }) });
  return { checks, compiled, reports, target };
}

/** Usage errors from a stage (unknown target, family, planner) get the config entry's place. */
function withWhere<T>(where: string, configFile: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isMicronetsError(e) && e.kind === "usage") throw inputError(e.message, where, configFile);
    throw e;
  }
}
