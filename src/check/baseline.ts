/**
 * Baselines for regression checks: a previous `micronets analyze --json` report, or any document with the
 * fields of schemas/baseline.schema.json (totals, and target for latency and energy).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv";
import { inputError } from "../errors.js";
import { loadJsonFile } from "./json-file.js";
import { schemasDir } from "./budget.js";
import type { Figures } from "./metrics.js";
import { DEPLOYMENT_BACKENDS, type DeploymentBackend } from "../analysis/analyze.js";

function parseBackendName(v: unknown): DeploymentBackend | null {
  return typeof v === "string" && (DEPLOYMENT_BACKENDS as readonly string[]).includes(v) ? (v as DeploymentBackend) : null;
}

export interface Baseline {
  file: string;
  /** The model the baseline was made from, when it says. */
  modelPath: string | null;
  figures: Figures;
  /** The baseline's target and latency family (latency and energy are only comparable on the same ones). */
  target: { name: string; family: string } | null;
  /**
   * The deployment its sram and flash figures are for (only comparable for the same one); null for a report
   * without a `deployment` section, which predates it and holds TFLM's plan and the CMSIS-NN flash model
   * (the "tflm" figures).
   */
  backend: DeploymentBackend | null;
}

let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020.default({ allErrors: false, strict: true });
    validator = ajv.compile(JSON.parse(readFileSync(join(schemasDir(), "baseline.schema.json"), "utf8")) as object);
  }
  return validator;
}

interface BaselineDoc {
  source?: { path?: string };
  totals: { peakSramBytes: number; flashBytes: number; ops: number; macs: number; params: number };
  target?: null | { name: string; latencyMs: number; energyMj: number | null; latencyModel: { family: string } };
  deployment?: { backend?: unknown };
}

export function parseBaseline(doc: unknown, file: string): Baseline {
  const v = validate();
  if (!v(doc)) {
    const e = v.errors![0]!;
    const missing = e.keyword === "required" ? ` '${String((e.params as { missingProperty: string }).missingProperty)}'` : "";
    throw inputError(`not a baseline report (a \`micronets analyze --json\` report): ${e.message ?? "schema violation"}${missing}`, e.instancePath || "/", file);
  }
  const d = doc as BaselineDoc;
  const t = d.target ?? null;
  return {
    file,
    modelPath: d.source?.path ?? null,
    figures: {
      sram: d.totals.peakSramBytes,
      flash: d.totals.flashBytes,
      ops: d.totals.ops,
      macs: d.totals.macs,
      params: d.totals.params,
      latency: t ? t.latencyMs : null,
      energy: t ? t.energyMj : null,
    },
    target: t ? { name: t.name, family: t.latencyModel.family } : null,
    backend: parseBackendName(d.deployment?.backend),
  };
}

export function loadBaseline(path: string): Baseline {
  return loadJsonFile(path, parseBaseline);
}
