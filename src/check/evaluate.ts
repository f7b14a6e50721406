/**
 * The CI gate's logic: a model's figures against budget limits (absolute or a percentage of the target), the
 * target's available memory when the budget sets no SRAM/flash limit, and a baseline with a tolerance.
 * A check passes when value ≤ limit; every line names the metric, the value, the limit and the difference.
 */
import type { ModelAnalysis } from "../analysis/analyze.js";
import { reserveTotal, type Target } from "../analysis/targets.js";
import { inputError, usageError } from "../errors.js";
import { thousands } from "../report/format.js";
import type { Baseline } from "./baseline.js";
import type { Budget, Limit } from "./budget.js";
import { figuresOf, formatDifference, formatPercent, formatValue, METRIC_UNIT, METRICS, type Figures, type Metric } from "./metrics.js";

export type CheckKind = "fit" | "budget" | "baseline";

export interface CheckLine {
  kind: CheckKind;
  metric: Metric;
  unit: string;
  value: number;
  /** The largest passing value. */
  limit: number;
  /** How the limit was set, in words ("budget", "40 % of …", "baseline … + 2 %"). */
  limitText: string;
  /** Baseline checks: the baseline's value; otherwise null. */
  reference: number | null;
  /** Baseline checks: the tolerance applied, percent; otherwise null. */
  tolerancePercent: number | null;
  /** value − limit (fit, budget) or value − baseline (baseline). */
  difference: number;
  /** difference relative to the limit or baseline, percent; null when that is 0. */
  differencePercent: number | null;
  passed: boolean;
  /** The printed line: "FAIL sram: 55,296 B > budget 50,000 B (+5,296 B, +10.6 %)". */
  message: string;
}

export interface SkippedCheck {
  kind: CheckKind;
  metric: Metric;
  reason: string;
}

export interface CheckResult {
  passed: boolean;
  checks: CheckLine[];
  skipped: SkippedCheck[];
}

export interface ToleranceSettings {
  /** From the command line (--tolerance): a global value and per-metric values, percent. */
  cli?: { global?: number; perMetric: Partial<Record<Metric, number>> };
}

export interface CheckInput extends ToleranceSettings {
  analysis: ModelAnalysis;
  target: Target | null;
  budget: Budget | null;
  baseline: Baseline | null;
}

/** Floating-point slack so a figure equal to its limit (computed the same way) passes. */
function withinLimit(value: number, limit: number): boolean {
  return value <= limit + Math.abs(limit) * 1e-12;
}

const tolText = (p: number): string => `${Number(p.toFixed(3))} %`;

function line(kind: CheckKind, metric: Metric, value: number, limit: number, limitText: string, extra: { reference?: number; tolerance?: number } = {}): CheckLine {
  const base = extra.reference ?? limit;
  const difference = value - base;
  const differencePercent = base !== 0 ? (difference / base) * 100 : null;
  const passed = withinLimit(value, limit);
  const name = kind === "baseline" ? `${metric} regression` : metric;
  const rel = `${formatDifference(metric, difference)}, ${formatPercent(differencePercent)}${kind === "baseline" ? " vs baseline" : ""}`;
  const message = `${passed ? "PASS" : "FAIL"} ${name}: ${formatValue(metric, value)} ${passed ? "≤" : ">"} ${limitText} (${rel})`;
  return {
    kind,
    metric,
    unit: METRIC_UNIT[metric],
    value,
    limit,
    limitText,
    reference: extra.reference ?? null,
    tolerancePercent: extra.tolerance ?? null,
    difference,
    differencePercent,
    passed,
    message,
  };
}

function available(target: Target, metric: "sram" | "flash"): { bytes: number; total: number; reserve: number } {
  const m = target[metric];
  const reserve = reserveTotal(m.reserve);
  return { bytes: m.totalBytes - reserve, total: m.totalBytes, reserve };
}

function budgetLine(metric: Metric, limit: Limit, value: number, target: Target | null, budgetFile: string): CheckLine {
  if ("percent" in limit) {
    if (metric !== "sram" && metric !== "flash") throw inputError(`a percentage limit is only allowed for sram and flash`, `/limits/${metric}`, budgetFile);
    if (!target) throw usageError(`the ${metric} limit "${limit.text}" in ${budgetFile} is a percentage of the target: give --target (or "target" in the budget)`);
    const a = available(target, metric);
    const bytes = Math.floor((a.bytes * limit.percent) / 100);
    return line("budget", metric, value, bytes, `budget ${formatValue(metric, bytes)} = ${tolText(limit.percent)} of the ${thousands(a.bytes)} B ${target.name} leaves the model`);
  }
  return line("budget", metric, value, limit.value, `budget ${formatValue(metric, limit.value)}`);
}

function toleranceFor(metric: Metric, input: CheckInput): number {
  return input.cli?.perMetric[metric] ?? input.budget?.tolerances[metric] ?? input.cli?.global ?? input.budget?.tolerance ?? 0;
}

export function evaluateChecks(input: CheckInput): CheckResult {
  const { analysis, target, budget, baseline } = input;
  const now: Figures = figuresOf(analysis);
  const checks: CheckLine[] = [];
  const skipped: SkippedCheck[] = [];

  for (const metric of METRICS) {
    const limit = budget?.limits[metric];
    const value = now[metric];
    if (limit) {
      if (value === null) {
        if (!target) throw usageError(`the ${metric} limit in ${budget!.file} needs a target: give --target (or "target" in the budget)`);
        throw inputError(`target '${target.name}' has no power figure, so the energy limit cannot be checked`, `/limits/${metric}`, budget!.file);
      }
      checks.push(budgetLine(metric, limit, value, target, budget!.file));
    } else if (target && (metric === "sram" || metric === "flash")) {
      // Without a budget limit the target's own memory (total − reserve) is the limit.
      const a = available(target, metric);
      checks.push(line("fit", metric, value!, a.bytes, `available ${formatValue(metric, a.bytes)} on ${target.name} = ${thousands(a.total)} B − ${thousands(a.reserve)} B reserved`));
    }
  }

  if (baseline) {
    const then = baseline.figures;
    for (const metric of METRICS) {
      const value = now[metric];
      const ref = then[metric];
      const thenBackend = baseline.backend ?? "tflm";
      if ((metric === "sram" || metric === "flash") && thenBackend !== analysis.deployment.backend) {
        const made = baseline.backend === null ? "the baseline has no deployment figures (TFLM's plan, the CMSIS-NN flash model: backend tflm)" : `the baseline's sram and flash are for backend ${baseline.backend}`;
        skipped.push({ kind: "baseline", metric, reason: `${made}, this check's for ${analysis.deployment.backend}; check with --backend ${thenBackend} or make a new baseline` });
        continue;
      }
      if (metric === "latency" || metric === "energy") {
        const mt = analysis.target;
        if (!mt) {
          skipped.push({ kind: "baseline", metric, reason: "no target given" });
          continue;
        }
        if (!baseline.target) {
          skipped.push({ kind: "baseline", metric, reason: "the baseline has no target" });
          continue;
        }
        if (baseline.target.name !== mt.name || baseline.target.family !== mt.latencyModel.family) {
          skipped.push({ kind: "baseline", metric, reason: `the baseline was made for ${baseline.target.name} / family '${baseline.target.family}', this check for ${mt.name} / '${mt.latencyModel.family}'` });
          continue;
        }
      }
      if (value === null || ref === null) {
        skipped.push({ kind: "baseline", metric, reason: value === null ? "no value for this model (no power figure)" : "the baseline has no value" });
        continue;
      }
      const tol = toleranceFor(metric, input);
      const limit = ref * (1 + tol / 100);
      checks.push(line("baseline", metric, value, limit, `baseline ${formatValue(metric, ref)} + ${tolText(tol)} = ${formatValue(metric, limit)}`, { reference: ref, tolerance: tol }));
    }
  }
  return { passed: checks.every((c) => c.passed), checks, skipped };
}
