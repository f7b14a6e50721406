/**
 * The MicroNets latency and energy model: on a given MCU and for a given search space, whole-model latency is
 * linear in op count (latency = ops / throughput + overhead), and power is nearly constant, so
 * energy = power × latency. Coefficients come from the target file, each with its source.
 *
 * Which family applies (chooseLatencyFamily): an explicit --family wins; otherwise a model's own search-space
 * hint (the architecture JSON's optional `searchSpace`) when the target has that family; otherwise the
 * target's `defaultFamily`. The default is explicit on purpose: ops alone cannot tell a DS-CNN from a
 * MobileNetV2, and the slope differs by ~2× between them (micronets-paper.md).
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

/** Where the chosen latency family came from. */
export type FamilySource = "option" | "model" | "default";

export interface FamilyChoice {
  family: string;
  from: FamilySource;
  /** Set when a model's hint could not be used (the target lacks that family). */
  note?: string;
}

/**
 * Picks the latency family for a model on `target`: `family` (an explicit choice; must exist) > `hint` (the
 * model's search space, used when the target has that family) > the target's defaultFamily.
 */
export function chooseLatencyFamily(target: Target, opts: { family?: string; hint?: string } = {}): FamilyChoice {
  const families = target.latency.families;
  if (opts.family !== undefined) {
    if (!(opts.family in families)) {
      throw usageError(`target '${target.name}' has no latency family '${opts.family}'; it has: ${Object.keys(families).join(", ")}`);
    }
    return { family: opts.family, from: "option" };
  }
  const dflt = target.latency.defaultFamily;
  if (opts.hint !== undefined) {
    if (opts.hint in families) return { family: opts.hint, from: "model" };
    return { family: dflt, from: "default", note: `the model's search space '${opts.hint}' has no latency family on target '${target.name}'; using its default '${dflt}'` };
  }
  return { family: dflt, from: "default" };
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
