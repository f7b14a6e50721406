/**
 * The memory contracts between the TypeScript that prepares a model and the WebAssembly kernels: the field
 * order of every kernel's parameter block (an i32 array in the constant region), and the layout of the
 * per-channel requantisation table. Both sides are generated from these lists, so they cannot drift apart.
 */

/** CONV_2D (and FULLY_CONNECTED, run as a 1×1 convolution over `n` = batches). */
export const CONV_FIELDS = [
  "input", "filter", "chan", "output",
  "n", "h", "w", "cin", "kh", "kw", "cf", "oh", "ow", "cout",
  "sh", "sw", "ph", "pw", "dh", "dw",
  "in_off", "filter_off", "out_off", "act_min", "act_max", "single", "fpg",
] as const;

/** DEPTHWISE_CONV_2D. */
export const DEPTHWISE_FIELDS = [
  "input", "filter", "chan", "output",
  "n", "h", "w", "cin", "kh", "kw", "oh", "ow", "cout",
  "sh", "sw", "ph", "pw", "dh", "dw",
  "in_off", "out_off", "act_min", "act_max", "single", "mult",
] as const;

/** AVERAGE_POOL_2D and MAX_POOL_2D. */
export const POOL_FIELDS = [
  "input", "output", "n", "h", "w", "c", "kh", "kw", "oh", "ow", "sh", "sw", "ph", "pw", "act_min", "act_max",
] as const;

/** ADD without broadcasting; channels 0, 1, 2 of `chan` requantise input 1, input 2 and the sum. */
export const ADD_FIELDS = [
  "input1", "input2", "output", "size", "in1_off", "in2_off", "ls_pow", "out_off", "act_min", "act_max", "single", "chan",
] as const;

/** MUL without broadcasting; channel 0 of `chan` requantises the product. */
export const MUL_FIELDS = [
  "input1", "input2", "output", "size", "in1_off", "in2_off", "out_off", "act_min", "act_max", "single", "chan",
] as const;

/** requant_s32: int32 → int32 requantisation of `size` values, value i with channel i. */
export const REQUANT_FIELDS = ["input", "chan", "output", "size", "single"] as const;

export type FieldList = readonly string[];

/**
 * Per-channel requantisation table, structure of arrays: a 16-byte header whose first i32 is the field stride
 * (bytes), then each field as an array of one i32 per channel, field k at 16 + k·stride. A SIMD kernel loads
 * one field of channels c … c+3 with one v128.load at any c; a scalar kernel reads channel c at
 * 16 + k·stride + 4c.
 */
export const CHAN_FIELDS = [
  /** int32 bias (0 when the op has none). */
  "bias",
  /** Q31 multiplier M, in [0, 2^31). */
  "mult",
  /** Double rounding: 2^max(s, 0) as an i32 (x·pow is the wrapping left shift; 0 for shifts ≥ 32). */
  "pow",
  /** Double rounding: 2^(32 − rs) mod 2^32, the unsigned factor whose high product word is x >>> rs. */
  "fshift",
  /** Double rounding: −1 when rs = 0 (no rounding shift), else 0. */
  "rs0",
  /** Double rounding: 2^rs − 1, RoundingDivideByPOT's remainder mask. */
  "mask",
  /** Double rounding: mask >> 1, the threshold before its +1 for negative values. */
  "thr",
  /** Double rounding: rs = max(−s, 0), the rounding right shift. */
  "rs",
  /** Single rounding: t = 31 − s, the one rounding shift of the 64-bit product. */
  "t",
] as const;
export type ChanField = (typeof CHAN_FIELDS)[number];

/** Bytes before the first field. */
export const CHAN_HEADER_BYTES = 16;

/** Index of `field` in the table. */
export function chanFieldIndex(field: ChanField): number {
  return CHAN_FIELDS.indexOf(field);
}

/** Field stride for a table of `channels` channels (16-byte aligned). */
export function chanStride(channels: number): number {
  return Math.ceil((channels * 4) / 16) * 16;
}
