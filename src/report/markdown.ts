/** Markdown analysis report (for CI job summaries and pull requests). */
import { deploymentLabel, tflmComparison, type Report } from "./report-data.js";
import { fixed, markdownTable, percent, shortName, thousands } from "./format.js";
import { layerRows } from "./text.js";

function inPlaceText(n: number): string {
  return n === 0 ? "" : n === 1 ? " 1 layer writes its output over its input." : ` ${n} layers write their output over their input.`;
}

export function renderMarkdown(r: Report): string {
  const t = r.totals;
  const out: string[] = [];
  out.push(`## micronets: \`${r.source.path}\``);
  out.push("");
  const summary: string[][] = [
    ["MACs", thousands(t.macs)],
    ["ops (2 × MACs)", thousands(t.ops)],
    ["parameters", thousands(t.params)],
    ["deployment", deploymentLabel(r.deployment)],
    ["flash (estimate)", `${thousands(t.flashBytes)} B`],
    ["SRAM arena (planned)", `${thousands(t.peakSramBytes)} B`],
    ["SRAM lower bound", `${thousands(t.sramLowerBound)} B`],
    ["TFLM's plan (same tensors)", `${thousands(r.deployment.tflmArenaBytes)} B`],
  ];
  if (r.target) {
    const g = r.target;
    summary.push(["target", `${g.name} (${g.core} @ ${thousands(g.clockHz / 1e6)} MHz)`]);
    summary.push(["SRAM fit", `${g.fit.sram.fits ? "fits" : "**does not fit**"}: ${thousands(g.fit.sram.used)} / ${thousands(g.fit.sram.available)} B, headroom ${percent(g.fit.sram.headroomPercent)}`]);
    summary.push(["flash fit", `${g.fit.flash.fits ? "fits" : "**does not fit**"}: ${thousands(g.fit.flash.used)} / ${thousands(g.fit.flash.available)} B, headroom ${percent(g.fit.flash.headroomPercent)}`]);
    summary.push(["latency (estimate)", `${fixed(g.latencyMs, 2)} ms`]);
    summary.push(["energy (estimate)", g.energyMj === null ? "n/a" : `${fixed(g.energyMj, 2)} mJ`]);
  }
  out.push(markdownTable(["metric", "value"], summary, ["l", "r"]));
  out.push("");
  out.push("### Layers");
  out.push("");
  const layers = layerRows(r, { kernel: false });
  out.push(markdownTable(layers.headers, layers.rows, layers.align));
  out.push("");
  out.push(`### Arena plan (${r.arena.algorithm}, ${r.deployment.backend} backend)`);
  out.push("");
  out.push(`${thousands(r.arena.total)} B; ${tflmComparison(r.deployment)}.${inPlaceText(r.deployment.inPlaceLayers)}`);
  out.push("");
  out.push(
    markdownTable(
      ["tensor", "name", "size", "offset", "lifetime"],
      r.arena.buffers.map((b) => [b.kind === "tensor" ? String(b.tensor) : "scratch", shortName(b.name, 40), thousands(b.size), thousands(b.offset), `${b.firstUse}–${b.lastUse}`]),
      ["r", "l", "r", "r", "l"],
    ),
  );
  return `${out.join("\n")}\n`;
}
