import { analyzeModel, parseBackend } from "../../api/analyze-model.js";
import { usageError } from "../../errors.js";
import { loadModelFile } from "../../frontends/load-model.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { renderMarkdown } from "../../report/markdown.js";
import { reportJson } from "../../report/report-data.js";
import { renderText } from "../../report/text.js";
import { boolOpt, parseCommandArgs, stringOpt } from "../args.js";
import type { Command } from "../command.js";

const usage = `usage: micronets analyze <model.tflite|arch.json> [options]

Per-layer MACs, ops, parameters and flash, the tensor-arena plan (offsets and lifetimes) of the deployed
code, and — with a target — SRAM/flash fit, latency and energy estimates.

options:
  --target NAME|FILE   judge against an MCU (a name from targets/ or a target JSON file)
  --family NAME        the target's latency family (search space), e.g. kws, vww
  --backend NAME       what the SRAM and flash figures are for: portable (default; the C that
                       \`micronets compile\` generates), cmsis-nn (its CMSIS-NN backend), or tflm
                       (TFLite Micro's own arena plan); TFLM's planned bytes are shown beside them
  --planner NAME       arena planner (default greedy-by-size, TFLM's)
  --json               print the JSON report (schemas/report.schema.json)
  --md                 print a markdown report
  -o, --out FILE       write the report to FILE instead of standard output`;

export const analyzeCommand: Command = {
  name: "analyze",
  usage,
  async run(argv, io) {
    const p = parseCommandArgs("analyze", argv, {
      target: { type: "string" },
      family: { type: "string" },
      planner: { type: "string" },
      backend: { type: "string" },
      json: { type: "boolean" },
      md: { type: "boolean" },
      out: { type: "string", short: "o" },
    }, { min: 1, max: 1, names: "the model file" });
    if (boolOpt(p, "json") && boolOpt(p, "md")) throw usageError("analyze: choose one of --json and --md");
    const model = loadModelFile(p.positionals[0]!);
    const { report } = analyzeModel(model, { target: stringOpt(p, "target"), family: stringOpt(p, "family"), planner: stringOpt(p, "planner"), backend: parseBackend(stringOpt(p, "backend")) });
    const text = boolOpt(p, "json") ? reportJson(report) : boolOpt(p, "md") ? renderMarkdown(report) : renderText(report);
    const out = stringOpt(p, "out");
    if (out) writeFileAtomic(out, text);
    else io.out(text);
    return 0;
  },
};
