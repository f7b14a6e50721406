import { analyzeModel, parseBackend } from "../../api/analyze-model.js";
import { usageError } from "../../errors.js";
import { loadModelFile } from "../../frontends/load-model.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { renderHtml, type HtmlBudgets } from "../../report/html.js";
import { renderMarkdown } from "../../report/markdown.js";
import { reportJson } from "../../report/report-data.js";
import { boolOpt, parseCommandArgs, stringOpt, type Parsed } from "../args.js";
import type { Command } from "../command.js";

const usage = `usage: micronets report <model.tflite|arch.json> [options] -o report.html

Writes one self-contained HTML page (no network, fonts or scripts from elsewhere): totals and target-fit
gauges, the tensor-arena layout plot, and the per-layer table. The JSON report is embedded in the page as
<script type="application/json" id="micronets-report">.

options:
  --target NAME|FILE        judge against an MCU (a name from targets/ or a target JSON file)
  --family NAME             the target's latency family (search space), e.g. kws, vww
  --backend NAME            what the SRAM and flash figures are for: portable (default; the C that
                            \`micronets compile\` generates), cmsis-nn, or tflm (TFLite Micro's own plan)
  --planner NAME            arena planner (default greedy-by-size, TFLM's)
  --latency-budget MS       show latency against this budget (needs --target)
  --energy-budget MJ        show energy against this budget (needs --target)
  --md                      write the markdown report instead
  --json                    write the JSON report instead (schemas/report.schema.json)
  -o, --out FILE            the output file (default: standard output)`;

function budgetOpt(p: Parsed, name: string): number | undefined {
  const v = stringOpt(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n <= 0) throw usageError(`report: --${name} must be a positive number, got '${v}'`);
  return n;
}

export const reportCommand: Command = {
  name: "report",
  usage,
  async run(argv, io) {
    const p = parseCommandArgs("report", argv, {
      target: { type: "string" },
      family: { type: "string" },
      planner: { type: "string" },
      backend: { type: "string" },
      "latency-budget": { type: "string" },
      "energy-budget": { type: "string" },
      json: { type: "boolean" },
      md: { type: "boolean" },
      out: { type: "string", short: "o" },
    }, { min: 1, max: 1, names: "the model file" });
    if (boolOpt(p, "json") && boolOpt(p, "md")) throw usageError("report: choose one of --json and --md");
    const budgets: HtmlBudgets = { latencyMs: budgetOpt(p, "latency-budget"), energyMj: budgetOpt(p, "energy-budget") };
    const path = p.positionals[0]!;
    const targetName = stringOpt(p, "target");
    if (!targetName) {
      for (const opt of ["family", "latency-budget", "energy-budget"]) {
        if (stringOpt(p, opt) !== undefined) throw usageError(`report: --${opt} needs --target`);
      }
    }
    const model = loadModelFile(path);
    const { report } = analyzeModel(model, { target: targetName, family: stringOpt(p, "family"), planner: stringOpt(p, "planner"), backend: parseBackend(stringOpt(p, "backend")) });
    const text = boolOpt(p, "json") ? reportJson(report) : boolOpt(p, "md") ? renderMarkdown(report) : renderHtml(report, { budgets });
    const out = stringOpt(p, "out");
    if (out) writeFileAtomic(out, text);
    else io.out(text);
    return 0;
  },
};
