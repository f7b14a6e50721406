/** Small timing helpers for the benchmarks: figures are medians over many runs, printed with min/max. */
import { performance } from "node:perf_hooks";

export interface Timing {
  runs: number;
  minMs: number;
  medianMs: number;
  maxMs: number;
}

export function summarize(samples: number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { runs: s.length, minMs: s[0]!, medianMs: median, maxMs: s[s.length - 1]! };
}

/** Times `fn` `runs` times after `warmup` untimed calls. */
export function timeSync(fn: () => void, runs: number, warmup = 3): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

export function fmtTiming(t: Timing, digits = 3): string {
  return `median ${t.medianMs.toFixed(digits)} ms (min ${t.minMs.toFixed(digits)}, max ${t.maxMs.toFixed(digits)}, ${t.runs} runs)`;
}
