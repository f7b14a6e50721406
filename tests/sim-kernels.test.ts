/**
 * Kernel paths that neither the CMSIS-NN vectors nor the four models reach — grouped convolution, depth
 * multipliers other than 1 and 8, non-zero FC filter offsets, broadcasting ADD/MUL, wide pooling windows,
 * channel counts around the SIMD widths, single rounding — compared on seeded random cases with the
 * reference kernels (themselves checked against TFLM's outputs and hand-derived values). A synthetic graph
 * using every supported op type then runs whole through the simulator's arena, against the interpreter.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { planArena } from "../src/analysis/arena-plan.js";
import { int32Bytes } from "../src/ir/tensor-data.js";
import { axisPadding } from "../src/ir/padding.js";
import type { DType, Graph, Operator, Tensor } from "../src/ir/types.js";
import { validateGraph } from "../src/ir/validate.js";
import type {
  AddKernelParams,
  ConvKernelParams,
  DepthwiseConvKernelParams,
  FullyConnectedKernelParams,
  MulKernelParams,
  PoolKernelParams,
} from "../src/quant/op-params.js";
import { quantizeMultiplier } from "../src/quant/quantize-multiplier.js";
import type { Rounding } from "../src/quant/rounding.js";
import { addS8 } from "../src/reference/add.js";
import { averagePoolS8 } from "../src/reference/average-pool.js";
import { convS8 } from "../src/reference/conv.js";
import { depthwiseConvS8 } from "../src/reference/depthwise-conv.js";
import { fullyConnectedS8 } from "../src/reference/fully-connected.js";
import { runReference, type TensorValue } from "../src/reference/interpreter.js";
import { maxPoolS8 } from "../src/reference/max-pool.js";
import { mulS8 } from "../src/reference/mul.js";
import { loadSimKernels, type SimKernels } from "../src/sim/kernel-runner.js";
import { runWasm } from "../src/sim/simulator.js";
import { firstMismatch } from "./helpers/golden.js";

/** Deterministic xorshift32 with helpers. */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed | 0 || 1;
  }
  next(): number {
    this.s ^= this.s << 13; this.s ^= this.s >>> 17; this.s ^= this.s << 5;
    return this.s >>> 0;
  }
  int(lo: number, hi: number): number {
    return lo + (this.next() % (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.next() % xs.length]!;
  }
  int8s(n: number): Int8Array {
    return Int8Array.from({ length: n }, () => this.int(-128, 127));
  }
  /** A multiplier/shift pair from a real multiplier spread over many octaves (some above 1). */
  quant(rounding: Rounding): { multiplier: number; shift: number } {
    const real = 2 ** (-this.int(0, 22)) * (1 + (this.next() % 1000) / 1000);
    return quantizeMultiplier(real, rounding);
  }
  activation(): { min: number; max: number } {
    const lo = this.pick([-128, -128, this.int(-128, 0)]);
    return { min: lo, max: this.pick([127, 127, this.int(Math.max(lo, 0), 127)]) };
  }
}

const ROUNDINGS: Rounding[] = ["double", "single"];
let k: SimKernels;
beforeAll(async () => {
  k = await loadSimKernels();
});

function expectSame(expected: Int8Array, actual: Int8Array, what: string): void {
  const m = firstMismatch(expected, actual);
  expect(m && `${what}: element ${m.element}: reference ${m.expected}, simulator ${m.actual}`).toBeNull();
}

/** Output size and leading padding, or null when the window does not fit (VALID on a small input). */
function axis(r: Rng, size: number, kSize: number, stride: number, dil: number): { out: number; pad: number } | null {
  const a = axisPadding(r.pick(["same", "valid"] as const), size, kSize, stride, dil);
  return a.out >= 1 ? { out: a.out, pad: a.before } : null;
}

describe("simulator kernels on random cases against the reference kernels", () => {
  it("CONV_2D: groups, dilation, stride, padding, depths around 8, 1–5 filters per group", () => {
    const r = new Rng(11);
    let cases = 0;
    while (cases < 120) {
      const rounding = ROUNDINGS[cases & 1]!;
      const groups = r.pick([1, 1, 2, 3]);
      const cf = r.pick([1, 2, 3, 7, 8, 9, 16, 17, 24]);
      const fpg = r.pick([1, 3, 4, 5, 8, 9]);
      const [n, h, w] = [r.int(1, 2), r.int(1, 9), r.int(1, 9)];
      const [kh, kw, sh, sw, dh, dw] = [r.int(1, 4), r.int(1, 4), r.int(1, 3), r.int(1, 3), r.int(1, 3), r.int(1, 3)];
      const ay = axis(r, h, kh, sh, dh);
      const ax = axis(r, w, kw, sw, dw);
      if (!ay || !ax) continue;
      const cout = groups * fpg;
      const q = Array.from({ length: cout }, () => r.quant(rounding));
      const p: ConvKernelParams = {
        input_offset: r.int(-127, 128), output_offset: r.int(-128, 127),
        stride: { h: sh, w: sw }, padding: { h: ay.pad, w: ax.pad }, dilation: { h: dh, w: dw },
        activation: r.activation(), multiplier: q.map((x) => x.multiplier), shift: q.map((x) => x.shift),
        input_dims: { n, h, w, c: groups * cf }, filter_dims: { n: cout, h: kh, w: kw, c: cf },
        output_dims: { n, h: ay.out, w: ax.out, c: cout }, rounding,
      };
      const input = r.int8s(n * h * w * groups * cf);
      const filter = r.int8s(cout * kh * kw * cf);
      const bias = r.next() & 1 ? Int32Array.from({ length: cout }, () => r.int(0, 1 << 21) - (1 << 20)) : null;
      const want = new Int8Array(n * ay.out * ax.out * cout);
      convS8(p, input, filter, bias, want);
      expectSame(want, k.conv(p, input, filter, bias), `case ${cases} ${JSON.stringify({ groups, cf, fpg, n, h, w, kh, kw, sh, sw, dh, dw, rounding })}`);
      cases++;
    }
  });

  it("DEPTHWISE_CONV_2D: depth multipliers 1–16, channel counts around 8", () => {
    const r = new Rng(23);
    let cases = 0;
    while (cases < 120) {
      const rounding = ROUNDINGS[cases & 1]!;
      const mult = r.pick([1, 1, 2, 3, 4, 8, 12, 16]);
      const cin = r.pick([1, 2, 5, 7, 8, 9, 16, 19]);
      const [n, h, w] = [r.int(1, 2), r.int(1, 9), r.int(1, 9)];
      const [kh, kw, sh, sw, dh, dw] = [r.int(1, 4), r.int(1, 4), r.int(1, 3), r.int(1, 3), r.int(1, 2), r.int(1, 2)];
      const ay = axis(r, h, kh, sh, dh);
      const ax = axis(r, w, kw, sw, dw);
      if (!ay || !ax) continue;
      const cout = cin * mult;
      const q = Array.from({ length: cout }, () => r.quant(rounding));
      const p: DepthwiseConvKernelParams = {
        input_offset: r.int(-127, 128), output_offset: r.int(-128, 127), ch_mult: mult,
        stride: { h: sh, w: sw }, padding: { h: ay.pad, w: ax.pad }, dilation: { h: dh, w: dw },
        activation: r.activation(), multiplier: q.map((x) => x.multiplier), shift: q.map((x) => x.shift),
        input_dims: { n, h, w, c: cin }, filter_dims: { n: 1, h: kh, w: kw, c: cout },
        output_dims: { n, h: ay.out, w: ax.out, c: cout }, rounding,
      };
      const input = r.int8s(n * h * w * cin);
      const filter = r.int8s(kh * kw * cout);
      const bias = r.next() & 1 ? Int32Array.from({ length: cout }, () => r.int(0, 1 << 21) - (1 << 20)) : null;
      const want = new Int8Array(n * ay.out * ax.out * cout);
      depthwiseConvS8(p, input, filter, bias, want);
      expectSame(want, k.depthwise(p, input, filter, bias), `case ${cases} ${JSON.stringify({ mult, cin, n, h, w, kh, kw, sh, sw, dh, dw, rounding })}`);
      cases++;
    }
  });

  it("FULLY_CONNECTED: per tensor (with non-zero filter offsets) and per channel, several batches", () => {
    const r = new Rng(37);
    for (let c = 0; c < 100; c++) {
      const rounding = ROUNDINGS[c & 1]!;
      const perChannel = (c & 2) !== 0;
      const [batches, depth, units] = [r.int(1, 3), r.int(1, 70), r.int(1, 13)];
      const q = Array.from({ length: perChannel ? units : 1 }, () => r.quant(rounding));
      const p: FullyConnectedKernelParams = {
        input_offset: r.int(-127, 128), filter_offset: r.pick([0, r.int(-127, 128)]), output_offset: r.int(-128, 127),
        activation: r.activation(), per_channel: perChannel, multiplier: q.map((x) => x.multiplier), shift: q.map((x) => x.shift),
        batches, accum_depth: depth, output_depth: units, rounding,
      };
      const input = r.int8s(batches * depth);
      const filter = r.int8s(units * depth);
      const bias = r.next() & 1 ? Int32Array.from({ length: units }, () => r.int(0, 1 << 21) - (1 << 20)) : null;
      const want = new Int8Array(batches * units);
      fullyConnectedS8(p, input, filter, bias, want);
      expectSame(want, k.fullyConnected(p, input, filter, bias), `case ${c} ${JSON.stringify({ perChannel, batches, depth, units, filter_offset: p.filter_offset, rounding })}`);
    }
  });

  it("AVERAGE_POOL_2D and MAX_POOL_2D: windows up to 7×7, channel counts around 8 and 16", () => {
    const r = new Rng(41);
    let cases = 0;
    while (cases < 120) {
      const c = r.pick([1, 3, 7, 8, 9, 15, 16, 17, 33]);
      const [n, h, w, kh, kw, sh, sw] = [r.int(1, 2), r.int(1, 10), r.int(1, 10), r.int(1, 7), r.int(1, 7), r.int(1, 3), r.int(1, 3)];
      const ay = axis(r, h, kh, sh, 1);
      const ax = axis(r, w, kw, sw, 1);
      if (!ay || !ax) continue;
      const p: PoolKernelParams = {
        stride: { h: sh, w: sw }, padding: { h: ay.pad, w: ax.pad }, activation: r.activation(),
        input_dims: { n, h, w, c }, filter_dims: { n: 1, h: kh, w: kw, c: 1 }, output_dims: { n, h: ay.out, w: ax.out, c },
      };
      const input = r.int8s(n * h * w * c);
      const avg = new Int8Array(n * ay.out * ax.out * c);
      const max = new Int8Array(avg.length);
      averagePoolS8(p, input, avg);
      maxPoolS8(p, input, max);
      const what = JSON.stringify({ c, n, h, w, kh, kw, sh, sw });
      expectSame(avg, k.averagePool(p, input), `average ${what}`);
      expectSame(max, k.maxPool(p, input), `max ${what}`);
      cases++;
    }
  });

  it("ADD and MUL: elementwise (WebAssembly) and broadcasting (TypeScript path)", () => {
    const r = new Rng(53);
    const shapes: [number[], number[], number[]][] = [
      [[37], [37], [37]],
      [[2, 3, 5], [2, 3, 5], [2, 3, 5]],
      [[2, 1, 5], [1, 3, 1], [2, 3, 5]],
      [[4, 6], [6], [4, 6]],
      [[1], [3, 3], [3, 3]],
    ];
    for (let c = 0; c < 40; c++) {
      const rounding = ROUNDINGS[c & 1]!;
      const [s1, s2, so] = shapes[c % shapes.length]!;
      const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);
      const a = r.int8s(size(s1));
      const b = r.int8s(size(s2));
      const m = (lo: number, hi: number): { multiplier: number; shift: number } => ({ multiplier: r.int(2 ** 30, 2 ** 31 - 1), shift: -r.int(lo, hi) });
      const [m1, m2, mo] = [m(0, 3), m(0, 3), m(16, 22)];
      const add: AddKernelParams = {
        input1_offset: r.int(-127, 128), input1_multiplier: m1.multiplier, input1_shift: m1.shift,
        input2_offset: r.int(-127, 128), input2_multiplier: m2.multiplier, input2_shift: m2.shift,
        left_shift: 20, output_offset: r.int(-128, 127), output_multiplier: mo.multiplier, output_shift: mo.shift,
        activation: r.activation(), input1_shape: s1, input2_shape: s2, output_shape: so, rounding,
      };
      const wantAdd = new Int8Array(size(so));
      addS8(add, a, b, wantAdd);
      expectSame(wantAdd, k.add(add, a, b), `add case ${c}`);
      const mq = m(6, 12);
      const mul: MulKernelParams = {
        input1_offset: r.int(-127, 128), input2_offset: r.int(-127, 128), output_offset: r.int(-128, 127),
        output_multiplier: mq.multiplier, output_shift: mq.shift, activation: r.activation(),
        input1_shape: s1, input2_shape: s2, output_shape: so, rounding,
      };
      const wantMul = new Int8Array(size(so));
      mulS8(mul, a, b, wantMul);
      expectSame(wantMul, k.mul(mul, a, b), `mul case ${c}`);
    }
  });
});

// ---- a synthetic graph with every op type ----------------------------------------------------------------

interface TSpec {
  shape: number[];
  dtype?: DType;
  scale?: number | number[];
  zp?: number;
  axis?: number;
  data?: Uint8Array;
}

function graphOf(specs: TSpec[], ops: Omit<Operator, "version">[], inputs: number[], outputs: number[]): Graph {
  const tensors: Tensor[] = specs.map((s, id) => {
    const scales = s.scale === undefined ? null : Array.isArray(s.scale) ? s.scale : [s.scale];
    return {
      id, name: `t${id}`, dtype: s.dtype ?? "int8", shape: s.shape,
      quant: scales ? { scale: scales.map(Math.fround), zeroPoint: scales.map(() => s.zp ?? 0), axis: s.axis ?? 0 } : null,
      constant: s.data !== undefined, data: s.data ?? null, isVariable: false,
    };
  });
  return validateGraph({ name: "every-op", description: "", tensors, operators: ops.map((o) => ({ ...o, version: 1 }) as Operator), inputs, outputs, metadata: [] });
}

function everyOpGraph(): Graph {
  const r = new Rng(71);
  const i8 = (n: number): Uint8Array => new Uint8Array(r.int8s(n).buffer);
  const i32 = (n: number, span: number): Uint8Array => int32Bytes(Array.from({ length: n }, () => r.int(-span, span)));
  const conv = { padding: "same" as const, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: "relu" as const };
  const specs: TSpec[] = [
    /* 0 */ { shape: [1, 6, 6, 3], dtype: "float32" },
    /* 1 */ { shape: [1, 6, 6, 3], scale: 0.05, zp: 3 },
    /* 2 grouped filter */ { shape: [6, 3, 3, 1], scale: [0.02, 0.03, 0.025, 0.02, 0.04, 0.01], axis: 0, data: i8(54) },
    /* 3 */ { shape: [6], dtype: "int32", scale: 0.001, data: i32(6, 500) },
    /* 4 */ { shape: [1, 6, 6, 6], scale: 0.08, zp: -20 },
    /* 5 paddings */ { shape: [4, 2], dtype: "int32", data: int32Bytes([0, 0, 1, 1, 1, 1, 0, 0]) },
    /* 6 */ { shape: [1, 8, 8, 6], scale: 0.08, zp: -20 },
    /* 7 */ { shape: [1, 4, 4, 6], scale: 0.08, zp: -20 },
    /* 8 dw filter */ { shape: [1, 3, 3, 12], scale: 0.03, data: i8(108) },
    /* 9 */ { shape: [1, 4, 4, 12], scale: 0.1, zp: 5 },
    /* 10 constant addend */ { shape: [1, 1, 1, 12], scale: 0.07, zp: 2, data: i8(12) },
    /* 11 */ { shape: [1, 4, 4, 12], scale: 0.12, zp: -3 },
    /* 12 */ { shape: [1, 4, 4, 12], scale: 0.11, zp: 1 },
    /* 13 mean axes */ { shape: [2], dtype: "int32", data: int32Bytes([1, 2]) },
    /* 14 */ { shape: [1, 1, 1, 12], scale: 0.09, zp: 0 },
    /* 15 reshape shape */ { shape: [2], dtype: "int32", data: int32Bytes([1, 12]) },
    /* 16 */ { shape: [1, 12], scale: 0.09, zp: 0 },
    /* 17 */ { shape: [1, 24], scale: 0.09, zp: 0 },
    /* 18 fc filter */ { shape: [5, 24], scale: 0.02, data: i8(120) },
    /* 19 */ { shape: [5], dtype: "int32", scale: 0.0018, data: i32(5, 300) },
    /* 20 */ { shape: [1, 5], scale: 0.15, zp: 4 },
    /* 21 */ { shape: [1, 5], scale: 0.2, zp: -7 },
    /* 22 */ { shape: [1, 5], scale: 1 / 256, zp: -128 },
    /* 23 */ { shape: [1, 5], dtype: "float32" },
    /* 24 */ { shape: [1, 4, 4, 12], scale: 0.1, zp: 5 },
    /* 25 */ { shape: [1, 4, 4, 12], scale: 0.05, zp: 9 },
  ];
  const ops: Omit<Operator, "version">[] = [
    { type: "QUANTIZE", attrs: {}, inputs: [0], outputs: [1] },
    { type: "CONV_2D", attrs: conv, inputs: [1, 2, 3], outputs: [4] },
    { type: "PAD", attrs: {}, inputs: [4, 5], outputs: [6] },
    { type: "MAX_POOL_2D", attrs: { padding: "valid", strideH: 2, strideW: 2, filterH: 2, filterW: 2, activation: "none" }, inputs: [6], outputs: [7] },
    { type: "DEPTHWISE_CONV_2D", attrs: { ...conv, depthMultiplier: 2, activation: "relu6" }, inputs: [7, 8, -1], outputs: [9] },
    { type: "AVERAGE_POOL_2D", attrs: { padding: "same", strideH: 1, strideW: 1, filterH: 3, filterW: 3, activation: "none" }, inputs: [9], outputs: [24] },
    { type: "QUANTIZE", attrs: {}, inputs: [24], outputs: [25] },
    { type: "ADD", attrs: { activation: "none" }, inputs: [25, 10], outputs: [11] },
    { type: "MUL", attrs: { activation: "none" }, inputs: [11, 9], outputs: [12] },
    { type: "MEAN", attrs: { keepDims: true }, inputs: [12, 13], outputs: [14] },
    { type: "RESHAPE", attrs: { newShape: [1, 12] }, inputs: [14, 15], outputs: [16] },
    { type: "CONCATENATION", attrs: { axis: 1, activation: "none" }, inputs: [16, 16], outputs: [17] },
    { type: "FULLY_CONNECTED", attrs: { activation: "none", keepNumDims: false }, inputs: [17, 18, 19], outputs: [20] },
    { type: "ADD", attrs: { activation: "relu" }, inputs: [20, 20], outputs: [21] },
    { type: "SOFTMAX", attrs: { beta: 1 }, inputs: [21], outputs: [22] },
    { type: "DEQUANTIZE", attrs: {}, inputs: [22], outputs: [23] },
  ];
  return graphOf(specs, ops, [0], [23]);
}

describe("a graph with every op type, run whole in the simulator's arena", () => {
  const graph = everyOpGraph();
  const input = Float32Array.from({ length: 108 }, (_, i) => Math.fround(Math.sin(i * 0.37) * 4));

  it("TFLM's plan reuses arena bytes, so the run exercises reuse", () => {
    const plan = planArena(graph);
    const sum = plan.buffers.reduce((a, b) => a + b.size, 0);
    expect(plan.total).toBeLessThan(sum);
  });

  for (const rounding of ROUNDINGS) {
    it(`every tensor equals the reference interpreter's (${rounding} rounding)`, async () => {
      const ref = runReference(graph, [input], { rounding, keepIntermediates: true });
      const ours = await runWasm(graph, [input], { rounding, keepIntermediates: true });
      for (const [id, v] of ref.intermediates!) {
        const got = ours.intermediates!.get(id) as TensorValue | undefined;
        expect(got, `tensor ${id}`).toBeDefined();
        const m = firstMismatch(v, got!);
        expect(m && `tensor ${id} element ${m.element}: reference ${m.expected}, simulator ${m.actual}`).toBeNull();
      }
      expect(ours.outputs[0]).toBeInstanceOf(Float32Array);
      expect(firstMismatch(ref.outputs[0]!, ours.outputs[0]!)).toBeNull();
    });
  }
});
