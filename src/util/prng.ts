/**
 * A small seeded pseudo-random generator (SplitMix32: a Weyl sequence through a 32-bit avalanche mix), so
 * generated weights are identical on every machine and Node version. Not for cryptography.
 */

/** The 32-bit avalanche finaliser (MurmurHash3 fmix32 constants). */
export function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Combines a seed with stream identifiers (layer index, purpose) into an independent stream seed. */
export function streamSeed(seed: number, ...ids: number[]): number {
  let h = mix32(seed ^ 0x5bd1e995);
  for (const id of ids) h = mix32((h + 0x9e3779b9 + Math.imul(id >>> 0, 0x27d4eb2f)) >>> 0);
  return h;
}

export class SplitMix32 {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next uniformly distributed uint32. */
  nextU32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    return mix32(this.state);
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Uniform real in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
}
