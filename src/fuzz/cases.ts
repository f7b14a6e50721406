/**
 * The corpus (seed models and documents) and the deterministic case generator: case `index` of campaign
 * `seed` is a pure function of (corpus, seed, index, kind), so any case — a finding, the slowest one — can
 * be regenerated alone from those numbers.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readTflite } from "../frontends/tflite/read-tflite.js";
import { writeTflite } from "../frontends/tflite/write-tflite.js";
import { isMicronetsError } from "../errors.js";
import type { Graph } from "../ir/types.js";
import { mutateGraph } from "./graph-mutators.js";
import { mutateJson } from "./json-mutators.js";
import type { CaseInput } from "./pipeline.js";
import { Rng } from "./rng.js";
import { EVERY_LAYER_DOCUMENT } from "./seed-documents.js";
import { mapTflite, type TfliteMap } from "./tflite-sites.js";
import { mutateTfliteBytes } from "./tflite-mutators.js";

export type FuzzKind = "tflite" | "json";
export type KindSelection = FuzzKind | "all";

export interface TfliteSeed {
  name: string;
  bytes: Uint8Array;
  map: TfliteMap;
  graph: Graph;
  /** Relative pick frequency (cheap models more often: a mutated weight keeps a case on every stage). */
  weight: number;
}

export interface JsonSeed {
  name: string;
  doc: unknown;
  weight: number;
}

export interface Corpus {
  tflite: TfliteSeed[];
  json: JsonSeed[];
}

/** Pick weights by file size: the 300 kB models cost ~100 ms per surviving case, the small ones ~5 ms. */
function sizeWeight(bytes: number): number {
  return bytes < 4096 ? 4 : bytes < 64 * 1024 ? 4 : bytes < 200 * 1024 ? 2 : 1;
}

/** Loads the seed models and architecture documents from `root` (the repository root). */
export function loadCorpus(root = "."): Corpus {
  const modelDir = join(root, "fixtures", "models");
  const archDir = join(root, "fixtures", "architectures");
  const tflite = readdirSync(modelDir).filter((f) => f.endsWith(".tflite")).sort().map((f) => {
    const bytes = new Uint8Array(readFileSync(join(modelDir, f)));
    return { name: f, bytes, map: mapTflite(bytes), graph: readTflite(bytes, f), weight: sizeWeight(bytes.length) };
  });
  const json: JsonSeed[] = readdirSync(archDir).filter((f) => f.endsWith(".json")).sort().map((f) => {
    const text = readFileSync(join(archDir, f), "utf8");
    return { name: f, doc: JSON.parse(text) as unknown, weight: sizeWeight(text.length) };
  });
  json.push({ name: "every-layer.json", doc: EVERY_LAYER_DOCUMENT, weight: 6 });
  return { tflite, json };
}

export interface FuzzCase {
  index: number;
  kind: FuzzKind;
  /** The seed model or document mutated. */
  seedName: string;
  /** "bytes" (byte-level), "ir" (graph mutation written and read back), "ir-graph" (graph the writer refused). */
  mode: "bytes" | "ir" | "ir-graph" | "json";
  mutation: string[];
  input: CaseInput;
  /** Per-case variation of the pipeline (backend, rounding, alignment). */
  variant: number;
}

/** Which kind case `index` is, for a selection ("all": 5 .tflite cases to 1 JSON case). */
export function kindOf(selection: KindSelection, index: number): FuzzKind {
  if (selection !== "all") return selection;
  return index % 6 === 5 ? "json" : "tflite";
}

function tfliteCase(corpus: Corpus, rng: Rng, index: number): FuzzCase {
  const seed = rng.weighted(corpus.tflite.map((s) => [s.weight, s] as const));
  const variant = rng.u32() & 0xffff;
  const path = `fuzz-${index}.tflite`;
  if (rng.chance(0.3)) {
    const m = mutateGraph(rng, seed.graph);
    try {
      const bytes = writeTflite(m.graph);
      return { index, kind: "tflite", seedName: seed.name, mode: "ir", mutation: m.description, input: { kind: "bytes", bytes, path }, variant };
    } catch (e) {
      // The writer validates first; a graph it refuses goes to validateGraph directly (what the reader ends with).
      if (!isMicronetsError(e)) {
        return { index, kind: "tflite", seedName: seed.name, mode: "ir-graph", mutation: [...m.description, `writeTflite threw ${(e as Error)?.name}: ${(e as Error)?.message}`], input: { kind: "graph", graph: m.graph, path }, variant };
      }
      return { index, kind: "tflite", seedName: seed.name, mode: "ir-graph", mutation: m.description, input: { kind: "graph", graph: m.graph, path }, variant };
    }
  }
  let bytes = seed.bytes;
  const mutation: string[] = [];
  const n = rng.weighted<number>([[6, 1], [3, 2], [1, 4]]);
  for (let i = 0; i < n; i++) {
    const m = mutateTfliteBytes(rng, bytes, seed.map);
    bytes = m.bytes;
    mutation.push(m.description);
  }
  return { index, kind: "tflite", seedName: seed.name, mode: "bytes", mutation, input: { kind: "bytes", bytes, path }, variant };
}

function jsonCase(corpus: Corpus, rng: Rng, index: number): FuzzCase {
  const seed = rng.weighted(corpus.json.map((s) => [s.weight, s] as const));
  const variant = rng.u32() & 0xffff;
  const m = mutateJson(rng, seed.doc);
  const weights = rng.chance(0.5) ? "generate" : "none";
  return {
    index,
    kind: "json",
    seedName: seed.name,
    mode: "json",
    mutation: [...m.description, `weights: ${weights}`],
    input: { kind: "bytes", bytes: m.bytes, path: `fuzz-${index}.json`, weights },
    variant,
  };
}

/** Case `index` of the campaign seeded with `seed`. */
export function makeCase(corpus: Corpus, seed: number, index: number, selection: KindSelection): FuzzCase {
  const kind = kindOf(selection, index);
  const rng = Rng.forCase(seed, index, kind === "tflite" ? 1 : 2);
  return kind === "tflite" ? tfliteCase(corpus, rng, index) : jsonCase(corpus, rng, index);
}
