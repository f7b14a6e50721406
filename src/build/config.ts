/**
 * micronets.config.json (schemas/config.schema.json): read, validate with ajv (the budget schema is
 * referenced for inline budgets, so their errors carry full JSON paths too), merge `defaults` into each
 * model, and resolve paths: inputs against the config file's folder, outputs against --out-dir when given.
 *
 * Deliberately light: no model is parsed and no analysis or codegen module is loaded here, so an
 * up-to-date build costs reading the config and hashing files.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv/dist/2020.js";
import type { Backend } from "../codegen/compile.js";
import { checkPrefix, prefixFromName } from "../codegen/names.js";
import { packageRoot } from "../emulator/paths.js";
import { inputError, isMicronetsError, MicronetsError } from "../errors.js";
import { parseJsonText } from "../frontends/architecture/json-text.js";
import { chooseProblem, type SchemaError } from "../frontends/architecture/schema-errors.js";

export const CONFIG_SCHEMA_ID = "https://micronets.dev/schemas/config.schema.json";
export const DEFAULT_CONFIG_FILE = "micronets.config.json";

/** A budget as the config gives it: a file (resolved path) or the object itself. */
export type BudgetSpec = { kind: "file"; path: string; written: string } | { kind: "inline"; doc: Record<string, unknown> };

export interface ModelSpec {
  /** Position in `models`. */
  index: number;
  /** The entry's JSON Pointer, "/models/1". */
  where: string;
  /** Label for messages. */
  name: string;
  /**
   * The effective entry (defaults merged, values as written): what the incremental build hashes, so any
   * change to the entry — or to a default it inherits — rebuilds the model.
   */
  entry: Record<string, unknown>;
  /** The source path as written (relative to the config): names the model in reports and generated C. */
  source: string;
  sourcePath: string;
  /** A shipped target's name, or the resolved path of a target JSON. */
  target: string;
  /** The target JSON file (shipped or the user's), hashed for the incremental build. */
  targetFile: string;
  backend: Backend;
  prefix: string;
  /** The output folder, resolved. */
  outPath: string;
  family?: string;
  planner?: string;
  inPlace: boolean;
  wideWeights: boolean;
  budget: BudgetSpec | null;
  /** Report files, resolved. */
  reports: { json?: string; md?: string; html?: string };
  seed?: number;
}

export interface BuildConfig {
  /** The config file as the user named it (errors name it). */
  file: string;
  /** Its folder (absolute): inputs are relative to it. */
  dir: string;
  /** Where relative outputs go (absolute): --out-dir, else the config's folder. */
  outBase: string;
  models: ModelSpec[];
}

let validator: ValidateFunction | undefined;

function schemaPath(name: string): string {
  return join(packageRoot(), "schemas", name);
}

function getValidator(): ValidateFunction {
  if (!validator) {
    // ajv is CommonJS: under NodeNext the default import is its module object; `.default` is the class.
    // Every build validates its config, so compiling must be cheap: checking our own schemas against the
    // 2020-12 meta-schema (most of ajv's compile time) is left to the tests, and the small generated
    // validator needs no optimising pass. This takes compiling from ~90 ms to ~20 ms.
    const ajv = new Ajv2020.default({ allErrors: true, verbose: true, strict: true, validateSchema: false, code: { optimize: false } });
    ajv.addSchema(JSON.parse(readFileSync(schemaPath("budget.schema.json"), "utf8")) as object);
    validator = ajv.compile(JSON.parse(readFileSync(schemaPath("config.schema.json"), "utf8")) as object);
  }
  return validator;
}

/** Settings `defaults` may give (the schema lists the same ones). */
const DEFAULTABLE = ["target", "backend", "family", "planner", "inPlace", "wideWeights"] as const;

function looksLikePath(s: string): boolean {
  return s.includes("/") || s.includes("\\") || s.endsWith(".json");
}

function shippedTargets(): string[] {
  try {
    return readdirSync(join(packageRoot(), "targets")).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
  } catch {
    return [];
  }
}

/** Validates a parsed config document; `file` names it in errors, `dir` anchors inputs, `outBase` outputs. */
export function parseBuildConfig(doc: unknown, file: string, dir: string, outBase: string): BuildConfig {
  const v = getValidator();
  if (!v(doc)) {
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw inputError("a micronets config must be a JSON object", "/", file);
    const p = chooseProblem((v.errors ?? []) as SchemaError[]);
    throw inputError(p.message, p.where, file);
  }
  const d = doc as { defaults?: Record<string, unknown>; models: Record<string, unknown>[] };
  const defaults = d.defaults ?? {};
  const models = d.models.map((m, i) => modelSpec(m, i, defaults, file, dir, outBase));
  checkDistinct(models, file);
  return { file, dir, outBase, models };
}

function modelSpec(m: Record<string, unknown>, index: number, defaults: Record<string, unknown>, file: string, dir: string, outBase: string): ModelSpec {
  const where = `/models/${index}`;
  const entry: Record<string, unknown> = {};
  for (const k of DEFAULTABLE) if (defaults[k] !== undefined && m[k] === undefined) entry[k] = defaults[k];
  Object.assign(entry, m);
  const source = entry.source as string;
  const target = entry.target as string | undefined;
  if (target === undefined) throw inputError("missing required field 'target' (set it in the model entry or in /defaults)", where, file);
  let prefix: string;
  if (typeof entry.prefix === "string") {
    try {
      prefix = checkPrefix(entry.prefix);
    } catch (e) {
      if (isMicronetsError(e)) throw inputError(e.message, `${where}/prefix`, file);
      throw e;
    }
  } else {
    prefix = prefixFromName(basename(source).replace(/\.(tflite|json)$/i, ""));
  }
  let targetRef: string;
  let targetFile: string;
  if (looksLikePath(target)) {
    targetRef = targetFile = resolve(dir, target);
  } else {
    targetRef = target;
    targetFile = join(packageRoot(), "targets", `${target}.json`);
    if (!existsSync(targetFile)) {
      throw inputError(`unknown target '${target}'; known targets: ${shippedTargets().join(", ")} (or give a target JSON path)`, `${where}/target`, file);
    }
  }
  const rep = (entry.reports ?? {}) as { json?: string; md?: string; html?: string };
  const reports: ModelSpec["reports"] = {};
  for (const k of ["json", "md", "html"] as const) if (rep[k] !== undefined) reports[k] = resolve(outBase, rep[k]);
  let budget: BudgetSpec | null = null;
  if (typeof entry.budget === "string") budget = { kind: "file", path: resolve(dir, entry.budget), written: entry.budget };
  else if (entry.budget !== undefined) budget = { kind: "inline", doc: entry.budget as Record<string, unknown> };
  return {
    index,
    where,
    name: typeof entry.name === "string" ? entry.name : prefix,
    entry,
    source,
    sourcePath: resolve(dir, source),
    target: targetRef,
    targetFile,
    backend: (entry.backend as Backend | undefined) ?? "portable",
    prefix,
    outPath: resolve(outBase, entry.out as string),
    family: entry.family as string | undefined,
    planner: entry.planner as string | undefined,
    inPlace: entry.inPlace !== false,
    wideWeights: entry.wideWeights === true,
    budget,
    reports,
    seed: entry.seed as number | undefined,
  };
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * Models linked into one firmware must not share a prefix (their symbols would clash), a label, an output
 * folder (each is replaced as a whole) or a report file; nor may one output folder hold another.
 */
function checkDistinct(models: ModelSpec[], file: string): void {
  for (const b of models) {
    for (const a of models) {
      if (a.index >= b.index) break;
      const at = b.where;
      if (a.prefix === b.prefix) throw inputError(`prefix '${b.prefix}' is also model ${a.index}'s; models linked together need different prefixes (set "prefix")`, `${at}/prefix`, file);
      if (a.name === b.name) throw inputError(`name '${b.name}' is also model ${a.index}'s (set "name" or "prefix")`, `${at}/name`, file);
      if (isInside(a.outPath, b.outPath) || isInside(b.outPath, a.outPath)) {
        throw inputError(`output folder '${String(b.entry.out)}' overlaps model ${a.index}'s '${String(a.entry.out)}'; each model needs a folder of its own`, `${at}/out`, file);
      }
    }
  }
  const seen = new Map<string, string>();
  for (const m of models) {
    for (const [k, p] of Object.entries(m.reports)) {
      const here = `${m.where}/reports/${k}`;
      const other = seen.get(p);
      if (other) throw inputError(`report file '${p}' is also written by ${other}`, here, file);
      seen.set(p, here);
      const own = new Set([`${m.prefix}_model.c`, `${m.prefix}_model.h`, ".micronets-stamp.json"].map((f) => join(m.outPath, f)));
      if (own.has(p)) throw inputError("report file would overwrite a file the build writes into the output folder", here, file);
      for (const n of models) {
        if (n !== m && isInside(p, n.outPath)) throw inputError(`report file is inside model ${n.index}'s output folder '${String(n.entry.out)}'`, here, file);
      }
    }
  }
}

/** Reads and validates a config file. `outDir` (optional) replaces the config's folder as the base of outputs. */
export function loadBuildConfig(file: string, opts: { outDir?: string } = {}): BuildConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? `no such file${file === DEFAULT_CONFIG_FILE ? " (create one with `micronets init <model> --target NAME`, or give --config)" : ""}` : code === "EISDIR" ? "is a directory" : (e as Error).message;
    throw new MicronetsError("io", `cannot read the config: ${why}`, { file });
  }
  const dir = resolve(dirname(file));
  const outBase = opts.outDir !== undefined ? resolve(opts.outDir) : dir;
  try {
    return parseBuildConfig(parseJsonText(text, file), file, dir, outBase);
  } catch (e) {
    if (isMicronetsError(e)) throw e.withFile(file);
    throw e;
  }
}
