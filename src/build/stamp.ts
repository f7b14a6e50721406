/**
 * Incremental builds: a model is rebuilt only when something its outputs depend on changed. The inputs are
 * hashed (SHA-256) — the model file's bytes, the model's effective config entry, the budget file (and the
 * baseline and target files a budget names), the target file, the micronets version and the content of
 * codegen-templates/ — and the digest is kept in a stamp file inside the output folder, written in the
 * same atomic step as the C files. Hashing only reads bytes: nothing is parsed or analysed on this path.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { inputError, isMicronetsError, limitError } from "../errors.js";
import { LIMITS } from "../ir/limits.js";
import { VERSION } from "../version.js";
import type { ModelSpec } from "./config.js";

export const STAMP_FILE = ".micronets-stamp.json";
const STAMP_FORMAT = 1;

/** One digest per input, so a rebuild can say what changed. */
export interface StampInputs {
  tool: string;
  templates: string;
  entry: string;
  model: string;
  target: string;
  /** The budget file and the files it names (baseline, target), when there is a budget. */
  budget: string | null;
}

export interface Stamp {
  format: number;
  tool: { name: "micronets"; version: string };
  /** Digest of all inputs together: the model is up to date when this matches. */
  hash: string;
  inputs: StampInputs;
  /** The files written into the output folder (relative paths), checked for presence. */
  files: string[];
}

function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Keys sorted at every level, so the digest does not depend on the order keys were written in. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** Digest of every file under `dir` (relative names and contents, in a fixed order). */
export function hashTree(dir: string): string {
  const h = createHash("sha256");
  const walk = (rel: string): void => {
    const names = readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of names) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) h.update(`${r}\0`).update(readFileSync(join(dir, r))).update("\0");
    }
  };
  walk("");
  return h.digest("hex");
}

/** Reads an input's bytes; a missing or unreadable file is an error at the config entry's JSON path. */
function readInput(path: string, shown: string, where: string, configFile: string, what: string): Uint8Array {
  try {
    // The same size limit the model reader applies, before reading a giant file into memory.
    const size = statSync(path).size;
    if (size > LIMITS.maxBytes) throw limitError(`the ${what} '${shown}' is ${size} bytes, above the limit of ${LIMITS.maxBytes}`, where, configFile);
    return readFileSync(path);
  } catch (e) {
    if (isMicronetsError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : (e as Error).message;
    throw inputError(`cannot read the ${what} '${shown}': ${why}`, where, configFile);
  }
}

/** A file a budget names, hashed when present (a missing one is reported by the build itself). */
function optionalFileDigest(path: string): string {
  try {
    return sha256(readFileSync(path));
  } catch {
    return "missing";
  }
}

function looksLikePath(s: string): boolean {
  return s.includes("/") || s.includes("\\") || s.endsWith(".json");
}

/** The budget's own bytes plus the baseline and target files it refers to (relative to `base`). */
function budgetDigest(doc: unknown, bytes: Uint8Array | null, base: string): string {
  const parts: string[] = [bytes ? sha256(bytes) : sha256(canonicalJson(doc))];
  if (doc !== null && typeof doc === "object" && !Array.isArray(doc)) {
    const d = doc as Record<string, unknown>;
    const at = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
    if (typeof d.baseline === "string") parts.push(`baseline:${optionalFileDigest(at(d.baseline))}`);
    if (typeof d.target === "string" && looksLikePath(d.target)) parts.push(`target:${optionalFileDigest(at(d.target))}`);
  }
  return sha256(parts.join("\n"));
}

/** The model file's bytes (read once: a rebuild parses the same bytes that were hashed). */
export interface HashedInputs {
  inputs: StampInputs;
  hash: string;
  modelBytes: Uint8Array;
}

/** Hashes a model's inputs; `templates` is hashTree(codegen-templates), computed once per build. */
export function hashInputs(spec: ModelSpec, configFile: string, configDir: string, templates: string): HashedInputs {
  const modelBytes = readInput(spec.sourcePath, spec.source, `${spec.where}/source`, configFile, "model file");
  const target = sha256(readInput(spec.targetFile, String(spec.entry.target), `${spec.where}/target`, configFile, "target file"));
  let budget: string | null = null;
  if (spec.budget?.kind === "file") {
    const bytes = readInput(spec.budget.path, spec.budget.written, `${spec.where}/budget`, configFile, "budget file");
    let doc: unknown = null;
    try {
      doc = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      // The build reports the syntax error; the bytes alone still decide whether anything changed.
    }
    budget = budgetDigest(doc, bytes, dirname(spec.budget.path));
  } else if (spec.budget?.kind === "inline") {
    budget = budgetDigest(spec.budget.doc, null, configDir);
  }
  const inputs: StampInputs = {
    tool: VERSION,
    templates,
    entry: sha256(canonicalJson(spec.entry)),
    model: sha256(modelBytes),
    target,
    budget,
  };
  return { inputs, hash: sha256(canonicalJson(inputs)), modelBytes };
}

/** The stamp in an output folder, or null when it is missing or not one of ours. */
export function readStamp(outPath: string): Stamp | null {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(join(outPath, STAMP_FILE), "utf8"));
  } catch {
    return null;
  }
  const s = doc as Partial<Stamp> | null;
  if (!s || s.format !== STAMP_FORMAT || typeof s.hash !== "string" || !Array.isArray(s.files) || typeof s.inputs !== "object" || s.inputs === null) return null;
  if (!s.files.every((f) => typeof f === "string")) return null;
  return s as Stamp;
}

export function makeStamp(h: HashedInputs, files: string[]): Stamp {
  return { format: STAMP_FORMAT, tool: { name: "micronets", version: VERSION }, hash: h.hash, inputs: h.inputs, files: [...files].sort() };
}

const INPUT_WORDS: Record<keyof StampInputs, string> = {
  model: "model changed",
  entry: "config entry changed",
  budget: "budget changed",
  target: "target changed",
  tool: "micronets version changed",
  templates: "code templates changed",
};

/**
 * Why the model must be rebuilt, or null when its outputs are up to date: the stamp matches and every file
 * it lists (and every report file) is still there.
 */
export function staleReason(spec: ModelSpec, h: HashedInputs, stamp: Stamp | null): string | null {
  if (!stamp) return existsSync(spec.outPath) ? "no build stamp" : "new";
  if (stamp.hash !== h.hash) {
    const changed = (Object.keys(INPUT_WORDS) as (keyof StampInputs)[]).filter((k) => stamp.inputs[k] !== h.inputs[k]);
    return changed.length > 0 ? changed.map((k) => INPUT_WORDS[k]).join(", ") : "inputs changed";
  }
  for (const f of stamp.files) if (!existsSync(join(spec.outPath, f))) return `output ${f} missing`;
  for (const p of Object.values(spec.reports)) if (!existsSync(p)) return `report ${p} missing`;
  return null;
}
