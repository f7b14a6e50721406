/** The human-readable analysis report printed by `micronets analyze`. */
import { deploymentLabel, tflmComparison, type Report } from "./report-data.js";
import { bytes, fixed, percent, shape, shortName, textTable, thousands } from "./format.js";

/** The per-layer table of the text and markdown reports (the text one also names each layer's kernel kind). */
export function layerRows(r: Report, opts: { kernel: boolean }): { headers: string[]; rows: string[][]; align: ("l" | "r")[] } {
  const withTarget = r.target !== null;
  const headers = ["#", "op", ...(opts.kernel ? ["kernel"] : []), "output", "MACs", "params", "flash B"];
  const align: ("l" | "r")[] = ["r", "l", ...(opts.kernel ? ["l" as const] : []), "l", "r", "r", "r"];
  // Energy only when the target has a power figure (otherwise every cell would be empty).
  const withEnergy = withTarget && r.target!.energyMj !== null;
  if (withTarget) {
    headers.push("est. ms");
    align.push("r");
  }
  if (withEnergy) {
    headers.push("est. mJ");
    align.push("r");
  }
  const rows = r.layers.map((l) => {
    const row = [String(l.index), l.type, ...(opts.kernel ? [l.kernel] : []), shape(l.outputShape), thousands(l.macs), thousands(l.params), thousands(l.flashBytes)];
    if (withTarget) row.push(l.latencyMs === null ? "" : fixed(l.latencyMs, 3));
    if (withEnergy) row.push(l.energyMj === null ? "" : fixed(l.energyMj, 3));
    return row;
  });
  return { headers, rows, align };
}

export function totalsLines(r: Report): string[] {
  const t = r.totals;
  const f = t.flash;
  const d = r.deployment;
  const inPlace = d.inPlaceLayers > 0 ? ` (${d.inPlaceLayers} layer${d.inPlaceLayers === 1 ? "" : "s"} in place)` : "";
  return [
    `  MACs            ${thousands(t.macs)}  (ops = 2 × MACs = ${thousands(t.ops)})`,
    `  parameters      ${thousands(t.params)}`,
    `  deployment      ${deploymentLabel(d)}`,
    `  flash           ${bytes(t.flashBytes)}  = weights ${thousands(f.weights)} + biases ${thousands(f.biases)} + quantization ${thousands(f.quantization)} + other constants ${thousands(f.otherConstants)} + code ${thousands(t.flashCodeBytes)} (estimate, ${d.flashModel} code model)`,
    `  SRAM (arena)    ${bytes(t.peakSramBytes)} planned by ${r.arena.algorithm}${inPlace}; lower bound ${thousands(t.sramLowerBound)} B; ${tflmComparison(d)}`,
    `  input / output  ${thousands(t.inputBytes)} B / ${thousands(t.outputBytes)} B`,
  ];
}

/** Per buffer, how the layer that makes it shares its input's bytes ("" for none). */
function inPlaceNotes(r: Report): Map<number, string> {
  const notes = new Map<number, string>();
  for (const l of r.arena.inPlace ?? []) {
    notes.set(l.output, l.elided ? `op ${l.op}: same bytes as tensor ${l.input} (no code)` : `op ${l.op} writes over tensor ${l.input} at ${l.rel >= 0 ? "+" : ""}${thousands(l.rel)}`);
  }
  return notes;
}

function arenaTable(r: Report): string {
  const notes = inPlaceNotes(r);
  const withNotes = notes.size > 0;
  const rows = r.arena.buffers.map((b, i) => {
    const row = [
      String(i),
      b.kind === "tensor" ? String(b.tensor) : "scratch",
      shortName(b.name, 40),
      thousands(b.size),
      thousands(b.offset),
      thousands(b.offset + b.size),
      `${b.firstUse}–${b.lastUse}`,
    ];
    if (withNotes) row.push(b.tensor !== null ? (notes.get(b.tensor) ?? "") : "");
    return row;
  });
  const headers = ["buf", "tensor", "name", "size", "offset", "end", "lifetime"];
  const align: ("l" | "r")[] = ["r", "r", "l", "r", "r", "r", "l"];
  if (withNotes) {
    headers.push("in place");
    align.push("l");
  }
  return textTable(headers, rows, align);
}

function targetLines(r: Report): string[] {
  const t = r.target;
  if (!t) return [];
  const fit = (label: string, c: typeof t.fit.sram) =>
    `  ${label.padEnd(7)} ${thousands(c.used)} of ${thousands(c.available)} B available (${thousands(c.total)} total − ${thousands(c.reserve)} reserved): ` +
    `${c.fits ? "fits" : "DOES NOT FIT"}, headroom ${thousands(c.headroomBytes)} B (${percent(c.headroomPercent)})`;
  const m = t.latencyModel;
  return [
    `Target ${t.name} — ${t.displayName}, ${t.core} @ ${thousands(t.clockHz / 1e6)} MHz`,
    fit("SRAM", t.fit.sram),
    fit("flash", t.fit.flash),
    `  latency ${fixed(t.latencyMs, 2)} ms (estimate: ${thousands(r.totals.ops)} ops / ${fixed(m.throughputMopsPerS, 2)} Mops/s + ${fixed(m.overheadMs, 1)} ms, family '${m.family}', ${m.runtime})`,
    `  energy  ${t.energyMj === null ? "n/a (no power figure for this target)" : `${fixed(t.energyMj, 2)} mJ (estimate: ${m.powerMw} mW × latency)`}`,
    `  verdict ${t.fit.fits ? "fits" : "DOES NOT FIT"}`,
  ];
}

export function renderText(r: Report): string {
  const out: string[] = [];
  out.push(`micronets ${r.tool.version} — ${r.source.path} (${r.source.format}${r.model.name ? `, '${r.model.name}'` : ""}: ${r.model.operators} operators, ${r.model.tensors} tensors)`);
  out.push("");
  const lt = layerRows(r, { kernel: true });
  out.push(textTable(lt.headers, lt.rows, lt.align));
  out.push("");
  out.push("Totals");
  out.push(...totalsLines(r));
  out.push("");
  out.push(
    `Arena plan for the ${r.deployment.backend} backend (${r.arena.algorithm}, ${r.arena.alignment}-byte aligned): ${thousands(r.arena.total)} B planned, lower bound ${thousands(r.arena.lowerBound)} B; ` +
      `${tflmComparison(r.deployment)}; lifetime = first–last scope (scope 0 = inputs, op i runs in scope i+1)`,
  );
  out.push(arenaTable(r));
  const tl = targetLines(r);
  if (tl.length) {
    out.push("");
    out.push(...tl);
  }
  return `${out.join("\n")}\n`;
}
