/** What `micronets check` prints: text lines for logs, a markdown summary for CI job pages, and JSON. */
import { markdownTable } from "../report/format.js";
import { VERSION } from "../version.js";
import type { CheckResult } from "./evaluate.js";
import { formatDifference, formatPercent, formatValue } from "./metrics.js";

export const CHECK_RESULT_SCHEMA_ID = "https://micronets.dev/schemas/check-result.schema.json";

export interface CheckContext {
  /** The model path as given. */
  model: string;
  format: "tflite" | "architecture";
  modelName: string;
  target: { name: string; family: string; familyFrom: "option" | "budget" | "model" | "default"; note?: string } | null;
  budget: string | null;
  baseline: string | null;
}

function summaryLine(r: CheckResult): string {
  const failed = r.checks.filter((c) => !c.passed).length;
  return failed === 0
    ? `check passed: ${r.checks.length} of ${r.checks.length} checks passed`
    : `check FAILED: ${failed} of ${r.checks.length} checks failed`;
}

const FAMILY_FROM = { option: "from --family", budget: "from the budget", model: "the model's searchSpace", default: "the target's default" } as const;

function headline(ctx: CheckContext): string {
  let s = `micronets check ${ctx.model}`;
  if (ctx.target) s += ` on ${ctx.target.name} (latency family '${ctx.target.family}', ${FAMILY_FROM[ctx.target.familyFrom]})`;
  if (ctx.budget) s += `; budget ${ctx.budget}`;
  if (ctx.baseline) s += `; baseline ${ctx.baseline}`;
  return s;
}

export function renderCheckText(r: CheckResult, ctx: CheckContext): string {
  const out = [headline(ctx)];
  if (ctx.target?.note) out.push(`note: ${ctx.target.note}`);
  for (const c of r.checks) out.push(c.message);
  for (const s of r.skipped) out.push(`SKIP ${s.metric}${s.kind === "baseline" ? " regression" : ""}: ${s.reason}`);
  out.push(summaryLine(r));
  return `${out.join("\n")}\n`;
}

export function renderCheckMarkdown(r: CheckResult, ctx: CheckContext): string {
  const out: string[] = [];
  out.push(`## micronets check: ${r.passed ? "✅ passed" : "❌ failed"} — \`${ctx.model}\``);
  out.push("");
  const facts: string[] = [];
  if (ctx.target) facts.push(`target **${ctx.target.name}** (latency family \`${ctx.target.family}\`)`);
  if (ctx.budget) facts.push(`budget \`${ctx.budget}\``);
  if (ctx.baseline) facts.push(`baseline \`${ctx.baseline}\``);
  if (facts.length) {
    out.push(facts.join(", "));
    out.push("");
  }
  const rows = r.checks.map((c) => [
    c.passed ? "✅" : "❌ **FAIL**",
    c.kind === "baseline" ? `${c.metric} (vs baseline)` : c.metric,
    formatValue(c.metric, c.value),
    c.limitText,
    `${formatDifference(c.metric, c.difference)} (${formatPercent(c.differencePercent)})`,
  ]);
  out.push(markdownTable(["", "metric", "value", "limit", "difference"], rows, ["l", "l", "r", "l", "r"]));
  if (r.skipped.length) {
    out.push("");
    for (const s of r.skipped) out.push(`- skipped ${s.metric}${s.kind === "baseline" ? " regression" : ""}: ${s.reason}`);
  }
  out.push("");
  out.push(summaryLine(r));
  return `${out.join("\n")}\n`;
}

export interface CheckResultJson {
  $schema: string;
  formatVersion: 1;
  tool: { name: "micronets"; version: string };
  model: { path: string; format: "tflite" | "architecture"; name: string };
  target: CheckContext["target"];
  budget: string | null;
  baseline: string | null;
  passed: boolean;
  summary: { checks: number; passed: number; failed: number };
  checks: CheckResult["checks"];
  skipped: CheckResult["skipped"];
}

export function checkResultJson(r: CheckResult, ctx: CheckContext): CheckResultJson {
  const failed = r.checks.filter((c) => !c.passed).length;
  return {
    $schema: CHECK_RESULT_SCHEMA_ID,
    formatVersion: 1,
    tool: { name: "micronets", version: VERSION },
    model: { path: ctx.model, format: ctx.format, name: ctx.modelName },
    target: ctx.target,
    budget: ctx.budget,
    baseline: ctx.baseline,
    passed: r.passed,
    summary: { checks: r.checks.length, passed: r.checks.length - failed, failed },
    checks: r.checks,
    skipped: r.skipped,
  };
}
