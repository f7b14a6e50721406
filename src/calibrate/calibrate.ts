/**
 * `micronets calibrate`: fits latency = Mops · slope + intercept to a user's own board measurements
 * (MicroNets: per target and search space, latency is linear in ops) and turns the fit into target-file
 * coefficients (throughput = 1000 / slope Mops/s, overhead = intercept ms) that cite the CSV as source.
 * Power, when the CSV has energy or power columns, is the mean over those rows (the paper found it nearly
 * constant per MCU, σ/µ ≈ 0.007).
 */
import type { LatencyFamily, Target } from "../analysis/targets.js";
import { parseTarget } from "../analysis/targets.js";
import { inputError } from "../errors.js";
import { fixed, textTable } from "../report/format.js";
import { linearFit } from "./linear-fit.js";
import type { Measurement } from "./measurements.js";

export interface CalibrationOptions {
  /** Latency family to fit (default: the target's defaultFamily). A new name adds a family. */
  family?: string;
  /** Runtime recorded with the coefficients (default: the family's previous runtime, else "measured"). */
  runtime?: string;
  /** Fit a line through the origin (no per-inference overhead). */
  throughOrigin?: boolean;
}

export interface CalibratedRow extends Measurement {
  mops: number;
  /** The fit's latency for this row, ms. */
  fitMs: number;
  /** Measured − fit, ms. */
  residualMs: number;
  /** This row's power (energy / latency, or power_mw), mW; null without either column. */
  rowPowerMw: number | null;
}

export interface Calibration {
  target: string;
  family: string;
  /** The CSV path as the user gave it. */
  csv: string;
  rows: CalibratedRow[];
  slopeMsPerMop: number;
  throughputMopsPerS: number;
  interceptMs: number;
  r2: number;
  rmseMs: number;
  throughOrigin: boolean;
  runtime: string;
  /** Mean measured power, or null when no row has energy or power. */
  power: { mw: number; rows: number; coefficientOfVariation: number } | null;
  /** The family's coefficients before calibration (null for a new family). */
  previous: LatencyFamily | null;
}

const round = (v: number, digits: number): number => Number(v.toFixed(digits));

export function calibrate(target: Target, rows: readonly Measurement[], csv: string, opts: CalibrationOptions = {}): Calibration {
  const family = opts.family ?? target.latency.defaultFamily;
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(family)) throw inputError(`family name '${family}' must be lower-case letters, digits, '-' or '_'`, "--family");
  const throughOrigin = opts.throughOrigin === true;
  const mops = rows.map((r) => r.ops / 1e6);
  const distinct = new Set(mops).size;
  if (!throughOrigin && distinct < 2) {
    throw inputError(`a line needs measurements of at least two models with different op counts (got ${rows.length} row${rows.length === 1 ? "" : "s"}, ${distinct} distinct op count${distinct === 1 ? "" : "s"}); or use --origin`, undefined, csv);
  }
  const fit = linearFit(mops, rows.map((r) => r.latencyMs), { throughOrigin });
  if (!(fit.slope > 0)) throw inputError(`the fitted slope is ${fit.slope.toFixed(4)} ms per Mop: latency does not grow with ops in these measurements`, undefined, csv);
  const calibrated: CalibratedRow[] = rows.map((r, i) => {
    const fitMs = fit.slope * mops[i]! + fit.intercept;
    const rowPowerMw = r.energyMj !== null ? (r.energyMj / r.latencyMs) * 1000 : r.powerMw;
    return { ...r, mops: mops[i]!, fitMs, residualMs: r.latencyMs - fitMs, rowPowerMw };
  });
  const powers = calibrated.map((r) => r.rowPowerMw).filter((p): p is number => p !== null);
  let power: Calibration["power"] = null;
  if (powers.length > 0) {
    const mean = powers.reduce((s, p) => s + p, 0) / powers.length;
    const sd = Math.sqrt(powers.reduce((s, p) => s + (p - mean) ** 2, 0) / powers.length);
    power = { mw: mean, rows: powers.length, coefficientOfVariation: sd / mean };
  }
  const previous = target.latency.families[family] ?? null;
  return {
    target: target.name,
    family,
    csv,
    rows: calibrated,
    slopeMsPerMop: fit.slope,
    throughputMopsPerS: 1000 / fit.slope,
    interceptMs: fit.intercept,
    r2: fit.r2,
    rmseMs: fit.rmse,
    throughOrigin,
    runtime: opts.runtime ?? previous?.runtime ?? "measured",
    power,
    previous,
  };
}

/**
 * The target file with the calibrated family (and power, when measured) replaced; checked against the target
 * schema. `outFile` names the file in errors. Refuses a negative intercept (a target's overhead is ≥ 0).
 */
export function calibratedTarget(target: Target, c: Calibration, outFile: string): Record<string, unknown> {
  if (c.interceptMs < 0) {
    throw inputError(`the fit's intercept is ${c.interceptMs.toFixed(2)} ms; a target's overhead cannot be negative (use --origin to fit a line through the origin)`, undefined, c.csv);
  }
  const json = JSON.parse(JSON.stringify(target)) as Record<string, unknown> & { latency: Target["latency"] };
  delete json.file;
  const rowsText = `${c.rows.length} row${c.rows.length === 1 ? "" : "s"} of ${c.csv}`;
  json.latency.families[c.family] = {
    throughputMopsPerS: round(c.throughputMopsPerS, 4),
    overheadMs: round(c.interceptMs, 4),
    runtime: c.runtime,
    source: `micronets calibrate: least-squares fit of latency against ops over ${rowsText}${c.throughOrigin ? " (through the origin)" : ""}: ${c.slopeMsPerMop.toFixed(4)} ms per Mop (= ${c.throughputMopsPerS.toFixed(2)} Mops/s), intercept ${c.interceptMs.toFixed(2)} ms, r² ${c.r2.toFixed(4)}`,
  };
  if (c.power) {
    json.latency.power = {
      mw: round(c.power.mw, 2),
      source: `micronets calibrate: mean board power over ${c.power.rows} row${c.power.rows === 1 ? "" : "s"} of ${c.csv} (energy_mj / latency_ms, or power_mw): ${c.power.mw.toFixed(1)} mW, σ/µ ${c.power.coefficientOfVariation.toFixed(4)}`,
    };
  }
  parseTarget(json, outFile);
  return json;
}

/** The text `micronets calibrate` prints. */
export function renderCalibration(c: Calibration): string {
  const out: string[] = [];
  out.push(`calibrate: ${c.rows.length} measurement${c.rows.length === 1 ? "" : "s"} from ${c.csv} → target ${c.target}, family '${c.family}'${c.throughOrigin ? " (fit through the origin)" : ""}`);
  out.push("");
  out.push(`  slope       ${c.slopeMsPerMop.toFixed(4)} ms per Mop (throughput ${c.throughputMopsPerS.toFixed(2)} Mops/s)`);
  out.push(`  intercept   ${c.interceptMs.toFixed(2)} ms (per-inference overhead)`);
  out.push(`  R²          ${c.r2.toFixed(5)}`);
  out.push(`  RMS error   ${c.rmseMs.toFixed(3)} ms`);
  if (c.power) out.push(`  power       ${c.power.mw.toFixed(1)} mW (mean of ${c.power.rows} row${c.power.rows === 1 ? "" : "s"}, σ/µ ${c.power.coefficientOfVariation.toFixed(4)})`);
  if (c.previous) {
    out.push(`  previous    ${(1000 / c.previous.throughputMopsPerS).toFixed(4)} ms per Mop (${c.previous.throughputMopsPerS} Mops/s), intercept ${c.previous.overheadMs} ms — ${c.previous.source}`);
  } else {
    out.push(`  previous    none (new family '${c.family}')`);
  }
  if (c.interceptMs < 0) out.push(`  warning     negative intercept: not a valid overhead; rerun with --origin to write a target file`);
  out.push("");
  const rows = c.rows.map((r) => [
    String(r.line),
    r.label,
    fixed(r.mops, 3),
    fixed(r.latencyMs, 3),
    fixed(r.fitMs, 3),
    `${r.residualMs >= 0 ? "+" : ""}${fixed(r.residualMs, 3)}`,
    `${r.residualMs >= 0 ? "+" : ""}${fixed((100 * r.residualMs) / r.latencyMs, 2)} %`,
    r.rowPowerMw === null ? "" : fixed(r.rowPowerMw, 1),
  ]);
  out.push(textTable(["line", "name", "Mops", "measured ms", "fit ms", "residual ms", "residual", "power mW"], rows, ["r", "l", "r", "r", "r", "r", "r", "r"]));
  return `${out.join("\n")}\n`;
}
