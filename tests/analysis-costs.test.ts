import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { kernelKind } from "../src/analysis/code-size.js";
import { estimateFlash } from "../src/analysis/flash.js";
import { layerCosts, sumCosts } from "../src/analysis/layer-costs.js";
import { readTflite } from "../src/frontends/tflite/read-tflite.js";
import { tensorBytes } from "../src/ir/tensor-data.js";
import type { Graph, Operator, Tensor } from "../src/ir/types.js";

const MODELS = ["kws_ref_model", "person_detect", "ad01_int8", "hello_world_int8"] as const;

const loadModel = (m: string): Graph => readTflite(readFileSync(`fixtures/models/${m}.tflite`), m);

/** The same graph with every constant's data dropped: what an architecture without weights looks like. */
function shapeOnly(g: Graph): Graph {
  return { ...g, tensors: g.tensors.map((t) => (t.constant ? { ...t, data: null } : t)) };
}

const q = { scale: [0.05], zeroPoint: [0], axis: 0 };

function tensor(id: number, shape: number[], opts: Partial<Tensor> = {}): Tensor {
  return { id, name: `t${id}`, dtype: "int8", shape, quant: q, constant: false, data: null, isVariable: false, ...opts };
}

function graph(tensors: Tensor[], operators: Operator[], inputs: number[], outputs: number[]): Graph {
  return { name: "hand", description: "", tensors, operators, inputs, outputs, metadata: [] };
}

describe("layer costs", () => {
  it("total MACs equal the published counts (targets.md for KWS and AD; hello_world = 1·16 + 16·16 + 16·1)", () => {
    const macs = Object.fromEntries(MODELS.map((m) => [m, sumCosts(layerCosts(loadModel(m))).macs]));
    expect(macs).toEqual({ kws_ref_model: 2_656_768, person_detect: 7_157_888, ad01_int8: 264_192, hello_world_int8: 288 });
  });

  it("ops = 2 × MACs per layer (the MicroNets convention)", () => {
    for (const m of MODELS) for (const c of layerCosts(loadModel(m))) expect(c.ops).toBe(2 * c.macs);
  });

  it("kws_ref_model layers by hand: 10×4 stride-2 conv, 3×3 depthwise, 1×1 conv, 25×5 average pool, FC", () => {
    const c = layerCosts(loadModel("kws_ref_model"));
    expect(c[0]!.macs).toBe(25 * 5 * 64 * 10 * 4 * 1); // out 25×5×64, kernel 10×4, Cin 1
    expect(c[1]!.macs).toBe(25 * 5 * 64 * 3 * 3);
    expect(c[2]!.macs).toBe(25 * 5 * 64 * 64);
    expect(c[9]).toMatchObject({ type: "AVERAGE_POOL_2D", macs: 0, elementwiseOps: 25 * 5 * 64 });
    expect(c[11]).toMatchObject({ type: "FULLY_CONNECTED", macs: 64 * 12, params: 64 * 12 + 12, weightBytes: 768, biasBytes: 48 });
    expect(c[12]).toMatchObject({ type: "SOFTMAX", macs: 0, elementwiseOps: 12 });
    // Per-channel requantisation: 64 channels × (int32 multiplier + int32 shift).
    expect(c[0]!.quantBytes).toBe(64 * 8);
  });

  it("batch-1 fully-connected models have one weight byte per MAC", () => {
    for (const m of ["ad01_int8", "hello_world_int8"]) {
      const t = sumCosts(layerCosts(loadModel(m)));
      expect(t.weightBytes).toBe(t.macs);
    }
  });

  it("works on shape-only graphs (constants without data) with identical results", () => {
    for (const m of MODELS) {
      const g = loadModel(m);
      expect(layerCosts(shapeOnly(g))).toEqual(layerCosts(g));
    }
  });

  it("grouped convolution counts Cin/groups per output; pooling counts only in-bounds window taps", () => {
    const g = graph(
      [
        tensor(0, [1, 8, 8, 8]),
        tensor(1, [16, 3, 3, 4], { constant: true }), // 2 groups of 4 input channels
        tensor(2, [16], { dtype: "int32", constant: true }),
        tensor(3, [1, 6, 6, 16]),
        tensor(4, [1, 6, 6, 16]),
      ],
      [
        { type: "CONV_2D", attrs: { padding: "valid", strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: "none" }, inputs: [0, 1, 2], outputs: [3], version: 1 },
        { type: "MAX_POOL_2D", attrs: { padding: "same", strideH: 1, strideW: 1, filterH: 3, filterW: 3, activation: "none" }, inputs: [3], outputs: [4], version: 1 },
      ],
      [0],
      [4],
    );
    const c = layerCosts(g);
    expect(c[0]!.macs).toBe(6 * 6 * 16 * 3 * 3 * 4);
    expect(c[0]!.params).toBe(16 * 9 * 4 + 16);
    // SAME 3×3 stride 1 on 6: taps per axis 2+3+3+3+3+2 = 16; reads = 16 · 16 · 16 channels.
    expect(c[1]!.elementwiseOps).toBe(16 * 16 * 16);
  });
});

describe("flash estimate", () => {
  it("stores every constant tensor exactly once: weights + biases + other constants = bytes of all constants", () => {
    for (const m of MODELS) {
      const g = loadModel(m);
      const f = estimateFlash(g);
      const constBytes = g.tensors.filter((t) => t.constant).reduce((s, t) => s + tensorBytes(t), 0);
      expect(f.breakdown.weights + f.breakdown.biases + f.breakdown.otherConstants).toBe(constBytes);
      expect(f.dataBytes).toBe(constBytes + f.breakdown.quantization);
      expect(f.total).toBe(f.dataBytes + f.codeBytes);
      expect(f.codeBytes).toBe(f.breakdown.callSites + f.breakdown.kernels + f.breakdown.runtime);
      expect(estimateFlash(shapeOnly(g))).toEqual(f);
    }
  });

  it("kws_ref_model quantisation data by hand: 9 conv/depthwise × 64 channels × 8 B, FC per-tensor pair, softmax pair + diff_min", () => {
    expect(estimateFlash(loadModel("kws_ref_model")).breakdown.quantization).toBe(9 * 64 * 8 + 8 + 12);
  });

  it("a constant shared by two layers is stored once, at its first use", () => {
    const g = graph(
      [tensor(0, [1, 4]), tensor(1, [1, 4], { constant: true }), tensor(2, [1, 4]), tensor(3, [1, 4])],
      [
        { type: "ADD", attrs: { activation: "none" }, inputs: [0, 1], outputs: [2], version: 1 },
        { type: "ADD", attrs: { activation: "none" }, inputs: [2, 1], outputs: [3], version: 1 },
      ],
      [0],
      [3],
    );
    const f = estimateFlash(g);
    expect(f.layers.map((l) => l.weightBytes)).toEqual([4, 0]);
    expect(f.breakdown.weights).toBe(4);
    expect(layerCosts(g).map((c) => c.weightBytes)).toEqual([4, 4]); // each layer still reads it
  });

  it("counts each kernel kind's code once and takes overrides", () => {
    const g = loadModel("kws_ref_model");
    const f = estimateFlash(g, { codeSizes: { kernels: { conv_1x1_fast: 1000 }, perLayerCall: 10, runtime: 0 } });
    const kinds = Object.fromEntries(f.kernels.map((k) => [k.kind, k.layers]));
    expect(kinds.conv_1x1_fast).toEqual([2, 4, 6, 8]);
    expect(f.kernels.find((k) => k.kind === "conv_1x1_fast")!.bytes).toBe(1000);
    expect(f.breakdown.callSites).toBe(13 * 10);
    expect(f.breakdown.runtime).toBe(0);
    expect(new Set(f.kernels.map((k) => k.kind)).size).toBe(f.kernels.length);
  });

  it("dispatches kernels by the CMSIS-NN rules (spec §5.3)", () => {
    const kws = loadModel("kws_ref_model");
    // 10×4 SAME stride 2 → general im2col conv; 3×3 depthwise, pad 1, multiplier 1 → 3×3 kernel; 1×1 stride 1 → fast.
    expect([0, 1, 2].map((i) => kernelKind(kws, kws.operators[i]!))).toEqual(["conv_generic", "depthwise_3x3", "conv_1x1_fast"]);
    const pd = loadModel("person_detect");
    // op 0: depthwise on a 1-channel input with 8 outputs (multiplier 8) → the generic depthwise kernel.
    expect(kernelKind(pd, pd.operators[0]!)).toBe("depthwise_generic");
  });
});
