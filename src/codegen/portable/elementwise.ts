/**
 * ADD and MUL (int8, NumPy broadcasting) as a flat loop over the output, with the per-element arithmetic
 * specialised to the layer's constants: ADD's three double-rounding multiplications are SMMULR plus a
 * constant rounding shift (the operands are provably below 2^29, so the doubling never overflows), MUL's one
 * likewise where its left shift allows, the exact int64 form otherwise.
 */
import type { Graph } from "../../ir/types.js";
import type { AddParams, MulParams } from "../../quant/op-params.js";
import { elementCount } from "../../ir/tensor-data.js";
import { broadcastStrides, forEachBroadcast, sameShape } from "../../reference/broadcast.js";
import { cInt32 } from "../c-format.js";
import { ScheduleBuilder, type AccessSchedule } from "../schedule.js";
import { type EmitContext, type KernelArena, type KernelCode, type PortableKernel } from "./kernel.js";
import type { BinaryShape } from "./shape-params.js";
import { clampReturn } from "./requant.js";

/** RoundingDivideByPOT by a constant e (0 ≤ e ≤ 31) as a C expression over an int32 variable `y`. */
export function rdbpotConst(y: string, e: number): string {
  if (e === 0) return y;
  return `((((${y} + (${y} >> 31)) >> ${e - 1}) + 1) >> 1)`;
}

/** C loop over the output: `body` uses `o`, `i1`, `i2` (flat indices). */
function loopCode(s1: readonly number[], s2: readonly number[], out: readonly number[], body: string): string {
  const n = elementCount(out);
  if (sameShape(s1, out) && sameShape(s2, out)) {
    return `  int32_t o;\n  for (o = 0; o < ${n}; o++) {\n    const int32_t i1 = o, i2 = o;\n    ${body}\n  }`;
  }
  const b1 = broadcastStrides(s1, out);
  const b2 = broadcastStrides(s2, out);
  const R = out.length;
  const L: string[] = [];
  L.push(`  int32_t o = 0${out.map((_, d) => `, d${d}`).join("")};`);
  for (let d = 0; d < R; d++) L.push(`${"  ".repeat(d + 1)}for (d${d} = 0; d${d} < ${out[d]}; d${d}++) {`);
  const ind = "  ".repeat(R + 1);
  const e1 = b1.map((s, d) => (s ? `d${d} * ${s}` : "")).filter(Boolean).join(" + ") || "0";
  const e2 = b2.map((s, d) => (s ? `d${d} * ${s}` : "")).filter(Boolean).join(" + ") || "0";
  L.push(`${ind}const int32_t i1 = ${e1}, i2 = ${e2};`);
  L.push(`${ind}${body}`);
  L.push(`${ind}o++;`);
  for (let d = R - 1; d >= 0; d--) L.push(`${"  ".repeat(d + 1)}}`);
  return L.join("\n");
}

function scheduleFor(s1: readonly number[], s2: readonly number[], out: readonly number[], slot: 0 | 1): AccessSchedule {
  const inShape = slot === 0 ? s1 : s2;
  const sb = new ScheduleBuilder(elementCount(inShape), elementCount(out));
  forEachBroadcast(s1, s2, out, (o, i1, i2) => {
    sb.read(slot === 0 ? i1 : i2, 1, 2 * o);
    sb.write(o, 1, 2 * o + 1);
  });
  return sb.build();
}

/** ADD's and MUL's arena needs: no scratch; the input with the output's shape may be overwritten. */
export function binaryArena(p: BinaryShape): KernelArena {
  const s1 = p.input1_shape;
  const s2 = p.input2_shape;
  const out = p.output_shape;
  // Offer the input that has the output's shape (the other may be broadcast); the planner keeps one.
  const slot: 0 | 1 = sameShape(s1, out) ? 0 : 1;
  return { scratch: [], alias: sameShape(slot === 0 ? s1 : s2, out) ? { slot, schedule: () => scheduleFor(s1, s2, out, slot) } : undefined };
}

function binaryKernel(graph: Graph, p: AddParams | MulParams, opCode: (fn: string) => string): PortableKernel {
  const s1 = p.input1_shape;
  const s2 = p.input2_shape;
  const out = p.output_shape;
  return {
    kind: p.type === "ADD" ? "add" : "mul",
    ...binaryArena(p),
    emit(ctx: EmitContext): KernelCode {
      const { fn } = ctx;
      void graph;
      const code = [
        opCode(fn),
        `/* ${p.type} [${s1.join(",")}] x [${s2.join(",")}] -> [${out.join(",")}] */`,
        `MN_LAYER void ${fn}(void) {`,
        `  const int8_t *const a = ${ctx.input(0)};`,
        `  const int8_t *const b = ${ctx.input(1)};`,
        `  int8_t *const out = ${ctx.output()};`,
        loopCode(s1, s2, out, `out[o] = (int8_t)${fn}_op(a[i1], b[i2]);`),
        "}",
      ].join("\n");
      return { data: "", code, call: `${fn}();` };
    },
  };
}

export function addKernel(graph: Graph, p: AddParams): PortableKernel {
  return binaryKernel(graph, p, (fn) => {
    const scale = 2 ** (p.left_shift + 1); // a·2^left_shift, doubled for SMMULR
    const lines = [
      `MN_INLINE int32_t ${fn}_op(int32_t x, int32_t y) {`,
      `  int32_t a = mn_smmulr((x + ${cInt32(p.input1_offset)}) * ${cInt32(scale)}, ${cInt32(p.input1_multiplier)});`,
      `  int32_t b = mn_smmulr((y + ${cInt32(p.input2_offset)}) * ${cInt32(scale)}, ${cInt32(p.input2_multiplier)});`,
      "  int32_t s;",
      `  a = ${rdbpotConst("a", -p.input1_shift)};`,
      `  b = ${rdbpotConst("b", -p.input2_shift)};`,
      `  s = mn_smmulr((a + b) * 2, ${cInt32(p.output_multiplier)});`,
      `  s = ${rdbpotConst("s", -p.output_shift)} + ${cInt32(p.output_offset)};`,
      `  ${clampReturn("s", p.activation)}`,
      "}",
    ];
    return lines.join("\n");
  });
}

export function mulKernel(graph: Graph, p: MulParams): PortableKernel {
  return binaryKernel(graph, p, (fn) => {
    const s = p.output_shift;
    // |(x + o1)(y + o2)| ≤ 255·255 < 2^16: SMMULR on prod·2^(s+1) is exact while that stays below 2^31.
    const fast = s <= 0 || s + 1 <= 14;
    const lines = [`MN_INLINE int32_t ${fn}_op(int32_t x, int32_t y) {`, `  const int32_t prod = (x + ${cInt32(p.input1_offset)}) * (y + ${cInt32(p.input2_offset)});`];
    if (fast && s <= 0) {
      lines.push(`  int32_t r = mn_smmulr(prod * 2, ${cInt32(p.output_multiplier)});`);
      lines.push(`  r = ${rdbpotConst("r", -s)} + ${cInt32(p.output_offset)};`);
    } else if (fast) {
      lines.push(`  int32_t r = mn_smmulr(prod * ${cInt32(2 ** (s + 1))}, ${cInt32(p.output_multiplier)}) + ${cInt32(p.output_offset)};`);
    } else {
      lines.push(`  int32_t r = mn_mbqm(prod, ${cInt32(p.output_multiplier)}, ${cInt32(s)}) + ${cInt32(p.output_offset)};`);
    }
    lines.push(`  ${clampReturn("r", p.activation)}`, "}");
    return lines.join("\n");
  });
}
