/**
 * The arena-layout plot: x = scope (operator i runs in scope i + 1; 0 = graph inputs), y = byte offset in
 * the tensor arena, one rectangle per planned buffer spanning its lifetime [firstUse, lastUse] with its
 * size as height (an in-place layer's input ends and its output starts halfway through the layer's scope,
 * where they share bytes). The arena total is drawn as a line, the live-bytes curve as a step line and the
 * scope where live bytes peak as a band. Every buffer carries data attributes (tests count them) and a <title>
 * plus data-tip (the page script shows it as a tooltip).
 */
import type { PlannedBuffer } from "../../analysis/arena-plan.js";
import { thousands } from "../format.js";
import type { Report } from "../report-data.js";
import { esc, escMultiline } from "./escape.js";
import { liveBytesPerScope, sharedInPlace } from "./live-bytes.js";
import { niceStep, ticks } from "./ticks.js";

const W = 960;
const H = 440;
const M = { left: 66, right: 18, top: 30, bottom: 50 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

export type BufferRole = "input" | "output" | "intermediate" | "scratch";

export const ROLE_LABEL: Record<BufferRole, string> = {
  input: "graph input",
  intermediate: "activation",
  output: "graph output",
  scratch: "kernel scratch",
};

export function bufferRole(b: PlannedBuffer, r: Report): BufferRole {
  if (b.kind === "scratch" || b.tensor === null) return "scratch";
  if (r.model.inputs.includes(b.tensor)) return "input";
  if (r.model.outputs.includes(b.tensor)) return "output";
  return "intermediate";
}

/** 3 decimals at most, trailing zeros dropped: SVG coordinates stay short and deterministic. */
function n(v: number): string {
  return String(Math.round(v * 1000) / 1000);
}

function opAt(r: Report, scope: number): string {
  const l = r.layers[scope - 1];
  return scope === 0 ? "graph inputs" : l ? `op ${l.index} ${l.type}` : `scope ${scope}`;
}

function lifetimeText(r: Report, b: PlannedBuffer): string {
  const from = b.firstUse === 0 ? "graph input" : `made by op ${b.firstUse - 1}`;
  const to = b.lastUse === 0 ? "" : `, last used by op ${Math.min(b.lastUse, r.layers.length) - 1}`;
  return `lifetime scopes ${b.firstUse}–${b.lastUse} (${from}${to})`;
}

/**
 * Columns (0 or ½) taken off a buffer's rectangle at its first and last scope: the output of an in-place
 * layer starts, and its input ends, halfway through the layer's scope, so the two never cover each other.
 */
export function inPlaceTrim(r: Pick<Report, "arena">, b: PlannedBuffer): { start: number; end: number } {
  if (b.tensor === null) return { start: 0, end: 0 };
  const layers = r.arena.inPlace ?? [];
  return { start: layers.some((l) => l.output === b.tensor) ? 0.5 : 0, end: layers.some((l) => l.input === b.tensor) ? 0.5 : 0 };
}

export function bufferTip(r: Report, b: PlannedBuffer, index: number): string {
  const role = ROLE_LABEL[bufferRole(b, r)];
  const id = b.tensor === null ? "scratch" : `tensor ${b.tensor}`;
  const lines = [
    b.name || "(unnamed)",
    `${role} · ${id} · buffer ${index}`,
    `size ${thousands(b.size)} B`,
    `offset ${thousands(b.offset)}–${thousands(b.offset + b.size)}`,
    lifetimeText(r, b),
  ];
  const made = b.tensor === null ? undefined : r.arena.inPlace?.find((l) => l.output === b.tensor);
  if (made) lines.push(made.elided ? `op ${made.op} needs no code: same bytes as tensor ${made.input}` : `op ${made.op} writes it over tensor ${made.input} (${made.rel >= 0 ? "+" : ""}${thousands(made.rel)} B)`);
  return lines.join("\n");
}

interface YAxis {
  top: number;
  unit: number;
  unitName: string;
  step: number;
}

function yAxis(maxBytes: number): YAxis {
  // Headroom above the arena line for its label.
  const top = Math.max(maxBytes, 16) * 1.1;
  const kib = top >= 4096;
  const unit = kib ? 1024 : 1;
  return { top, unit, unitName: kib ? "KiB" : "bytes", step: niceStep(top / unit, 8) * unit };
}

export function arenaPlotSvg(r: Report): string {
  const a = r.arena;
  const scopes = Math.max(r.model.operators + 1, ...a.buffers.map((b) => b.lastUse + 1), 1);
  const { live, peakScope, peakBytes } = liveBytesPerScope(a.buffers, scopes, sharedInPlace(a));
  const ax = yAxis(Math.max(a.total, peakBytes, a.lowerBound));
  const cw = PW / scopes;
  const x = (scope: number) => M.left + scope * cw;
  const y = (bytes: number) => M.top + PH - (bytes / ax.top) * PH;
  const out: string[] = [];

  out.push(
    `<svg class="arena-plot" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-labelledby="arena-plot-title" font-size="11">`,
    `<title id="arena-plot-title">Arena layout: ${a.buffers.length} buffers, ${esc(thousands(a.total))} bytes planned by ${esc(a.algorithm)}</title>`,
  );

  // Grid and y axis.
  out.push(`<g class="axis y-axis">`);
  for (const t of ticks(ax.top, ax.step)) {
    const yy = n(y(t));
    out.push(`<line class="grid" x1="${M.left}" x2="${M.left + PW}" y1="${yy}" y2="${yy}"/>`);
    out.push(`<text x="${M.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${esc(thousands(t / ax.unit))}</text>`);
  }
  out.push(
    `<text class="axis-title" transform="translate(16 ${n(M.top + PH / 2)}) rotate(-90)" text-anchor="middle">arena offset (${ax.unitName})</text>`,
    `</g>`,
  );

  // Scope columns: hover targets for the live bytes at each scope, under the buffers.
  out.push(`<g class="cols">`);
  for (let s = 0; s < scopes; s++) {
    const tip = `scope ${s}: ${opAt(r, s)}\nlive ${thousands(live[s]!)} B`;
    out.push(`<rect class="col" x="${n(x(s))}" y="${M.top}" width="${n(cw)}" height="${PH}" data-scope="${s}" data-live="${live[s]!}" data-tip="${escMultiline(tip)}"/>`);
  }
  out.push(`</g>`);

  // Peak-live scope band.
  out.push(
    `<rect class="peak-band" x="${n(x(peakScope))}" y="${M.top}" width="${n(cw)}" height="${PH}" data-peak-scope="${peakScope}" data-peak-bytes="${peakBytes}"/>`,
  );

  // Buffers.
  out.push(`<g class="bufs">`);
  a.buffers.forEach((b, i) => {
    const role = bufferRole(b, r);
    const top = y(b.offset + b.size);
    // Buffers made by neighbouring operators alternate shades ("alt") so adjacent blocks stay apart.
    // Keep tiny buffers visible and hoverable; data-size keeps the true size.
    const h = Math.max(y(b.offset) - top, 1.5);
    const tip = bufferTip(r, b, i);
    // An in-place layer's input and output share bytes at its scope: each gets half that column.
    const { start, end } = inPlaceTrim(r, b);
    out.push(
      `<rect class="buf buf-${role}${b.firstUse % 2 ? " alt" : ""}" x="${n(x(b.firstUse + start))}" y="${n(y(b.offset) - h)}" width="${n((b.lastUse - b.firstUse + 1 - start - end) * cw)}" height="${n(h)}"` +
        ` data-index="${i}" data-tensor="${b.tensor === null ? "scratch" : b.tensor}" data-name="${esc(b.name)}" data-size="${b.size}" data-offset="${b.offset}"` +
        ` data-first="${b.firstUse}" data-last="${b.lastUse}" data-tip="${escMultiline(tip)}"><title>${esc(tip)}</title></rect>`,
    );
  });
  out.push(`</g>`);

  // Live-bytes step line.
  const pts: string[] = [];
  for (let s = 0; s < scopes; s++) pts.push(`${n(x(s))},${n(y(live[s]!))}`, `${n(x(s + 1))},${n(y(live[s]!))}`);
  out.push(`<polyline class="live-line" points="${pts.join(" ")}"/>`);

  // Arena total (label inside the plot's headroom, right) and, when the plan is above it, the lower bound.
  const yt = n(y(a.total));
  out.push(
    `<line class="arena-line" x1="${M.left}" x2="${M.left + PW}" y1="${yt}" y2="${yt}"/>`,
    `<text class="arena-label" x="${M.left + PW - 4}" y="${n(y(a.total) - 5)}" text-anchor="end">arena total ${esc(thousands(a.total))} B (${esc(a.algorithm)})</text>`,
  );
  if (a.lowerBound < a.total) {
    const yl = n(y(a.lowerBound));
    out.push(
      `<line class="bound-line" x1="${M.left}" x2="${M.left + PW}" y1="${yl}" y2="${yl}"/>`,
      `<text class="bound-label" x="${M.left + PW - 4}" y="${n(y(a.lowerBound) + 12)}" text-anchor="end">lower bound ${esc(thousands(a.lowerBound))} B</text>`,
    );
  }
  // Peak marker: a dot on the live line; its label sits in the margin above the band, so it never meets
  // the arena label, and runs towards the wider side.
  const px = x(peakScope) + cw / 2;
  const leftHalf = peakScope + 0.5 < scopes / 2;
  const peakText = `peak live ${thousands(peakBytes)} B at scope ${peakScope} (${opAt(r, peakScope)})`;
  const peakLabel = leftHalf ? `▼ ${peakText}` : `${peakText} ▼`;
  out.push(
    `<circle class="peak-dot" cx="${n(px)}" cy="${n(y(peakBytes))}" r="3.5"/>`,
    `<text class="peak-label" x="${n(leftHalf ? x(peakScope) : x(peakScope + 1))}" y="${M.top - 8}" text-anchor="${leftHalf ? "start" : "end"}">${esc(peakLabel)}</text>`,
  );

  // X axis.
  out.push(`<g class="axis x-axis">`, `<line class="axis-line" x1="${M.left}" x2="${M.left + PW}" y1="${M.top + PH}" y2="${M.top + PH}"/>`);
  const xs = niceStep(scopes - 1, Math.max(1, Math.floor(PW / 36)));
  for (const s of ticks(scopes - 1, xs)) {
    const cx = n(x(s) + cw / 2);
    out.push(
      `<line class="tick" x1="${cx}" x2="${cx}" y1="${M.top + PH}" y2="${M.top + PH + 4}"/>`,
      `<text x="${cx}" y="${M.top + PH + 16}" text-anchor="middle">${s}</text>`,
    );
  }
  out.push(
    `<text class="axis-title" x="${n(M.left + PW / 2)}" y="${H - 10}" text-anchor="middle">scope (operator i runs in scope i + 1; scope 0 = graph inputs)</text>`,
    `</g>`,
    `<rect class="frame" x="${M.left}" y="${M.top}" width="${PW}" height="${PH}"/>`,
    `</svg>`,
  );
  return out.join("\n");
}

/** The legend under the plot: one swatch per buffer role present, and the lines. */
export function arenaLegend(r: Report): string {
  const roles = new Set(r.arena.buffers.map((b) => bufferRole(b, r)));
  const items: string[] = [];
  for (const role of ["input", "intermediate", "output", "scratch"] as const) {
    if (!roles.has(role)) continue;
    items.push(`<li><svg width="14" height="14" aria-hidden="true"><rect class="buf-${role}" x="1" y="1" width="12" height="12" rx="2"/></svg>${ROLE_LABEL[role]}</li>`);
  }
  items.push(
    `<li><svg width="22" height="14" aria-hidden="true"><polyline class="live-line" points="1,11 8,11 8,4 21,4"/></svg>live bytes per scope</li>`,
    `<li><svg width="22" height="14" aria-hidden="true"><line class="arena-line" x1="1" x2="21" y1="7" y2="7"/></svg>arena total</li>`,
  );
  if (r.arena.lowerBound < r.arena.total) items.push(`<li><svg width="22" height="14" aria-hidden="true"><line class="bound-line" x1="1" x2="21" y1="7" y2="7"/></svg>lower bound</li>`);
  items.push(`<li><svg width="14" height="14" aria-hidden="true"><rect class="peak-band" x="1" y="1" width="12" height="12"/></svg>peak scope</li>`);
  return `<ul class="legend">${items.join("")}</ul>`;
}
