/**
 * The fuzzer's random source: the project's SplitMix32 with the choices mutators need. Every case gets its
 * own stream derived from (campaign seed, case index), so case 41 of seed 7 is the same bytes whether it runs
 * alone, in a slice, or on another worker.
 */
import { SplitMix32, streamSeed } from "../util/prng.js";

export class Rng {
  private readonly g: SplitMix32;

  constructor(seed: number) {
    this.g = new SplitMix32(seed);
  }

  /** The stream for case `index` of a campaign seeded with `seed` (and an optional purpose id). */
  static forCase(seed: number, index: number, purpose = 0): Rng {
    return new Rng(streamSeed(seed >>> 0, index >>> 0, Math.floor(index / 2 ** 32), purpose));
  }

  u32(): number {
    return this.g.nextU32();
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.g.next();
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return this.g.int(lo, hi);
  }

  /** Uniform index below n (n ≥ 1). */
  below(n: number): number {
    return Math.min(n - 1, Math.floor(this.g.next() * n));
  }

  chance(p: number): boolean {
    return this.g.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("internal: pick from an empty list");
    return items[this.below(items.length)]!;
  }

  /** Picks by weight: `[[weight, value], ...]`. */
  weighted<T>(entries: readonly (readonly [number, T])[]): T {
    const total = entries.reduce((s, [w]) => s + w, 0);
    let r = this.g.next() * total;
    for (const [w, v] of entries) {
      if (r < w) return v;
      r -= w;
    }
    return entries[entries.length - 1]![1];
  }
}
