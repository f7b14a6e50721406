/**
 * The summary: model totals (always) and, with a target, fit gauges — SRAM and flash used against what the
 * target leaves available, latency and energy against an optional budget. A gauge is coloured by headroom:
 * ok (≥ 10 % left), tight (< 10 %), over (does not fit). Every displayed figure carries `data-total` = its
 * path in the JSON report, so a test can compare the page with the report.
 */
import type { FitCheck } from "../../analysis/analyze.js";
import { fixed, percent, thousands } from "../format.js";
import type { Report } from "../report-data.js";
import { esc } from "./escape.js";

/** Budgets the target file does not hold; given on the command line. */
export interface HtmlBudgets {
  latencyMs?: number;
  energyMj?: number;
}

/** Below this headroom (percent of available) a gauge turns amber. */
export const TIGHT_HEADROOM_PERCENT = 10;

export type GaugeState = "ok" | "tight" | "over" | "info";

export function headroomState(used: number, available: number): GaugeState {
  if (used > available) return "over";
  if (available <= 0) return "over";
  return ((available - used) / available) * 100 < TIGHT_HEADROOM_PERCENT ? "tight" : "ok";
}

const STATE_TEXT: Record<GaugeState, string> = { ok: "fits", tight: "fits, tight", over: "does not fit", info: "estimate" };

function fig(path: string, text: string): string {
  return `<span class="num" data-total="${esc(path)}">${esc(text)}</span>`;
}

function meter(fraction: number, state: GaugeState, label: string): string {
  const pct = Math.max(0, Math.min(1, fraction)) * 100;
  return `<div class="meter" role="meter" aria-label="${esc(label)}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${pct.toFixed(1)}"><div class="fill ${state}" style="width:${pct.toFixed(2)}%"></div></div>`;
}

function gauge(key: string, name: string, state: GaugeState, value: string, body: string, foot: string): string {
  return (
    `<div class="gauge ${state}" data-gauge="${key}" data-state="${state}">` +
    `<div class="gauge-head"><span class="gauge-name">${esc(name)}</span><span class="badge ${state}">${esc(STATE_TEXT[state])}</span></div>` +
    `<div class="gauge-value">${value}</div>${body}<div class="gauge-foot">${foot}</div></div>`
  );
}

function fitGauge(key: "sram" | "flash", name: string, c: FitCheck): string {
  const state = c.fits ? headroomState(c.used, c.available) : "over";
  const p = `target.fit.${key}`;
  const value = `${fig(`${p}.used`, thousands(c.used))} B <span class="of">of ${fig(`${p}.available`, thousands(c.available))} B</span>`;
  const used = c.available > 0 ? (c.used / c.available) * 100 : null;
  const foot =
    `${used === null ? "" : `${esc(percent(used))} used · `}headroom ${fig(`${p}.headroomBytes`, thousands(c.headroomBytes))} B (${esc(percent(c.headroomPercent))})` +
    `<br>${esc(thousands(c.total))} B total − ${esc(thousands(c.reserve))} B reserved`;
  return gauge(key, name, state, value, meter(c.available > 0 ? c.used / c.available : 1, state, `${name} used`), foot);
}

function budgetGauge(key: string, name: string, used: number, unit: string, digits: number, budget: number, path: string, foot: string): string {
  const state = headroomState(used, budget);
  const value = `${fig(path, fixed(used, digits))} ${unit} <span class="of">of ${esc(Number.isInteger(budget) ? thousands(budget) : String(budget))} ${unit} budget</span>`;
  const head =
    used > budget
      ? `over budget by ${esc(fixed(used - budget, digits))} ${unit} (${esc(percent(((used - budget) / budget) * 100))})<br>`
      : `headroom ${esc(fixed(budget - used, digits))} ${unit} (${esc(percent(((budget - used) / budget) * 100))})<br>`;
  return gauge(key, name, state, value, meter(budget > 0 ? used / budget : 1, state, `${name} of budget`), `${head}${foot}`);
}

export function targetGauges(r: Report, budgets: HtmlBudgets = {}): string {
  const t = r.target;
  if (!t) return "";
  const m = t.latencyModel;
  const compute = t.latencyMs - m.overheadMs;
  const latFoot = `${esc(fixed(compute, 2))} ms compute (${esc(thousands(r.totals.ops))} ops ÷ ${esc(fixed(m.throughputMopsPerS, 2))} Mops/s) + ${esc(fixed(m.overheadMs, 1))} ms overhead<br>family '${esc(m.family)}', ${esc(m.runtime)}`;
  const gauges: string[] = [fitGauge("sram", "SRAM (arena)", t.fit.sram), fitGauge("flash", "Flash", t.fit.flash)];
  if (budgets.latencyMs !== undefined) {
    gauges.push(budgetGauge("latency", "Latency", t.latencyMs, "ms", 2, budgets.latencyMs, "target.latencyMs", latFoot));
  } else {
    // No budget: the bar shows how the estimate splits into compute and fixed overhead.
    const value = `${fig("target.latencyMs", fixed(t.latencyMs, 2))} ms <span class="of">per inference</span>`;
    const split =
      `<div class="meter split" aria-label="compute and overhead"><div class="fill info" style="width:${((compute / Math.max(t.latencyMs, 1e-9)) * 100).toFixed(2)}%"></div></div>`;
    gauges.push(gauge("latency", "Latency", "info", value, split, `${latFoot}<br><span class="muted">no budget set (--latency-budget)</span>`));
  }
  const power = m.powerMw === null ? "no power figure for this target" : `${esc(thousands(m.powerMw))} mW × latency`;
  if (t.energyMj !== null && budgets.energyMj !== undefined) {
    gauges.push(budgetGauge("energy", "Energy", t.energyMj, "mJ", 2, budgets.energyMj, "target.energyMj", power));
  } else {
    const value = t.energyMj === null ? `<span class="num">n/a</span>` : `${fig("target.energyMj", fixed(t.energyMj, 2))} mJ <span class="of">per inference</span>`;
    gauges.push(gauge("energy", "Energy", "info", value, "", `${power}${t.energyMj === null ? "" : `<br><span class="muted">no budget set (--energy-budget)</span>`}`));
  }
  return `<div class="gauges">${gauges.join("")}</div>`;
}

function stat(label: string, value: string, sub = ""): string {
  return `<div class="stat"><div class="stat-label">${esc(label)}</div><div class="stat-value">${value}</div>${sub ? `<div class="stat-sub">${sub}</div>` : ""}</div>`;
}

/** Flash split into weights, biases, quantisation, other constants and code, as one stacked bar. */
function flashBar(r: Report): string {
  const f = r.totals.flash;
  const parts: [string, string, number][] = [
    ["weights", "totals.flash.weights", f.weights],
    ["biases", "totals.flash.biases", f.biases],
    ["quantization", "totals.flash.quantization", f.quantization],
    ["other constants", "totals.flash.otherConstants", f.otherConstants],
    ["code (estimate)", "totals.flashCodeBytes", r.totals.flashCodeBytes],
  ];
  const sum = parts.reduce((s, p) => s + p[2], 0) || 1;
  const segs = parts
    .map(([label, , v], i) => `<div class="seg seg${i}" style="width:${((v / sum) * 100).toFixed(2)}%" title="${esc(`${label}: ${thousands(v)} B`)}"></div>`)
    .join("");
  const keys = parts
    .map(([label, path, v], i) => `<li><i class="seg${i}"></i>${esc(label)} ${fig(path, thousands(v))} B</li>`)
    .join("");
  return `<div class="stack">${segs}</div><ul class="stack-key">${keys}</ul>`;
}

export function totalsSection(r: Report): string {
  const t = r.totals;
  const stats = [
    stat("MACs", fig("totals.macs", thousands(t.macs)), `ops = 2 × MACs = ${fig("totals.ops", thousands(t.ops))}`),
    stat("Parameters", fig("totals.params", thousands(t.params)), `${fig("totals.weightBytes", thousands(t.weightBytes))} B weights · ${fig("totals.biasBytes", thousands(t.biasBytes))} B biases`),
    stat(
      "Flash (estimate)",
      `${fig("totals.flashBytes", thousands(t.flashBytes))} B`,
      `${fig("totals.flashDataBytes", thousands(t.flashDataBytes))} B data + ${fig("totals.flashCodeBytes", thousands(t.flashCodeBytes))} B code · ${esc(r.deployment.flashModel)} code model`,
    ),
    stat(
      "SRAM arena (planned)",
      `${fig("totals.peakSramBytes", thousands(t.peakSramBytes))} B`,
      `${esc(r.deployment.backend)} backend · lower bound ${fig("totals.sramLowerBound", thousands(t.sramLowerBound))} B · ${esc(r.arena.algorithm)}` +
        `<br>TFLM would plan ${fig("deployment.tflmArenaBytes", thousands(r.deployment.tflmArenaBytes))} B for the same tensors`,
    ),
    stat("Input / output", `${fig("totals.inputBytes", thousands(t.inputBytes))} B / ${fig("totals.outputBytes", thousands(t.outputBytes))} B`, `${fig("model.operators", thousands(r.model.operators))} operators · ${fig("model.tensors", thousands(r.model.tensors))} tensors`),
  ];
  return `<div class="stats">${stats.join("")}</div><div class="flash-split"><div class="stat-label">Flash breakdown</div>${flashBar(r)}</div>`;
}
