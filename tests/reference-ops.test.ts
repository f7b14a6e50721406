/**
 * Single-op graphs through deriveOpParams and the reference interpreter, with expected values derived by
 * hand from the int8 spec (§3.5, §4) — covering the ops the four models do not use (ADD, MUL, MEAN, PAD,
 * CONCATENATION, QUANTIZE, DEQUANTIZE, grouped CONV) — plus graph-level runs of CMSIS-NN vectors, where
 * the params come from the op attributes and scales rather than from the vector's config.
 */
import { describe, expect, it } from "vitest";
import { isMicronetsError } from "../src/errors.js";
import { int32Bytes } from "../src/ir/tensor-data.js";
import type { DType, Graph, Operator, Tensor } from "../src/ir/types.js";
import { validateGraph } from "../src/ir/validate.js";
import { deriveOpParams, type OpParamsOfType } from "../src/quant/op-params.js";
import { quantizeMultiplier } from "../src/quant/quantize-multiplier.js";
import { fillInput, runReference, type TensorValue } from "../src/reference/interpreter.js";
import { loadCmsisCase, readCmsisVectorSet } from "./helpers/cmsis-vectors.js";
import { firstMismatch } from "./helpers/golden.js";

interface TSpec {
  shape: number[];
  dtype?: DType;
  scale?: number | number[];
  zp?: number;
  axis?: number;
  data?: Uint8Array;
}

const int8Bytes = (v: number[]): Uint8Array => new Uint8Array(Int8Array.from(v).buffer);

/** A validated graph of one op over `specs` (tensor i = specs[i]); inputs/outputs are the non-constant ends. */
function oneOp(specs: TSpec[], op: Omit<Operator, "version">, graphInputs: number[], graphOutputs: number[]): Graph {
  const tensors: Tensor[] = specs.map((s, id) => {
    const scales = s.scale === undefined ? null : Array.isArray(s.scale) ? s.scale : [s.scale];
    return {
      id,
      name: `t${id}`,
      dtype: s.dtype ?? "int8",
      shape: s.shape,
      quant: scales ? { scale: scales.map(Math.fround), zeroPoint: scales.map(() => s.zp ?? 0), axis: s.axis ?? 0 } : null,
      constant: s.data !== undefined,
      data: s.data ?? null,
      isVariable: false,
    };
  });
  return validateGraph({ name: "t", description: "", tensors, operators: [{ ...op, version: 1 } as Operator], inputs: graphInputs, outputs: graphOutputs, metadata: [] });
}

function run1(g: Graph, inputs: TensorValue[], rounding: "double" | "single" = "double"): number[] {
  return Array.from(runReference(g, inputs, { rounding }).outputs[0]!);
}

function params<K extends Operator["type"]>(g: Graph, type: K): OpParamsOfType<K> {
  const p = deriveOpParams(g)[0]!;
  expect(p.type).toBe(type);
  return p as OpParamsOfType<K>;
}

describe("ADD", () => {
  // s1 = 0.5, s2 = 0.25, so = 1: twice_max = 1, real1 = 0.5 → (2^30, 0), real2 = 0.25 → (2^30, −1),
  // real_out = 1 / 2^20 → (2^30, −19).
  const g = (shape1: number[], shape2: number[], out: number[]) =>
    oneOp([{ shape: shape1, scale: 0.5 }, { shape: shape2, scale: 0.25 }, { shape: out, scale: 1 }], { type: "ADD", attrs: { activation: "none" }, inputs: [0, 1], outputs: [2] }, [0, 1], [2]);

  it("derives the 20-bit left-shift multipliers", () => {
    const p = params(g([3], [3], [3]), "ADD");
    expect([p.input1_multiplier, p.input1_shift, p.input2_multiplier, p.input2_shift, p.output_multiplier, p.output_shift, p.left_shift]).toEqual([2 ** 30, 0, 2 ** 30, -1, 2 ** 30, -19, 20]);
  });

  it("adds with rounding half away from zero", () => {
    // 10·0.5 + 20·0.25 = 10; −7·0.5 + 3·0.25 = −2.75 → −3; 100·0.5 + 127·0.25 = 81.75 → 82.
    expect(run1(g([3], [3], [3]), [Int8Array.from([10, -7, 100]), Int8Array.from([20, 3, 127])])).toEqual([10, -3, 82]);
  });

  it("broadcasts [2,1] + [1,2]", () => {
    // x = (10, −7) · 0.5 = (5, −3.5); y = (20, 3) · 0.25 = (5, 0.75): 10, 5.75 → 6, 1.5 → 2, −2.75 → −3.
    expect(run1(g([2, 1], [1, 2], [2, 2]), [Int8Array.from([10, -7]), Int8Array.from([20, 3])])).toEqual([10, 6, 2, -3]);
  });

  it("rejects an output scale whose multiplier is not below 1, naming the op", () => {
    const bad = oneOp([{ shape: [1], scale: 1 }, { shape: [1], scale: 1 }, { shape: [1], scale: 2 ** -20 }], { type: "ADD", attrs: { activation: "none" }, inputs: [0, 1], outputs: [2] }, [0, 1], [2]);
    let err: unknown;
    try { deriveOpParams(bad); } catch (e) { err = e; }
    expect(isMicronetsError(err)).toBe(true);
    expect((err as { where?: string }).where).toBe("op 0 (ADD)");
  });
});

describe("MUL", () => {
  it("multiplies offset inputs: s 0.5·0.5/0.25 = 1 → (2^30, 1)", () => {
    const g = oneOp(
      [{ shape: [2], scale: 0.5, zp: 1 }, { shape: [2], scale: 0.5, zp: -2 }, { shape: [2], scale: 0.25, zp: 3 }],
      { type: "MUL", attrs: { activation: "none" }, inputs: [0, 1], outputs: [2] }, [0, 1], [2],
    );
    const p = params(g, "MUL");
    expect([p.input1_offset, p.input2_offset, p.output_offset, p.output_multiplier, p.output_shift]).toEqual([-1, 2, 3, 2 ** 30, 1]);
    // (4 − 1)(0 + 2) = 6 → 9; (−3 − 1)(5 + 2) = −28 → −25.
    expect(run1(g, [Int8Array.from([4, -3]), Int8Array.from([0, 5])])).toEqual([9, -25]);
  });
});

describe("MEAN", () => {
  const axis = (v: number[]): TSpec => ({ shape: [v.length], dtype: "int32", data: int32Bytes(v) });

  it("averages over H and W with keep_dims, subtracting the input zero point", () => {
    // reals (x − 2) = −1, 0, 1, 3 → mean 0.75 → 1. M = (2^30, 1), n = 4 → M' = 2^30, s' = −1.
    const g = oneOp([{ shape: [1, 2, 2, 1], scale: 1, zp: 2 }, axis([1, 2]), { shape: [1, 1, 1, 1], scale: 1 }], { type: "MEAN", attrs: { keepDims: true }, inputs: [0, 1], outputs: [2] }, [0], [2]);
    const p = params(g, "MEAN");
    expect([p.base_multiplier, p.base_shift, p.multiplier, p.shift, p.num_elements, p.input_offset]).toEqual([2 ** 30, 1, 2 ** 30, -1, 4, -2]);
    expect(run1(g, [Int8Array.from([1, 2, 3, 5])])).toEqual([1]);
  });

  it("averages over the last axis (−1) without keep_dims", () => {
    // real 0.5/0.25 = 2 → (2^30, 2); n = 3: sh = 1, M' = floor(2^31/3) = 715827882, s' = 1.
    // Rows: 7/3 · 2 = 4.67 → 5; −4/3 · 2 = −2.67 → −3.
    const g = oneOp([{ shape: [2, 3], scale: 0.5 }, axis([-1]), { shape: [2], scale: 0.25 }], { type: "MEAN", attrs: { keepDims: false }, inputs: [0, 1], outputs: [2] }, [0], [2]);
    const p = params(g, "MEAN");
    expect([p.multiplier, p.shift, p.axes]).toEqual([715827882, 1, [1]]);
    expect(run1(g, [Int8Array.from([1, 2, 4, -1, -1, -2])])).toEqual([5, -3]);
  });
});

describe("PAD", () => {
  const pads = (v: number[]): TSpec => ({ shape: [v.length / 2, 2], dtype: "int32", data: int32Bytes(v) });

  it("fills with the output zero point", () => {
    const g = oneOp([{ shape: [1, 2], scale: 1, zp: 5 }, pads([0, 0, 1, 2]), { shape: [1, 5], scale: 1, zp: 5 }], { type: "PAD", attrs: {}, inputs: [0, 1], outputs: [2] }, [0], [2]);
    expect(run1(g, [Int8Array.from([7, -8])])).toEqual([5, 7, -8, 5, 5]);
  });

  it("pads three dimensions", () => {
    const g = oneOp([{ shape: [2, 1, 2], scale: 1 }, pads([1, 0, 0, 1, 1, 0]), { shape: [3, 2, 3], scale: 1 }], { type: "PAD", attrs: {}, inputs: [0, 1], outputs: [2] }, [0], [2]);
    expect(run1(g, [Int8Array.from([1, 2, 3, 4])])).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 3, 4, 0, 0, 0]);
  });
});

describe("CONCATENATION", () => {
  it("interleaves blocks along the axis (also given as −1)", () => {
    for (const axis of [1, -1]) {
      const g = oneOp([{ shape: [2, 1], scale: 1 }, { shape: [2, 2], scale: 1 }, { shape: [2, 3], scale: 1 }], { type: "CONCATENATION", attrs: { axis, activation: "none" }, inputs: [0, 1], outputs: [2] }, [0, 1], [2]);
      expect(run1(g, [Int8Array.from([1, 2]), Int8Array.from([3, 4, 5, 6])])).toEqual([1, 3, 4, 2, 5, 6]);
    }
  });
});

describe("QUANTIZE and DEQUANTIZE", () => {
  it("quantises float32 with float32 division and rounding half away from zero", () => {
    const g = oneOp([{ shape: [5], dtype: "float32" }, { shape: [5], scale: 0.5, zp: -1 }], { type: "QUANTIZE", attrs: {}, inputs: [0], outputs: [1] }, [0], [1]);
    // 2.5 → 3 → 2; −2.5 → −3 → −4; 200 → 199 → 127; −0.4 → 0 → −1; 0.5 → 1 → 0.
    expect(run1(g, [Float32Array.from([1.25, -1.25, 100, -0.2, 0.25])])).toEqual([2, -4, 127, -1, 0]);
    // 0.35f / 0.1f = 3.4999999 in double but exactly 3.5 in float32 → 4 (a double division would give 3).
    const g2 = oneOp([{ shape: [1], dtype: "float32" }, { shape: [1], scale: 0.1 }], { type: "QUANTIZE", attrs: {}, inputs: [0], outputs: [1] }, [0], [1]);
    expect(run1(g2, [Float32Array.from([0.35])])).toEqual([4]);
  });

  it("requantises int8 → int8: real 1/0.5 = 2 → (2^30, 2)", () => {
    const g = oneOp([{ shape: [3], scale: 1, zp: 1 }, { shape: [3], scale: 0.5, zp: 0 }], { type: "QUANTIZE", attrs: {}, inputs: [0], outputs: [1] }, [0], [1]);
    const p = params(g, "QUANTIZE");
    expect(p.mode === "requantize" && [p.multiplier, p.shift, p.input_offset]).toEqual([2 ** 30, 2, -1]);
    expect(run1(g, [Int8Array.from([4, -2, 70])])).toEqual([6, -6, 127]);
  });

  it("dequantises as (float)(scale · (q − zp))", () => {
    const g = oneOp([{ shape: [3], scale: 0.1, zp: 3 }, { shape: [3], dtype: "float32" }], { type: "DEQUANTIZE", attrs: {}, inputs: [0], outputs: [1] }, [0], [1]);
    expect(run1(g, [Int8Array.from([13, 3, -128])])).toEqual([1, 0, Math.fround(-13.1)]);
  });
});

describe("CONV_2D and FULLY_CONNECTED parameter rules", () => {
  it("runs a grouped 1×1 convolution with bias", () => {
    // 2 groups of 2 channels; real multiplier 1 → (2^30, 1). oc0 = 1 + 2 + 10 = 13; oc1 = 3 − 4 − 20 = −21.
    const g = oneOp(
      [
        { shape: [1, 1, 1, 4], scale: 1 },
        { shape: [2, 1, 1, 2], scale: [1, 1], axis: 0, data: int8Bytes([1, 1, 1, -1]) },
        { shape: [2], dtype: "int32", data: int32Bytes([10, -20]) },
        { shape: [1, 1, 1, 2], scale: 1 },
      ],
      { type: "CONV_2D", attrs: { padding: "valid", strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: "none" }, inputs: [0, 1, 2], outputs: [3] }, [0], [3],
    );
    const p = params(g, "CONV_2D");
    expect([p.groups, p.multiplier, p.shift]).toEqual([2, [2 ** 30, 2 ** 30], [1, 1]]);
    expect(run1(g, [Int8Array.from([1, 2, 3, 4])])).toEqual([13, -21]);
  });

  it("FC per-tensor multiplies the scales in float32 before dividing in double", () => {
    const [inS, wS, outS] = [0.1, 0.2, 0.3].map(Math.fround) as [number, number, number];
    const g = oneOp(
      [{ shape: [1, 2], scale: inS }, { shape: [1, 2], scale: wS, data: int8Bytes([1, 2]) }, { shape: [1, 1], scale: outS }],
      { type: "FULLY_CONNECTED", attrs: { activation: "none", keepNumDims: false }, inputs: [0, 1, -1], outputs: [2] }, [0], [2],
    );
    const p = params(g, "FULLY_CONNECTED");
    const viaFloat = quantizeMultiplier(Math.fround(inS * wS) / outS);
    const viaDouble = quantizeMultiplier((inS * wS) / outS);
    expect(viaFloat).not.toEqual(viaDouble); // the rule is observable on this triple
    expect([p.multiplier, p.shift, p.per_channel]).toEqual([[viaFloat.multiplier], [viaFloat.shift], false]);
  });

  it("FC rejects a bias scale far from input·filter scale (TFLM's 2 % rule)", () => {
    const g = oneOp(
      [{ shape: [1, 2], scale: 0.1 }, { shape: [1, 2], scale: 0.2, data: int8Bytes([1, 2]) }, { shape: [1], dtype: "int32", scale: 0.5, data: int32Bytes([0]) }, { shape: [1, 1], scale: 0.3 }],
      { type: "FULLY_CONNECTED", attrs: { activation: "none", keepNumDims: false }, inputs: [0, 1, 2], outputs: [3] }, [0], [3],
    );
    expect(() => deriveOpParams(g)).toThrow(/bias scale/);
  });
});

describe("graph-level runs of CMSIS-NN vectors (params from scales and attributes)", () => {
  it("softmax: β = 1 and input scale float32(1/255) reproduce the vector's output", () => {
    const c = loadCmsisCase("softmax");
    if (c.kind !== "softmax") throw new Error("unexpected case kind");
    const [rows, size] = [c.params.num_rows, c.params.row_size];
    const g = oneOp([{ shape: [rows, size], scale: 1 / 255, zp: 0 }, { shape: [rows, size], scale: 1 / 256, zp: -128 }], { type: "SOFTMAX", attrs: { beta: 1 }, inputs: [0], outputs: [1] }, [0], [1]);
    const p = params(g, "SOFTMAX");
    expect([p.input_multiplier, p.input_left_shift, p.diff_min]).toEqual([c.params.input_multiplier, c.params.input_left_shift, c.params.diff_min]);
    expect(firstMismatch(c.expected, Int8Array.from(run1(g, [c.input])))).toBeNull();
  });

  for (const name of ["avgpooling", "avgpooling_1", "avgpooling_2", "maxpooling", "maxpooling_1", "maxpooling_2"]) {
    it(`${name}: SAME/VALID padding derived from the attributes matches the vector`, () => {
      const raw = readCmsisVectorSet(name);
      const c = loadCmsisCase(name);
      if (c.kind !== "avgpool" && c.kind !== "maxpool") throw new Error("unexpected case kind");
      const { input_dims: i, output_dims: o, filter_dims: f, stride } = c.params;
      const padding = raw.config["PAD"] === "SAME" ? "same" : "valid";
      const type = c.kind === "avgpool" ? "AVERAGE_POOL_2D" : "MAX_POOL_2D";
      const g = oneOp(
        [{ shape: [i.n, i.h, i.w, i.c], scale: 1 }, { shape: [o.n, o.h, o.w, o.c], scale: 1 }],
        { type, attrs: { padding, strideH: stride.h, strideW: stride.w, filterH: f.h, filterW: f.w, activation: "none" }, inputs: [0], outputs: [1] }, [0], [1],
      );
      const p = deriveOpParams(g)[0]!;
      expect(p.type === type && p.padding).toEqual(c.params.padding);
      expect(firstMismatch(c.expected, Int8Array.from(run1(g, [c.input])))).toBeNull();
    });
  }
});

describe("interpreter input checks", () => {
  const g = oneOp([{ shape: [1, 4], scale: 1 }, { shape: [1, 4], scale: 1 }], { type: "RESHAPE", attrs: { newShape: null }, inputs: [0], outputs: [1] }, [0], [1]);

  it("copies RESHAPE data and returns every non-constant tensor on request", () => {
    const r = runReference(g, [Int8Array.from([1, 2, 3, 4])], { keepIntermediates: true });
    expect(Array.from(r.outputs[0]!)).toEqual([1, 2, 3, 4]);
    expect([...r.intermediates!.keys()]).toEqual([0, 1]);
  });

  it("rejects a wrong input count, dtype or length with a MicronetsError naming the input", () => {
    for (const bad of [[], [Float32Array.from([1, 2, 3, 4])], [Int8Array.from([1, 2, 3])]] as TensorValue[][]) {
      let err: unknown;
      try { runReference(g, bad); } catch (e) { err = e; }
      expect(isMicronetsError(err)).toBe(true);
      expect((err as { where?: string }).where).toMatch(/graph input/);
    }
  });

  it("fillInput is the golden fill ((i·7 + 3) mod 256) − 128", () => {
    expect(Array.from(fillInput(4))).toEqual([-125, -118, -111, -104]);
    expect(fillInput(300)[37]).toBe(((37 * 7 + 3) % 256) - 128);
    expect(fillInput(300)[36]).toBe(127);
  });
});
