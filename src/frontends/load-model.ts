/**
 * Reads a model file and hands it to the right frontend: a .tflite FlatBuffer (identified by its "TFL3"
 * file identifier) or an architecture JSON. Every failure is a MicronetsError naming the file.
 */
import { isMicronetsError } from "../errors.js";
import { decodeUtf8Text, readInputFile } from "../io/input-file.js";
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
    const doc = parseJsonText(decodeUtf8Text(bytes), path);
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

