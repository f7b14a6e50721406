/**
 * The per-layer table: op and CMSIS-NN kernel, shapes, MACs and flash with inline share bars, parameters,
 * the arena bytes live while the layer runs, and (with a target) the estimated latency.
 */
import { fixed, shape, shortName, thousands } from "../format.js";
import type { Report } from "../report-data.js";
import { esc } from "./escape.js";
import { liveBytesPerScope, sharedInPlace } from "./live-bytes.js";

/** A number with an inline bar; the bar is scaled to the largest layer, the tooltip gives the share of the total. */
function shareCell(value: number, total: number, max: number, cls: string, what: string): string {
  const pct = total > 0 ? ((value / total) * 100).toFixed(1) : "0.0";
  const width = max > 0 ? ((value / max) * 100).toFixed(2) : "0";
  return (
    `<td class="r bar-cell" data-tip="${esc(`${thousands(value)} = ${pct} % of ${what}`)}"><span class="v">${esc(thousands(value))}</span>` +
    `<span class="track"><span class="bar ${cls}" style="width:${width}%"></span></span></td>`
  );
}

function shapes(list: number[][]): string {
  return list.length === 0 ? `<span class="muted">—</span>` : list.map((s) => esc(shape(s))).join("<br>");
}

export function layerTable(r: Report): string {
  const withTarget = r.target !== null;
  const { live } = liveBytesPerScope(r.arena.buffers, Math.max(r.model.operators + 1, ...r.arena.buffers.map((b) => b.lastUse + 1)), sharedInPlace(r.arena));
  const head = ["#", "op / kernel", "inputs", "output", "weights", "MACs", "params", "flash B", "live SRAM B"];
  if (withTarget) head.push("est. ms");
  const rightFrom = 5;
  const th = head.map((h, i) => `<th${i >= rightFrom || i === 0 ? ` class="r"` : ""}>${esc(h)}</th>`).join("");
  const maxMacs = Math.max(0, ...r.layers.map((l) => l.macs));
  const maxFlash = Math.max(0, ...r.layers.map((l) => l.flashBytes));
  const rows = r.layers.map((l) => {
    const cells = [
      `<td class="r idx">${l.index}</td>`,
      `<td><div class="op">${esc(l.type)}</div><div class="kernel">${esc(l.kernel)}</div></td>`,
      `<td class="shape">${shapes(l.inputShapes)}</td>`,
      `<td class="shape">${esc(shape(l.outputShape))}<div class="tname" title="${esc(l.outputName)}">${esc(shortName(l.outputName, 34))}</div></td>`,
      `<td class="shape">${shapes(l.constantShapes.slice(0, 1))}</td>`,
      shareCell(l.macs, r.totals.macs, maxMacs, "macs", "the model's MACs"),
      `<td class="r">${esc(thousands(l.params))}</td>`,
      shareCell(l.flashBytes, r.totals.flashBytes, maxFlash, "flash", "the model's flash"),
      `<td class="r">${esc(thousands(live[l.index + 1] ?? 0))}</td>`,
    ];
    if (withTarget) cells.push(`<td class="r">${l.latencyMs === null ? "" : esc(fixed(l.latencyMs, 3))}</td>`);
    return `<tr data-layer="${l.index}">${cells.join("")}</tr>`;
  });
  const layerFlash = r.layers.reduce((s, l) => s + l.flashBytes, 0);
  const foot = [
    `<td></td>`,
    `<td colspan="4">all ${r.layers.length} layers${r.totals.flashCodeBytes ? ` <span class="muted">(flash: + ${esc(thousands(r.totals.flashCodeBytes))} B kernel code in totals)</span>` : ""}</td>`,
    `<td class="r">${esc(thousands(r.totals.macs))}</td>`,
    `<td class="r">${esc(thousands(r.totals.params))}</td>`,
    `<td class="r">${esc(thousands(layerFlash))}</td>`,
    `<td class="r">${esc(thousands(Math.max(0, ...live)))} <span class="muted">peak</span></td>`,
  ];
  if (withTarget) {
    const sum = r.layers.reduce((s, l) => s + (l.latencyMs ?? 0), 0);
    foot.push(`<td class="r">${esc(fixed(sum, 3))}</td>`);
  }
  return `<table class="layers"><thead><tr>${th}</tr></thead><tbody>${rows.join("")}</tbody><tfoot><tr>${foot.join("")}</tr></tfoot></table>`;
}
