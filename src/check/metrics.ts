/**
 * The metrics `micronets check` can limit, where each comes from in an analysis (or a baseline report), and
 * how it is printed.
 */
import type { ModelAnalysis } from "../analysis/analyze.js";
import { thousands } from "../report/format.js";

export const METRICS = ["sram", "flash", "ops", "macs", "params", "latency", "energy"] as const;
export type Metric = (typeof METRICS)[number];

export function isMetric(s: string): s is Metric {
  return (METRICS as readonly string[]).includes(s);
}

export const METRIC_UNIT: Record<Metric, string> = { sram: "B", flash: "B", ops: "ops", macs: "MACs", params: "params", latency: "ms", energy: "mJ" };

/** The figures a check compares; latency and energy are null without a target (energy also without power). */
export type Figures = Record<Metric, number | null>;

export function figuresOf(a: Pick<ModelAnalysis, "totals" | "target">): Figures {
  return {
    sram: a.totals.peakSramBytes,
    flash: a.totals.flashBytes,
    ops: a.totals.ops,
    macs: a.totals.macs,
    params: a.totals.params,
    latency: a.target ? a.target.latencyMs : null,
    energy: a.target ? a.target.energyMj : null,
  };
}

/** "55,296 B", "16,654,080 ops", "117.32 ms", "52.325 mJ". */
export function formatValue(m: Metric, v: number): string {
  switch (m) {
    case "latency": return `${v.toFixed(2)} ms`;
    case "energy": return `${v.toFixed(3)} mJ`;
    default: return `${thousands(Math.round(v))} ${METRIC_UNIT[m]}`;
  }
}

/** A signed difference: "+5,296 B", "-1.25 ms", "±0 B" (ASCII signs, so CI logs grep easily). */
export function formatDifference(m: Metric, d: number): string {
  const sign = d > 0 ? "+" : d < 0 ? "-" : "±";
  return `${sign}${formatValue(m, Math.abs(d))}`;
}

export function formatPercent(p: number | null): string {
  if (p === null) return "n/a";
  const sign = p > 0 ? "+" : p < 0 ? "-" : "±";
  return `${sign}${Math.abs(p).toFixed(1)} %`;
}
