/**
 * Search-space sampling rate: architectures per second drawn, lowered to the IR and analysed (ops, MACs,
 * params, arena plan, flash estimate) on one core — `micronets sample` without writing files. The rate is
 * the median over several batches after a warm-up (the machine may be shared; min/max show the spread).
 */
import { performance } from "node:perf_hooks";
import { sampleOne } from "../src/search-space/sampler.js";
import { SPACE_NAMES, type SpaceName } from "../src/search-space/spaces.js";
import { summarize } from "./stats.js";

export interface SampleBench {
  space: SpaceName;
  /** Architectures per timed batch. */
  n: number;
  /** Median over batches. */
  archsPerS: number;
  minArchsPerS: number;
  maxArchsPerS: number;
  batches: number;
}

export function benchSample(n = 5000, batches = 5, seed = 1): SampleBench[] {
  return SPACE_NAMES.map((space) => {
    for (let i = 0; i < 1000; i++) sampleOne(space, seed, i); // warm-up
    const rates: number[] = [];
    for (let b = 0; b < batches; b++) {
      const first = b * n;
      const t0 = performance.now();
      for (let i = first; i < first + n; i++) sampleOne(space, seed, i);
      rates.push((n / (performance.now() - t0)) * 1000);
    }
    const t = summarize(rates);
    return { space, n, archsPerS: t.medianMs, minArchsPerS: t.minMs, maxArchsPerS: t.maxMs, batches };
  });
}

export function printSampleBench(results: SampleBench[]): void {
  console.log("sample: architectures/s drawn + lowered to IR + costs + arena plan + flash (one core, files not written; goal ≥ 5,000)");
  for (const r of results) {
    console.log(`  ${r.space.padEnd(4)} median ${Math.round(r.archsPerS).toLocaleString("en-US")}/s (min ${Math.round(r.minArchsPerS).toLocaleString("en-US")}, max ${Math.round(r.maxArchsPerS).toLocaleString("en-US")}; ${r.batches} batches of ${r.n})`);
  }
}
