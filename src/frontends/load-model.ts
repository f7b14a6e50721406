/**
 * Reads a model file and hands it to the right frontend: a .tflite FlatBuffer (identified by its "TFL3"
 * file identifier) or an architecture JSON. Every failure is a MicronetsError naming the file.
 */
import { readFileSync, statSync } from "node:fs";
import { MicronetsError, inputError, isMicronetsError } from "../errors.js";
import { LIMITS } from "../ir/limits.js";
import type { Graph } from "../ir/types.js";
import { loadArchitecture, parseJsonText, searchSpaceOf } from "./architecture/index.js";
import { hasTfliteIdentifier, readTflite } from "./tflite/read-tflite.js";

export type ModelFormat = "tflite" | "architecture";

export interface LoadedModel {
  graph: Graph;
  format: ModelFormat;
  /** The path as the user gave it. */
  path: string;
  /** The raw file contents (for hashing / incremental builds). */
  bytes: Uint8Array;
  /** The architecture's `searchSpace` hint (its latency family), when it has one. */
  searchSpace?: string;
}

export interface LoadOptions {
  /** Architecture JSON only: "none" keeps it shape-only, "generate" fills seeded weights. */
  weights?: "none" | "generate";
  seed?: number;
}

export function readInputFile(path: string): Uint8Array {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new MicronetsError("io", "is a directory, expected a model file", { file: path });
    if (st.size > LIMITS.maxBytes) throw new MicronetsError("limit", `file is ${st.size} bytes, above the limit of ${LIMITS.maxBytes}`, { file: path });
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    if (isMicronetsError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (e as Error).message;
    throw new MicronetsError("io", `cannot read: ${why}`, { file: path });
  }
}

export function detectFormat(bytes: Uint8Array, path: string): ModelFormat {
  if (hasTfliteIdentifier(bytes)) return "tflite";
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // UTF-8 BOM
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] === 0x7b /* { */) return "architecture";
  if (path.toLowerCase().endsWith(".json")) return "architecture";
  // Let the .tflite reader explain what is wrong with the header.
  return "tflite";
}

/** Parses model bytes already in memory. */
export function parseModel(bytes: Uint8Array, path: string, opts: LoadOptions = {}): LoadedModel {
  const format = detectFormat(bytes, path);
  try {
    if (format === "tflite") return { graph: readTflite(bytes, path), format, path, bytes };
    // Invalid UTF-8 is refused (as readArchitectureFile does) rather than silently turned into U+FFFD.
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw inputError(bytes[0] === 0xff && bytes[1] === 0xfe ? "is not UTF-8 text (it looks like UTF-16)" : "is not valid UTF-8 text");
    }
    const doc = parseJsonText(text, path);
    const graph = loadArchitecture(doc, { file: path, weights: opts.weights, seed: opts.seed });
    return { graph, format, path, bytes, searchSpace: searchSpaceOf(doc) };
  } catch (e) {
    if (isMicronetsError(e)) throw e.withFile(path);
    throw e;
  }
}

export function loadModelFile(path: string, opts: LoadOptions = {}): LoadedModel {
  return parseModel(readInputFile(path), path, opts);
}

