/**
 * Requantisation in WebAssembly, bit-exact with TFLM's MultiplyByQuantizedMultiplier (int8 spec §3.3):
 * - double rounding (default): RDBPOT(SRDHM(wrap32(x·2^ls), M), rs), the 64-bit product in i64;
 * - single rounding: (x·M + 2^(t−1)) >> t in i64, t = 31 − s.
 * The per-channel constants come from the channel table (param-layout.ts), precomputed by chan-table.ts.
 *
 * Two forms: `$requant1`, a scalar function for one channel, and `requantStore4`, a SIMD macro that
 * requantises, offsets, clamps and stores 4 consecutive channels (double rounding; single rounding goes lane
 * by lane through `$requant1`, as it needs a per-lane 64-bit shift WebAssembly SIMD does not have).
 */
import { get, set } from "./dsl.js";
import { CHAN_GROUP_BYTES, chanFieldOffset as off } from "./param-layout.js";

/**
 * `$requant1(x, chan, c, single)`: bias + MBQM for channel c of the table at `chan`. SRDHM's one saturating
 * case (x = M = INT32_MIN) cannot occur: the preparation rejects negative multipliers.
 *
 * `$out1(acc, chan, c, single, out_off, lo, hi)`: the int8 output value clamp(requant1(acc) + out_off).
 * The offset is added with int32 wrap-around, as the C kernels do.
 */
export const REQUANT_FUNCS = `
(func $requant1 (param $x i32) (param $chan i32) (param $c i32) (param $single i32) (result i32)
  (local $p i32) (local $v i32) (local $t i32)
  (local.set $p (i32.add (local.get $chan)
    (i32.add (i32.mul (i32.shr_u (local.get $c) (i32.const 2)) (i32.const ${CHAN_GROUP_BYTES}))
             (i32.shl (i32.and (local.get $c) (i32.const 3)) (i32.const 2)))))
  (local.set $x (i32.add (local.get $x) (i32.load offset=${off("bias")} (local.get $p))))
  (if (local.get $single)
    (then
      (local.set $t (i32.load offset=${off("t")} (local.get $p)))
      (return (i32.wrap_i64 (i64.shr_s
        (i64.add
          (i64.mul (i64.extend_i32_s (local.get $x)) (i64.extend_i32_s (i32.load offset=${off("mult")} (local.get $p))))
          (i64.shl (i64.const 1) (i64.extend_i32_u (i32.sub (local.get $t) (i32.const 1)))))
        (i64.extend_i32_u (local.get $t)))))))
  (local.set $x (i32.mul (local.get $x) (i32.load offset=${off("pow")} (local.get $p))))
  ;; SRDHM: (x·M + 2^30) >> 31, which fits an int32 for M >= 0.
  (local.set $v (i32.wrap_i64 (i64.shr_s
    (i64.add
      (i64.mul (i64.extend_i32_s (local.get $x)) (i64.extend_i32_s (i32.load offset=${off("mult")} (local.get $p))))
      (i64.const 0x40000000))
    (i64.const 31))))
  ;; RDBPOT: (v >> rs) + ((v & mask) > (mask >> 1) + (v < 0)).
  (i32.add
    (i32.shr_s (local.get $v) (i32.load offset=${off("rs")} (local.get $p)))
    (i32.gt_s
      (i32.and (local.get $v) (i32.load offset=${off("mask")} (local.get $p)))
      (i32.sub (i32.load offset=${off("thr")} (local.get $p)) (i32.shr_s (local.get $v) (i32.const 31))))))

(func $out1 (param $acc i32) (param $chan i32) (param $c i32) (param $single i32) (param $out_off i32) (param $lo i32) (param $hi i32) (result i32)
  (local $v i32)
  (local.set $v (i32.add (call $requant1 (local.get $acc) (local.get $chan) (local.get $c) (local.get $single)) (local.get $out_off)))
  (select (local.get $lo)
    (select (local.get $hi) (local.get $v) (i32.gt_s (local.get $v) (local.get $hi)))
    (i32.lt_s (local.get $v) (local.get $lo))))
`;

/** v128 locals the SIMD requantisation macro needs in the calling kernel. */
export const REQUANT_V128_LOCALS = ["rq_x", "rq_v", "rq_sgn", "rq_f", "rq_outv", "rq_minv", "rq_maxv"] as const;
/** i32 locals it needs. */
export const REQUANT_I32_LOCALS = ["rq_g"] as const;

/** Splats the output offset and clamp bounds once per kernel call (kernel locals out_off, act_min, act_max). */
export function requantSetup(): string {
  return [
    set("rq_outv", `(i32x4.splat ${get("out_off")})`),
    set("rq_minv", `(i32x4.splat ${get("act_min")})`),
    set("rq_maxv", `(i32x4.splat ${get("act_max")})`),
  ].join("\n");
}

// Picks the high 32-bit word of each i64 lane of two i64x2 vectors: [a.hi0, a.hi1, b.hi0, b.hi1].
const HIGH_WORDS = "4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31";

/**
 * Requantises the i32x4 accumulator in local `acc` for channels c … c+3 (`c` an i32 expression, a multiple
 * of 4), adds the output offset, clamps, and stores the 4 int8 results at address `ptr` (an i32
 * expression). Kernel locals used: chan, single, out_off, act_min, act_max and the REQUANT_* locals.
 */
export function requantStore4(acc: string, c: string, ptr: string): string {
  const g = get("rq_g");
  const ld = (field: Parameters<typeof off>[0]): string => `(v128.load offset=${off(field)} ${g})`;
  // Single rounding: lane by lane through the scalar function.
  const lanes = [0, 1, 2, 3]
    .map((j) => `(i32.store8 offset=${j} ${ptr} (call $out1 (i32x4.extract_lane ${j} ${get(acc)}) ${get("chan")} (i32.add ${c} (i32.const ${j})) (i32.const 1) ${get("out_off")} ${get("act_min")} ${get("act_max")}))`)
    .join("\n");
  return `(if ${get("single")}
  (then ${lanes})
  (else
    ${set("rq_g", `(i32.add ${get("chan")} (i32.mul (i32.shr_u ${c} (i32.const 2)) (i32.const ${CHAN_GROUP_BYTES})))`)}
    ;; x = wrap32((acc + bias) · 2^ls)
    ${set("rq_x", `(i32x4.mul (i32x4.add ${get(acc)} ${ld("bias")}) ${ld("pow")})`)}
    ;; SRDHM: the high word of 2·(x·M + 2^30) is (x·M + 2^30) >> 31.
    ${set("rq_f", ld("mult"))}
    ${set("rq_v", `(i8x16.shuffle ${HIGH_WORDS}
      (i64x2.shl (i64x2.add (i64x2.extmul_low_i32x4_s ${get("rq_x")} ${get("rq_f")}) (v128.const i64x2 0x40000000 0x40000000)) (i32.const 1))
      (i64x2.shl (i64x2.add (i64x2.extmul_high_i32x4_s ${get("rq_x")} ${get("rq_f")}) (v128.const i64x2 0x40000000 0x40000000)) (i32.const 1)))`)}
    ;; RDBPOT with a per-lane shift: v >>> rs is the high word of v·2^(32−rs) (unsigned); subtracting
    ;; 2^(32−rs) for negative v turns it into v >> rs; lanes with rs = 0 keep v.
    ${set("rq_sgn", `(i32x4.shr_s ${get("rq_v")} (i32.const 31))`)}
    ${set("rq_f", ld("fshift"))}
    ${set("rq_x", `(i32x4.sub
      (i8x16.shuffle ${HIGH_WORDS} (i64x2.extmul_low_i32x4_u ${get("rq_v")} ${get("rq_f")}) (i64x2.extmul_high_i32x4_u ${get("rq_v")} ${get("rq_f")}))
      (v128.and ${get("rq_f")} ${get("rq_sgn")}))`)}
    ${set("rq_x", `(v128.bitselect ${get("rq_v")} ${get("rq_x")} ${ld("rs0")})`)}
    ;; + ((v & mask) > thr + (v < 0)): gt_s yields −1 for true.
    ${set("rq_x", `(i32x4.sub ${get("rq_x")} (i32x4.gt_s (v128.and ${get("rq_v")} ${ld("mask")}) (i32x4.sub ${ld("thr")} ${get("rq_sgn")})))`)}
    ${set("rq_x", `(i32x4.min_s (i32x4.max_s (i32x4.add ${get("rq_x")} ${get("rq_outv")}) ${get("rq_minv")}) ${get("rq_maxv")})`)}
    ${set("rq_x", `(i16x8.narrow_i32x4_s ${get("rq_x")} ${get("rq_x")})`)}
    (v128.store32_lane 0 ${ptr} (i8x16.narrow_i16x8_s ${get("rq_x")} ${get("rq_x")}))))`;
}
