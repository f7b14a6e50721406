/**
 * Ops that move bytes or convert types: PAD, CONCATENATION, RESHAPE, MEAN, QUANTIZE and DEQUANTIZE.
 * Loops run in output order (so the output may be written over a dying input where the schedule allows),
 * copies are memmove when an alias makes source and destination overlap.
 */
import { dtypeSize, type Graph } from "../../ir/types.js";
import { elementCount } from "../../ir/tensor-data.js";
import type { ConcatenationParams, DequantizeParams, MeanParams, PadParams, QuantizeParams, ReshapeParams } from "../../quant/op-params.js";
import { cFloat32, cInt32 } from "../c-format.js";
import { ScheduleBuilder } from "../schedule.js";
import { strides, type EmitContext, type KernelArena, type KernelCode, type PortableKernel } from "./kernel.js";
import type { ConcatenationShape, DequantizeShape, MeanShape, PadShape, QuantizeShape, ReshapeShape } from "./shape-params.js";

/** Calls f(outRow, inRow | −1) for every output row (all dims but the last) of a PAD, in order. */
function padRows(p: PadShape, f: (outRow: number, inRow: number) => void): void {
  const R = p.input_shape.length;
  const outer = p.output_shape.slice(0, Math.max(R - 1, 0));
  const inStr = strides(p.input_shape.slice(0, Math.max(R - 1, 0)));
  const n = elementCount(outer);
  const idx = new Array<number>(outer.length).fill(0);
  for (let r = 0; r < n; r++) {
    let inRow = 0;
    let inside = true;
    for (let d = 0; d < outer.length; d++) {
      const i = idx[d]! - p.pre_pad[d]!;
      if (i < 0 || i >= p.input_shape[d]!) inside = false;
      inRow += i * inStr[d]!;
    }
    f(r, inside ? inRow : -1);
    for (let d = outer.length - 1; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < outer[d]!) break;
      idx[d] = 0;
    }
  }
}

/** PAD's arena needs: no scratch; the input it may overwrite: output rows are written in order, each input row read first. */
export function padArena(p: PadShape): KernelArena {
  const R = p.input_shape.length;
  const inner = R > 0 ? p.input_shape[R - 1]! : 1;
  const outInner = R > 0 ? p.output_shape[R - 1]! : 1;
  const schedule = () => {
    const sb = new ScheduleBuilder(elementCount(p.input_shape), elementCount(p.output_shape));
    padRows(p, (r, inRow) => {
      if (inRow >= 0) sb.read(inRow * inner, inner, 2 * r);
      sb.write(r * outInner, outInner, 2 * r + 1);
    });
    return sb.build();
  };
  return { scratch: [], alias: { slot: 0, schedule } };
}

export function padKernel(_graph: Graph, p: PadParams): PortableKernel {
  const R = p.input_shape.length;
  const inner = R > 0 ? p.input_shape[R - 1]! : 1;
  const outInner = R > 0 ? p.output_shape[R - 1]! : 1;
  const pre = R > 0 ? p.pre_pad[R - 1]! : 0;
  const post = R > 0 ? p.post_pad[R - 1]! : 0;
  return {
    kind: "pad",
    ...padArena(p),
    emit(ctx: EmitContext): KernelCode {
      const { fn } = ctx;
      const outer = p.output_shape.slice(0, Math.max(R - 1, 0));
      const inStr = strides(p.input_shape.slice(0, Math.max(R - 1, 0)));
      const L: string[] = [];
      L.push(`/* PAD [${p.input_shape.join(",")}] -> [${p.output_shape.join(",")}], value ${p.pad_value} */`);
      L.push(`MN_LAYER void ${fn}(void) {`);
      L.push(`  const int8_t *const in = ${ctx.input(0)};`);
      L.push(`  int8_t *row = ${ctx.output()};`);
      L.push(`  int32_t ${["inside", ...outer.map((_, d) => `d${d}`)].join(", ")};`);
      const ind = (k: number): string => "  ".repeat(k + 1);
      outer.forEach((n, d) => L.push(`${ind(d)}for (d${d} = 0; d${d} < ${n}; d${d}++) {`));
      const k = outer.length;
      const conds = outer.map((_, d) => `d${d} >= ${p.pre_pad[d]} && d${d} < ${p.pre_pad[d]! + p.input_shape[d]!}`);
      L.push(`${ind(k)}inside = ${conds.length > 0 ? conds.join(" && ") : "1"};`);
      const inRow = outer.map((_, d) => `(d${d} - ${p.pre_pad[d]}) * ${inStr[d]}`).join(" + ") || "0";
      // The row is read (memmove) before any byte of it is written: the schedule's order, needed in place.
      L.push(`${ind(k)}if (inside) {`);
      L.push(`${ind(k)}  memmove(row + ${pre}, in + (${inRow}) * ${inner}, ${inner});`);
      if (pre > 0) L.push(`${ind(k)}  memset(row, ${p.pad_value}, ${pre});`);
      if (post > 0) L.push(`${ind(k)}  memset(row + ${pre + inner}, ${p.pad_value}, ${post});`);
      L.push(`${ind(k)}} else {`);
      L.push(`${ind(k)}  memset(row, ${p.pad_value}, ${outInner});`);
      L.push(`${ind(k)}}`);
      L.push(`${ind(k)}row += ${outInner};`);
      for (let d = k - 1; d >= 0; d--) L.push(`${ind(d)}}`);
      if (k === 0) L.push("  (void)inside;");
      L.push("}");
      return { data: "", code: L.join("\n"), call: `${fn}();` };
    },
  };
}

/** Block-copy geometry of a CONCATENATION: outer repetitions, output and input block sizes, block starts. */
function concatGeometry(p: ConcatenationShape): { outer: number; innerOut: number; blocks: number[]; starts: number[] } {
  const shape = p.output_shape;
  let outer = 1;
  for (let d = 0; d < p.axis; d++) outer *= shape[d]!;
  const innerOut = shape.slice(p.axis).reduce((a, b) => a * b, 1);
  const blocks = p.input_shapes.map((s) => s.slice(p.axis).reduce((a, b) => a * b, 1));
  const starts: number[] = [];
  blocks.reduce((acc, b) => (starts.push(acc), acc + b), 0);
  return { outer, innerOut, blocks, starts };
}

/** CONCATENATION's arena needs: no scratch; input 0 may be overwritten (blocks are copied in output order). */
export function concatenationArena(p: ConcatenationShape): KernelArena {
  const { outer, innerOut, blocks, starts } = concatGeometry(p);
  const n = blocks.length;
  const sched = (slot: number) => () => {
    const sb = new ScheduleBuilder(outer * blocks[slot]!, outer * innerOut);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < n; k++) {
        const t = 2 * (o * n + k);
        if (k === slot) sb.read(o * blocks[k]!, blocks[k]!, t);
        sb.write(o * innerOut + starts[k]!, blocks[k]!, t + 1);
      }
    }
    return sb.build();
  };
  return { scratch: [], alias: { slot: 0, schedule: sched(0) } };
}

export function concatenationKernel(graph: Graph, p: ConcatenationParams): PortableKernel {
  const { outer, innerOut, blocks, starts } = concatGeometry(p);
  const n = blocks.length;
  void graph;
  return {
    kind: "concatenation",
    ...concatenationArena(p),
    emit(ctx: EmitContext): KernelCode {
      const { fn } = ctx;
      const L: string[] = [];
      L.push(`/* CONCATENATION of ${n} inputs along axis ${p.axis} */`);
      L.push(`MN_LAYER void ${fn}(void) {`);
      L.push(`  int8_t *const out = ${ctx.output()};`);
      L.push("  int32_t o;");
      L.push(`  for (o = 0; o < ${outer}; o++) {`);
      for (let k = 0; k < n; k++) {
        L.push(`    memmove(out + o * ${innerOut} + ${starts[k]}, ${ctx.input(k)} + o * ${blocks[k]}, ${blocks[k]});`);
      }
      L.push("  }");
      L.push("}");
      return { data: "", code: L.join("\n"), call: `${fn}();` };
    },
  };
}

/** RESHAPE's arena needs: none; its output may simply be its input's bytes (then it needs no code). */
export function reshapeArena(_p: ReshapeShape): KernelArena {
  return { scratch: [], alias: { slot: 0, elide: true } };
}

export function reshapeKernel(graph: Graph, p: ReshapeParams): PortableKernel {
  const bytes = p.size * dtypeSize(graph.tensors[p.tensors.output]!.dtype);
  return {
    kind: "reshape",
    ...reshapeArena(p),
    emit(ctx: EmitContext): KernelCode {
      if (ctx.aliasRel === 0) return { data: "", code: "", call: `/* RESHAPE: the output shares the input's bytes */` };
      const code = [`MN_LAYER void ${ctx.fn}(void) {`, `  memcpy(${ctx.output()}, ${ctx.input(0)}, ${bytes});`, "}"].join("\n");
      return { data: "", code, call: `${ctx.fn}();` };
    },
  };
}

/** MEAN's arena needs: no scratch; the input it may overwrite: each output reads its elements before it is written. */
export function meanArena(p: MeanShape): KernelArena {
  const shape = p.input_shape;
  const st = strides(shape);
  const kept = shape.map((_, d) => d).filter((d) => !p.axes.includes(d));
  const red = p.axes;
  const schedule = () => {
    const sb = new ScheduleBuilder(elementCount(shape), elementCount(kept.map((d) => shape[d]!)));
    const keptShape = kept.map((d) => shape[d]!);
    const redShape = red.map((d) => shape[d]!);
    const nk = elementCount(keptShape);
    const nr = elementCount(redShape);
    const ks = strides(keptShape);
    const rs = strides(redShape);
    for (let o = 0; o < nk; o++) {
      let base = 0;
      kept.forEach((d, j) => { base += Math.floor(o / ks[j]!) % keptShape[j]! * st[d]!; });
      for (let r = 0; r < nr; r++) {
        let i = base;
        red.forEach((d, j) => { i += Math.floor(r / rs[j]!) % redShape[j]! * st[d]!; });
        sb.read(i, 1, 2 * o);
      }
      sb.write(o, 1, 2 * o + 1);
    }
    return sb.build();
  };
  return { scratch: [], alias: { slot: 0, schedule } };
}

export function meanKernel(_graph: Graph, p: MeanParams): PortableKernel {
  const shape = p.input_shape;
  const R = shape.length;
  const st = strides(shape);
  const kept = shape.map((_, d) => d).filter((d) => !p.axes.includes(d));
  const red = p.axes;
  return {
    kind: "mean",
    ...meanArena(p),
    emit(ctx: EmitContext): KernelCode {
      const { fn } = ctx;
      // sum − zp_in·n in 64 bits, then wrapped to int32: add the constant modulo 2^32.
      const corr = cInt32(Number(BigInt.asIntN(32, BigInt(p.input_offset) * BigInt(p.num_elements))));
      const L: string[] = [];
      L.push(`/* MEAN over axes [${red.join(",")}] of [${shape.join(",")}], ${p.num_elements} elements each */`);
      L.push(`MN_LAYER void ${fn}(void) {`);
      L.push(`  const int8_t *const in = ${ctx.input(0)};`);
      L.push(`  int8_t *out = ${ctx.output()};`);
      const vars = [...kept.map((d) => `k${d}`), ...red.map((d) => `r${d}`)];
      if (vars.length > 0) L.push(`  int32_t ${vars.join(", ")};`);
      const ind = (k: number): string => "  ".repeat(k + 1);
      kept.forEach((d, j) => L.push(`${ind(j)}for (k${d} = 0; k${d} < ${shape[d]}; k${d}++) {`));
      const kk = kept.length;
      const base = kept.map((d) => `k${d} * ${st[d]}`).join(" + ") || "0";
      L.push(`${ind(kk)}const int8_t *const s = in + ${base};`);
      L.push(`${ind(kk)}int32_t sum = 0;`);
      L.push(`${ind(kk)}int32_t v;`);
      red.forEach((d, j) => L.push(`${ind(kk + j)}for (r${d} = 0; r${d} < ${shape[d]}; r${d}++) {`));
      const ri = red.map((d) => `r${d} * ${st[d]}`).join(" + ") || "0";
      L.push(`${ind(kk + red.length)}sum = mn_wadd(sum, s[${ri}]);`);
      for (let j = red.length - 1; j >= 0; j--) L.push(`${ind(kk + j)}}`);
      L.push(`${ind(kk)}v = mn_mbqm(mn_wadd(sum, ${corr}), ${cInt32(p.multiplier)}, ${cInt32(p.shift)}) + ${cInt32(p.output_offset)};`);
      L.push(`${ind(kk)}*out++ = (int8_t)mn_ssat8(v);`);
      for (let j = kk - 1; j >= 0; j--) L.push(`${ind(j)}}`);
      L.push("}");
      void R;
      return { data: "", code: L.join("\n"), call: `${fn}();` };
    },
  };
}

function elementSchedule(n: number, inSize: number, outSize: number) {
  return () => {
    const sb = new ScheduleBuilder(n * inSize, n * outSize);
    for (let i = 0; i < n; i++) {
      sb.read(i * inSize, inSize, 2 * i);
      sb.write(i * outSize, outSize, 2 * i + 1);
    }
    return sb.build();
  };
}

/** QUANTIZE's arena needs: no scratch; the input it may overwrite: element by element, read before written. */
export function quantizeArena(graph: Graph, p: QuantizeShape): KernelArena {
  const inSize = dtypeSize(graph.tensors[p.tensors.input]!.dtype);
  return { scratch: [], alias: { slot: 0, schedule: elementSchedule(p.size, inSize, 1) } };
}

export function quantizeKernel(graph: Graph, p: QuantizeParams): PortableKernel {
  const input = graph.tensors[p.tensors.input]!;
  return {
    kind: p.mode === "float" ? "quantize" : "requantize",
    ...quantizeArena(graph, p),
    emit(ctx: EmitContext): KernelCode {
      const { fn } = ctx;
      const L: string[] = [];
      L.push(`MN_LAYER void ${fn}(void) {`);
      L.push(`  const int8_t *const in = ${ctx.input(0)};`);
      L.push(`  int8_t *const out = ${ctx.output()};`);
      L.push("  int32_t i;");
      L.push(`  for (i = 0; i < ${p.size}; i++) {`);
      if (p.mode === "float") {
        // q = clamp(round_half_away(x / scale) + zp), the division in float32; out-of-range saturates
        // (Cortex-M VCVT semantics) and NaN gives 0, as the reference does.
        L.push("    float x, v, f;");
        L.push("    int32_t t;");
        L.push("    memcpy(&x, in + 4 * i, 4);");
        L.push(`    v = x / ${cFloat32(p.scale)};`);
        L.push("    if (v != v) t = 0;");
        L.push("    else if (v >= 2147483648.0f) t = INT32_MAX;");
        L.push("    else if (v <= -2147483648.0f) t = INT32_MIN;");
        L.push("    else {");
        L.push("      t = (int32_t)v;");
        L.push("      f = v - (float)t;");
        L.push("      if (f >= 0.5f) t += 1;");
        L.push("      else if (f <= -0.5f) t -= 1;");
        L.push("    }");
        L.push(`    t = t > 1000 ? 1000 : (t < -1000 ? -1000 : t);`);
        L.push(`    out[i] = (int8_t)mn_ssat8(t + ${cInt32(p.zero_point)});`);
      } else {
        const load = input.dtype === "int8" ? "(int32_t)in[i]" : input.dtype === "int16" ? "mn_ld16(in + 2 * i)" : "mn_ld32(in + 4 * i)";
        L.push(`    const int32_t x = (int32_t)((uint32_t)${load} + (uint32_t)${cInt32(p.input_offset)});`);
        L.push(`    out[i] = (int8_t)mn_ssat8(mn_mbqm(x, ${cInt32(p.multiplier)}, ${cInt32(p.shift)}) + ${cInt32(p.output_offset)});`);
      }
      L.push("  }");
      L.push("}");
      return { data: "", code: L.join("\n"), call: `${fn}();` };
    },
  };
}

/** DEQUANTIZE's arena needs: no scratch; the input it may overwrite: element by element, read before written. */
export function dequantizeArena(p: DequantizeShape): KernelArena {
  return { scratch: [], alias: { slot: 0, schedule: elementSchedule(p.size, 1, 4) } };
}

export function dequantizeKernel(_graph: Graph, p: DequantizeParams): PortableKernel {
  return {
    kind: "dequantize",
    ...dequantizeArena(p),
    emit(ctx: EmitContext): KernelCode {
      const { fn } = ctx;
      // (float)(scale · (q − zp)) in double equals the float32 product: the exact product needs < 34 bits.
      const L = [
        `MN_LAYER void ${fn}(void) {`,
        `  const int8_t *const in = ${ctx.input(0)};`,
        `  int8_t *const out = ${ctx.output()};`,
        "  int32_t i;",
        `  for (i = 0; i < ${p.size}; i++) {`,
        `    const float f = ${cFloat32(p.scale)} * (float)(in[i] - ${cInt32(p.zero_point)});`,
        "    memcpy(out + 4 * i, &f, 4);",
        "  }",
        "}",
      ];
      return { data: "", code: L.join("\n"), call: `${fn}();` };
    },
  };
}
