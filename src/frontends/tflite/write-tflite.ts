/**
 * IR → .tflite. Writes a graph as a schema-v3 TFLite FlatBuffer (one subgraph) that TFLite Micro and our own
 * reader accept: file identifier "TFL3", buffers[0] the empty sentinel, one 16-byte-aligned buffer per
 * constant tensor and per metadata entry, operator codes deduplicated per (op, version), and every op's
 * options table. The output depends only on the graph, so the same graph always gives the same bytes.
 */
import { Builder, type Offset } from "flatbuffers";
import { inputError, limitError } from "../../errors.js";
import { validateGraph } from "../../ir/validate.js";
import { tensorLabel } from "../../ir/tensor-data.js";
import { ACTIVATIONS, DTYPES, type Activation, type Graph, type Operator, type Padding, type Tensor } from "../../ir/types.js";
import { alignedByteVector, float32Vector, int32Vector, int64Vector, offsetVector } from "./builder-helpers.js";
import { BUILTIN_CODE, FILE_IDENTIFIER, OPTIONS_TAG_FOR, PADDING_CODES, SCHEMA_VERSION, Slot } from "./schema.js";

/** Buffer.data is `force_align: 16` in the schema. */
const BUFFER_ALIGNMENT = 16;
/** FlatBuffers offsets are 32-bit and the JS builder cannot grow past 2 GiB; TFLite's own limit is 2 GB. */
const MAX_FLATBUFFER_BYTES = 2 ** 31 - 1;

/** Number of slots to reserve per table: the highest slot written plus one. */
const SLOTS = { Model: 7, SubGraph: 5, Tensor: 6, Buffer: 1, Operator: 5, OperatorCode: 4, Quantization: 7, Metadata: 2 } as const;

/** Checks that a value stored in an int32 field is an integer in range, so nothing is silently truncated. */
function int32(value: number, what: string, where: string): number {
  if (!Number.isInteger(value) || value < -(2 ** 31) || value > 2 ** 31 - 1) throw inputError(`${what} is ${value}; it must be a 32-bit integer`, where);
  return value;
}

function activationCode(a: Activation, where: string): number {
  const code = ACTIVATIONS.indexOf(a);
  if (code < 0) throw inputError(`unknown fused activation '${String(a)}'`, where);
  return code;
}

function paddingCode(p: Padding, where: string): number {
  const code = (PADDING_CODES as readonly string[]).indexOf(p);
  if (code < 0) throw inputError(`unknown padding '${String(p)}'`, where);
  return code;
}

/** The buffer index of each tensor (0 = no data) and the data of buffers 1.., in order. */
function assignBuffers(graph: Graph): { tensorBuffer: number[]; datas: Uint8Array[]; metadataBuffer: number[] } {
  const datas: Uint8Array[] = [];
  const tensorBuffer = graph.tensors.map((t) => {
    if (!t.constant) return 0;
    // A constant without bytes is a shape-only architecture; a .tflite constant is defined by its data.
    if (!t.data) throw inputError("is a constant without data (a shape-only model); give it weights before writing a .tflite file", tensorLabel(t));
    if (t.data.length === 0) throw inputError("is a constant with empty data, which a .tflite file cannot represent (empty buffers mean 'not constant')", tensorLabel(t));
    datas.push(t.data);
    return datas.length;
  });
  const metadataBuffer = graph.metadata.map((m) => {
    datas.push(m.data);
    return datas.length;
  });
  return { tensorBuffer, datas, metadataBuffer };
}

/**
 * An upper bound on the file size (each term covers its tables, vtables, vectors and alignment padding), used
 * to size the builder once (the JS builder cannot grow a buffer past 1 GiB) and to refuse models over 2 GB.
 */
function estimateSize(graph: Graph, datas: Uint8Array[]): number {
  let n = 1024 + 4 * graph.description.length + 4 * graph.name.length;
  for (const d of datas) n += d.length + 64;
  for (const t of graph.tensors) n += 256 + 4 * t.name.length + 8 * t.shape.length + (t.quant ? 64 + 12 * t.quant.scale.length : 0);
  for (const op of graph.operators) {
    n += 256 + 4 * (op.inputs.length + op.outputs.length);
    if (op.type === "RESHAPE" && op.attrs.newShape) n += 4 * op.attrs.newShape.length;
  }
  for (const m of graph.metadata) n += 64 + 4 * m.name.length;
  return n;
}

function writeQuantization(b: Builder, t: Tensor): Offset {
  const q = t.quant!;
  const S = Slot.Quantization;
  const scale = float32Vector(b, q.scale);
  const zeroPoint = int64Vector(b, q.zeroPoint);
  b.startObject(SLOTS.Quantization);
  b.addFieldOffset(S.scale, scale, 0);
  b.addFieldOffset(S.zeroPoint, zeroPoint, 0);
  b.addFieldInt32(S.quantizedDimension, int32(q.axis, "quantized dimension", tensorLabel(t)), 0);
  return b.endObject();
}

function writeTensor(b: Builder, t: Tensor, buffer: number): Offset {
  const S = Slot.Tensor;
  const where = tensorLabel(t);
  const dtype = DTYPES.indexOf(t.dtype);
  if (dtype < 0) throw inputError(`unknown dtype '${String(t.dtype)}'`, where);
  const shape = int32Vector(b, t.shape.map((d, i) => int32(d, `dimension ${i}`, where)));
  const name = b.createString(t.name);
  const quant = t.quant ? writeQuantization(b, t) : 0;
  b.startObject(SLOTS.Tensor);
  b.addFieldOffset(S.shape, shape, 0);
  b.addFieldInt8(S.type, dtype, 0);
  b.addFieldInt32(S.buffer, buffer, 0);
  b.addFieldOffset(S.name, name, 0);
  if (quant) b.addFieldOffset(S.quantization, quant, 0);
  b.addFieldInt8(S.isVariable, t.isVariable ? 1 : 0, 0);
  return b.endObject();
}

/** The op's options table (every supported op has one; PAD, QUANTIZE and DEQUANTIZE have empty tables). */
function writeOptions(b: Builder, op: Operator, where: string): Offset {
  const i32 = (v: number, what: string): number => int32(v, what, where);
  switch (op.type) {
    case "CONV_2D": {
      const S = Slot.Conv2DOptions;
      const a = op.attrs;
      b.startObject(6);
      b.addFieldInt8(S.padding, paddingCode(a.padding, where), 0);
      b.addFieldInt32(S.strideW, i32(a.strideW, "stride_w"), 0);
      b.addFieldInt32(S.strideH, i32(a.strideH, "stride_h"), 0);
      b.addFieldInt8(S.activation, activationCode(a.activation, where), 0);
      b.addFieldInt32(S.dilationW, i32(a.dilationW, "dilation_w_factor"), 1);
      b.addFieldInt32(S.dilationH, i32(a.dilationH, "dilation_h_factor"), 1);
      return b.endObject();
    }
    case "DEPTHWISE_CONV_2D": {
      const S = Slot.DepthwiseConv2DOptions;
      const a = op.attrs;
      b.startObject(7);
      b.addFieldInt8(S.padding, paddingCode(a.padding, where), 0);
      b.addFieldInt32(S.strideW, i32(a.strideW, "stride_w"), 0);
      b.addFieldInt32(S.strideH, i32(a.strideH, "stride_h"), 0);
      b.addFieldInt32(S.depthMultiplier, i32(a.depthMultiplier, "depth_multiplier"), 0);
      b.addFieldInt8(S.activation, activationCode(a.activation, where), 0);
      b.addFieldInt32(S.dilationW, i32(a.dilationW, "dilation_w_factor"), 1);
      b.addFieldInt32(S.dilationH, i32(a.dilationH, "dilation_h_factor"), 1);
      return b.endObject();
    }
    case "FULLY_CONNECTED": {
      const S = Slot.FullyConnectedOptions;
      b.startObject(3);
      b.addFieldInt8(S.activation, activationCode(op.attrs.activation, where), 0);
      // weights_format stays DEFAULT (0): the IR holds plain [units, depth] weights.
      b.addFieldInt8(S.keepNumDims, op.attrs.keepNumDims ? 1 : 0, 0);
      return b.endObject();
    }
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D": {
      const S = Slot.Pool2DOptions;
      const a = op.attrs;
      b.startObject(6);
      b.addFieldInt8(S.padding, paddingCode(a.padding, where), 0);
      b.addFieldInt32(S.strideW, i32(a.strideW, "stride_w"), 0);
      b.addFieldInt32(S.strideH, i32(a.strideH, "stride_h"), 0);
      b.addFieldInt32(S.filterW, i32(a.filterW, "filter_width"), 0);
      b.addFieldInt32(S.filterH, i32(a.filterH, "filter_height"), 0);
      b.addFieldInt8(S.activation, activationCode(a.activation, where), 0);
      return b.endObject();
    }
    case "ADD":
    case "MUL":
      // AddOptions.pot_scale_int16 (default true) only matters for int16, so it is left at its default.
      b.startObject(1);
      b.addFieldInt8(Slot.AddOptions.activation, activationCode(op.attrs.activation, where), 0);
      return b.endObject();
    case "RESHAPE": {
      // new_shape is written only when the graph has it: an absent field and an empty one read differently.
      const ns = op.attrs.newShape;
      const newShape = ns ? int32Vector(b, ns.map((d, i) => i32(d, `new_shape[${i}]`))) : 0;
      b.startObject(1);
      if (ns) b.addFieldOffset(Slot.ReshapeOptions.newShape, newShape, 0);
      return b.endObject();
    }
    case "SOFTMAX":
      b.startObject(1);
      b.addFieldFloat32(Slot.SoftmaxOptions.beta, op.attrs.beta, 0);
      return b.endObject();
    case "CONCATENATION":
      b.startObject(2);
      b.addFieldInt32(Slot.ConcatenationOptions.axis, i32(op.attrs.axis, "axis"), 0);
      b.addFieldInt8(Slot.ConcatenationOptions.activation, activationCode(op.attrs.activation, where), 0);
      return b.endObject();
    case "MEAN":
      b.startObject(1);
      b.addFieldInt8(Slot.ReducerOptions.keepDims, op.attrs.keepDims ? 1 : 0, 0);
      return b.endObject();
    case "PAD":
    case "QUANTIZE":
    case "DEQUANTIZE":
      b.startObject(0);
      return b.endObject();
  }
}

/** Operator codes in order of first use, one per (op, version); returns the code index of each operator. */
function assignOpCodes(graph: Graph): { codes: { code: number; version: number }[]; opCodeIndex: number[] } {
  const index = new Map<string, number>();
  const codes: { code: number; version: number }[] = [];
  const opCodeIndex = graph.operators.map((op, i) => {
    const version = int32(op.version, "version", `op ${i} (${op.type})`);
    const key = `${op.type}/${version}`;
    let k = index.get(key);
    if (k === undefined) {
      k = codes.length;
      codes.push({ code: BUILTIN_CODE[op.type], version });
      index.set(key, k);
    }
    return k;
  });
  return { codes, opCodeIndex };
}

function writeOperatorCode(b: Builder, code: number, version: number): Offset {
  const S = Slot.OperatorCode;
  b.startObject(SLOTS.OperatorCode);
  // Codes above 126 do not fit the int8 field: it holds PLACEHOLDER_FOR_GREATER_OP_CODES (127) and readers take
  // max(deprecated_builtin_code, builtin_code).
  b.addFieldInt8(S.deprecatedBuiltinCode, Math.min(code, 127), 0);
  b.addFieldInt32(S.version, version, 1);
  b.addFieldInt32(S.builtinCode, code, 0);
  return b.endObject();
}

function writeOperator(b: Builder, op: Operator, index: number, opCodeIndex: number): Offset {
  const S = Slot.Operator;
  const where = `op ${index} (${op.type})`;
  const inputs = int32Vector(b, op.inputs.map((t, k) => int32(t, `input ${k}`, where)));
  const outputs = int32Vector(b, op.outputs.map((t, k) => int32(t, `output ${k}`, where)));
  const options = writeOptions(b, op, where);
  b.startObject(SLOTS.Operator);
  b.addFieldInt32(S.opcodeIndex, opCodeIndex, 0);
  b.addFieldOffset(S.inputs, inputs, 0);
  b.addFieldOffset(S.outputs, outputs, 0);
  b.addFieldInt8(S.builtinOptionsType, OPTIONS_TAG_FOR[op.type], 0);
  b.addFieldOffset(S.builtinOptions, options, 0);
  return b.endObject();
}

function writeBuffer(b: Builder, data: Uint8Array | null): Offset {
  const vec = data ? alignedByteVector(b, data, BUFFER_ALIGNMENT) : 0;
  b.startObject(SLOTS.Buffer);
  if (vec) b.addFieldOffset(Slot.Buffer.data, vec, 0);
  return b.endObject();
}

/**
 * Serialises `graph` as a .tflite file. The graph is validated first; a constant tensor without data (a
 * shape-only architecture) cannot be written and gives a MicronetsError naming the tensor.
 */
export function writeTflite(graph: Graph): Uint8Array {
  const { tensorBuffer, datas, metadataBuffer } = assignBuffers(graph);
  validateGraph(graph);
  const { codes, opCodeIndex } = assignOpCodes(graph);
  const size = estimateSize(graph, datas);
  if (size > MAX_FLATBUFFER_BYTES) throw limitError(`the model needs about ${size} bytes; a .tflite FlatBuffer holds at most 2 GB`, "model");

  const b = new Builder(size);
  // Buffer data first: the builder writes back to front, so the weights end up at the end of the file,
  // after the small tables, as converters lay them out.
  const buffers = [writeBuffer(b, null), ...datas.map((d) => writeBuffer(b, d))];
  const buffersVec = offsetVector(b, buffers);

  const tensors = graph.tensors.map((t, i) => writeTensor(b, t, tensorBuffer[i]!));
  const tensorsVec = offsetVector(b, tensors);
  const operators = graph.operators.map((op, i) => writeOperator(b, op, i, opCodeIndex[i]!));
  const operatorsVec = offsetVector(b, operators);
  const inputs = int32Vector(b, graph.inputs);
  const outputs = int32Vector(b, graph.outputs);
  const subName = b.createString(graph.name);
  b.startObject(SLOTS.SubGraph);
  b.addFieldOffset(Slot.SubGraph.tensors, tensorsVec, 0);
  b.addFieldOffset(Slot.SubGraph.inputs, inputs, 0);
  b.addFieldOffset(Slot.SubGraph.outputs, outputs, 0);
  b.addFieldOffset(Slot.SubGraph.operators, operatorsVec, 0);
  b.addFieldOffset(Slot.SubGraph.name, subName, 0);
  const subgraph = b.endObject();
  const subgraphsVec = offsetVector(b, [subgraph]);

  const opCodesVec = offsetVector(b, codes.map((c) => writeOperatorCode(b, c.code, c.version)));
  const metadataVec = offsetVector(b, graph.metadata.map((m, i) => {
    const name = b.createString(m.name);
    b.startObject(SLOTS.Metadata);
    b.addFieldOffset(Slot.Metadata.name, name, 0);
    b.addFieldInt32(Slot.Metadata.buffer, metadataBuffer[i]!, 0);
    return b.endObject();
  }));
  const description = b.createString(graph.description);

  b.startObject(SLOTS.Model);
  b.addFieldInt32(Slot.Model.version, SCHEMA_VERSION, 0);
  b.addFieldOffset(Slot.Model.operatorCodes, opCodesVec, 0);
  b.addFieldOffset(Slot.Model.subgraphs, subgraphsVec, 0);
  b.addFieldOffset(Slot.Model.description, description, 0);
  b.addFieldOffset(Slot.Model.buffers, buffersVec, 0);
  b.addFieldOffset(Slot.Model.metadata, metadataVec, 0);
  const model = b.endObject();
  b.finish(model, FILE_IDENTIFIER);
  // A copy, so the result does not pin the builder's (larger) backing store.
  return b.asUint8Array().slice();
}
