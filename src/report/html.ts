/**
 * The HTML report (`micronets report`): one self-contained page — inline CSS, one small inline script, an
 * inline SVG plot, no fonts, images or requests — with the summary and target-fit gauges, the arena-layout
 * plot and the per-layer table. The JSON report is embedded as
 * `<script type="application/json" id="micronets-report">` so scripts and tests read the same figures the
 * page shows. Output is deterministic: the same report renders to the same bytes (no dates, no locale).
 * A Content-Security-Policy forbids every request and every script but ours (by hash), so even a string
 * that escaped escaping could not load or run anything.
 */
import { createHash } from "node:crypto";
import { thousands } from "./format.js";
import { deploymentLabel, tflmComparison, type Report } from "./report-data.js";
import { arenaLegend, arenaPlotSvg } from "./html/arena-plot.js";
import { REPORT_CSS } from "./html/css.js";
import { esc, jsonForScript } from "./html/escape.js";
import { targetGauges, totalsSection, type HtmlBudgets } from "./html/gauges.js";
import { layerTable } from "./html/layer-table.js";
import { REPORT_SCRIPT } from "./html/script.js";

export type { HtmlBudgets } from "./html/gauges.js";

export interface HtmlOptions {
  /** Latency / energy budgets for the gauges (the target file has none). */
  budgets?: HtmlBudgets;
}

/** The id of the embedded JSON report element. */
export const REPORT_JSON_ELEMENT_ID = "micronets-report";

function fileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

function csp(): string {
  const hash = createHash("sha256").update(REPORT_SCRIPT, "utf8").digest("base64");
  return `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
}

function header(r: Report): string {
  // The file name identifies a model better than its graph name (often "main" or empty).
  const title = fileName(r.source.path);
  const sub: string[] = [];
  if (r.model.name) sub.push(`model '${esc(r.model.name)}'`);
  if (r.model.description) sub.push(esc(r.model.description));
  sub.push(`<code>${esc(r.source.path)}</code> (${esc(r.source.format)})`);
  const t = r.target;
  return (
    `<header class="top"><div><div class="brand">micronets report</div><h1>${esc(title)}</h1><div class="sub">${sub.join(" · ")}</div></div>` +
    `<div class="meta"><div>${esc(r.tool.name)} <span data-field="tool.version">${esc(r.tool.version)}</span></div>` +
    `<div>${esc(thousands(r.model.operators))} operators · ${esc(thousands(r.model.tensors))} tensors</div>` +
    `<div>${t ? `target <b>${esc(t.name)}</b>` : "no target"}</div>` +
    `<div>backend <b data-field="deployment.backend">${esc(r.deployment.backend)}</b></div></div></header>`
  );
}

function summary(r: Report, opts: HtmlOptions): string {
  const t = r.target;
  const parts = [`<section id="summary"><h2>Summary</h2>`];
  if (t) {
    parts.push(
      `<p class="target-line"><span class="verdict ${t.fit.fits ? "ok" : "over"}" data-verdict="${t.fit.fits ? "fits" : "does-not-fit"}">${t.fit.fits ? "fits" : "does not fit"}</span> ` +
        `${esc(t.displayName)} · ${esc(t.core)} @ ${esc(thousands(t.clockHz / 1e6))} MHz</p>`,
      targetGauges(r, opts.budgets),
    );
  } else {
    parts.push(`<p class="note">No target given: totals only. Add <code>--target NAME</code> for SRAM/flash fit, latency and energy.</p>`);
  }
  parts.push(totalsSection(r), `</section>`);
  return parts.join("");
}

function arenaSection(r: Report): string {
  const a = r.arena;
  const d = r.deployment;
  const inPlace =
    d.inPlaceLayers > 0
      ? ` ${esc(thousands(d.inPlaceLayers))} layer${d.inPlaceLayers === 1 ? " writes its output" : "s write their output"} over ${d.inPlaceLayers === 1 ? "its" : "their"} input, so those rectangles meet at the layer's scope; live bytes count the shared bytes once.`
      : "";
  const note =
    `The arena of the ${esc(deploymentLabel(d).replace(/`/g, ""))}. ` +
    `${esc(thousands(a.buffers.length))} planned buffers, ${esc(String(a.alignment))}-byte aligned, placed by ${esc(a.algorithm)}: ` +
    `${esc(thousands(a.total))} B (lower bound ${esc(thousands(a.lowerBound))} B; ${esc(tflmComparison(d))}).${inPlace} Each rectangle is one buffer: ` +
    `x = its lifetime in scopes, y = its offset in the arena, height = its size. Hover for details.`;
  return `<section id="arena"><h2>Tensor arena layout</h2><p class="note">${note}</p><div class="plot-wrap">${arenaPlotSvg(r)}</div>${arenaLegend(r)}</section>`;
}

function layersSection(r: Report): string {
  const note =
    `MACs and flash bars are scaled to the largest layer; hover a figure for its share of the model total. Live SRAM = arena bytes live while the layer runs.` +
    (r.target ? ` est. ms = ops ÷ the target's throughput (the fixed per-inference overhead is not spread over layers).` : "");
  return `<section id="layers"><h2>Layers</h2><p class="note">${note}</p><div class="table-wrap">${layerTable(r)}</div></section>`;
}

export function renderHtml(r: Report, opts: HtmlOptions = {}): string {
  const title = `micronets report — ${fileName(r.source.path)}`;
  return [
    `<!DOCTYPE html>`,
    `<html lang="en">`,
    `<head>`,
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta http-equiv="Content-Security-Policy" content="${csp()}">`,
    `<meta name="generator" content="${esc(`${r.tool.name} ${r.tool.version}`)}">`,
    `<title>${esc(title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    `</head>`,
    `<body>`,
    `<main>`,
    header(r),
    summary(r, opts),
    arenaSection(r),
    layersSection(r),
    `<footer>Generated by ${esc(r.tool.name)} ${esc(r.tool.version)}. Flash code size, latency and energy are estimates; MACs, parameters, data bytes and the arena plan are exact.</footer>`,
    `</main>`,
    `<div id="tip" role="tooltip" hidden></div>`,
    `<script type="application/json" id="${REPORT_JSON_ELEMENT_ID}">${jsonForScript(r)}</script>`,
    `<script>${REPORT_SCRIPT}</script>`,
    `</body>`,
    `</html>`,
    ``,
  ].join("\n");
}
