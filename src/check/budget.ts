/**
 * Budget files (schemas/budget.schema.json): limits per metric, the target they are written for, and
 * baseline/tolerance settings. Loaded with ajv, then each quantity is parsed into the check's units; paths
 * inside the file (target, baseline) are relative to the budget file.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv";
import { targetSchemaPath } from "../analysis/targets.js";
import { inputError, isMicronetsError, MicronetsError } from "../errors.js";
import { loadJsonFile } from "./json-file.js";
import { METRICS, type Metric } from "./metrics.js";
import { parseCount, parseEnergy, parseLatency, parseMemoryLimit, parsePercent } from "./quantity.js";

export const BUDGET_SCHEMA_ID = "https://micronets.dev/schemas/budget.schema.json";

/** One limit: an absolute value in the metric's unit (B, count, ms, mJ), or a percentage of the target. */
export type Limit = { value: number; text: string } | { percent: number; text: string };

export interface Budget {
  /** The budget file as the user named it. */
  file: string;
  description?: string;
  /** Target name, or a target file path resolved against the budget's folder. */
  target?: string;
  family?: string;
  limits: Partial<Record<Metric, Limit>>;
  /** Baseline report path resolved against the budget's folder. */
  baseline?: string;
  /** Global tolerance, percent. */
  tolerance?: number;
  tolerances: Partial<Record<Metric, number>>;
}

export function schemasDir(): string {
  return dirname(targetSchemaPath());
}

let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020.default({ allErrors: true, strict: true });
    validator = ajv.compile(JSON.parse(readFileSync(join(schemasDir(), "budget.schema.json"), "utf8")) as object);
  }
  return validator;
}

function parseLimit(metric: Metric, v: unknown, where: string, file: string): Limit {
  const text = typeof v === "string" ? v.trim() : String(v);
  switch (metric) {
    case "sram":
    case "flash": {
      const m = parseMemoryLimit(v, where, file);
      return "bytes" in m ? { value: m.bytes, text } : { percent: m.percent, text };
    }
    case "ops":
    case "macs":
    case "params":
      return { value: parseCount(v, where, file), text };
    case "latency":
      return { value: parseLatency(v, where, file), text };
    case "energy":
      return { value: parseEnergy(v, where, file), text };
  }
}

function resolvePath(p: string, budgetFile: string): string {
  return isAbsolute(p) ? p : join(dirname(budgetFile), p);
}

/** A target value is a path when it looks like one (as loadTarget decides), else a shipped target's name. */
function resolveTarget(t: string, budgetFile: string): string {
  return t.includes("/") || t.includes("\\") || t.endsWith(".json") ? resolvePath(t, budgetFile) : t;
}

/** The most useful schema error: a quantity's own message where we have one, else ajv's. */
function schemaProblem(doc: Record<string, unknown>, errors: ErrorObject[], file: string): MicronetsError {
  for (const e of errors) {
    const m = /^\/(limits|tolerances)\/([a-z]+)$/.exec(e.instancePath) ?? /^\/(tolerance)$/.exec(e.instancePath);
    if (!m) continue;
    try {
      if (m[1] === "tolerance") parsePercent(doc.tolerance, e.instancePath, file);
      else if (m[1] === "tolerances") parsePercent((doc.tolerances as Record<string, unknown>)[m[2]!], e.instancePath, file);
      else parseLimit(m[2] as Metric, (doc.limits as Record<string, unknown>)[m[2]!], e.instancePath, file);
    } catch (err) {
      if (isMicronetsError(err)) return err;
      throw err;
    }
  }
  const e = errors.find((x) => x.keyword === "additionalProperties") ?? errors[0]!;
  if (e.keyword === "additionalProperties") {
    const name = String((e.params as { additionalProperty: string }).additionalProperty);
    const known = e.instancePath === "/limits" || e.instancePath === "/tolerances" ? `; known metrics: ${METRICS.join(", ")}` : "";
    return inputError(`unknown property '${name}'${known}`, e.instancePath || "/", file);
  }
  return inputError(`invalid budget: ${e.message ?? "schema violation"}`, e.instancePath || "/", file);
}

/** Checks a parsed budget document; `file` names it in errors and anchors its relative paths. */
export function parseBudget(doc: unknown, file: string): Budget {
  const v = validate();
  if (!v(doc)) {
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw inputError("a budget must be a JSON object", "/", file);
    throw schemaProblem(doc as Record<string, unknown>, v.errors ?? [], file);
  }
  const d = doc as {
    description?: string; target?: string; family?: string; baseline?: string; tolerance?: string;
    limits?: Record<string, unknown>; tolerances?: Record<string, string>;
  };
  const limits: Budget["limits"] = {};
  for (const [k, val] of Object.entries(d.limits ?? {})) limits[k as Metric] = parseLimit(k as Metric, val, `/limits/${k}`, file);
  const tolerances: Budget["tolerances"] = {};
  for (const [k, val] of Object.entries(d.tolerances ?? {})) tolerances[k as Metric] = parsePercent(val, `/tolerances/${k}`, file);
  return {
    file,
    description: d.description,
    target: d.target !== undefined ? resolveTarget(d.target, file) : undefined,
    family: d.family,
    limits,
    baseline: d.baseline !== undefined ? resolvePath(d.baseline, file) : undefined,
    tolerance: d.tolerance !== undefined ? parsePercent(d.tolerance, "/tolerance", file) : undefined,
    tolerances,
  };
}

/** Reads and checks a budget file. */
export function loadBudget(path: string): Budget {
  return loadJsonFile(path, parseBudget);
}
