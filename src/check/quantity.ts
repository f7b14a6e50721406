/**
 * The quantities a budget file or --tolerance holds: sizes ("256KiB"), counts ("30M"), durations ("200ms"),
 * energies ("80mJ") and percentages ("80%"). The schema already restricts their spelling; these functions
 * turn them into numbers in the check's units (bytes, count, ms, mJ, percent) and name the JSON path on error.
 */
import { inputError } from "../errors.js";

const NUM = "([0-9]+(?:\\.[0-9]+)?)";

function match(re: RegExp, v: string): RegExpExecArray | null {
  return re.exec(v.trim());
}

/** "2%" → 2; null when `v` is not a percentage. */
export function percentOf(v: string): number | null {
  const m = match(new RegExp(`^${NUM}\\s*%$`), v);
  return m ? Number(m[1]) : null;
}

export function parsePercent(v: unknown, where: string, file?: string): number {
  const p = typeof v === "string" ? percentOf(v) : null;
  if (p === null) throw inputError(`expected a percentage such as "2%", got ${JSON.stringify(v)}`, where, file);
  return p;
}

const BYTE_UNITS: Record<string, number> = { "": 1, B: 1, kB: 1000, KB: 1000, KiB: 1024, MB: 1e6, MiB: 1024 * 1024 };

/** A memory limit: bytes, or a percentage of what the target leaves the model. */
export type MemoryLimit = { bytes: number } | { percent: number };

export function parseMemoryLimit(v: unknown, where: string, file?: string): MemoryLimit {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return { bytes: v };
  if (typeof v === "string") {
    const p = percentOf(v);
    if (p !== null) return { percent: p };
    const m = match(new RegExp(`^${NUM}\\s*(B|kB|KB|KiB|MB|MiB)?$`), v);
    if (m) return { bytes: Math.floor(Number(m[1]) * BYTE_UNITS[m[2] ?? ""]!) };
  }
  throw inputError(`expected bytes, a size such as "256KiB", or a percentage such as "80%", got ${JSON.stringify(v)}`, where, file);
}

const COUNT_UNITS: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9 };

export function parseCount(v: unknown, where: string, file?: string): number {
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v;
  if (typeof v === "string") {
    const m = match(new RegExp(`^${NUM}\\s*([kMG])?$`), v);
    if (m) return Math.round(Number(m[1]) * COUNT_UNITS[m[2] ?? ""]!);
  }
  throw inputError(`expected a count such as 30000000 or "30M", got ${JSON.stringify(v)}`, where, file);
}

const MS_UNITS: Record<string, number> = { us: 1e-3, "µs": 1e-3, ms: 1, s: 1000 };

/** A duration in milliseconds (a bare number is ms). */
export function parseLatency(v: unknown, where: string, file?: string): number {
  if (typeof v === "number" && Number.isFinite(v) && v > 0) return v;
  if (typeof v === "string") {
    const m = match(new RegExp(`^${NUM}\\s*(us|µs|ms|s)$`), v);
    if (m && Number(m[1]) > 0) return Number(m[1]) * MS_UNITS[m[2]!]!;
  }
  throw inputError(`expected a latency in ms such as 200 or "200ms", got ${JSON.stringify(v)}`, where, file);
}

const MJ_UNITS: Record<string, number> = { uJ: 1e-3, "µJ": 1e-3, mJ: 1, J: 1000 };

/** An energy in millijoules (a bare number is mJ). */
export function parseEnergy(v: unknown, where: string, file?: string): number {
  if (typeof v === "number" && Number.isFinite(v) && v > 0) return v;
  if (typeof v === "string") {
    const m = match(new RegExp(`^${NUM}\\s*(uJ|µJ|mJ|J)$`), v);
    if (m && Number(m[1]) > 0) return Number(m[1]) * MJ_UNITS[m[2]!]!;
  }
  throw inputError(`expected an energy in mJ such as 80 or "80mJ", got ${JSON.stringify(v)}`, where, file);
}
