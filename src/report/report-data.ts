/**
 * The JSON report: the analysis plus what produced it. Its shape is published as
 * schemas/report.schema.json; `micronets analyze --json` prints it and `check --baseline` reads it back.
 */
import type { ModelAnalysis } from "../analysis/analyze.js";
import { VERSION } from "../version.js";

export const REPORT_SCHEMA_ID = "https://micronets.dev/schemas/report.schema.json";
export const REPORT_FORMAT_VERSION = 1;

export interface ReportSource {
  /** The model path as given on the command line. */
  path: string;
  format: "tflite" | "architecture";
}

export interface Report extends ModelAnalysis {
  $schema: string;
  formatVersion: number;
  tool: { name: "micronets"; version: string };
  source: ReportSource;
}

export function buildReport(analysis: ModelAnalysis, source: ReportSource): Report {
  return {
    $schema: REPORT_SCHEMA_ID,
    formatVersion: REPORT_FORMAT_VERSION,
    tool: { name: "micronets", version: VERSION },
    source,
    ...analysis,
  };
}

export function reportJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
