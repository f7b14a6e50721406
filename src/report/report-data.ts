/**
 * The JSON report: the analysis plus what produced it. Its shape is published as
 * schemas/report.schema.json; `micronets analyze --json` prints it and `check --baseline` reads it back.
 */
import type { DeploymentAnalysis, ModelAnalysis } from "../analysis/analyze.js";
import { VERSION } from "../version.js";
import { thousands } from "./format.js";

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

/** The deployment in words: which code the SRAM and flash figures are for. */
export function deploymentLabel(d: DeploymentAnalysis): string {
  switch (d.backend) {
    case "portable": return `portable backend (the C \`micronets compile\` generates${d.wideWeights ? ", wide weights" : ""})`;
    case "cmsis-nn": return "CMSIS-NN backend (`micronets compile --backend cmsis-nn`)";
    case "tflm": return "TFLite Micro (its own arena plan; CMSIS-NN code-size model)";
  }
}

/** TFLM's planned bytes beside the deployment's: "TFLM would plan 55,296 B for the same tensors". */
export function tflmComparison(d: DeploymentAnalysis): string {
  if (d.backend === "tflm" && d.tflmArenaBytes === d.arenaBytes) return "TFLM's own plan";
  return `TFLM would plan ${thousands(d.tflmArenaBytes)} B for the same tensors`;
}
