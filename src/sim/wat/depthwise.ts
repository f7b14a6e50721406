/**
 * DEPTHWISE_CONV_2D int8 in WebAssembly (TFLM DepthwiseConvPerChannel, int8 spec §4.3). NHWC keeps channels
 * contiguous in input, filter [1, KH, KW, Cout] and output, so the kernel vectorises across channels:
 * - depth multiplier 1: 8 channels per step, input and filter widened to i16 (input + offset stays within
 *   ±255), products widened to i32 by extmul and summed per tap;
 * - depth multiplier ≥ 8: for each input channel, 8 of its output channels per step, the one
 *   input value splatted;
 * - anything else (and the channels left over) channel by channel.
 * Taps outside the image are skipped via each pixel's valid tap range (conv.ts tapRange).
 */
import { add, forRange, get, i32, inc, loadFields, locals, mul, set, sub, whileLoop } from "./dsl.js";
import { DEPTHWISE_FIELDS } from "./param-layout.js";
import { REQUANT_I32_LOCALS, REQUANT_V128_LOCALS, requantSetup, requantStore4 } from "./requant.js";
import { tapRange } from "./conv.js";

const I32_LOCALS = [
  ...DEPTHWISE_FIELDS,
  "b", "oy", "ox", "iy0", "ix0", "ky_lo", "ky_hi", "kx_lo", "kx_hi", "ky", "kx", "in_row", "in_img",
  "inb", "outp", "c", "ic", "m", "oc", "s", "ta",
];
const V128_LOCALS = ["lo", "hi", "xv", "wv", "offv", ...REQUANT_V128_LOCALS];

/** Address of input channel `ch` at tap (ky, kx) of the current pixel. */
const inputAt = (ch: string): string =>
  add(get("inb"), add(mul(add(mul(add(get("iy0"), mul(get("ky"), get("dh"))), get("w")), add(get("ix0"), mul(get("kx"), get("dw")))), get("cin")), ch));
/** Address of filter channel `ch` at tap (ky, kx). */
const filterAt = (ch: string): string => add(get("filter"), add(mul(add(mul(get("ky"), get("kw")), get("kx")), get("cout")), ch));

const forTaps = (body: string): string =>
  forRange("ky", get("ky_lo"), get("ky_hi"), forRange("kx", get("kx_lo"), get("kx_hi"), body));

const accumulate = (): string => `
  ${set("lo", `(i32x4.add ${get("lo")} (i32x4.extmul_low_i16x8_s ${get("xv")} ${get("wv")}))`)}
  ${set("hi", `(i32x4.add ${get("hi")} (i32x4.extmul_high_i16x8_s ${get("xv")} ${get("wv")}))`)}`;

/** Output channel `oc` from input channel `ic`, scalar. */
function scalarChannel(oc: string, ic: string): string {
  return `${set("s", i32(0))}
${forTaps(inc("s", mul(add(`(i32.load8_s ${inputAt(get(ic))})`, get("in_off")), `(i32.load8_s ${filterAt(get(oc))})`)))}
(i32.store8 ${add(get("outp"), get(oc))} (call $out1 ${get("s")} ${get("chan")} ${get(oc)} ${get("single")} ${get("out_off")} ${get("act_min")} ${get("act_max")}))`;
}

/** Depth multiplier 1: channels c … c+7. */
function eightChannels(): string {
  return `${set("lo", "(v128.const i32x4 0 0 0 0)")}
${set("hi", "(v128.const i32x4 0 0 0 0)")}
${forTaps(`
  ${set("xv", `(i16x8.add (v128.load8x8_s ${inputAt(get("c"))}) ${get("offv")})`)}
  ${set("wv", `(v128.load8x8_s ${filterAt(get("c"))})`)}
  ${accumulate()}`)}
${requantStore4("lo", get("c"), add(get("outp"), get("c")))}
${requantStore4("hi", add(get("c"), i32(4)), add(get("outp"), add(get("c"), i32(4))))}
${inc("c", i32(8))}`;
}

/** Depth multiplier ≥ 8: output channels oc … oc+7 of input channel ic. */
function eightMultiples(): string {
  return `${set("oc", add(mul(get("ic"), get("mult")), get("m")))}
${set("lo", "(v128.const i32x4 0 0 0 0)")}
${set("hi", "(v128.const i32x4 0 0 0 0)")}
${forTaps(`
  ${set("xv", `(i16x8.splat ${add(`(i32.load8_s ${inputAt(get("ic"))})`, get("in_off"))})`)}
  ${set("wv", `(v128.load8x8_s ${filterAt(get("oc"))})`)}
  ${accumulate()}`)}
${requantStore4("lo", get("oc"), add(get("outp"), get("oc")))}
${requantStore4("hi", add(get("oc"), i32(4)), add(get("outp"), add(get("oc"), i32(4))))}
${inc("m", i32(8))}`;
}

export const DEPTHWISE_WAT = `
(func $depthwise_s8 (export "depthwise_s8") (param $pb i32)
  ${locals("i32", [...I32_LOCALS, ...REQUANT_I32_LOCALS])}
  ${locals("v128", V128_LOCALS)}
  ${loadFields(DEPTHWISE_FIELDS)}
  ${requantSetup()}
  ${set("offv", `(i16x8.splat ${get("in_off")})`)}
  ${set("in_row", mul(get("w"), get("cin")))}
  ${set("in_img", mul(get("h"), get("in_row")))}
  ${set("outp", get("output"))}
  ${forRange("b", i32(0), get("n"), `
    ${set("inb", add(get("input"), mul(get("b"), get("in_img"))))}
    ${forRange("oy", i32(0), get("oh"), `
      ${set("iy0", sub(mul(get("oy"), get("sh")), get("ph")))}
      ${tapRange("ky_lo", "ky_hi", "iy0", "dh", "h", "kh")}
      ${forRange("ox", i32(0), get("ow"), `
        ${set("ix0", sub(mul(get("ox"), get("sw")), get("pw")))}
        ${tapRange("kx_lo", "kx_hi", "ix0", "dw", "w", "kw")}
        (if (i32.eq ${get("mult")} (i32.const 1))
          (then
            ${set("c", i32(0))}
            ${whileLoop(`(i32.le_s ${add(get("c"), i32(8))} ${get("cout")})`, eightChannels())}
            ${whileLoop(`(i32.lt_s ${get("c")} ${get("cout")})`, `${scalarChannel("c", "c")}
              ${inc("c", i32(1))}`)})
          (else
            ${forRange("ic", i32(0), get("cin"), `
              ${set("m", i32(0))}
              ${whileLoop(`(i32.le_s ${add(get("m"), i32(8))} ${get("mult")})`, eightMultiples())}
              ${whileLoop(`(i32.lt_s ${get("m")} ${get("mult")})`, `${set("oc", add(mul(get("ic"), get("mult")), get("m")))}
                ${scalarChannel("oc", "ic")}
                ${inc("m", i32(1))}`)}`)}))
        ${inc("outp", get("cout"))}`)}`)}`)}
)
`;
