/**
 * MCU targets: list them, load one by name (targets/<name>.json) or by file path, validate it against
 * schemas/target.schema.json (JSON Schema 2020-12) and a few cross-field rules the schema cannot express.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv";
import { inputError, MicronetsError, usageError } from "../errors.js";

/** A linear op-count latency model for one search space / op family (MicroNets). */
export interface LatencyFamily {
  /** Mops per second (ops = 2 × MACs). */
  throughputMopsPerS: number;
  /** Fixed per-inference overhead, ms. */
  overheadMs: number;
  /** The inference engine the measurements used. */
  runtime: string;
  /** Where the coefficients come from. */
  source: string;
}

export interface Target {
  /** The JSON file it was loaded from (absolute), set by the loader. */
  file?: string;
  name: string;
  displayName: string;
  description?: string;
  core: string;
  clockHz: number;
  fpu: string | null;
  dsp: boolean;
  mve: boolean;
  source: string;
  flash: { totalBytes: number; reserve: { application: number; runtime: number }; note?: string };
  sram: { totalBytes: number; reserve: { stack: number; application: number; runtime: number }; note?: string };
  latency: {
    defaultFamily: string;
    families: Record<string, LatencyFamily>;
    power: { mw: number | null; source: string };
  };
}

/** The package root: the nearest ancestor of this module holding micronets' package.json (src/ or dist/src/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "micronets") return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("micronets: cannot find the package root (package.json) above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export function targetsDir(): string {
  return join(packageRoot(), "targets");
}

export function targetSchemaPath(): string {
  return join(packageRoot(), "schemas", "target.schema.json");
}

/** Names of the shipped targets, sorted. */
export function listTargets(): string[] {
  return readdirSync(targetsDir())
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  if (!validator) {
    // ajv is CommonJS: under NodeNext the default import is its module object; `.default` is the class.
    const ajv = new Ajv2020.default({ allErrors: false, strict: true });
    validator = ajv.compile(JSON.parse(readFileSync(targetSchemaPath(), "utf8")) as object);
  }
  return validator;
}

/** Validates parsed JSON as a target; `file` names it in errors. */
export function parseTarget(json: unknown, file: string): Target {
  const v = validate();
  if (!v(json)) {
    const e = v.errors![0]!;
    const extra = "additionalProperty" in e.params ? ` '${String(e.params.additionalProperty)}'` : "";
    throw inputError(`invalid target: ${e.message ?? "schema violation"}${extra}`, e.instancePath || "/", file);
  }
  const t = json as Target;
  if (!(t.latency.defaultFamily in t.latency.families)) {
    throw inputError(`default family '${t.latency.defaultFamily}' is not one of ${Object.keys(t.latency.families).join(", ")}`, "/latency/defaultFamily", file);
  }
  const sramReserve = reserveTotal(t.sram.reserve);
  if (sramReserve > t.sram.totalBytes) throw inputError(`the reserve (${sramReserve} bytes) exceeds the total SRAM (${t.sram.totalBytes})`, "/sram/reserve", file);
  const flashReserve = reserveTotal(t.flash.reserve);
  if (flashReserve > t.flash.totalBytes) throw inputError(`the reserve (${flashReserve} bytes) exceeds the total flash (${t.flash.totalBytes})`, "/flash/reserve", file);
  return t;
}

export function reserveTotal(reserve: Readonly<Record<string, number>>): number {
  return Object.values(reserve).reduce((s, n) => s + n, 0);
}

function looksLikePath(s: string): boolean {
  return s.includes("/") || s.includes("\\") || s.endsWith(".json");
}

/** Loads a target by name (a shipped target) or by path to a target JSON file. */
export function loadTarget(nameOrPath: string): Target {
  let file: string;
  if (looksLikePath(nameOrPath)) {
    file = resolve(nameOrPath);
  } else {
    const known = listTargets();
    if (!known.includes(nameOrPath)) throw usageError(`unknown target '${nameOrPath}'; known targets: ${known.join(", ")}`);
    file = join(targetsDir(), `${nameOrPath}.json`);
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new MicronetsError("io", `cannot read the target file: ${(e as Error).message}`, { file: nameOrPath });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw inputError(`not valid JSON: ${(e as Error).message}`, undefined, nameOrPath);
  }
  const target = parseTarget(json, nameOrPath);
  if (!looksLikePath(nameOrPath) && target.name !== nameOrPath) {
    throw inputError(`the file for target '${nameOrPath}' is named '${target.name}'`, "/name", file);
  }
  return { ...target, file };
}
