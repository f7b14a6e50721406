/**
 * The measurements CSV of `micronets calibrate`: one row per model measured on the user's board.
 *
 * Columns (header row required, names case-insensitive, any order; `#` lines are comments):
 *   model       path of a .tflite or architecture JSON (relative to the CSV's folder); its ops are computed
 *   ops | mops | macs   the op count given directly instead (ops = 2 × MACs; mops = ops / 10⁶)
 *   latency_ms  measured latency of one inference, ms (required, > 0)
 *   energy_mj   measured energy of one inference, mJ (optional)
 *   power_mw    measured board power while inferring, mW (optional; a row gives energy_mj or power_mw,
 *               not both: power = energy / latency)
 *   name, note  free text (name labels the row in the output)
 * Each row gives exactly one of model, ops, mops, macs.
 */
import { dirname, isAbsolute, join } from "node:path";
import { layerCosts, sumCosts } from "../analysis/layer-costs.js";
import { inputError, isMicronetsError, MicronetsError } from "../errors.js";
import { loadModelFile } from "../frontends/load-model.js";
import { csvPlace, parseCsv, type CsvTable } from "./csv.js";

export const MEASUREMENT_COLUMNS = ["model", "ops", "mops", "macs", "latency_ms", "energy_mj", "power_mw", "name", "note"] as const;
type Column = (typeof MEASUREMENT_COLUMNS)[number];
const OPS_COLUMNS: Column[] = ["model", "ops", "mops", "macs"];

export interface Measurement {
  /** 1-based line in the CSV. */
  line: number;
  /** The row's label: `name`, else the model path, else "line N". */
  label: string;
  /** Where the op count came from. */
  opsFrom: "model" | "ops" | "mops" | "macs";
  /** Model path as resolved, when opsFrom is "model". */
  modelPath?: string;
  ops: number;
  latencyMs: number;
  energyMj: number | null;
  powerMw: number | null;
}

function number(t: CsvTable, rowIndex: number, col: number, name: string, file: string, opts: { positive?: boolean; integer?: boolean } = {}): number {
  const row = t.rows[rowIndex]!;
  const raw = row.fields[col]!;
  const where = csvPlace(row.line, col + 1, name);
  // Number("") is 0 and Number(" 1 ") is 1: require a plain decimal literal.
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw)) throw inputError(`not a number: '${raw}'`, where, file);
  const v = Number(raw);
  if (!Number.isFinite(v)) throw inputError(`not a finite number: '${raw}'`, where, file);
  if (opts.positive && !(v > 0)) throw inputError(`must be greater than 0, got ${raw}`, where, file);
  if (opts.integer && !Number.isInteger(v)) throw inputError(`must be a whole number, got ${raw}`, where, file);
  return v;
}

/** Op count of a model file (2 × MACs of conv, depthwise and fully-connected layers). */
export function modelOps(path: string): number {
  const m = loadModelFile(path, { weights: "none" });
  return sumCosts(layerCosts(m.graph)).ops;
}

/** Reads and checks the measurement rows. `file` is the CSV path as the user gave it. */
export function readMeasurements(text: string, file: string): Measurement[] {
  const t = parseCsv(text, file);
  const index = new Map<Column, number>();
  t.header.forEach((h, c) => {
    const name = h.toLowerCase() as Column;
    if (!(MEASUREMENT_COLUMNS as readonly string[]).includes(name)) {
      throw inputError(`unknown column '${h}'; known columns: ${MEASUREMENT_COLUMNS.join(", ")}`, csvPlace(t.headerLine, c + 1), file);
    }
    index.set(name, c);
  });
  if (!index.has("latency_ms")) throw inputError("the header has no 'latency_ms' column", csvPlace(t.headerLine), file);
  if (!OPS_COLUMNS.some((c) => index.has(c))) throw inputError(`the header needs one of the columns ${OPS_COLUMNS.join(", ")} (the op count, or a model to compute it from)`, csvPlace(t.headerLine), file);
  if (t.rows.length === 0) throw inputError("no measurement rows after the header", csvPlace(t.headerLine), file);
  const base = dirname(file);
  return t.rows.map((row, r) => {
    const cell = (c: Column): string => (index.has(c) ? row.fields[index.get(c)!]! : "");
    const given = OPS_COLUMNS.filter((c) => cell(c) !== "");
    if (given.length !== 1) {
      const what = given.length === 0 ? "none is given" : `${given.join(" and ")} are both given`;
      throw inputError(`give exactly one of ${OPS_COLUMNS.filter((c) => index.has(c)).join(", ")} per row (${what})`, csvPlace(row.line), file);
    }
    const opsFrom = given[0] as Measurement["opsFrom"];
    const col = index.get(opsFrom)!;
    let ops: number;
    let modelPath: string | undefined;
    if (opsFrom === "model") {
      const p = cell("model");
      modelPath = isAbsolute(p) ? p : join(base, p);
      try {
        ops = modelOps(modelPath);
      } catch (e) {
        if (!isMicronetsError(e)) throw e;
        throw new MicronetsError(e.kind === "check" ? "input" : e.kind, `model ${e.format()}`, { file, where: csvPlace(row.line, col + 1, "model") });
      }
      if (ops === 0) throw inputError(`the model ${modelPath} has no conv, depthwise or fully-connected layers (0 ops)`, csvPlace(row.line, col + 1, "model"), file);
    } else {
      const v = number(t, r, col, opsFrom, file, { positive: true });
      ops = opsFrom === "ops" ? v : opsFrom === "mops" ? v * 1e6 : 2 * v;
    }
    const latencyMs = number(t, r, index.get("latency_ms")!, "latency_ms", file, { positive: true });
    const energyMj = cell("energy_mj") === "" ? null : number(t, r, index.get("energy_mj")!, "energy_mj", file, { positive: true });
    const powerMw = cell("power_mw") === "" ? null : number(t, r, index.get("power_mw")!, "power_mw", file, { positive: true });
    if (energyMj !== null && powerMw !== null) {
      throw inputError("give energy_mj or power_mw, not both (power = energy / latency)", csvPlace(row.line, index.get("power_mw")! + 1, "power_mw"), file);
    }
    const label = cell("name") || cell("model") || `line ${row.line}`;
    return { line: row.line, label, opsFrom, modelPath, ops, latencyMs, energyMj, powerMw };
  });
}
