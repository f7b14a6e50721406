import { thousands } from "../../report/format.js";
import type { BuildSummary, ModelResult } from "../../build/run-build.js";
import { boolOpt, parseCommandArgs, stringOpt } from "../args.js";
import type { Command } from "../command.js";

const usage = `usage: micronets build [--config micronets.config.json] [--out-dir DIR] [--force] [--json]

The firmware build step: for every model in the config (schemas/config.schema.json) — analyse, check the
budget and the target's memory, compile to C, write the reports. Incremental: a model whose inputs (model
file, config entry, budget, target, micronets version, code templates) are unchanged since its last build
is skipped; its output folder holds the stamp (.micronets-stamp.json). Each output folder is written
atomically; a failing model keeps its previous outputs and does not stop the others.
Exit status: 0 all models ok, 1 a budget or memory check failed, 2 bad input.

options:
  -c, --config FILE     the config (default micronets.config.json)
  --out-dir DIR         resolve the config's output paths (out, reports) against DIR instead of the
                        config's folder (out-of-tree firmware builds)
  --force               rebuild every model
  --json                print the result as JSON`;

function describe(r: ModelResult): string[] {
  const ms = `${Math.round(r.ms)} ms`;
  if (r.status === "skipped") return [`skipped ${r.name} (up to date)`];
  if (r.status === "built") {
    const parts = [r.files.filter((f) => f.endsWith(".c") || f.endsWith(".h")).join(", ")];
    if (r.arenaBytes !== null) parts.push(`arena ${thousands(r.arenaBytes)} B`);
    if (r.checks) parts.push(`${r.checks.passed} checks passed`);
    if (r.reports.length) parts.push(`${r.reports.length} report${r.reports.length === 1 ? "" : "s"}`);
    return [`built   ${r.name} -> ${r.out} (${parts.join("; ")}) [${r.reason}, ${ms}]`];
  }
  return [`FAILED  ${r.name}: ${r.reason}`, ...(r.checks?.failures ?? []).map((f) => `          ${f}`)];
}

function totals(s: BuildSummary): string {
  const n = (st: ModelResult["status"]) => s.models.filter((m) => m.status === st).length;
  const failed = n("failed");
  const head = failed > 0 ? "build FAILED" : "build ok";
  return `${head}: ${n("built")} built, ${n("skipped")} up to date, ${failed} failed (${s.models.length} model${s.models.length === 1 ? "" : "s"}, ${Math.round(s.ms)} ms)`;
}

export const buildCommand: Command = {
  name: "build",
  usage,
  async run(argv, io) {
    const p = parseCommandArgs("build", argv, {
      config: { type: "string", short: "c" },
      "out-dir": { type: "string" },
      force: { type: "boolean" },
      json: { type: "boolean" },
    }, { min: 0, max: 0, names: "" });
    const json = boolOpt(p, "json");
    // Loaded here rather than at the top: the CLI's other commands never pay for it.
    const { runBuild } = await import("../../build/run-build.js");
    const summary = await runBuild({
      config: stringOpt(p, "config"),
      outDir: stringOpt(p, "out-dir"),
      force: boolOpt(p, "force"),
      onResult: json ? undefined : (r) => { for (const line of describe(r)) io.out(line); },
    });
    if (json) io.out(`${JSON.stringify(summary, null, 2)}\n`);
    else io.out(totals(summary));
    return summary.exitCode;
  },
};
