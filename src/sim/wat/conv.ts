/**
 * CONV_2D int8 in WebAssembly (TFLM ConvPerChannel, int8 spec §4.2): groups, dilation, stride, padding, and
 * FULLY_CONNECTED as its 1×1 special case (with the filter offset TFLM's per-tensor FC allows).
 *
 * Work per output pixel and group: 4 output channels at a time share each input load. The inner loop takes 8
 * input channels per step: input and filter bytes are widened to i16 (the input with its offset added, still
 * within ±255) and multiplied-and-pair-summed by i32x4.dot_i16x8_s. Filters of such 4-channel blocks are
 * repacked by filter-pack.ts so the 4 filters' 8-byte slices are adjacent (one pointer, constant offsets);
 * the channels left over (depth mod 8) follow per filter and run scalar. Out-of-image taps are skipped by
 * computing each pixel's valid tap range once, so no check runs inside the channel loop.
 *
 * Σ w·(x + in_off) is accumulated modulo 2^32 in any order, which equals the reference's int32 sum. The
 * filter offset, when non-zero, adds filter_off · Σ(x + in_off) over the same taps.
 */
import { add, forRange, get, i32, inc, loadFields, locals, mul, set, sub, whileLoop } from "./dsl.js";
import { CONV_FIELDS } from "./param-layout.js";
import { REQUANT_I32_LOCALS, REQUANT_V128_LOCALS, requantSetup, requantStore4 } from "./requant.js";

const I32_LOCALS = [
  ...CONV_FIELDS,
  "b", "oy", "ox", "g", "oc", "oc_end", "iy0", "ix0", "ky_lo", "ky_hi", "kx_lo", "kx_hi", "ky", "kx",
  "kstride", "in_row", "in_img", "inbase", "outp", "groups", "cf8", "r", "tap4", "fb", "ip", "wp", "ie",
  "e", "x", "s0", "s1", "s2", "s3", "corr", "ta",
];
const V128_LOCALS = ["acc0", "acc1", "acc2", "acc3", "xv", "offv", "sum", "t0", "t1", ...REQUANT_V128_LOCALS];

/**
 * The first and one-past-last kernel taps along an axis that land inside [0, size) from start `p0` with
 * dilation `d`: lo = p0 < 0 ? ceil(−p0 / d) : 0, hi = min(k, ceil((size − p0) / d)) (0 when size ≤ p0).
 */
export function tapRange(lo: string, hi: string, p0: string, d: string, size: string, k: string): string {
  return `${set(lo, `(select (i32.div_u (i32.add (i32.sub (i32.const 0) ${get(p0)}) (i32.sub ${get(d)} (i32.const 1))) ${get(d)}) (i32.const 0) (i32.lt_s ${get(p0)} (i32.const 0)))`)}
${set(hi, `(select
  (select ${get(k)} (local.tee $ta (i32.div_u (i32.add (i32.sub ${get(size)} ${get(p0)}) (i32.sub ${get(d)} (i32.const 1))) ${get(d)})) (i32.lt_u ${get(k)} (local.get $ta)))
  (i32.const 0)
  (i32.gt_s ${get(size)} ${get(p0)}))`)}`;
}

/** The input address of tap (ky, kx) for the current pixel and group. */
const tapInput = (): string =>
  set("ip", add(get("inbase"), mul(add(mul(add(get("iy0"), mul(get("ky"), get("dh"))), get("w")), add(get("ix0"), mul(get("kx"), get("dw")))), get("cin"))));

/** Loops over the valid taps of the current pixel. */
const forTaps = (body: string): string =>
  forRange("ky", get("ky_lo"), get("ky_hi"), forRange("kx", get("kx_lo"), get("kx_hi"), body));

/** 4 output channels oc … oc+3 (a repacked block). */
function block4(): string {
  const dot = (acc: string, o: number): string =>
    set(acc, `(i32x4.add ${get(acc)} (i32x4.dot_i16x8_s ${get("xv")} (v128.load8x8_s offset=${o} ${get("wp")})))`);
  const tail = (s: string, j: number): string =>
    inc(s, mul(get("x"), `(i32.load8_s ${add(get("wp"), add(mul(get("r"), i32(j)), get("e")))})`));
  return `
${["acc0", "acc1", "acc2", "acc3"].map((a) => set(a, "(v128.const i32x4 0 0 0 0)")).join("\n")}
${["s0", "s1", "s2", "s3"].map((s) => set(s, i32(0))).join("\n")}
${set("fb", add(get("filter"), mul(get("oc"), get("kstride"))))}
${forTaps(`
  ${tapInput()}
  ${set("wp", add(get("fb"), mul(add(mul(get("ky"), get("kw")), get("kx")), get("tap4"))))}
  ${set("ie", add(get("ip"), get("cf8")))}
  ${whileLoop(`(i32.lt_u ${get("ip")} ${get("ie")})`, `
    ${set("xv", `(i16x8.add (v128.load8x8_s ${get("ip")}) ${get("offv")})`)}
    ${dot("acc0", 0)}
    ${dot("acc1", 8)}
    ${dot("acc2", 16)}
    ${dot("acc3", 24)}
    ${inc("ip", i32(8))}
    ${inc("wp", i32(32))}`)}
  ${forRange("e", i32(0), get("r"), `
    ${set("x", add(`(i32.load8_s ${add(get("ip"), get("e"))})`, get("in_off")))}
    ${tail("s0", 0)}
    ${tail("s1", 1)}
    ${tail("s2", 2)}
    ${tail("s3", 3)}`)}`)}
;; Horizontal sums of the 4 accumulators into one vector [Σacc0, Σacc1, Σacc2, Σacc3].
${set("t0", `(i32x4.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 ${get("acc0")} ${get("acc1")}) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 ${get("acc0")} ${get("acc1")}))`)}
${set("t1", `(i32x4.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 ${get("acc2")} ${get("acc3")}) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 ${get("acc2")} ${get("acc3")}))`)}
${set("sum", `(i32x4.add (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 ${get("t0")} ${get("t1")}) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 ${get("t0")} ${get("t1")}))`)}
(if ${get("r")} (then
  ${set("sum", `(i32x4.add ${get("sum")} (i32x4.replace_lane 3 (i32x4.replace_lane 2 (i32x4.replace_lane 1 (i32x4.splat ${get("s0")}) ${get("s1")}) ${get("s2")}) ${get("s3")}))`)}))
(if ${get("corr")} (then ${set("sum", `(i32x4.add ${get("sum")} (i32x4.splat ${get("corr")}))`)}))
${requantStore4("sum", get("oc"), add(get("outp"), get("oc")))}
${inc("oc", i32(4))}`;
}

/** One output channel oc (original filter layout [oc][ky][kx][cf]). */
function block1(): string {
  return `
${set("acc0", "(v128.const i32x4 0 0 0 0)")}
${set("s0", get("corr"))}
${set("fb", add(get("filter"), mul(get("oc"), get("kstride"))))}
${forTaps(`
  ${tapInput()}
  ${set("wp", add(get("fb"), mul(add(mul(get("ky"), get("kw")), get("kx")), get("cf"))))}
  ${set("ie", add(get("ip"), get("cf8")))}
  ${whileLoop(`(i32.lt_u ${get("ip")} ${get("ie")})`, `
    ${set("acc0", `(i32x4.add ${get("acc0")} (i32x4.dot_i16x8_s (i16x8.add (v128.load8x8_s ${get("ip")}) ${get("offv")}) (v128.load8x8_s ${get("wp")})))`)}
    ${inc("ip", i32(8))}
    ${inc("wp", i32(8))}`)}
  ${forRange("e", i32(0), get("r"), inc("s0", mul(add(`(i32.load8_s ${add(get("ip"), get("e"))})`, get("in_off")), `(i32.load8_s ${add(get("wp"), get("e"))})`)))}`)}
${inc("s0", add(add(`(i32x4.extract_lane 0 ${get("acc0")})`, `(i32x4.extract_lane 1 ${get("acc0")})`), add(`(i32x4.extract_lane 2 ${get("acc0")})`, `(i32x4.extract_lane 3 ${get("acc0")})`)))}
(i32.store8 ${add(get("outp"), get("oc"))} (call $out1 ${get("s0")} ${get("chan")} ${get("oc")} ${get("single")} ${get("out_off")} ${get("act_min")} ${get("act_max")}))
${inc("oc", i32(1))}`;
}

/** filter_off · Σ (x + in_off) over the pixel's valid taps and the group's channels; 0 when filter_off = 0. */
function filterOffsetCorrection(): string {
  return `${set("corr", i32(0))}
(if ${get("filter_off")} (then
  ${forTaps(`
    ${tapInput()}
    ${forRange("e", i32(0), get("cf"), inc("corr", add(`(i32.load8_s ${add(get("ip"), get("e"))})`, get("in_off"))))}`)}
  ${set("corr", mul(get("corr"), get("filter_off")))}))`;
}

export const CONV_WAT = `
(func $conv_s8 (export "conv_s8") (param $pb i32)
  ${locals("i32", [...I32_LOCALS, ...REQUANT_I32_LOCALS])}
  ${locals("v128", V128_LOCALS)}
  ${loadFields(CONV_FIELDS)}
  ${requantSetup()}
  ${set("offv", `(i16x8.splat ${get("in_off")})`)}
  ${set("kstride", mul(mul(get("kh"), get("kw")), get("cf")))}
  ${set("tap4", mul(get("cf"), i32(4)))}
  ${set("in_row", mul(get("w"), get("cin")))}
  ${set("in_img", mul(get("h"), get("in_row")))}
  ${set("groups", `(i32.div_u ${get("cin")} ${get("cf")})`)}
  ${set("cf8", `(i32.and ${get("cf")} (i32.const -8))`)}
  ${set("r", sub(get("cf"), get("cf8")))}
  ${set("outp", get("output"))}
  ${forRange("b", i32(0), get("n"), forRange("oy", i32(0), get("oh"), `
    ${set("iy0", sub(mul(get("oy"), get("sh")), get("ph")))}
    ${tapRange("ky_lo", "ky_hi", "iy0", "dh", "h", "kh")}
    ${forRange("ox", i32(0), get("ow"), `
      ${set("ix0", sub(mul(get("ox"), get("sw")), get("pw")))}
      ${tapRange("kx_lo", "kx_hi", "ix0", "dw", "w", "kw")}
      ${forRange("g", i32(0), get("groups"), `
        ${set("inbase", add(add(get("input"), mul(get("b"), get("in_img"))), mul(get("g"), get("cf"))))}
        ${set("oc", mul(get("g"), get("fpg")))}
        ${set("oc_end", add(get("oc"), get("fpg")))}
        ${filterOffsetCorrection()}
        ${whileLoop(`(i32.le_s ${add(get("oc"), i32(4))} ${get("oc_end")})`, block4())}
        ${whileLoop(`(i32.lt_s ${get("oc")} ${get("oc_end")})`, block1())}`)}
      ${inc("outp", get("cout"))}`)}`))}
)
`;
