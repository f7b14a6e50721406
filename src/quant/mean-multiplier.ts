/**
 * TFLM's MEAN folds the division by the element count into the requantisation multiplier (int8 spec §4.10):
 * sh = min(floor(log2 n), 32, 31 + s); M' = floor(M · 2^sh / n) in int64; s' = s − sh.
 */
import { inputError } from "../errors.js";
import type { QuantizedMultiplier } from "./quantize-multiplier.js";

export function adjustMeanMultiplier(multiplier: number, shift: number, count: number): QuantizedMultiplier {
  if (!Number.isSafeInteger(count) || count < 1) throw inputError(`MEAN reduces ${count} elements; expected a positive count`);
  const log2 = Math.floor(Math.log2(count));
  // Math.log2 can be off by one ulp near powers of two; settle the floor exactly.
  const floorLog2 = 2 ** (log2 + 1) <= count ? log2 + 1 : 2 ** log2 > count ? log2 - 1 : log2;
  const sh = Math.min(floorLog2, 32, 31 + shift);
  // (int64)M << sh can reach 2^63: do it in BigInt (once per op, not per element).
  if (sh < 0) throw inputError(`MEAN multiplier shift ${shift} is below −31`);
  const m = (BigInt(multiplier) << BigInt(sh)) / BigInt(count);
  return { multiplier: Number(BigInt.asIntN(32, m)), shift: shift - sh };
}
