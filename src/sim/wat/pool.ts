/**
 * AVERAGE_POOL_2D and MAX_POOL_2D int8 in WebAssembly (TFLM reference_integer_ops, int8 spec §4.5–4.6). The
 * window is clipped to the image once per output pixel; channels are vectorised (8 per step for the average,
 * whose sums are kept in i32; 16 per step for the maximum), the leftover channels run scalar.
 * The preparation rejects windows with no in-image tap (TFLM's error), so the count here is ≥ 1.
 */
import { add, forRange, get, i32, inc, loadFields, locals, mul, set, sub, whileLoop } from "./dsl.js";
import { POOL_FIELDS } from "./param-layout.js";

// The pool field "c" is the channel count; inside the kernels "c" is the running channel, so the count is
// loaded into c_n instead.
const FIELDS_RENAMED = POOL_FIELDS.map((f) => (f === "c" ? "c_n" : f));

const I32_LOCALS = [
  ...FIELDS_RENAMED,
  "b", "oy", "ox", "iy0", "ix0", "y0", "y1", "x0", "x1", "ky", "kx", "inb", "outp", "c", "count", "half", "s", "v", "ta",
];

/** Window bounds along one axis: lo = max(0, −p0), hi = min(k, size − p0). */
function clip(lo: string, hi: string, p0: string, size: string, k: string): string {
  return `${set(lo, `(select (i32.const 0) (i32.sub (i32.const 0) ${get(p0)}) (i32.ge_s ${get(p0)} (i32.const 0)))`)}
${set(hi, `(select ${get(k)} (local.tee $ta ${sub(get(size), get(p0))}) (i32.lt_s ${get(k)} (local.get $ta)))`)}`;
}

const inputAt = (): string =>
  add(get("inb"), add(mul(add(mul(add(get("iy0"), get("ky")), get("w")), add(get("ix0"), get("kx"))), get("c_n")), get("c")));

const forWindow = (body: string): string => forRange("ky", get("y0"), get("y1"), forRange("kx", get("x0"), get("x1"), body));

/** Pixel loops shared by both pools; `perPixel` runs with y0..y1, x0..x1, outp set. */
function pixels(perPixel: string): string {
  return `${set("outp", get("output"))}
${forRange("b", i32(0), get("n"), `
  ${set("inb", add(get("input"), mul(get("b"), mul(mul(get("h"), get("w")), get("c_n")))))}
  ${forRange("oy", i32(0), get("oh"), `
    ${set("iy0", sub(mul(get("oy"), get("sh")), get("ph")))}
    ${clip("y0", "y1", "iy0", "h", "kh")}
    ${forRange("ox", i32(0), get("ow"), `
      ${set("ix0", sub(mul(get("ox"), get("sw")), get("pw")))}
      ${clip("x0", "x1", "ix0", "w", "kw")}
      ${perPixel}
      ${inc("outp", get("c_n"))}`)}`)}`)}`;
}

/** Rounded average, halves away from zero with C's truncating division, then the clamp. */
const AVG1 = `
(func $avg1 (param $sum i32) (param $count i32) (param $half i32) (param $lo i32) (param $hi i32) (result i32)
  (local $v i32)
  (local.set $v (i32.div_s
    (select (i32.add (local.get $sum) (local.get $half)) (i32.sub (local.get $sum) (local.get $half)) (i32.gt_s (local.get $sum) (i32.const 0)))
    (local.get $count)))
  (select (local.get $lo)
    (select (local.get $hi) (local.get $v) (i32.gt_s (local.get $v) (local.get $hi)))
    (i32.lt_s (local.get $v) (local.get $lo))))
`;

const avgLanes = (): string =>
  [0, 1, 2, 3]
    .flatMap((j) => [
      `(i32.store8 offset=${j} ${add(get("outp"), get("c"))} (call $avg1 (i32x4.extract_lane ${j} ${get("lo")}) ${get("count")} ${get("half")} ${get("act_min")} ${get("act_max")}))`,
      `(i32.store8 offset=${j + 4} ${add(get("outp"), get("c"))} (call $avg1 (i32x4.extract_lane ${j} ${get("hi")}) ${get("count")} ${get("half")} ${get("act_min")} ${get("act_max")}))`,
    ])
    .join("\n");

const AVGPOOL = `
(func $avgpool_s8 (export "avgpool_s8") (param $pb i32)
  ${locals("i32", I32_LOCALS)}
  ${locals("v128", ["lo", "hi", "xv"])}
  ${loadFields(FIELDS_RENAMED)}
  ${pixels(`
    ${set("count", mul(sub(get("y1"), get("y0")), sub(get("x1"), get("x0"))))}
    ${set("half", `(i32.shr_u ${get("count")} (i32.const 1))`)}
    ${set("c", i32(0))}
    ${whileLoop(`(i32.le_s ${add(get("c"), i32(8))} ${get("c_n")})`, `
      ${set("lo", "(v128.const i32x4 0 0 0 0)")}
      ${set("hi", "(v128.const i32x4 0 0 0 0)")}
      ${forWindow(`
        ${set("xv", `(v128.load8x8_s ${inputAt()})`)}
        ${set("lo", `(i32x4.add ${get("lo")} (i32x4.extend_low_i16x8_s ${get("xv")}))`)}
        ${set("hi", `(i32x4.add ${get("hi")} (i32x4.extend_high_i16x8_s ${get("xv")}))`)}`)}
      ${avgLanes()}
      ${inc("c", i32(8))}`)}
    ${whileLoop(`(i32.lt_s ${get("c")} ${get("c_n")})`, `
      ${set("s", i32(0))}
      ${forWindow(inc("s", `(i32.load8_s ${inputAt()})`))}
      (i32.store8 ${add(get("outp"), get("c"))} (call $avg1 ${get("s")} ${get("count")} ${get("half")} ${get("act_min")} ${get("act_max")}))
      ${inc("c", i32(1))}`)}`)}
)
`;

const MAXPOOL = `
(func $maxpool_s8 (export "maxpool_s8") (param $pb i32)
  ${locals("i32", I32_LOCALS)}
  ${locals("v128", ["mv", "minv", "maxv"])}
  ${loadFields(FIELDS_RENAMED)}
  ${set("minv", `(i8x16.splat ${get("act_min")})`)}
  ${set("maxv", `(i8x16.splat ${get("act_max")})`)}
  ${pixels(`
    ${set("c", i32(0))}
    ${whileLoop(`(i32.le_s ${add(get("c"), i32(16))} ${get("c_n")})`, `
      ${set("mv", "(v128.const i8x16 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128)")}
      ${forWindow(set("mv", `(i8x16.max_s ${get("mv")} (v128.load ${inputAt()}))`))}
      (v128.store ${add(get("outp"), get("c"))} (i8x16.min_s (i8x16.max_s ${get("mv")} ${get("minv")}) ${get("maxv")}))
      ${inc("c", i32(16))}`)}
    ${whileLoop(`(i32.lt_s ${get("c")} ${get("c_n")})`, `
      ${set("s", i32(-128))}
      ${forWindow(`${set("v", `(i32.load8_s ${inputAt()})`)}
        ${set("s", `(select ${get("v")} ${get("s")} (i32.gt_s ${get("v")} ${get("s")}))`)}`)}
      ${set("s", `(select ${get("act_min")} ${get("s")} (i32.lt_s ${get("s")} ${get("act_min")}))`)}
      ${set("s", `(select ${get("act_max")} ${get("s")} (i32.gt_s ${get("s")} ${get("act_max")}))`)}
      (i32.store8 ${add(get("outp"), get("c"))} ${get("s")})
      ${inc("c", i32(1))}`)}`)}
)
`;

export const POOL_WAT = AVG1 + AVGPOOL + MAXPOOL;
