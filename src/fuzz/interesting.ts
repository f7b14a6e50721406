/**
 * "Interesting" values per field width: the boundaries where integer arithmetic, sign handling and size
 * checks go wrong, plus small perturbations of the current value (off-by-one lengths, neighbouring offsets).
 */
import type { Rng } from "./rng.js";

export const INT32_EDGES = [0, 1, -1, 2, 3, 4, 7, 8, 15, 16, 63, 64, 127, 128, 255, 256, 1023, 1024, 4096, 32767, 32768, 65535, 65536, 0xffffff, 0x1000000, 0x1000001, 0x3fffffff, 0x40000000, 0x7ffffffe, 0x7fffffff, -0x80000000, -0x7fffffff, -2, -128, -129, 46341, 92682];
export const UINT16_EDGES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 0x7fff, 0x8000, 0xfffe, 0xffff];
export const UINT8_EDGES = [0, 1, 2, 3, 5, 6, 0x7f, 0x80, 0x81, 0xfe, 0xff];
export const INT64_EDGES = [0n, 1n, -1n, 127n, 128n, -128n, -129n, 255n, 256n, 32767n, 2n ** 31n, -(2n ** 31n), 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n)];
export const FLOAT_EDGES = [
  Number.NaN, Infinity, -Infinity, 0, -0, -1, 1, 0.5, 2, 1 / 256, 1 / 255, 1e-45, 1.4e-45, 1e-40, 1.1754943508222875e-38,
  1e-30, 1e-10, 1e10, 1e30, 3.4028234663852886e38, -3.4028234663852886e38, 65504, 2 ** 31, 2 ** -31, 2 ** -32, 2 ** 32, 2 ** 62,
];

/** A new value for a `width`-byte integer field whose current value is `cur`. */
export function interestingInt(rng: Rng, width: 1 | 2 | 4, cur: number): number {
  switch (rng.int(0, 5)) {
    case 0: return cur + rng.pick([1, -1, 2, -2, 4, -4, 8, -8]);
    case 1: return cur * rng.pick([2, 4, 16, 256, 65536]);
    case 2: return rng.u32();
    case 3: return rng.int(-8, 300);
    default: return width === 1 ? rng.pick(UINT8_EDGES) : width === 2 ? rng.pick(UINT16_EDGES) : rng.pick(INT32_EDGES);
  }
}

export function interestingFloat(rng: Rng, cur: number): number {
  switch (rng.int(0, 4)) {
    case 0: return cur * 2 ** rng.int(-40, 40);
    case 1: return -cur;
    case 2: return cur * (1 + (rng.next() - 0.5) * 1e-6);
    default: return rng.pick(FLOAT_EDGES);
  }
}

export function interestingInt64(rng: Rng, cur: bigint): bigint {
  switch (rng.int(0, 3)) {
    case 0: return cur + BigInt(rng.pick([1, -1, 127, -128, 256]));
    case 1: return BigInt(rng.int(-300, 300));
    default: return rng.pick(INT64_EDGES);
  }
}

/** Replacement dimension values for shape fields. */
export const DIM_EDGES = [0, -1, -2, 1, 2, 3, 7, 65536, 0xffffff, 0x1000001, 46341, 92682, 0x7fffffff, -0x80000000, 0x40000000, 1 << 20];
