import { analyzeGraph } from "../../analysis/analyze.js";
import { chooseLatencyFamily } from "../../analysis/latency.js";
import { loadTarget } from "../../analysis/targets.js";
import { DEFAULT_DEPLOYMENT_BACKEND, deploymentOptions, parseBackend } from "../../api/analyze-model.js";
import { loadBaseline } from "../../check/baseline.js";
import { loadBudget } from "../../check/budget.js";
import { evaluateChecks } from "../../check/evaluate.js";
import { isMetric, METRICS, type Metric } from "../../check/metrics.js";
import { percentOf } from "../../check/quantity.js";
import { checkResultJson, renderCheckMarkdown, renderCheckText, type CheckContext } from "../../check/render.js";
import { isMicronetsError, usageError } from "../../errors.js";
import { loadModelFile } from "../../frontends/load-model.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { boolOpt, parseCommandArgs, stringOpt } from "../args.js";
import type { Command } from "../command.js";

const usage = `usage: micronets check <model.tflite|arch.json> [--target NAME|FILE] [--budget FILE] [--baseline FILE] [options]

The CI gate: checks a model's SRAM, flash, ops, MACs, parameters, latency and energy against a budget, the
target's memory, and a baseline. Every check prints one line: PASS or FAIL, the metric, the value, the
limit and the difference, e.g.
  FAIL sram: 55,296 B > budget 50,000 B (+5,296 B, +10.6 %)
Exit status: 0 all checks passed, 1 a check failed, 2 bad input or usage.

options:
  --target NAME|FILE    judge against an MCU; without a budget limit for sram or flash, the target's
                        available memory (total − reserve) is the limit
  --family NAME         the target's latency family (default: the budget's "family", then the model's
                        searchSpace, then the target's defaultFamily)
  --budget FILE         limits (schemas/budget.schema.json): bytes or "256KiB", "80%" of the target for
                        sram/flash; counts or "30M" for ops/macs/params; ms or "200ms"; mJ or "80mJ"
  --baseline FILE       a previous \`micronets analyze --json\` report: fail when a metric grew by more
                        than the tolerance
  --tolerance SPEC      allowed growth over the baseline: "2%" for every metric, or per metric
                        "sram=0%,latency=5%" (may be combined: "2%,sram=0%"); default 0%
  --backend NAME        what the sram and flash figures are for: portable (default; the C that
                        \`micronets compile\` generates), cmsis-nn, or tflm (TFLite Micro's own plan).
                        A baseline's sram and flash are compared only when made for the same backend
                        (reports from before deployment figures count as tflm); otherwise SKIP
  --planner NAME        arena planner (default greedy-by-size, TFLM's)
  --md FILE             also write a markdown summary for CI job pages (atomic)
  --json                print the result as JSON (schemas/check-result.schema.json) instead of text`;

/** "2%", "sram=0%,latency=5%", or both combined. */
export function parseToleranceSpec(spec: string): { global?: number; perMetric: Partial<Record<Metric, number>> } {
  const out: { global?: number; perMetric: Partial<Record<Metric, number>> } = { perMetric: {} };
  for (const part of spec.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const eq = part.indexOf("=");
    const value = eq < 0 ? part : part.slice(eq + 1);
    const p = percentOf(value);
    if (p === null) throw usageError(`--tolerance: '${value}' is not a percentage such as 2%`);
    if (eq < 0) {
      if (out.global !== undefined) throw usageError(`--tolerance: two global values ('${spec}')`);
      out.global = p;
    } else {
      const m = part.slice(0, eq).trim();
      if (!isMetric(m)) throw usageError(`--tolerance: unknown metric '${m}'; metrics: ${METRICS.join(", ")}`);
      out.perMetric[m] = p;
    }
  }
  if (out.global === undefined && Object.keys(out.perMetric).length === 0) throw usageError("--tolerance: empty");
  return out;
}


export const checkCommand: Command = {
  name: "check",
  usage,
  async run(argv, io) {
    const p = parseCommandArgs("check", argv, {
      target: { type: "string" },
      family: { type: "string" },
      budget: { type: "string" },
      baseline: { type: "string" },
      tolerance: { type: "string" },
      planner: { type: "string" },
      backend: { type: "string" },
      md: { type: "string" },
      json: { type: "boolean" },
    }, { min: 1, max: 1, names: "the model file" });
    const path = p.positionals[0]!;
    const backend = parseBackend(stringOpt(p, "backend")) ?? DEFAULT_DEPLOYMENT_BACKEND;
    const tolSpec = stringOpt(p, "tolerance");
    const cliTolerance = tolSpec !== undefined ? parseToleranceSpec(tolSpec) : undefined;
    const budgetFile = stringOpt(p, "budget");
    const budget = budgetFile ? loadBudget(budgetFile) : null;

    const targetArg = stringOpt(p, "target");
    const target = targetArg ? loadTarget(targetArg) : budget?.target ? loadTarget(budget.target) : null;
    if (targetArg && budget?.target) {
      const fromBudget = loadTarget(budget.target);
      if (fromBudget.name !== target!.name) throw usageError(`check: the budget ${budget.file} is for target '${fromBudget.name}', but --target is '${target!.name}'`);
    }
    const familyArg = stringOpt(p, "family");
    if (familyArg && !target) throw usageError("check: --family needs a target (--target or \"target\" in the budget)");

    const model = loadModelFile(path, { weights: "none" });
    const hint = model.searchSpace;
    let family: CheckContext["target"] = null;
    if (target) {
      const choice = chooseLatencyFamily(target, { family: familyArg ?? budget?.family, hint });
      const familyFrom = choice.from === "option" && !familyArg ? "budget" : choice.from;
      family = { name: target.name, family: choice.family, familyFrom, ...(choice.note ? { note: choice.note } : {}) };
    }
    const baselineFile = stringOpt(p, "baseline") ?? budget?.baseline;
    if (!target && !budget && !baselineFile) throw usageError("check: nothing to check; give --target, --budget or --baseline");
    const baseline = baselineFile ? loadBaseline(baselineFile) : null;

    let analysis;
    try {
      const deployment = deploymentOptions(model.graph, { backend, planner: stringOpt(p, "planner"), target });
      analysis = analyzeGraph(model.graph, { ...deployment, target: target ?? undefined, latencyFamily: family?.family });
    } catch (e) {
      if (isMicronetsError(e) && (e.kind === "input" || e.kind === "limit")) throw e.withFile(path);
      throw e;
    }
    const result = evaluateChecks({ analysis, target, budget, baseline, cli: cliTolerance });
    const ctx: CheckContext = {
      model: path,
      format: model.format,
      modelName: model.graph.name,
      target: family,
      budget: budgetFile ?? null,
      baseline: baselineFile ?? null,
    };
    const md = stringOpt(p, "md");
    if (md) writeFileAtomic(md, renderCheckMarkdown(result, ctx));
    io.out(boolOpt(p, "json") ? `${JSON.stringify(checkResultJson(result, ctx), null, 2)}\n` : renderCheckText(result, ctx));
    return result.passed ? 0 : 1;
  },
};
