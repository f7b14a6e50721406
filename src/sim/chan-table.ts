/**
 * Builds the per-channel requantisation table the kernels read (layout in wat/param-layout.ts): for each
 * output channel its bias and the constants of MultiplyByQuantizedMultiplier precomputed from (M, s), so the
 * kernels do no shift arithmetic of their own. Out-of-domain multipliers are rejected here, by name: TFLM
 * requires M ≥ 0 and −31 ≤ s ≤ 30 (single rounding) or ≤ 31 (double rounding).
 */
import { inputError } from "../errors.js";
import type { Rounding } from "../quant/rounding.js";
import { CHAN_FIELDS, CHAN_HEADER_BYTES, chanStride, type ChanField } from "./wat/param-layout.js";

/** One channel's table entries, exactly as the kernels consume them. */
export function chanEntries(multiplier: number, shift: number, rounding: Rounding, where: string): Record<Exclude<ChanField, "bias">, number> {
  if (!Number.isInteger(multiplier) || multiplier < 0 || multiplier > 0x7fffffff) {
    throw inputError(`requantisation multiplier ${multiplier} is outside [0, 2^31 − 1]`, where);
  }
  const maxShift = rounding === "single" ? 30 : 31;
  if (!Number.isInteger(shift) || shift < -31 || shift > maxShift) {
    throw inputError(`requantisation shift ${shift} is outside [−31, ${maxShift}] (${rounding} rounding)`, where);
  }
  const ls = Math.max(shift, 0);
  const rs = Math.max(-shift, 0);
  const mask = rs === 0 ? 0 : 2 ** rs - 1;
  return {
    mult: multiplier,
    // (2^ls) | 0: 2^31 becomes INT32_MIN, whose wrapping product is x << 31, as Math.imul gives.
    pow: (2 ** ls) | 0,
    fshift: rs === 0 ? 0 : (2 ** (32 - rs)) | 0,
    rs0: rs === 0 ? -1 : 0,
    mask,
    thr: mask >> 1,
    rs,
    t: 31 - shift,
  };
}

/**
 * The table for `channels` output channels. `multiplier`/`shift` hold one entry per channel, or one entry
 * for all (per-tensor quantisation); `bias` one int32 per channel or null.
 */
export function buildChanTable(
  multiplier: readonly number[],
  shift: readonly number[],
  bias: ArrayLike<number> | null,
  channels: number,
  rounding: Rounding,
  where: string,
): Uint8Array {
  if (multiplier.length !== channels && multiplier.length !== 1) throw inputError(`${multiplier.length} multipliers for ${channels} channels`, where);
  if (shift.length !== multiplier.length) throw inputError(`${shift.length} shifts for ${multiplier.length} multipliers`, where);
  if (bias && bias.length !== channels) throw inputError(`bias has ${bias.length} values for ${channels} channels`, where);
  const stride = chanStride(channels);
  const bytes = new Uint8Array(CHAN_HEADER_BYTES + CHAN_FIELDS.length * stride);
  const dv = new DataView(bytes.buffer);
  dv.setInt32(0, stride, true);
  const at = (k: number, c: number): number => CHAN_HEADER_BYTES + k * stride + 4 * c;
  for (let c = 0; c < channels; c++) {
    const k = multiplier.length === 1 ? 0 : c;
    const e = chanEntries(multiplier[k]!, shift[k]!, rounding, `${where}, channel ${c}`);
    dv.setInt32(at(0, c), bias ? bias[c]! : 0, true);
    CHAN_FIELDS.forEach((f, i) => { if (f !== "bias") dv.setInt32(at(i, c), e[f], true); });
  }
  return bytes;
}
