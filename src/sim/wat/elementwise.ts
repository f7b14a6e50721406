/**
 * ADD and MUL int8 in WebAssembly, elementwise without broadcasting (TFLM AddElementwise / MulElementwise,
 * int8 spec §4.7–4.8). Broadcasting shapes run in TypeScript on the same memory (ts-ops.ts).
 * - ADD: a = (x + in1_off)·2^left_shift, b likewise; out = MBQM(MBQM(a, M1, s1) + MBQM(b, M2, s2), Mo, so)
 *   with the three multipliers in channels 0, 1, 2 of the channel table (bias 0).
 * - MUL: out = MBQM((x + in1_off)·(y + in2_off), M, s), channel 0.
 */
import { add, forRange, get, i32, loadFields, locals, mul, set } from "./dsl.js";
import { ADD_FIELDS, MUL_FIELDS } from "./param-layout.js";

const ADD = `
(func $add_s8 (export "add_s8") (param $pb i32)
  ${locals("i32", [...ADD_FIELDS, "i", "a", "b"])}
  ${loadFields(ADD_FIELDS)}
  ${forRange("i", i32(0), get("size"), `
    ${set("a", `(call $requant1 ${mul(add(`(i32.load8_s ${add(get("input1"), get("i"))})`, get("in1_off")), get("ls_pow"))} ${get("chan")} (i32.const 0) ${get("single")})`)}
    ${set("b", `(call $requant1 ${mul(add(`(i32.load8_s ${add(get("input2"), get("i"))})`, get("in2_off")), get("ls_pow"))} ${get("chan")} (i32.const 1) ${get("single")})`)}
    (i32.store8 ${add(get("output"), get("i"))}
      (call $out1 ${add(get("a"), get("b"))} ${get("chan")} (i32.const 2) ${get("single")} ${get("out_off")} ${get("act_min")} ${get("act_max")}))`)}
)
`;

const MUL = `
(func $mul_s8 (export "mul_s8") (param $pb i32)
  ${locals("i32", [...MUL_FIELDS, "i"])}
  ${loadFields(MUL_FIELDS)}
  ${forRange("i", i32(0), get("size"), `
    (i32.store8 ${add(get("output"), get("i"))}
      (call $out1
        ${mul(add(`(i32.load8_s ${add(get("input1"), get("i"))})`, get("in1_off")), add(`(i32.load8_s ${add(get("input2"), get("i"))})`, get("in2_off")))}
        ${get("chan")} (i32.const 0) ${get("single")} ${get("out_off")} ${get("act_min")} ${get("act_max")}))`)}
)
`;

export const ELEMENTWISE_WAT = ADD + MUL;
