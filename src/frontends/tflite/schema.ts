/**
 * The subset of the TFLite FlatBuffers schema micronets reads and writes: vtable slot numbers, enum codes and
 * options-union tags, written from the facts in the schema description (not generated from schema.fbs).
 */
import type { OpType } from "../../ir/types.js";

export const FILE_IDENTIFIER = "TFL3";
export const SCHEMA_VERSION = 3;

/** Vtable slots per table. */
export const Slot = {
  Model: { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4, metadataBuffer: 5, metadata: 6, signatureDefs: 7 },
  SubGraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 },
  Tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, isVariable: 5, sparsity: 6, shapeSignature: 7, hasRank: 8, variantTensors: 9, externalBuffer: 10 },
  Buffer: { data: 0, offset: 1, size: 2 },
  Operator: { opcodeIndex: 0, inputs: 1, outputs: 2, builtinOptionsType: 3, builtinOptions: 4, customOptions: 5, intermediates: 8, builtinOptions2Type: 11 },
  OperatorCode: { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 },
  Quantization: { min: 0, max: 1, scale: 2, zeroPoint: 3, detailsType: 4, details: 5, quantizedDimension: 6 },
  Metadata: { name: 0, buffer: 1 },
  Conv2DOptions: { padding: 0, strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5 },
  DepthwiseConv2DOptions: { padding: 0, strideW: 1, strideH: 2, depthMultiplier: 3, activation: 4, dilationW: 5, dilationH: 6 },
  FullyConnectedOptions: { activation: 0, weightsFormat: 1, keepNumDims: 2 },
  Pool2DOptions: { padding: 0, strideW: 1, strideH: 2, filterW: 3, filterH: 4, activation: 5 },
  AddOptions: { activation: 0 },
  MulOptions: { activation: 0 },
  ReshapeOptions: { newShape: 0 },
  SoftmaxOptions: { beta: 0 },
  ConcatenationOptions: { axis: 0, activation: 1 },
  ReducerOptions: { keepDims: 0 },
} as const;

/** BuiltinOperator codes of the supported ops. */
export const BUILTIN_CODE: { [K in OpType]: number } = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  MAX_POOL_2D: 17,
  MUL: 18,
  RESHAPE: 22,
  SOFTMAX: 25,
  PAD: 34,
  MEAN: 40,
  QUANTIZE: 114,
};

/** Names of other builtin codes, so an unsupported op can be named in the error. */
const OTHER_BUILTIN_NAMES: Record<number, string> = {
  5: "DEPTH_TO_SPACE", 7: "EMBEDDING_LOOKUP", 8: "FLOOR", 10: "HASHTABLE_LOOKUP", 11: "L2_NORMALIZATION",
  12: "L2_POOL_2D", 13: "LOCAL_RESPONSE_NORMALIZATION", 14: "LOGISTIC", 15: "LSH_PROJECTION", 16: "LSTM",
  19: "RELU", 20: "RELU_N1_TO_1", 21: "RELU6", 23: "RESIZE_BILINEAR", 24: "RNN", 26: "SPACE_TO_DEPTH",
  27: "SVDF", 28: "TANH", 29: "CONCAT_EMBEDDINGS", 30: "SKIP_GRAM", 31: "CALL", 32: "CUSTOM",
  33: "EMBEDDING_LOOKUP_SPARSE", 35: "UNIDIRECTIONAL_SEQUENCE_RNN", 36: "GATHER", 37: "BATCH_TO_SPACE_ND",
  38: "SPACE_TO_BATCH_ND", 39: "TRANSPOSE", 41: "SUB", 42: "DIV", 43: "SQUEEZE",
  44: "UNIDIRECTIONAL_SEQUENCE_LSTM", 45: "STRIDED_SLICE", 46: "BIDIRECTIONAL_SEQUENCE_RNN", 47: "EXP",
  48: "TOPK_V2", 49: "SPLIT", 50: "LOG_SOFTMAX", 51: "DELEGATE", 52: "BIDIRECTIONAL_SEQUENCE_LSTM",
  53: "CAST", 54: "PRELU", 55: "MAXIMUM", 56: "ARG_MAX", 57: "MINIMUM", 58: "LESS", 59: "NEG", 60: "PADV2",
  61: "GREATER", 62: "GREATER_EQUAL", 63: "LESS_EQUAL", 64: "SELECT", 65: "SLICE", 66: "SIN",
  67: "TRANSPOSE_CONV", 68: "SPARSE_TO_DENSE", 69: "TILE", 70: "EXPAND_DIMS", 71: "EQUAL", 72: "NOT_EQUAL",
  73: "LOG", 74: "SUM", 75: "SQRT", 76: "RSQRT", 77: "SHAPE", 78: "POW", 79: "ARG_MIN", 80: "FAKE_QUANT",
  81: "REDUCE_PROD", 82: "REDUCE_MAX", 83: "PACK", 84: "LOGICAL_OR", 85: "ONE_HOT", 86: "LOGICAL_AND",
  87: "LOGICAL_NOT", 88: "UNPACK", 89: "REDUCE_MIN", 90: "FLOOR_DIV", 91: "REDUCE_ANY", 92: "SQUARE",
  93: "ZEROS_LIKE", 94: "FILL", 95: "FLOOR_MOD", 96: "RANGE", 97: "RESIZE_NEAREST_NEIGHBOR", 98: "LEAKY_RELU",
  99: "SQUARED_DIFFERENCE", 100: "MIRROR_PAD", 101: "ABS", 102: "SPLIT_V", 103: "UNIQUE", 104: "CEIL",
  105: "REVERSE_V2", 106: "ADD_N", 107: "GATHER_ND", 108: "COS", 109: "WHERE", 110: "RANK", 111: "ELU",
  112: "REVERSE_SEQUENCE", 113: "MATRIX_DIAG", 115: "MATRIX_SET_DIAG", 116: "ROUND", 117: "HARD_SWISH",
  118: "IF", 119: "WHILE", 120: "NON_MAX_SUPPRESSION_V4", 121: "NON_MAX_SUPPRESSION_V5", 122: "SCATTER_ND",
  123: "SELECT_V2", 124: "DENSIFY", 125: "SEGMENT_SUM", 126: "BATCH_MATMUL",
  127: "PLACEHOLDER_FOR_GREATER_OP_CODES", 150: "GELU", 152: "RELU_0_TO_1",
};

const OP_BY_CODE = new Map<number, OpType>(Object.entries(BUILTIN_CODE).map(([k, v]) => [v, k as OpType]));

export function opTypeForCode(code: number): OpType | undefined {
  return OP_BY_CODE.get(code);
}

export function builtinName(code: number): string {
  return OP_BY_CODE.get(code) ?? OTHER_BUILTIN_NAMES[code] ?? `BUILTIN_${code}`;
}

/** BuiltinOptions union tags. */
export const OptionsTag = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ReshapeOptions: 17,
  MulOptions: 21,
  PadOptions: 22,
  ReducerOptions: 27,
  DequantizeOptions: 38,
  QuantizeOptions: 89,
} as const;

/** The options tag each supported op uses. */
export const OPTIONS_TAG_FOR: { [K in OpType]: number } = {
  CONV_2D: OptionsTag.Conv2DOptions,
  DEPTHWISE_CONV_2D: OptionsTag.DepthwiseConv2DOptions,
  FULLY_CONNECTED: OptionsTag.FullyConnectedOptions,
  AVERAGE_POOL_2D: OptionsTag.Pool2DOptions,
  MAX_POOL_2D: OptionsTag.Pool2DOptions,
  ADD: OptionsTag.AddOptions,
  MUL: OptionsTag.MulOptions,
  RESHAPE: OptionsTag.ReshapeOptions,
  SOFTMAX: OptionsTag.SoftmaxOptions,
  PAD: OptionsTag.PadOptions,
  MEAN: OptionsTag.ReducerOptions,
  CONCATENATION: OptionsTag.ConcatenationOptions,
  QUANTIZE: OptionsTag.QuantizeOptions,
  DEQUANTIZE: OptionsTag.DequantizeOptions,
};

/** Padding enum: SAME = 0, VALID = 1. */
export const PADDING_CODES = ["same", "valid"] as const;
