/**
 * `micronets init`: a starter micronets.config.json for one model and target. The model and the target are
 * loaded first, so the starter names files that exist and builds as written.
 */
import { existsSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { loadTarget } from "../analysis/targets.js";
import { BACKENDS, prefixFromName, type Backend } from "../codegen/index.js";
import { checkPrefix } from "../codegen/names.js";
import { packageRoot } from "../emulator/paths.js";
import { MicronetsError, usageError } from "../errors.js";
import { loadModelFile } from "../frontends/load-model.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { CONFIG_SCHEMA_ID } from "./config.js";

export interface InitOptions {
  /** The model file (as the user named it). */
  model: string;
  /** A shipped target name or a target JSON path. */
  target: string;
  /** The config file to write (default micronets.config.json). */
  config?: string;
  backend?: Backend;
  prefix?: string;
  /** Replace an existing config file. */
  force?: boolean;
}

export interface InitResult {
  path: string;
  text: string;
  prefix: string;
  targetName: string;
}

/** A path as written into the config: relative to its folder, with forward slashes. */
function configRelative(p: string, configDir: string): string {
  const rel = relative(configDir, resolve(p));
  return (rel === "" ? "." : rel).split("\\").join("/");
}

/**
 * "$schema": a relative path to the installed schema when the config and the package stay together — the
 * package in the project's node_modules, or a config inside the package's own tree — so editors read it
 * offline; otherwise the schema's $id.
 */
function schemaRef(configDir: string): string {
  const pkg = packageRoot();
  const file = join(pkg, "schemas", "config.schema.json");
  const within = (child: string, parent: string) => {
    const r = relative(parent, child);
    return !r.startsWith("..") && !isAbsolute(r);
  };
  if (existsSync(file) && (within(pkg, configDir) || within(configDir, pkg))) return relative(configDir, file).split("\\").join("/");
  return CONFIG_SCHEMA_ID;
}

/** The starter config's text (not written). */
export function starterConfig(opts: InitOptions): InitResult {
  const path = opts.config ?? "micronets.config.json";
  const dir = dirname(resolve(path));
  const backend = opts.backend ?? "portable";
  if (!BACKENDS.includes(backend)) throw usageError(`init: --backend must be ${BACKENDS.join(" or ")}, got '${backend}'`);
  const target = loadTarget(opts.target);
  if (target.core !== "cortex-m4" && target.core !== "cortex-m7") {
    throw usageError(`init: target '${target.name}' has core ${target.core}; code generation supports cortex-m4 and cortex-m7`);
  }
  const model = loadModelFile(opts.model, { weights: "none" });
  const prefix = opts.prefix !== undefined ? checkPrefix(opts.prefix) : prefixFromName(basename(opts.model).replace(/\.(tflite|json)$/i, ""));
  const targetRef = /[\\/]|\.json$/.test(opts.target) ? configRelative(opts.target, dir) : target.name;
  const entry: Record<string, unknown> = {
    source: configRelative(opts.model, dir),
    target: targetRef,
    backend,
    prefix,
    out: `generated/${prefix}`,
    budget: { limits: { sram: "90%", flash: "90%" } },
    reports: { json: `reports/${prefix}.json`, html: `reports/${prefix}.html` },
  };
  if (model.format === "architecture") entry.seed = 0;
  const doc = { $schema: schemaRef(dir), models: [entry] };
  return { path, text: `${JSON.stringify(doc, null, 2)}\n`, prefix, targetName: target.name };
}

/** Writes the starter config (atomically); an existing file is only replaced with `force`. */
export function writeStarterConfig(opts: InitOptions): InitResult {
  const path = opts.config ?? "micronets.config.json";
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw new MicronetsError("io", "is a directory, expected the config file to write", { file: path });
    if (!opts.force) throw new MicronetsError("io", "already exists; not overwritten (use --force to replace it)", { file: path });
  }
  const r = starterConfig(opts);
  writeFileAtomic(path, r.text);
  return r;
}
