/**
 * `micronets sample`: uniform random architectures from a MicroNet search space, each lowered to the IR and
 * analysed (ops, MACs, parameters, planned SRAM, estimated flash) — the figures the paper's DNAS constrains.
 */
import { estimateFlash } from "../analysis/flash.js";
import { layerCosts } from "../analysis/layer-costs.js";
import { computeLifetimes } from "../analysis/lifetimes.js";
import { greedyBySize } from "../analysis/planner/greedy-by-size.js";
import type { Graph } from "../ir/types.js";
import type { ArchitectureDoc } from "../frontends/architecture/types.js";
import { lowerSampledDoc } from "./lower.js";
import type { SpaceName } from "./spaces.js";
import { drawSpec, sampleName, specToDoc, type SampleSpec } from "./spec.js";

export interface SampleMetrics {
  /** 2 × MACs of conv, depthwise and FC layers. */
  ops: number;
  macs: number;
  /** Weights + biases. */
  params: number;
  /** Tensor arena bytes planned by greedy-by-size (TFLM's planner), 16-byte aligned. */
  sramBytes: number;
  /** Estimated flash: constants (exact) + code (estimate), as `micronets analyze` reports it. */
  flashBytes: number;
  operators: number;
}

export interface SampledArchitecture {
  index: number;
  name: string;
  spec: SampleSpec;
  doc: ArchitectureDoc & { searchSpace: SpaceName };
  metrics: SampleMetrics;
}

export interface SampleOptions {
  space: SpaceName;
  n: number;
  seed: number;
  /** First sample index (default 0): samples `first` … `first + n − 1`. */
  first?: number;
}

/**
 * The sampler's figures for a graph, from the same functions `micronets analyze` uses (layerCosts,
 * estimateFlash, computeLifetimes + TFLM's greedy-by-size planner), minus what the hot loop does not need:
 * the arena lower bound, the independent plan check (the planner's own tests cover it) and the per-layer
 * report records. Tests check the figures equal analyzeGraph's.
 */
export function measureGraph(graph: Graph): SampleMetrics {
  let ops = 0;
  let macs = 0;
  let params = 0;
  for (const c of layerCosts(graph)) {
    ops += c.ops;
    macs += c.macs;
    params += c.params;
  }
  return {
    ops,
    macs,
    params,
    sramBytes: greedyBySize(computeLifetimes(graph)).total,
    flashBytes: estimateFlash(graph).total,
    operators: graph.operators.length,
  };
}

/** One sample: draw, build its document, lower it and measure it. */
export function sampleOne(space: SpaceName, seed: number, index: number): SampledArchitecture {
  const spec = drawSpec(space, seed, index);
  const name = sampleName(space, seed, index);
  const doc = specToDoc(spec, { name, seed, index });
  return { index, name, spec, doc, metrics: measureGraph(lowerSampledDoc(doc)) };
}

export function* sampleArchitectures(opts: SampleOptions): Generator<SampledArchitecture> {
  const first = opts.first ?? 0;
  for (let i = first; i < first + opts.n; i++) yield sampleOne(opts.space, opts.seed, i);
}

export const SAMPLE_CSV_COLUMNS = ["index", "name", "space", "resolution", "blocks", "operators", "ops", "macs", "params", "sram_bytes", "flash_bytes"] as const;

/** Blocks present (KWS: DS blocks; VWW: inverted-residual blocks not dropped). */
export function blockCount(spec: SampleSpec): number {
  return spec.space === "kws" ? spec.blocks.length : spec.expansions.filter((e) => e !== null).length;
}

export function sampleCsvRow(s: SampledArchitecture): string {
  const res = s.spec.space === "kws" ? "49x10" : `${s.spec.resolution}x${s.spec.resolution}`;
  const m = s.metrics;
  return [s.index, s.name, s.spec.space, res, blockCount(s.spec), m.operators, m.ops, m.macs, m.params, m.sramBytes, m.flashBytes].join(",");
}

export function sampleCsvHeader(): string {
  return SAMPLE_CSV_COLUMNS.join(",");
}
