/**
 * The MicroNets latency and energy model: on a given MCU and for a given search space, whole-model latency is
 * linear in op count (latency = ops / throughput + overhead), and power is nearly constant, so
 * energy = power × latency. Coefficients come from the target file, each with its source.
 */
import { usageError } from "../errors.js";
import type { Target } from "./targets.js";

export interface LatencyModel {
  target: string;
  /** The search space / op family whose coefficients are used. */
  family: string;
  throughputMopsPerS: number;
  overheadMs: number;
  runtime: string;
  source: string;
  /** Board power in mW, or null when the target has no measurement (then no energy estimate). */
  powerMw: number | null;
  powerSource: string;
}

/** The target's latency model for `family` (default: the target's defaultFamily). */
export function latencyModel(target: Target, family?: string): LatencyModel {
  const name = family ?? target.latency.defaultFamily;
  const f = target.latency.families[name];
  if (!f) {
    throw usageError(`target '${target.name}' has no latency family '${name}'; it has: ${Object.keys(target.latency.families).join(", ")}`);
  }
  return {
    target: target.name,
    family: name,
    throughputMopsPerS: f.throughputMopsPerS,
    overheadMs: f.overheadMs,
    runtime: f.runtime,
    source: f.source,
    powerMw: target.latency.power.mw,
    powerSource: target.latency.power.source,
  };
}

/** Time for `ops` operations at the model's throughput, ms (no fixed overhead: use it for parts of a model). */
export function opsTimeMs(ops: number, model: LatencyModel): number {
  return (ops / (model.throughputMopsPerS * 1e6)) * 1000;
}

/** Whole-inference latency, ms: ops / throughput + the fixed overhead. */
export function inferenceLatencyMs(ops: number, model: LatencyModel): number {
  return opsTimeMs(ops, model) + model.overheadMs;
}

/** Energy for `latencyMs` at the model's power, mJ (mW × ms / 1000); null without a power figure. */
export function energyMj(latencyMs: number, model: LatencyModel): number | null {
  return model.powerMw === null ? null : (model.powerMw * latencyMs) / 1000;
}
