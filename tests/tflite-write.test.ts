/**
 * The .tflite writer: every shared model survives read → write → read unchanged, writing is deterministic,
 * and the written bytes follow the schema (checked with an independent raw walker against the original
 * converter-written files and against hand-written expectations for a graph using every supported op).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isMicronetsError, MicronetsError } from "../src/errors.js";
import { readTflite } from "../src/frontends/tflite/read-tflite.js";
import { writeTflite } from "../src/frontends/tflite/write-tflite.js";
import type { DType, Graph, Operator, Quantization, Tensor } from "../src/ir/types.js";
import { assertGraphsEqual, firstDifference } from "./helpers/graph-equal.js";
import { MODEL, RawFlatBuffer } from "./helpers/raw-flatbuffer.js";

const MODELS = ["kws_ref_model", "person_detect", "ad01_int8", "hello_world_int8"];
const load = (m: string): Uint8Array => new Uint8Array(readFileSync(`fixtures/models/${m}.tflite`));

// Schema slots and codes written out from the spec (§1.2–1.4), not imported from the code under test.
const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 };
const TENSOR = { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, isVariable: 5 };
const OPERATOR = { opcodeIndex: 0, inputs: 1, outputs: 2, optionsType: 3, options: 4 };
const OPCODE = { deprecated: 0, custom: 1, version: 2, builtin: 3 };
const QUANT = { scale: 2, zeroPoint: 3, quantizedDimension: 6 };
type FieldKind = "i8" | "u8" | "i32" | "f32";
/** Per BuiltinOptions tag: the scalar fields (slot, kind, default) the IR carries. */
const OPTION_FIELDS: Record<number, [number, FieldKind, number][]> = {
  1: [[0, "i8", 0], [1, "i32", 0], [2, "i32", 0], [3, "i8", 0], [4, "i32", 1], [5, "i32", 1]], // Conv2D
  2: [[0, "i8", 0], [1, "i32", 0], [2, "i32", 0], [3, "i32", 0], [4, "i8", 0], [5, "i32", 1], [6, "i32", 1]], // Depthwise
  5: [[0, "i8", 0], [1, "i32", 0], [2, "i32", 0], [3, "i32", 0], [4, "i32", 0], [5, "i8", 0]], // Pool2D
  8: [[0, "i8", 0], [1, "i8", 0], [2, "u8", 0]], // FullyConnected
  9: [[0, "f32", 0]], // Softmax
  10: [[0, "i32", 0], [1, "i8", 0]], // Concatenation
  11: [[0, "i8", 0]], // Add
  21: [[0, "i8", 0]], // Mul
  27: [[0, "u8", 0]], // Reducer
};

function scalar(fb: RawFlatBuffer, table: number, slot: number, kind: FieldKind, def: number): number {
  const p = table ? fb.field(table, slot) : 0;
  if (!p) return def;
  switch (kind) {
    case "i8": return fb.i8(p);
    case "u8": return fb.u8(p);
    case "i32": return fb.i32(p);
    case "f32": return fb.dv.getFloat32(p, true);
  }
}
function int32s(fb: RawFlatBuffer, table: number, slot: number): number[] | null {
  const v = table ? fb.vector(table, slot) : null;
  return v ? Array.from({ length: v.length }, (_, i) => fb.i32(v.start + 4 * i)) : null;
}
function rawBytes(fb: RawFlatBuffer, table: number, slot: number): Uint8Array {
  const v = table ? fb.vector(table, slot) : null;
  return v ? fb.bytes.subarray(v.start, v.start + v.length) : new Uint8Array(0);
}

/** Everything the IR carries, read from a file with the raw walker (no code shared with the reader). */
function rawModel(bytes: Uint8Array) {
  const fb = new RawFlatBuffer(bytes);
  const root = fb.root();
  const buffers = fb.tables(root, MODEL.buffers);
  const codes = fb.tables(root, MODEL.operatorCodes).map((c) => ({
    deprecated: scalar(fb, c, OPCODE.deprecated, "i8", 0),
    builtin: scalar(fb, c, OPCODE.builtin, "i32", 0),
    version: scalar(fb, c, OPCODE.version, "i32", 1),
  }));
  const sub = fb.tables(root, MODEL.subgraphs)[0]!;
  const tensors = fb.tables(sub, SUBGRAPH.tensors).map((t) => {
    const q = fb.table(t, TENSOR.quantization);
    const scaleV = q ? fb.vector(q, QUANT.scale) : null;
    const zpV = q ? fb.vector(q, QUANT.zeroPoint) : null;
    return {
      name: fb.string(t, TENSOR.name),
      shape: int32s(fb, t, TENSOR.shape) ?? [],
      type: scalar(fb, t, TENSOR.type, "i8", 0),
      isVariable: scalar(fb, t, TENSOR.isVariable, "u8", 0),
      data: rawBytes(fb, buffers[scalar(fb, t, TENSOR.buffer, "i32", 0)]!, 0),
      // Raw float bits and int64 values, so the check does not depend on float parsing.
      scaleBits: scaleV ? Array.from({ length: scaleV.length }, (_, i) => fb.u32(scaleV.start + 4 * i)) : [],
      zeroPoint: zpV ? Array.from({ length: zpV.length }, (_, i) => fb.dv.getBigInt64(zpV.start + 8 * i, true)) : [],
      quantizedDimension: q ? scalar(fb, q, QUANT.quantizedDimension, "i32", 0) : 0,
    };
  });
  const operators = fb.tables(sub, SUBGRAPH.operators).map((o) => {
    const c = codes[scalar(fb, o, OPERATOR.opcodeIndex, "i32", 0)]!;
    const tag = scalar(fb, o, OPERATOR.optionsType, "u8", 0);
    const opts = tag ? fb.table(o, OPERATOR.options) : 0;
    return {
      code: Math.max(c.deprecated, c.builtin),
      version: c.version,
      tag,
      inputs: int32s(fb, o, OPERATOR.inputs),
      outputs: int32s(fb, o, OPERATOR.outputs),
      options: (OPTION_FIELDS[tag] ?? []).map(([slot, kind, def]) => scalar(fb, opts, slot, kind, def)),
      newShape: tag === 17 ? int32s(fb, opts, 0) : null,
    };
  });
  const metadata = fb.tables(root, MODEL.metadata).map((m) => ({
    name: fb.string(m, 0),
    data: rawBytes(fb, buffers[fb.u32(fb.field(m, 1))]!, 0),
  }));
  return {
    fb, root, buffers, codes, tensors, operators, metadata,
    version: scalar(fb, root, MODEL.version, "i32", 0),
    description: fb.string(root, MODEL.description),
    name: fb.string(sub, SUBGRAPH.name),
    inputs: int32s(fb, sub, SUBGRAPH.inputs),
    outputs: int32s(fb, sub, SUBGRAPH.outputs),
  };
}

/** Layout rules every written file must follow, whatever the graph. */
function checkLayout(bytes: Uint8Array, graph: Graph): void {
  const raw = rawModel(bytes);
  expect(new TextDecoder().decode(bytes.subarray(4, 8))).toBe("TFL3");
  expect(raw.version).toBe(3);
  // buffers[0] is the empty sentinel.
  expect(rawBytes(raw.fb, raw.buffers[0]!, 0).length).toBe(0);
  // One non-empty buffer per constant tensor and per metadata entry with data, each 16-byte aligned.
  let nonEmpty = 0;
  for (const buf of raw.buffers) {
    const v = raw.fb.vector(buf, 0);
    if (v && v.length > 0) {
      nonEmpty++;
      expect(v.start % 16, `buffer data at byte ${v.start}`).toBe(0);
    }
  }
  expect(nonEmpty).toBe(graph.tensors.filter((t) => t.constant).length + graph.metadata.filter((m) => m.data.length > 0).length);
  // Operator codes: one per (code, version), with deprecated_builtin_code = min(code, 127) and builtin_code = code.
  const keys = raw.codes.map((c) => `${c.builtin}/${c.version}`);
  expect(new Set(keys).size).toBe(keys.length);
  for (const c of raw.codes) expect(c.deprecated).toBe(Math.min(c.builtin, 127));
  // Every op carries its options table.
  for (const op of raw.operators) expect(op.tag).not.toBe(0);
}

describe("writeTflite on the shared models", () => {
  for (const m of MODELS) {
    it(`${m}: read → write → read gives the same graph`, () => {
      const g1 = readTflite(load(m), m);
      const written = writeTflite(g1);
      const g2 = readTflite(written, `${m} (rewritten)`);
      assertGraphsEqual(g1, g2);
    });

    it(`${m}: write → read → write gives identical bytes, and writing is deterministic`, () => {
      const g = readTflite(load(m), m);
      const w1 = writeTflite(g);
      const w2 = writeTflite(readTflite(w1));
      expect(Buffer.from(w2).equals(Buffer.from(w1))).toBe(true);
      // A structurally equal but separately built graph gives the same bytes.
      expect(Buffer.from(writeTflite(structuredClone(g))).equals(Buffer.from(w1))).toBe(true);
    });

    it(`${m}: the written file follows the layout rules`, () => {
      const g = readTflite(load(m), m);
      checkLayout(writeTflite(g), g);
    });

    it(`${m}: the written file holds what the converter wrote (raw comparison with the original)`, () => {
      const orig = rawModel(load(m));
      const ours = rawModel(writeTflite(readTflite(load(m), m)));
      expect(ours.description).toBe(orig.description);
      expect(ours.name).toBe(orig.name);
      expect(ours.inputs).toEqual(orig.inputs);
      expect(ours.outputs).toEqual(orig.outputs);
      expect(ours.metadata.map((x) => x.name)).toEqual(orig.metadata.map((x) => x.name));
      ours.metadata.forEach((x, i) => expect(firstDifference(x.data, orig.metadata[i]!.data, `metadata[${i}]`)).toBeNull());
      expect(ours.tensors.length).toBe(orig.tensors.length);
      ours.tensors.forEach((t, i) => {
        const o = orig.tensors[i]!;
        const at = `tensor ${i} '${o.name}'`;
        expect(t.name, at).toBe(o.name);
        expect(t.shape, at).toEqual(o.shape);
        expect(t.type, at).toBe(o.type);
        expect(t.isVariable, at).toBe(o.isVariable);
        expect(firstDifference(t.data, o.data, at)).toBeNull();
        if (o.scaleBits.length === 0 || o.zeroPoint.length === 0) {
          expect(t.scaleBits, at).toEqual([]); // TFLM ignores half-filled quantization; so do we
        } else {
          expect(t.scaleBits, at).toEqual(o.scaleBits);
          // A single zero point stands for every channel.
          expect(t.zeroPoint, at).toEqual(o.scaleBits.map((_, c) => o.zeroPoint[Math.min(c, o.zeroPoint.length - 1)]!));
          if (o.scaleBits.length > 1 && o.shape.length > 1) expect(t.quantizedDimension, at).toBe(o.quantizedDimension);
        }
      });
      expect(ours.operators.length).toBe(orig.operators.length);
      ours.operators.forEach((op, i) => {
        const o = orig.operators[i]!;
        const at = `op ${i}`;
        expect(op.code, at).toBe(o.code);
        expect(op.version, at).toBe(o.version);
        if (o.tag !== 0) expect(op.tag, at).toBe(o.tag);
        expect(op.inputs, at).toEqual(o.inputs);
        expect(op.outputs, at).toEqual(o.outputs);
        // Fields of an absent original options table compare against the schema defaults.
        expect(op.options, at).toEqual((OPTION_FIELDS[op.tag] ?? []).map(([slot, kind, def]) => (o.tag ? o.options[OPTION_FIELDS[o.tag]!.findIndex((f) => f[0] === slot)] ?? def : def)));
        expect(op.newShape, at).toEqual(o.newShape);
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------------------
// A hand-built graph that uses every supported op with non-default attributes.

function q(scale: number | number[], zeroPoint: number | number[], axis = 0): Quantization {
  const s = Array.isArray(scale) ? scale.map(Math.fround) : [Math.fround(scale)];
  const z = Array.isArray(zeroPoint) ? zeroPoint : new Array<number>(s.length).fill(zeroPoint);
  return { scale: s, zeroPoint: z, axis };
}
function bytesOf(values: number[], dtype: "int8" | "int32"): Uint8Array {
  if (dtype === "int8") return new Uint8Array(Int8Array.from(values).buffer);
  return new Uint8Array(Int32Array.from(values).buffer);
}

function everyOpGraph(): Graph {
  const tensors: Tensor[] = [];
  const T = (name: string, dtype: DType, shape: number[], quant: Quantization | null, data: Uint8Array | null = null, isVariable = false): number => {
    tensors.push({ id: tensors.length, name, dtype, shape, quant, constant: data !== null, data, isVariable });
    return tensors.length - 1;
  };
  const ops: Operator[] = [];
  const act = q(0.5, -1);
  const input = T("input", "int8", [1, 8, 8, 4], act);
  const convW = T("conv/filter", "int8", [4, 3, 3, 4], q([0.01, 0.02, 0.03, 0.04], 0, 0), bytesOf(Array.from({ length: 144 }, (_, i) => (i % 255) - 127), "int8"));
  const convB = T("conv/bias", "int32", [4], q([0.005, 0.01, 0.015, 0.02], 0, 0), bytesOf([1, -2, 300000, -400000], "int32"));
  const conv = T("conv", "int8", [1, 8, 8, 4], act);
  ops.push({ type: "CONV_2D", version: 3, inputs: [input, convW, convB], outputs: [conv], attrs: { padding: "same", strideH: 1, strideW: 1, dilationH: 2, dilationW: 2, activation: "relu6" } });
  const dwW = T("dw/filter", "int8", [1, 3, 3, 8], q(Array.from({ length: 8 }, (_, i) => 0.01 * (i + 1)), 0, 3), bytesOf(Array.from({ length: 72 }, (_, i) => 60 - i), "int8"));
  const dw = T("dw", "int8", [1, 6, 6, 8], q(0.25, 3));
  ops.push({ type: "DEPTHWISE_CONV_2D", version: 2, inputs: [conv, dwW, -1], outputs: [dw], attrs: { padding: "valid", strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, depthMultiplier: 2, activation: "relu" } });
  const maxp = T("maxpool", "int8", [1, 3, 3, 8], q(0.25, 3));
  ops.push({ type: "MAX_POOL_2D", version: 1, inputs: [dw], outputs: [maxp], attrs: { padding: "valid", strideH: 2, strideW: 2, filterH: 2, filterW: 2, activation: "none" } });
  const avgp = T("avgpool", "int8", [1, 3, 3, 8], q(0.25, 3));
  ops.push({ type: "AVERAGE_POOL_2D", version: 1, inputs: [maxp], outputs: [avgp], attrs: { padding: "same", strideH: 1, strideW: 1, filterH: 3, filterW: 2, activation: "relu_n1_to_1" } });
  const paddings = T("paddings", "int32", [4, 2], null, bytesOf([0, 0, 1, 1, 1, 1, 0, 0], "int32"));
  const padded = T("pad", "int8", [1, 5, 5, 8], q(0.25, 3));
  ops.push({ type: "PAD", version: 1, inputs: [avgp, paddings], outputs: [padded], attrs: {} });
  const cat = T("concat", "int8", [1, 5, 5, 16], q(0.25, 3));
  ops.push({ type: "CONCATENATION", version: 1, inputs: [padded, padded], outputs: [cat], attrs: { axis: -1, activation: "none" } });
  const add = T("add", "int8", [1, 5, 5, 16], q(0.5, -5));
  ops.push({ type: "ADD", version: 1, inputs: [cat, cat], outputs: [add], attrs: { activation: "relu" } });
  const add2 = T("add2", "int8", [1, 5, 5, 16], q(1, 0));
  ops.push({ type: "ADD", version: 2, inputs: [add, cat], outputs: [add2], attrs: { activation: "none" } });
  const mul = T("mul", "int8", [1, 5, 5, 16], q(2, 7));
  ops.push({ type: "MUL", version: 1, inputs: [add2, add], outputs: [mul], attrs: { activation: "relu6" } });
  const axes = T("mean/axes", "int32", [2], null, bytesOf([1, 2], "int32"));
  const mean = T("mean", "int8", [1, 1, 1, 16], q(2, 7));
  ops.push({ type: "MEAN", version: 1, inputs: [mul, axes], outputs: [mean], attrs: { keepDims: true } });
  const shape = T("reshape/shape", "int32", [2], null, bytesOf([1, 16], "int32"));
  const flat = T("flatten", "int8", [1, 16], q(2, 7));
  ops.push({ type: "RESHAPE", version: 1, inputs: [mean, shape], outputs: [flat], attrs: { newShape: [1, 16] } });
  const flat2 = T("flatten2", "int8", [1, 16], q(2, 7));
  ops.push({ type: "RESHAPE", version: 1, inputs: [flat], outputs: [flat2], attrs: { newShape: null } });
  const fcW = T("fc/weights", "int8", [10, 16], q(0.003, 0), bytesOf(Array.from({ length: 160 }, (_, i) => ((i * 37) % 256) - 128), "int8"));
  const fcB = T("fc/bias", "int32", [10], q(0.006, 0), bytesOf(Array.from({ length: 10 }, (_, i) => i * 1000 - 5000), "int32"));
  const fc = T("fc", "int8", [1, 10], q(0.1, -10));
  ops.push({ type: "FULLY_CONNECTED", version: 9, inputs: [flat2, fcW, fcB], outputs: [fc], attrs: { activation: "none", keepNumDims: true } });
  const sm = T("softmax", "int8", [1, 10], q(1 / 256, -128));
  ops.push({ type: "SOFTMAX", version: 2, inputs: [fc], outputs: [sm], attrs: { beta: 0.5 } });
  const deq = T("dequantize", "float32", [1, 10], null);
  ops.push({ type: "DEQUANTIZE", version: 1, inputs: [sm], outputs: [deq], attrs: {} });
  const out = T("output — ünïcode", "int8", [1, 10], q(0.0078125, 0));
  ops.push({ type: "QUANTIZE", version: 1, inputs: [deq], outputs: [out], attrs: {} });
  T("state", "int8", [1, 4], q(0.1, 1), null, true);
  T("", "float32", [], null, new Uint8Array(new Float32Array([1.5]).buffer));
  return {
    name: "every_op",
    description: "hand-built: every supported op",
    tensors,
    operators: ops,
    inputs: [input],
    outputs: [out],
    metadata: [
      { name: "min_runtime_version", data: new TextEncoder().encode("1.5.0\0\0\0\0\0\0\0\0\0\0\0") },
      { name: "empty", data: new Uint8Array(0) },
      { name: "blob", data: Uint8Array.from({ length: 37 }, (_, i) => i * 7) },
    ],
  };
}

describe("writeTflite on a hand-built graph with every supported op", () => {
  const g = everyOpGraph();

  it("reads back equal to the graph that was written", () => {
    assertGraphsEqual(readTflite(writeTflite(g), "every_op"), g);
  });

  it("follows the layout rules", () => {
    checkLayout(writeTflite(g), g);
  });

  it("writes each attribute into the slot the schema gives it", () => {
    const raw = rawModel(writeTflite(g));
    const op = (i: number) => raw.operators[i]!;
    // BuiltinOperator codes and options tags (spec §1.4).
    expect(raw.operators.map((o) => o.code)).toEqual([3, 4, 17, 1, 34, 2, 0, 0, 18, 40, 22, 22, 9, 25, 6, 114]);
    expect(raw.operators.map((o) => o.tag)).toEqual([1, 2, 5, 5, 22, 10, 11, 11, 21, 27, 17, 17, 8, 9, 38, 89]);
    // Conv2D: padding SAME=0, strides 1, RELU6=3, dilation 2.
    expect(op(0).options).toEqual([0, 1, 1, 3, 2, 2]);
    // Depthwise: VALID=1, strides 1, depth_multiplier 2, RELU=1, dilation 1.
    expect(op(1).options).toEqual([1, 1, 1, 2, 1, 1, 1]);
    // Pools: padding, stride_w, stride_h, filter_width, filter_height, activation.
    expect(op(2).options).toEqual([1, 2, 2, 2, 2, 0]);
    expect(op(3).options).toEqual([0, 1, 1, 2, 3, 2]);
    expect(op(5).options).toEqual([-1, 0]); // concatenation axis −1
    expect(op(6).options).toEqual([1]); // ADD RELU
    expect(op(8).options).toEqual([3]); // MUL RELU6
    expect(op(9).options).toEqual([1]); // keep_dims
    expect(op(10).newShape).toEqual([1, 16]);
    expect(op(11).newShape).toBeNull(); // no new_shape field at all
    expect(op(12).options).toEqual([0, 0, 1]); // FC: NONE, DEFAULT weights, keep_num_dims
    expect(op(13).options).toEqual([0.5]); // beta
    // The two ADDs differ in version, so they get two operator codes; the two RESHAPEs share one.
    expect(raw.codes.length).toBe(15);
    expect(raw.codes.filter((c) => c.builtin === 0).map((c) => c.version)).toEqual([1, 2]);
    expect(op(12).version).toBe(9);
  });

  it("writes quantization as float scales, int64 zero points and the quantized dimension", () => {
    const raw = rawModel(writeTflite(g));
    const dw = raw.tensors[4]!; // dw/filter: 8 scales along dimension 3
    expect(dw.quantizedDimension).toBe(3);
    expect(dw.scaleBits.length).toBe(8);
    expect(raw.tensors[6]!.scaleBits).toEqual([0x3e800000]); // 0.25 as IEEE-754 single
    expect(raw.tensors[6]!.zeroPoint).toEqual([3n]);
    expect(raw.tensors[0]!.zeroPoint).toEqual([-1n]); // negative zero points sign-extend to 64 bits
    const sm = raw.tensors.find((t) => t.name === "softmax")!;
    expect(sm.scaleBits).toEqual([0x3b800000]); // 1/256
    expect(sm.zeroPoint).toEqual([-128n]);
    expect(raw.tensors.find((t) => t.name === "dequantize")!.type).toBe(0); // FLOAT32
    expect(raw.tensors.find((t) => t.name === "state")!.isVariable).toBe(1);
    expect(raw.tensors.find((t) => t.name === "conv/bias")!.data).toEqual(bytesOf([1, -2, 300000, -400000], "int32"));
  });

  it("refuses a constant tensor without data (a shape-only model), naming the tensor", () => {
    const shapeOnly = everyOpGraph();
    shapeOnly.tensors[1]!.data = null;
    let err: unknown;
    try { writeTflite(shapeOnly); } catch (e) { err = e; }
    expect(isMicronetsError(err)).toBe(true);
    expect((err as MicronetsError).where).toBe("tensor 1 'conv/filter'");
    expect((err as MicronetsError).format()).toMatch(/shape-only/);
  });

  it("refuses an invalid graph or attribute with a MicronetsError naming the place", () => {
    const bad = everyOpGraph();
    bad.operators[2]!.inputs = [999];
    expect(() => writeTflite(bad)).toThrow(MicronetsError);
    const badAct = everyOpGraph();
    (badAct.operators[6]!.attrs as { activation: string }).activation = "gelu";
    let err: unknown;
    try { writeTflite(badAct); } catch (e) { err = e; }
    expect(isMicronetsError(err)).toBe(true);
    expect((err as MicronetsError).where).toBe("op 6 (ADD)");
  });
});
