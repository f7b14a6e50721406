/**
 * .tflite → IR. Reads subgraph 0 of a TFLite FlatBuffer with bounds-checked accessors, lowers tensors,
 * quantisation and the supported operators into the graph IR, then validates it.
 */
import { inputError, isMicronetsError } from "../../errors.js";
import { LIMITS } from "../../ir/limits.js";
import { ACTIVATIONS, DTYPES, type Activation, type DType, type Graph, type MetadataEntry, type Operator, type Padding, type Quantization, type Tensor } from "../../ir/types.js";
import { validateGraph } from "../../ir/validate.js";
import { FbTable } from "./flatbuffer-table.js";
import { builtinName, FILE_IDENTIFIER, opTypeForCode, OPTIONS_TAG_FOR, PADDING_CODES, Slot } from "./schema.js";

export function hasTfliteIdentifier(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && String.fromCharCode(bytes[4]!, bytes[5]!, bytes[6]!, bytes[7]!) === FILE_IDENTIFIER;
}

interface OpCode {
  code: number;
  custom: string;
  version: number;
}

function readOpCodes(model: FbTable): OpCode[] {
  const S = Slot.OperatorCode;
  // Converters store each (operator, version) once: there are never more codes than operators.
  return model.tables(Slot.Model.operatorCodes, "operator_codes", LIMITS.maxOperators).map((t) => {
    const deprecated = t.int8(S.deprecatedBuiltinCode, "deprecated_builtin_code");
    const builtin = t.int32(S.builtinCode, "builtin_code");
    return { code: Math.max(deprecated, builtin), custom: t.string(S.customCode, "custom_code"), version: t.int32(S.version, "version", 1) };
  });
}

function readQuant(t: FbTable | null, where: string): Quantization | null {
  if (!t) return null;
  const S = Slot.Quantization;
  if (t.uint8(S.detailsType, "details_type") !== 0) throw inputError("custom/blockwise quantization details are not supported", where);
  const scale = t.float32s(S.scale, "scale");
  let zeroPoint = t.int64s(S.zeroPoint, "zero_point");
  // TFLM populates quantisation only when both vectors are non-empty.
  if (scale.length === 0 || zeroPoint.length === 0) return null;
  if (zeroPoint.length === 1 && scale.length > 1) zeroPoint = new Array<number>(scale.length).fill(zeroPoint[0]!);
  const axis = t.int32(S.quantizedDimension, "quantized_dimension");
  return { scale, zeroPoint, axis: scale.length > 1 ? axis : 0 };
}

function dtypeOf(code: number, where: string): DType {
  const d = DTYPES[code];
  if (d === undefined) throw inputError(`unknown tensor type code ${code}`, where);
  return d;
}

function readTensors(sub: FbTable, buffers: FbTable[]): Tensor[] {
  const S = Slot.Tensor;
  const list = sub.tables(Slot.SubGraph.tensors, "tensors", LIMITS.maxTensors);
  return list.map((t, id) => {
    const name = t.string(S.name, "name");
    const where = name ? `tensor ${id} '${name}'` : `tensor ${id}`;
    if (t.has(S.sparsity)) throw inputError("sparse tensors are not supported", where);
    if (t.uint32(S.externalBuffer, "external_buffer") !== 0) throw inputError("external buffers are not supported", where);
    const shape = t.int32s(S.shape, "shape");
    const dtype = dtypeOf(t.int8(S.type, "type"), where);
    const bufferIndex = t.uint32(S.buffer, "buffer");
    let data: Uint8Array | null = null;
    if (bufferIndex !== 0) {
      const buf = buffers[bufferIndex];
      if (!buf) throw inputError(`refers to buffer ${bufferIndex}, but the model has ${buffers.length} buffers`, where);
      const bytes = buf.bytes(Slot.Buffer.data, "data");
      if (bytes && bytes.length > 0) data = bytes.slice();
      else if (buf.uint64(Slot.Buffer.offset, "offset") > 1n) throw inputError("data stored outside the FlatBuffer (models over 2 GB) is not supported", where);
    }
    const isVariable = t.bool(S.isVariable, "is_variable");
    const quant = readQuant(t.table(S.quantization, "quantization"), where);
    // Old converters (TOCO) record per-channel bias scales with the filter's quantized dimension (3) on a
    // rank-1 tensor; the only meaningful axis there is 0.
    if (quant && quant.scale.length > 1 && shape.length === 1 && quant.axis >= 1 && shape[0] === quant.scale.length) quant.axis = 0;
    if (isVariable && data) throw inputError("a variable tensor must not carry data", where);
    return { id, name, dtype, shape, quant, constant: data !== null, data, isVariable };
  });
}

function activation(code: number, where: string): Activation {
  const a = ACTIVATIONS[code];
  if (a === undefined) throw inputError(`unknown fused activation code ${code}`, where);
  return a;
}

function padding(code: number, where: string): Padding {
  const p = PADDING_CODES[code];
  if (p === undefined) throw inputError(`unknown padding code ${code}`, where);
  return p;
}

function readOperator(t: FbTable, index: number, opCodes: OpCode[]): Operator {
  const S = Slot.Operator;
  const opcodeIndex = t.uint32(S.opcodeIndex, "opcode_index");
  const oc = opCodes[opcodeIndex];
  if (!oc) throw inputError(`opcode_index ${opcodeIndex} is out of range (${opCodes.length} operator codes)`, `op ${index}`);
  const type = opTypeForCode(oc.code);
  if (!type) {
    const name = oc.code === 32 && oc.custom ? `custom operator '${oc.custom}'` : `operator ${builtinName(oc.code)} (builtin code ${oc.code})`;
    throw inputError(`unsupported ${name}; micronets supports CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, ADD, MUL, RESHAPE, SOFTMAX, PAD, MEAN, CONCATENATION, QUANTIZE, DEQUANTIZE`, `op ${index} (${builtinName(oc.code)})`);
  }
  const where = `op ${index} (${type})`;
  const inputs = t.int32s(S.inputs, "inputs");
  const outputs = t.int32s(S.outputs, "outputs");
  const tag = t.uint8(S.builtinOptionsType, "builtin_options_type");
  let opts: FbTable | null = null;
  if (tag !== 0) {
    if (tag !== OPTIONS_TAG_FOR[type]) throw inputError(`builtin_options_type ${tag} does not belong to ${type} (expected ${OPTIONS_TAG_FOR[type]})`, where);
    opts = t.table(S.builtinOptions, "builtin_options");
  }
  // A missing options table leaves every field at its schema default, as TFLM's parser does.
  const o = opts ?? FbTable.root(EMPTY_TABLE, `${where} options`);
  const base = { inputs, outputs, version: oc.version };
  switch (type) {
    case "CONV_2D": {
      const C = Slot.Conv2DOptions;
      return { ...base, type, attrs: { padding: padding(o.int8(C.padding, "padding"), where), strideW: o.int32(C.strideW, "stride_w"), strideH: o.int32(C.strideH, "stride_h"), activation: activation(o.int8(C.activation, "fused_activation_function"), where), dilationW: o.int32(C.dilationW, "dilation_w_factor", 1), dilationH: o.int32(C.dilationH, "dilation_h_factor", 1) } };
    }
    case "DEPTHWISE_CONV_2D": {
      const C = Slot.DepthwiseConv2DOptions;
      return { ...base, type, attrs: { padding: padding(o.int8(C.padding, "padding"), where), strideW: o.int32(C.strideW, "stride_w"), strideH: o.int32(C.strideH, "stride_h"), depthMultiplier: o.int32(C.depthMultiplier, "depth_multiplier"), activation: activation(o.int8(C.activation, "fused_activation_function"), where), dilationW: o.int32(C.dilationW, "dilation_w_factor", 1), dilationH: o.int32(C.dilationH, "dilation_h_factor", 1) } };
    }
    case "FULLY_CONNECTED": {
      const C = Slot.FullyConnectedOptions;
      if (o.int8(C.weightsFormat, "weights_format") !== 0) throw inputError("shuffled FULLY_CONNECTED weights are not supported", where);
      return { ...base, type, attrs: { activation: activation(o.int8(C.activation, "fused_activation_function"), where), keepNumDims: o.bool(C.keepNumDims, "keep_num_dims") } };
    }
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D": {
      const C = Slot.Pool2DOptions;
      return { ...base, type, attrs: { padding: padding(o.int8(C.padding, "padding"), where), strideW: o.int32(C.strideW, "stride_w"), strideH: o.int32(C.strideH, "stride_h"), filterW: o.int32(C.filterW, "filter_width"), filterH: o.int32(C.filterH, "filter_height"), activation: activation(o.int8(C.activation, "fused_activation_function"), where) } };
    }
    case "ADD":
    case "MUL":
      return { ...base, type, attrs: { activation: activation(o.int8(0, "fused_activation_function"), where) } };
    case "RESHAPE": {
      const ns = o.int32s(Slot.ReshapeOptions.newShape, "new_shape");
      return { ...base, type, attrs: { newShape: o.has(Slot.ReshapeOptions.newShape) ? ns : null } };
    }
    case "SOFTMAX":
      return { ...base, type, attrs: { beta: o.float32(Slot.SoftmaxOptions.beta, "beta") } };
    case "CONCATENATION":
      return { ...base, type, attrs: { axis: o.int32(Slot.ConcatenationOptions.axis, "axis"), activation: activation(o.int8(Slot.ConcatenationOptions.activation, "fused_activation_function"), where) } };
    case "MEAN":
      return { ...base, type, attrs: { keepDims: o.bool(Slot.ReducerOptions.keepDims, "keep_dims") } };
    case "PAD":
    case "QUANTIZE":
    case "DEQUANTIZE":
      return { ...base, type, attrs: {} };
  }
}

/** Subgraphs (only the first is read) and metadata entries a file may have; real files have a handful. */
const MAX_SUBGRAPHS = 1024;
const MAX_METADATA = 1024;

/** A FlatBuffer holding one empty table: root offset 8, table soffset → 4-byte vtable (len 4, size 4). */
const EMPTY_TABLE = new Uint8Array([12, 0, 0, 0, 0, 0, 0, 0, 4, 0, 4, 0, 4, 0, 0, 0]);

/** Parses a .tflite file into the IR (subgraph 0) and validates it. Errors name `fileName`. */
export function readTflite(bytes: Uint8Array, fileName?: string): Graph {
  try {
    if (bytes.length < 8) throw inputError(`file is ${bytes.length} bytes; a .tflite file is a FlatBuffer of at least 8 bytes`, "byte 0");
    if (!hasTfliteIdentifier(bytes)) {
      const id = Array.from(bytes.subarray(4, 8), (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : "?")).join("");
      throw inputError(`file identifier is '${id}', expected '${FILE_IDENTIFIER}' (not a TFLite model)`, "bytes 4-7");
    }
    const model = FbTable.root(bytes, "model");
    const version = model.uint32(Slot.Model.version, "version");
    if (version !== 3) throw inputError(`schema version ${version} is not supported (expected 3)`, "model.version");
    const opCodes = readOpCodes(model);
    const subgraphs = model.tables(Slot.Model.subgraphs, "subgraphs", MAX_SUBGRAPHS);
    const sub = subgraphs[0];
    if (!sub) throw inputError("the model has no subgraphs", "model.subgraphs");
    const buffers = model.tables(Slot.Model.buffers, "buffers", LIMITS.maxTensors + MAX_METADATA + 1);
    const tensors = readTensors(sub, buffers);
    const opTables = sub.tables(Slot.SubGraph.operators, "operators", LIMITS.maxOperators);
    const operators = opTables.map((t, i) => readOperator(t, i, opCodes));
    const metadata: MetadataEntry[] = model.tables(Slot.Model.metadata, "metadata", MAX_METADATA).map((m, i) => {
      const name = m.string(Slot.Metadata.name, "name");
      const bi = m.uint32(Slot.Metadata.buffer, "buffer");
      const buf = buffers[bi];
      if (!buf) throw inputError(`refers to buffer ${bi}, but the model has ${buffers.length} buffers`, `metadata ${i} '${name}'`);
      return { name, data: (buf.bytes(Slot.Buffer.data, "data") ?? new Uint8Array(0)).slice() };
    });
    const graph: Graph = {
      name: sub.string(Slot.SubGraph.name, "name"),
      description: model.string(Slot.Model.description, "description"),
      tensors,
      operators,
      inputs: sub.int32s(Slot.SubGraph.inputs, "inputs"),
      outputs: sub.int32s(Slot.SubGraph.outputs, "outputs"),
      metadata,
    };
    return validateGraph(graph);
  } catch (e) {
    if (fileName && isMicronetsError(e)) throw e.withFile(fileName);
    throw e;
  }
}
