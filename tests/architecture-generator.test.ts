/**
 * The seeded weight generator and the activation quantization plan: determinism, float32 scales, the
 * quantization rules TFLite imposes, explicit weights, and a forward pass that neither saturates nor collapses.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadArchitecture, readArchitectureFile } from "../src/frontends/architecture/index.js";
import { SplitMix32, streamSeed } from "../src/util/prng.js";
import { axisPadding } from "../src/ir/padding.js";
import { elementCount, int32Data, int8Data, integerData } from "../src/ir/tensor-data.js";
import type { Graph, Tensor } from "../src/ir/types.js";

const DIR = "fixtures/architectures";

function constantsBytes(g: Graph): string[] {
  return g.tensors.filter((t) => t.constant).map((t) => Buffer.from(t.data ?? new Uint8Array()).toString("hex"));
}

describe("seeded generation", () => {
  it("the same seed gives identical bytes and quantization; another seed differs", () => {
    const a = readArchitectureFile(`${DIR}/micronet-kws-s.json`, { weights: "generate", seed: 7 });
    const b = readArchitectureFile(`${DIR}/micronet-kws-s.json`, { weights: "generate", seed: 7 });
    const c = readArchitectureFile(`${DIR}/micronet-kws-s.json`, { weights: "generate", seed: 8 });
    expect(constantsBytes(a)).toEqual(constantsBytes(b));
    expect(a.tensors.map((t) => t.quant)).toEqual(b.tensors.map((t) => t.quant));
    const ca = constantsBytes(a);
    const cc = constantsBytes(c);
    const filterIds = a.tensors.filter((t) => t.constant && t.dtype === "int8").map((t) => a.tensors.filter((u) => u.constant).indexOf(t));
    for (const k of filterIds) expect(cc[k]).not.toBe(ca[k]);
  });

  it("the document's weights.generate.seed equals the seed option; the option overrides it", () => {
    const doc = JSON.parse(readFileSync(`${DIR}/mlperf-tiny-ds-cnn.json`, "utf8"));
    const fromDoc = loadArchitecture({ ...doc, weights: { generate: { seed: 42 } } });
    const fromOpt = loadArchitecture(doc, { weights: "generate", seed: 42 });
    const overridden = loadArchitecture({ ...doc, weights: { generate: { seed: 42 } } }, { seed: 43 });
    expect(constantsBytes(fromDoc)).toEqual(constantsBytes(fromOpt));
    expect(constantsBytes(overridden)).not.toEqual(constantsBytes(fromDoc));
    const shapeOnly = loadArchitecture({ ...doc, weights: { generate: { seed: 42 } } }, { weights: "none" });
    expect(shapeOnly.tensors.filter((t) => t.constant && t.dtype === "int8").every((t) => t.data === null)).toBe(true);
  });

  it("shape-only and generated graphs have the same activation quantization and the same weight scale counts", () => {
    const a = readArchitectureFile(`${DIR}/micronet-vww-2.json`, { seed: 3 });
    const b = readArchitectureFile(`${DIR}/micronet-vww-2.json`, { weights: "generate", seed: 3 });
    const activations = (g: Graph) => g.tensors.filter((t) => !t.constant).map((t) => t.quant);
    expect(activations(a)).toEqual(activations(b));
    // Generated weight scales follow the drawn values; shape-only ones their expectation. Counts and axes agree.
    const layout = (g: Graph) => g.tensors.filter((t) => t.constant).map((t) => [t.quant?.scale.length, t.quant?.axis]);
    expect(layout(a)).toEqual(layout(b));
    // Index tensors always carry data (validateGraph needs it), weights only when generated.
    for (const t of a.tensors.filter((x) => x.constant)) expect(t.data !== null).toBe(t.name.endsWith("/paddings") || t.name.endsWith("/shape"));
  });

  it("SplitMix32 int8 draws cover [-127, 127] evenly; streams for different layers differ", () => {
    const s = new SplitMix32(streamSeed(1, 2, 3));
    const counts = new Map<number, number>();
    const n = 255 * 400;
    for (let i = 0; i < n; i++) {
      const v = s.int(-127, 127);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect(counts.size).toBe(255);
    expect(Math.min(...counts.keys())).toBe(-127);
    expect(Math.max(...counts.keys())).toBe(127);
    // 400 expected per value; a binomial with σ ≈ 20, so ±25 % is over 5σ.
    for (const c of counts.values()) expect(Math.abs(c - 400)).toBeLessThan(100);
    const a = new SplitMix32(streamSeed(1, 2, 3));
    const b = new SplitMix32(streamSeed(1, 3, 3));
    expect(Array.from({ length: 8 }, () => a.nextU32())).not.toEqual(Array.from({ length: 8 }, () => b.nextU32()));
  });
});

describe("quantization rules", () => {
  const graphs = ["micronet-kws-m.json", "micronet-vww-3.json", "mobilenet-v1-0.25-person-detect.json", "ds-cnn-m.json"].map((f) =>
    readArchitectureFile(`${DIR}/${f}`, { weights: "generate", seed: 1 }),
  );

  it("every scale is a float32 value and every zero point an int8 (weights 0)", () => {
    for (const g of graphs) {
      for (const t of g.tensors) {
        if (!t.quant) continue;
        expect(t.quant.scale.filter((s) => !(Math.fround(s) === s && s > 0)), t.name).toEqual([]);
        if (t.constant) expect(t.quant.zeroPoint.every((z) => z === 0)).toBe(true);
        else expect(t.quant.zeroPoint.every((z) => z >= -128 && z <= 127)).toBe(true);
      }
    }
  });

  it("softmax outputs are 1/256, -128; relu/relu6 outputs have zero point -128; pools share their input's", () => {
    for (const g of graphs) {
      for (const op of g.operators) {
        const out = g.tensors[op.outputs[0]!]!;
        const inp = g.tensors[op.inputs[0]!]!;
        if (op.type === "SOFTMAX") expect(out.quant).toEqual({ scale: [1 / 256], zeroPoint: [-128], axis: 0 });
        if ("activation" in op.attrs && (op.attrs.activation === "relu" || op.attrs.activation === "relu6")) expect(out.quant!.zeroPoint).toEqual([-128]);
        if (op.attrs && "activation" in op.attrs && op.attrs.activation === "relu6" && op.type !== "AVERAGE_POOL_2D") expect(out.quant!.scale[0]).toBe(Math.fround(6 / 255));
        if (op.type === "AVERAGE_POOL_2D" || op.type === "MAX_POOL_2D" || op.type === "RESHAPE" || op.type === "PAD") expect(out.quant).toEqual(inp.quant);
      }
    }
  });

  it("filters are int8 in [-127, 127], per channel (axis 0 conv, 3 depthwise) with a ±127 in every channel; biases int32 at input×filter scale", () => {
    for (const g of graphs) {
      for (const op of g.operators) {
        if (op.type !== "CONV_2D" && op.type !== "DEPTHWISE_CONV_2D") continue;
        const input = g.tensors[op.inputs[0]!]!;
        const filter = g.tensors[op.inputs[1]!]!;
        const bias = g.tensors[op.inputs[2]!]!;
        const axis = op.type === "CONV_2D" ? 0 : 3;
        const channels = filter.shape[axis]!;
        expect(filter.quant!.axis).toBe(axis);
        expect(filter.quant!.scale.length).toBe(channels);
        const q = int8Data(filter);
        const maxAbs = new Array<number>(channels).fill(0);
        let min = 0;
        q.forEach((v, i) => {
          min = Math.min(min, v);
          const c = axis === 0 ? Math.floor(i / (q.length / channels)) : i % channels;
          maxAbs[c] = Math.max(maxAbs[c]!, Math.abs(v));
        });
        expect(min).toBeGreaterThanOrEqual(-127);
        expect(maxAbs.every((m) => m === 127)).toBe(true);
        expect(bias.dtype).toBe("int32");
        expect(int32Data(bias).length).toBe(channels);
        bias.quant!.scale.forEach((s, c) => expect(s).toBe(Math.fround(input.quant!.scale[0]! * filter.quant!.scale[c]!)));
      }
    }
  });

  it("concat inputs and output share one quantization chosen to cover all inputs", () => {
    const g = loadArchitecture({
      name: "cat",
      input: { shape: [1, 6, 6, 4] },
      weights: { generate: { seed: 5 } },
      layers: [
        { name: "a", type: "conv2d", filters: 4, kernel: 3, activation: "relu6" },
        { name: "b", type: "conv2d", inputs: ["input"], filters: 6, kernel: 1 },
        { name: "c", type: "maxpool", inputs: ["b"], kernel: 1 },
        { name: "cat", type: "concat", inputs: ["a", "c"] },
      ],
    });
    const q = (name: string) => g.tensors.find((t) => t.name === name)!.quant;
    expect(q("a")).toEqual(q("cat"));
    expect(q("b")).toEqual(q("cat"));
    expect(q("c")).toEqual(q("cat"));
    // The shared range covers the relu6 branch's 0..6 and the linear branch's negative values.
    const s = q("cat")!.scale[0]!;
    const zp = q("cat")!.zeroPoint[0]!;
    expect(s * (127 - zp)).toBeGreaterThanOrEqual(6 - 1e-6);
    expect(zp).toBeGreaterThan(-128);
  });

  it("every layer type lowers to its TFLite op and validates, shape-only and generated", () => {
    const doc = {
      name: "all-types",
      input: { shape: [1, 8, 8, 4] },
      layers: [
        { name: "c", type: "conv2d", filters: 8, kernel: [3, 1], stride: [2, 1], dilation: 1, groups: 2, activation: "relu" },
        { name: "d", type: "depthwise_conv2d", kernel: 3, depthMultiplier: 2, dilation: [1, 2], padding: "same", activation: "relu6" },
        { name: "p", type: "pad", paddings: [[0, 0], [1, 1], [0, 0], [0, 0]] },
        { name: "mp", type: "maxpool", kernel: 2, stride: 1, padding: "same" },
        { name: "ap", type: "avgpool", inputs: ["mp"], kernel: "global" },
        { name: "m", type: "mean", inputs: ["mp"], axes: [1, 2], keepDims: true },
        { name: "x", type: "mul", inputs: ["ap", "m"] },
        { name: "q", type: "quantize", quantization: { scale: 0.05, zeroPoint: 3 } },
        { name: "r", type: "reshape", shape: [1, -1] },
        { name: "fc", type: "fully_connected", units: 5, keepNumDims: true, useBias: false },
        { name: "s", type: "softmax", beta: 0.5 },
        { name: "dq", type: "dequantize" },
      ],
      outputs: ["dq", "fc"],
    };
    const types = ["CONV_2D", "DEPTHWISE_CONV_2D", "PAD", "MAX_POOL_2D", "AVERAGE_POOL_2D", "MEAN", "MUL", "QUANTIZE", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX", "DEQUANTIZE"];
    for (const weights of ["none", "generate"] as const) {
      const g = loadArchitecture(doc, { weights, seed: 9 });
      expect(g.operators.map((o) => o.type)).toEqual(types);
      const shape = (name: string) => g.tensors.find((t) => t.name === name)!.shape;
      // By hand: 8×8 → conv [3,1] stride [2,1] 'same' → 4×8; depthwise ×2 → 16 channels; pad H 1+1 → 6×8.
      expect(shape("c")).toEqual([1, 4, 8, 8]);
      expect(shape("c/filter")).toEqual([8, 3, 1, 2]);
      expect(shape("d/filter")).toEqual([1, 3, 3, 16]);
      expect(shape("p")).toEqual([1, 6, 8, 16]);
      expect(shape("ap")).toEqual([1, 1, 1, 16]);
      expect(shape("m")).toEqual([1, 1, 1, 16]);
      expect(shape("r")).toEqual([1, 16]);
      expect(shape("fc")).toEqual([1, 5]);
      expect(g.tensors.find((t) => t.name === "dq")!.dtype).toBe("float32");
      expect(g.outputs.map((id) => g.tensors[id]!.name)).toEqual(["dq", "fc"]);
      expect(g.tensors.find((t) => t.name === "q")!.quant).toEqual({ scale: [Math.fround(0.05)], zeroPoint: [3], axis: 0 });
    }
  });

  it("explicit weights and quantization are used exactly", () => {
    const g = loadArchitecture({
      name: "explicit",
      input: { shape: [1, 2, 2, 1], quantization: { scale: 0.5, zeroPoint: -3 } },
      layers: [
        {
          name: "c",
          type: "conv2d",
          filters: 2,
          kernel: 1,
          quantization: { scale: 0.1, zeroPoint: 4 },
          weights: { filter: [5, -127], filterScale: [0.25, 0.1], bias: [100, -7] },
        },
        { name: "fc", type: "fully_connected", units: 1, useBias: false, weights: { filter: [1, 2, 3, 4, 5, 6, 7, 8], filterScale: 0.03 } },
      ],
    });
    const c = g.tensors.find((t) => t.name === "c")!;
    const filter = g.tensors.find((t) => t.name === "c/filter")!;
    const bias = g.tensors.find((t) => t.name === "c/bias")!;
    expect(Array.from(int8Data(filter))).toEqual([5, -127]);
    expect(filter.quant).toEqual({ scale: [0.25, Math.fround(0.1)], zeroPoint: [0, 0], axis: 0 });
    expect(Array.from(int32Data(bias))).toEqual([100, -7]);
    expect(bias.quant!.scale).toEqual([0.125, Math.fround(0.5 * Math.fround(0.1))]);
    expect(c.quant).toEqual({ scale: [Math.fround(0.1)], zeroPoint: [4], axis: 0 });
    expect(g.tensors[0]!.quant).toEqual({ scale: [0.5], zeroPoint: [-3], axis: 0 });
    const fc = g.operators[1]!;
    expect(fc.inputs.length).toBe(2);
    expect(Array.from(int8Data(g.tensors[fc.inputs[1]!]!))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// A float forward pass over the generated model: each op computes in real numbers from the dequantized
// inputs and weights, then its result is quantized with the output tensor's parameters, as int8 inference
// would. Written from the op definitions (NHWC; TFLite padding), independent of the planner.

type Values = Float64Array;

function dequant(t: Tensor, q: ArrayLike<number>): Values {
  const out = new Float64Array(q.length);
  const s = t.quant!.scale;
  const axis = t.quant!.axis;
  const inner = elementCount(t.shape.slice(axis + 1));
  for (let i = 0; i < q.length; i++) {
    const c = s.length > 1 ? Math.floor(i / inner) % s.length : 0;
    out[i] = s[c]! * (q[i]! - t.quant!.zeroPoint[c]!);
  }
  return out;
}

interface Stats {
  saturated: number;
  levels: number;
  count: number;
}

function requantize(t: Tensor, real: Values): { q: Int32Array; stats: Stats } {
  const s = t.quant!.scale[0]!;
  const zp = t.quant!.zeroPoint[0]!;
  const q = new Int32Array(real.length);
  let saturated = 0;
  const seen = new Set<number>();
  for (let i = 0; i < real.length; i++) {
    const v = Math.round(real[i]! / s) + zp;
    if (v > 127 || v < -128) saturated++;
    q[i] = Math.min(127, Math.max(-128, v));
    seen.add(q[i]!);
  }
  return { q, stats: { saturated, levels: seen.size, count: real.length } };
}

function act(v: number, a: string): number {
  return a === "relu" ? Math.max(0, v) : a === "relu6" ? Math.min(6, Math.max(0, v)) : v;
}

function forward(g: Graph): Map<string, Stats> {
  const values = new Map<number, Values>();
  const input = g.tensors[g.inputs[0]!]!;
  const n = elementCount(input.shape);
  values.set(input.id, dequant(input, Array.from({ length: n }, (_, i) => (((i * 7 + 3) % 256) + 256) % 256 - 128)));
  const result = new Map<string, Stats>();
  for (const op of g.operators) {
    const x = values.get(op.inputs[0]!)!;
    const xt = g.tensors[op.inputs[0]!]!;
    const out = g.tensors[op.outputs[0]!]!;
    const y = new Float64Array(elementCount(out.shape));
    const a = op.attrs as Record<string, any>;
    if (op.type === "CONV_2D" || op.type === "DEPTHWISE_CONV_2D") {
      const ft = g.tensors[op.inputs[1]!]!;
      const w = dequant(ft, int8Data(ft));
      const bt = g.tensors[op.inputs[2]!];
      const b = bt ? dequant(bt, int32Data(bt)) : null;
      const [, h, wd, cin] = xt.shape as number[];
      const [, oh, ow, cout] = out.shape as number[];
      const [, kh, kw] = ft.shape as number[];
      const ph = axisPadding(a.padding, h!, kh!, a.strideH, a.dilationH).before;
      const pw = axisPadding(a.padding, wd!, kw!, a.strideW, a.dilationW).before;
      const cf = op.type === "CONV_2D" ? ft.shape[3]! : 1;
      for (let oy = 0; oy < oh!; oy++) for (let ox = 0; ox < ow!; ox++) for (let oc = 0; oc < cout!; oc++) {
        let acc = b ? b[oc]! : 0;
        for (let ky = 0; ky < kh!; ky++) for (let kx = 0; kx < kw!; kx++) {
          const iy = oy * a.strideH - ph + ky * a.dilationH;
          const ix = ox * a.strideW - pw + kx * a.dilationW;
          if (iy < 0 || ix < 0 || iy >= h! || ix >= wd!) continue;
          if (op.type === "CONV_2D") {
            const g0 = Math.floor(oc / (cout! / (cin! / cf)));
            for (let ic = 0; ic < cf; ic++) acc += w[((oc * kh! + ky) * kw! + kx) * cf + ic]! * x[(iy * wd! + ix) * cin! + g0 * cf + ic]!;
          } else {
            acc += w[(ky * kw! + kx) * cout! + oc]! * x[(iy * wd! + ix) * cin! + Math.floor(oc / a.depthMultiplier)]!;
          }
        }
        y[(oy * ow! + ox) * cout! + oc] = act(acc, a.activation);
      }
    } else if (op.type === "FULLY_CONNECTED") {
      const ft = g.tensors[op.inputs[1]!]!;
      const w = dequant(ft, int8Data(ft));
      const bt = g.tensors[op.inputs[2]!];
      const b = bt ? dequant(bt, int32Data(bt)) : null;
      const [units, depth] = ft.shape as [number, number];
      for (let bIdx = 0; bIdx < x.length / depth; bIdx++) for (let u = 0; u < units; u++) {
        let acc = b ? b[u]! : 0;
        for (let d = 0; d < depth; d++) acc += w[u * depth + d]! * x[bIdx * depth + d]!;
        y[bIdx * units + u] = act(acc, a.activation);
      }
    } else if (op.type === "AVERAGE_POOL_2D" || op.type === "MAX_POOL_2D") {
      const [, h, wd, c] = xt.shape as number[];
      const [, oh, ow] = out.shape as number[];
      const ph = axisPadding(a.padding, h!, a.filterH, a.strideH).before;
      const pw = axisPadding(a.padding, wd!, a.filterW, a.strideW).before;
      for (let oy = 0; oy < oh!; oy++) for (let ox = 0; ox < ow!; ox++) for (let ch = 0; ch < c!; ch++) {
        let sum = 0;
        let count = 0;
        let max = -Infinity;
        for (let ky = 0; ky < a.filterH; ky++) for (let kx = 0; kx < a.filterW; kx++) {
          const iy = oy * a.strideH - ph + ky;
          const ix = ox * a.strideW - pw + kx;
          if (iy < 0 || ix < 0 || iy >= h! || ix >= wd!) continue;
          const v = x[(iy * wd! + ix) * c! + ch]!;
          sum += v;
          count++;
          max = Math.max(max, v);
        }
        y[(oy * ow! + ox) * c! + ch] = op.type === "MAX_POOL_2D" ? max : sum / count;
      }
    } else if (op.type === "ADD") {
      const z = values.get(op.inputs[1]!)!;
      for (let i = 0; i < y.length; i++) y[i] = act(x[i]! + z[i]!, a.activation);
    } else if (op.type === "PAD") {
      const p = integerData(g.tensors[op.inputs[1]!]!);
      const [, h, wd, c] = xt.shape as number[];
      const [, oh, ow, oc] = out.shape as number[];
      void oh;
      for (let iy = 0; iy < h!; iy++) for (let ix = 0; ix < wd!; ix++) for (let ch = 0; ch < c!; ch++) {
        y[((iy + p[2]!) * ow! + ix + p[4]!) * oc! + ch + p[6]!] = x[(iy * wd! + ix) * c! + ch]!;
      }
    } else if (op.type === "RESHAPE") {
      y.set(x);
    } else if (op.type === "SOFTMAX") {
      const cols = out.shape.at(-1)!;
      for (let r = 0; r < y.length / cols; r++) {
        let m = -Infinity;
        for (let k = 0; k < cols; k++) m = Math.max(m, x[r * cols + k]!);
        let s = 0;
        for (let k = 0; k < cols; k++) s += Math.exp(a.beta * (x[r * cols + k]! - m));
        for (let k = 0; k < cols; k++) y[r * cols + k] = Math.exp(a.beta * (x[r * cols + k]! - m)) / s;
      }
    } else {
      throw new Error(`forward: ${op.type} not simulated`);
    }
    const { q, stats } = requantize(out, y);
    values.set(out.id, dequant(out, q));
    result.set(out.name, stats);
  }
  return result;
}

describe("a forward pass with generated weights neither saturates nor collapses", () => {
  for (const f of ["micronet-kws-s.json", "mlperf-tiny-ds-cnn.json", "micronet-vww-2.json", "mobilenet-v1-0.25-person-detect.json", "ds-cnn-s.json"]) {
    it(f, () => {
      const g = readArchitectureFile(`${DIR}/${f}`, { weights: "generate", seed: 11 });
      const stats = forward(g);
      for (const [name, s] of stats) {
        // At most 1 % of values clipped by the int8 range (activation clamps such as ReLU6 are not clipping).
        expect(s.saturated / s.count, `${name} saturated`).toBeLessThanOrEqual(0.01);
        // Large tensors use many levels; the 2–12 logits are not collapsed onto a few.
        expect(s.levels, `${name} distinct levels`).toBeGreaterThanOrEqual(Math.min(24, Math.ceil(s.count / 2)));
      }
    });
  }
});
