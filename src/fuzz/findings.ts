/**
 * Finding records: the reproducer input (the mutated .tflite / JSON bytes, or for an IR-level case the
 * graph as lossless JSON) saved beside a small JSON describing seed, case index, mutation, stage and error,
 * so a regression test can replay every saved finding and `npm run fuzz -- --seed S --start I --n 1` can
 * regenerate it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import type { Graph } from "../ir/types.js";
import type { FuzzCase } from "./cases.js";
import type { CaseInput, CaseOutcome } from "./pipeline.js";

export interface FindingRecord {
  /** Campaign seed and case index (regenerate with the same corpus and kind selection). */
  seed: number;
  index: number;
  kind: FuzzCase["kind"];
  kindSelection: string;
  mode: FuzzCase["mode"];
  seedModel: string;
  mutation: string[];
  variant: number;
  stage: string | null;
  findingKind: string;
  message: string;
  stack?: string;
  ms: number;
  memoryBytes: number;
  /** The reproducer's file name, beside this record. */
  input: string;
  /** For byte inputs: the path the pipeline was given (decides .json vs .tflite handling). */
  inputPath: string;
  weights?: "none" | "generate";
  /** What fixed it (filled in by hand when the bug is fixed). */
  fixed?: string;
  /** The outcome the fix gives (filled in by hand); the replay test checks it. */
  expected?: { status: "ok" | "rejected"; stage?: string; kind?: string; message?: string };
}

/** JSON with NaN/±Infinity/-0 and byte arrays kept (scales and data are part of a reproducer). */
export function graphToJson(g: Graph): string {
  return JSON.stringify(g, (_k, v: unknown) => {
    if (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))) return { $num: String(Object.is(v, -0) ? "-0" : v) };
    if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString("base64") };
    return v;
  });
}

export function graphFromJson(text: string): Graph {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o.$num === "string") return o.$num === "-0" ? -0 : Number(o.$num);
      if (typeof o.$bytes === "string") return new Uint8Array(Buffer.from(o.$bytes, "base64"));
    }
    return v;
  }) as Graph;
}

/** A short signature (stage + message with numbers blanked) so one bug is saved once, not thousands of times. */
export function findingSignature(o: CaseOutcome): string {
  return `${o.findingKind}:${o.stage}:${(o.message ?? "").replace(/\d+(\.\d+)?/g, "#").slice(0, 160)}`;
}

/** Reproducers above this size are stored gzip-compressed (giant-array documents shrink to a few kB). */
const GZIP_ABOVE = 64 * 1024;

/** Writes a reproducer and its record as `<base>.*` in `dir`; returns the record's path. */
export function writeFinding(dir: string, base: string, record: Omit<FindingRecord, "input" | "inputPath" | "weights">, input: CaseInput): string {
  mkdirSync(dir, { recursive: true });
  let name: string;
  let bytes: Uint8Array;
  if (input.kind === "bytes") {
    name = `${base}${record.kind === "json" ? ".json.input" : ".tflite"}`;
    bytes = input.bytes;
  } else {
    name = `${base}.graph.json`;
    bytes = new TextEncoder().encode(graphToJson(input.graph));
  }
  if (bytes.length > GZIP_ABOVE) {
    name += ".gz";
    bytes = gzipSync(bytes, { level: 9 });
  }
  writeFileSync(join(dir, name), bytes);
  const full: FindingRecord = { ...record, input: name, inputPath: input.path, weights: input.kind === "bytes" ? input.weights : undefined };
  const file = join(dir, `${base}.finding.json`);
  writeFileSync(file, `${JSON.stringify(full, null, 2)}\n`);
  return file;
}

/** Writes the reproducer of case `c` and its record; returns the record's path. */
export function saveFinding(dir: string, c: FuzzCase, o: CaseOutcome, campaign: { seed: number; kindSelection: string }): string {
  return writeFinding(dir, `${c.kind}-s${campaign.seed}-i${c.index}`, {
    seed: campaign.seed,
    index: c.index,
    kind: c.kind,
    kindSelection: campaign.kindSelection,
    mode: c.mode,
    seedModel: c.seedName,
    mutation: c.mutation,
    variant: c.variant,
    stage: o.stage ?? null,
    findingKind: o.findingKind ?? "unknown",
    message: o.message ?? "",
    stack: o.stack?.split("\n").slice(0, 12).join("\n"),
    ms: Math.round(o.ms),
    memoryBytes: o.memoryBytes,
  }, c.input);
}

export interface SavedFinding {
  file: string;
  record: FindingRecord;
  input: CaseInput;
}

/** Every saved finding in `dir` (records ending in .finding.json), sorted by file name. */
export function loadFindings(dir: string): SavedFinding[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(".finding.json")).sort().map((f) => {
    const record = JSON.parse(readFileSync(join(dir, f), "utf8")) as FindingRecord;
    let raw = readFileSync(join(dir, record.input));
    if (record.input.endsWith(".gz")) raw = gunzipSync(raw);
    const input: CaseInput = record.input.replace(/\.gz$/, "").endsWith(".graph.json")
      ? { kind: "graph", graph: graphFromJson(raw.toString("utf8")), path: record.inputPath }
      : { kind: "bytes", bytes: new Uint8Array(raw), path: record.inputPath, weights: record.weights };
    return { file: join(dir, f), record, input };
  });
}
