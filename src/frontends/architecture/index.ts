/**
 * The architecture-JSON frontend: JSON text or value → schema check → semantic checks and lowering to the
 * graph IR → activation quantization → weights (shape-only, explicit, or seeded-generated) → validateGraph.
 */
import { MicronetsError, inputError, isMicronetsError, limitError, usageError } from "../../errors.js";
import { LIMITS } from "../../ir/limits.js";
import { decodeUtf8Text, readInputFile } from "../../io/input-file.js";
import type { Graph } from "../../ir/types.js";
import { validateGraph } from "../../ir/validate.js";
import { buildGraph, type BuiltGraph } from "./build-graph.js";
import { detectModelFormat, parseJsonText } from "./json-text.js";
import { planQuantization } from "./quant-plan.js";
import { assertArchitectureSchema } from "./schema-check.js";
import type { ArchitectureDoc } from "./types.js";
import { fillConstants } from "./weight-fill.js";

export { searchSpaceOf } from "./search-space-hint.js";
export { ARCHITECTURE_SCHEMA_ID, architectureSchema } from "./schema-check.js";
export { detectModelFormat, parseJsonText, type ContentFormat } from "./json-text.js";
export { LAYER_TYPES, type ArchitectureDoc, type LayerSpec, type LayerType } from "./types.js";

export interface LoadArchitectureOptions {
  /** The file name errors should name. */
  file?: string;
  /**
   * "none": shape-only constants (data null), "generate": seeded generated weights. Default: "generate" when
   * the document has `weights.generate`, otherwise "none". Explicit per-layer weights are used either way.
   */
  weights?: "none" | "generate";
  /** Generator seed; overrides the document's `weights.generate.seed` (default 0). */
  seed?: number;
}

/** Largest architecture file read (explicit weights make files big, but not this big). */
export const MAX_ARCHITECTURE_FILE_BYTES = 256 * 1024 * 1024;

function checkSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw usageError(`seed must be an integer from 0 to 4294967295, got ${seed}`);
  return seed;
}

/** Maps a validateGraph error ("op 5 (CONV_2D)", "tensor 7 'x'") to the JSON path of the layer behind it. */
function placeGraphError(e: MicronetsError, built: BuiltGraph): MicronetsError {
  const where = e.where ?? "";
  const op = /^op (\d+)/.exec(where);
  const tensor = /^tensor (\d+)/.exec(where);
  let layer: number | undefined;
  if (op) layer = built.records.find((r) => r.opIndex === Number(op[1]))?.index;
  else if (tensor) layer = built.tensorLayer[Number(tensor[1])];
  if (layer === undefined) return e;
  const path = layer < 0 ? "/input" : `/layers/${layer}`;
  return new MicronetsError(e.kind, `${e.message} (${where})`, { where: path, file: e.file });
}

/**
 * Loads an architecture: `json` is the parsed document, or its JSON text (a string is parsed, and syntax
 * errors are placed at line:column). Returns a validated Graph. Every problem is a MicronetsError naming
 * `opts.file` and a JSON Pointer such as "/layers/3/kernel".
 */
export function loadArchitecture(json: unknown, opts: LoadArchitectureOptions = {}): Graph {
  try {
    const doc: unknown = typeof json === "string" ? parseJsonText(json) : json;
    assertArchitectureSchema(doc);
    return lowerArchitecture(doc, opts);
  } catch (e) {
    if (opts.file && isMicronetsError(e)) throw e.withFile(opts.file);
    throw e;
  }
}

function lowerArchitecture(doc: ArchitectureDoc, opts: LoadArchitectureOptions): Graph {
  const generate = opts.weights === "generate" || (opts.weights === undefined && doc.weights?.generate !== undefined);
  const seed = checkSeed(opts.seed ?? doc.weights?.generate.seed ?? 0);
  const built = buildGraph(doc);
  // Per-channel quantization gives every engine tables of one entry per channel: refuse absurd channel
  // counts before any are built (millions of channels took gigabytes).
  for (const r of built.records) {
    if (r.channels !== undefined && r.channels > LIMITS.maxChannels) {
      throw limitError(`${r.channels} output channels exceed the limit of ${LIMITS.maxChannels} (per-channel quantization)`, r.path);
    }
  }
  const plan = planQuantization(doc, built);
  for (const t of built.graph.tensors) if (!t.constant && t.dtype === "int8") t.quant = plan.quant[t.id] ?? null;
  fillConstants(built, plan, { generate, seed });
  try {
    return validateGraph(built.graph);
  } catch (e) {
    if (isMicronetsError(e)) throw placeGraphError(e, built);
    throw e;
  }
}

/** Reads an architecture JSON file (errors name `path`). A .tflite file is refused with a clear message. */
export function readArchitectureFile(path: string, opts: Omit<LoadArchitectureOptions, "file"> = {}): Graph {
  const bytes = readInputFile(path, { expected: "an architecture JSON file", maxBytes: MAX_ARCHITECTURE_FILE_BYTES });
  if (detectModelFormat(bytes) === "tflite") throw inputError("is a .tflite model, not an architecture JSON", "bytes 4-7", path);
  return loadArchitecture(decodeUtf8Text(bytes, path), { ...opts, file: path });
}
