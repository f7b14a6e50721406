/**
 * Requantisation in WebAssembly, bit-exact with TFLM's MultiplyByQuantizedMultiplier (int8 spec §3.3):
 * - double rounding (default): RDBPOT(SRDHM(wrap32(x·2^ls), M), rs), the 64-bit product in i64;
 * - single rounding: (x·M + 2^(t−1)) >> t in i64, t = 31 − s.
 * The per-channel constants come from the channel table (param-layout.ts), precomputed by chan-table.ts.
 *
 * Two forms: `$requant1`, a scalar function for one channel, and `requant4` / `requantStore4`, SIMD macros
 * for 4 consecutive channels (double rounding; single rounding goes lane by lane through `$requant1`, as it
 * needs a per-lane 64-bit shift WebAssembly SIMD does not have).
 */
import { get, loadFields, locals, set, whileLoop } from "./dsl.js";
import { CHAN_HEADER_BYTES, chanFieldIndex, REQUANT_FIELDS, type ChanField } from "./param-layout.js";

/** Address of field `f` of channel c in a scalar function with locals $p = chan + 16 + 4c and $stride. */
const scalarField = (f: ChanField): string => `(i32.load (i32.add (local.get $p) (i32.mul (local.get $stride) (i32.const ${chanFieldIndex(f)}))))`;

/**
 * `$requant1(x, chan, c, single)`: bias + MBQM for channel c of the table at `chan`. SRDHM's one saturating
 * case (x = M = INT32_MIN) cannot occur: the preparation rejects negative multipliers.
 *
 * `$out1(acc, chan, c, single, out_off, lo, hi)`: the int8 output value clamp(requant1(acc) + out_off).
 * The offset is added with int32 wrap-around, as the C kernels do.
 */
export const REQUANT_FUNCS = `
(func $requant1 (param $x i32) (param $chan i32) (param $c i32) (param $single i32) (result i32)
  (local $p i32) (local $stride i32) (local $v i32) (local $t i32)
  (local.set $stride (i32.load (local.get $chan)))
  (local.set $p (i32.add (local.get $chan) (i32.add (i32.const ${CHAN_HEADER_BYTES}) (i32.shl (local.get $c) (i32.const 2)))))
  (local.set $x (i32.add (local.get $x) ${scalarField("bias")}))
  (if (local.get $single)
    (then
      (local.set $t ${scalarField("t")})
      (return (i32.wrap_i64 (i64.shr_s
        (i64.add
          (i64.mul (i64.extend_i32_s (local.get $x)) (i64.extend_i32_s ${scalarField("mult")}))
          (i64.shl (i64.const 1) (i64.extend_i32_u (i32.sub (local.get $t) (i32.const 1)))))
        (i64.extend_i32_u (local.get $t)))))))
  (local.set $x (i32.mul (local.get $x) ${scalarField("pow")}))
  ;; SRDHM: (x·M + 2^30) >> 31, which fits an int32 for M >= 0.
  (local.set $v (i32.wrap_i64 (i64.shr_s
    (i64.add
      (i64.mul (i64.extend_i32_s (local.get $x)) (i64.extend_i32_s ${scalarField("mult")}))
      (i64.const 0x40000000))
    (i64.const 31))))
  ;; RDBPOT: (v >> rs) + ((v & mask) > (mask >> 1) + (v < 0)).
  (i32.add
    (i32.shr_s (local.get $v) ${scalarField("rs")})
    (i32.gt_s
      (i32.and (local.get $v) ${scalarField("mask")})
      (i32.sub ${scalarField("thr")} (i32.shr_s (local.get $v) (i32.const 31))))))

(func $out1 (param $acc i32) (param $chan i32) (param $c i32) (param $single i32) (param $out_off i32) (param $lo i32) (param $hi i32) (result i32)
  (local $v i32)
  (local.set $v (i32.add (call $requant1 (local.get $acc) (local.get $chan) (local.get $c) (local.get $single)) (local.get $out_off)))
  (select (local.get $lo)
    (select (local.get $hi) (local.get $v) (i32.gt_s (local.get $v) (local.get $hi)))
    (i32.lt_s (local.get $v) (local.get $lo))))
`;

/** The table fields the SIMD form reads, each through a base-pointer local rq_<field>. */
const VECTOR_FIELDS = ["bias", "mult", "pow", "fshift", "rs0", "mask", "thr"] as const satisfies readonly ChanField[];

/** v128 locals the SIMD requantisation macros need in the calling kernel. */
export const REQUANT_V128_LOCALS = ["rq_x", "rq_v", "rq_sgn", "rq_f", "rq_outv", "rq_minv", "rq_maxv"] as const;
/** i32 locals they need. */
export const REQUANT_I32_LOCALS = ["rq_c4", "rq_stride", ...VECTOR_FIELDS.map((f) => `rq_${f}`)] as const;

/** Computes the field base pointers of the table at local `chan` (once per kernel call). */
export function requantFieldSetup(): string {
  return [
    set("rq_stride", `(i32.load ${get("chan")})`),
    ...VECTOR_FIELDS.map((f) => set(`rq_${f}`, `(i32.add ${get("chan")} (i32.add (i32.const ${CHAN_HEADER_BYTES}) (i32.mul ${get("rq_stride")} (i32.const ${chanFieldIndex(f)}))))`)),
  ].join("\n");
}

/** requantFieldSetup plus the splatted output offset and clamp bounds (kernel locals out_off, act_min, act_max). */
export function requantSetup(): string {
  return [
    requantFieldSetup(),
    set("rq_outv", `(i32x4.splat ${get("out_off")})`),
    set("rq_minv", `(i32x4.splat ${get("act_min")})`),
    set("rq_maxv", `(i32x4.splat ${get("act_max")})`),
  ].join("\n");
}

// Picks the high 32-bit word of each i64 lane of two i64x2 vectors: [a.hi0, a.hi1, b.hi0, b.hi1].
const HIGH_WORDS = "4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31";

/**
 * Requantises the i32x4 in local `acc` for channels c … c+3 (`c` an i32 expression) with double rounding,
 * leaving the four int32 results in local rq_x.
 */
export function requant4(acc: string, c: string): string {
  const ld = (f: (typeof VECTOR_FIELDS)[number]): string => `(v128.load (i32.add ${get(`rq_${f}`)} ${get("rq_c4")}))`;
  return `${set("rq_c4", `(i32.shl ${c} (i32.const 2))`)}
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
    ${set("rq_x", `(i32x4.sub ${get("rq_x")} (i32x4.gt_s (v128.and ${get("rq_v")} ${ld("mask")}) (i32x4.sub ${ld("thr")} ${get("rq_sgn")})))`)}`;
}

/**
 * Requantises the i32x4 accumulator in local `acc` for channels c … c+3, adds the output offset, clamps,
 * and stores the 4 int8 results at address `ptr` (an i32 expression). Kernel locals used: chan, single,
 * out_off, act_min, act_max and the REQUANT_* locals (after requantSetup).
 */
export function requantStore4(acc: string, c: string, ptr: string): string {
  // Single rounding: lane by lane through the scalar function.
  const lanes = [0, 1, 2, 3]
    .map((j) => `(i32.store8 offset=${j} ${ptr} (call $out1 (i32x4.extract_lane ${j} ${get(acc)}) ${get("chan")} (i32.add ${c} (i32.const ${j})) (i32.const 1) ${get("out_off")} ${get("act_min")} ${get("act_max")}))`)
    .join("\n");
  return `(if ${get("single")}
  (then ${lanes})
  (else
    ${requant4(acc, c)}
    ${set("rq_x", `(i32x4.min_s (i32x4.max_s (i32x4.add ${get("rq_x")} ${get("rq_outv")}) ${get("rq_minv")}) ${get("rq_maxv")})`)}
    ${set("rq_x", `(i16x8.narrow_i32x4_s ${get("rq_x")} ${get("rq_x")})`)}
    (v128.store32_lane 0 ${ptr} (i8x16.narrow_i16x8_s ${get("rq_x")} ${get("rq_x")}))))`;
}

/**
 * `requant_s32`: MBQM (bias included) of an int32 array, element i with channel i of the table, results kept
 * as int32 (no offset, no clamp). It is the kernels' requantisation exposed on its own, so it can be checked
 * over the whole int32 range, where the int8 kernels' clamp would hide most of it.
 */
export const REQUANT_KERNEL = `
(func $requant_s32 (export "requant_s32") (param $pb i32)
  ${locals("i32", [...REQUANT_FIELDS, "i", ...REQUANT_I32_LOCALS])}
  ${locals("v128", ["acc", ...REQUANT_V128_LOCALS])}
  ${loadFields(REQUANT_FIELDS)}
  ${requantFieldSetup()}
  ${set("i", "(i32.const 0)")}
  (if (i32.eqz ${get("single")}) (then
    ${whileLoop(`(i32.le_s (i32.add ${get("i")} (i32.const 4)) ${get("size")})`, `
      ${set("acc", `(v128.load (i32.add ${get("input")} (i32.shl ${get("i")} (i32.const 2))))`)}
      ${requant4("acc", get("i"))}
      (v128.store (i32.add ${get("output")} (i32.shl ${get("i")} (i32.const 2))) ${get("rq_x")})
      ${set("i", `(i32.add ${get("i")} (i32.const 4))`)}`)}))
  ${whileLoop(`(i32.lt_s ${get("i")} ${get("size")})`, `
    (i32.store (i32.add ${get("output")} (i32.shl ${get("i")} (i32.const 2)))
      (call $requant1 (i32.load (i32.add ${get("input")} (i32.shl ${get("i")} (i32.const 2)))) ${get("chan")} ${get("i")} ${get("single")}))
    ${set("i", `(i32.add ${get("i")} (i32.const 1))`)}`)}
)
`;
