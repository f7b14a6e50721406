/**
 * The graph IR: the one data type that flows from the frontends through analysis to the backends.
 *
 * Conventions (those of TFLite, so a .tflite file maps onto it without reinterpretation):
 * - layouts are NHWC; conv filters OHWI [Cout, KH, KW, Cin/groups]; depthwise filters [1, KH, KW, Cout];
 *   fully-connected filters [units, depth];
 * - operators are stored in execution order and refer to tensors by index; -1 marks an omitted optional input;
 * - quantisation is real = scale · (q − zero_point), per tensor or per axis;
 * - constant data is kept as the raw little-endian bytes of the tensor.
 */

export const DTYPES = [
  "float32", "float16", "int32", "uint8", "int64", "string", "bool", "int16", "complex64", "int8",
  "float64", "complex128", "uint64", "resource", "variant", "uint32", "uint16", "int4", "bfloat16",
  "int2", "uint4", "float8_e4m3fn", "float8_e5m2",
] as const;
/** Element type. The index of a name in DTYPES is its TFLite TensorType code. */
export type DType = (typeof DTYPES)[number];

/** Bytes per element, or 0 where an element is not a whole number of bytes / not a plain value. */
export function dtypeSize(t: DType): number {
  switch (t) {
    case "int8": case "uint8": case "bool": return 1;
    case "int16": case "uint16": case "float16": case "bfloat16": return 2;
    case "int32": case "uint32": case "float32": return 4;
    case "int64": case "uint64": case "float64": case "complex64": return 8;
    case "complex128": return 16;
    default: return 0;
  }
}

export interface Quantization {
  /** float32 values (each is exactly representable as float32). Length 1 = per tensor. */
  scale: number[];
  /** Same length as scale (a single zero point is repeated by the frontends). */
  zeroPoint: number[];
  /** The quantized dimension for per-axis quantisation (0 when per tensor). */
  axis: number;
}

export interface Tensor {
  /** Index of this tensor in Graph.tensors. */
  id: number;
  name: string;
  dtype: DType;
  /** Dimensions; [] is a scalar. */
  shape: number[];
  quant: Quantization | null;
  /** True for weights, biases and other tensors whose value is fixed at build time (stored in flash). */
  constant: boolean;
  /**
   * Raw little-endian bytes of a constant tensor. A constant without data is "shape only" (an architecture
   * that has not been given weights): it can be analysed but not run or compiled.
   */
  data: Uint8Array | null;
  /** Mutable state kept across inferences (not planned in the arena; persistent). */
  isVariable: boolean;
}

export type Padding = "same" | "valid";
export type Activation = "none" | "relu" | "relu_n1_to_1" | "relu6" | "tanh" | "sign_bit";
/** TFLite ActivationFunctionType codes, by index. */
export const ACTIVATIONS: readonly Activation[] = ["none", "relu", "relu_n1_to_1", "relu6", "tanh", "sign_bit"];

export interface Conv2DAttrs {
  padding: Padding;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  activation: Activation;
}
export interface DepthwiseConv2DAttrs extends Conv2DAttrs {
  depthMultiplier: number;
}
export interface FullyConnectedAttrs {
  activation: Activation;
  keepNumDims: boolean;
}
export interface Pool2DAttrs {
  padding: Padding;
  strideH: number;
  strideW: number;
  filterH: number;
  filterW: number;
  activation: Activation;
}
export interface ElementwiseAttrs {
  activation: Activation;
}
export interface ReshapeAttrs {
  /** From ReshapeOptions.new_shape when the model carries it; the output tensor's shape is authoritative. */
  newShape: number[] | null;
}
export interface SoftmaxAttrs {
  beta: number;
}
export interface MeanAttrs {
  keepDims: boolean;
}
export interface ConcatenationAttrs {
  axis: number;
  activation: Activation;
}
export type NoAttrs = Record<string, never>;

export interface OpAttrsMap {
  CONV_2D: Conv2DAttrs;
  DEPTHWISE_CONV_2D: DepthwiseConv2DAttrs;
  FULLY_CONNECTED: FullyConnectedAttrs;
  AVERAGE_POOL_2D: Pool2DAttrs;
  MAX_POOL_2D: Pool2DAttrs;
  ADD: ElementwiseAttrs;
  MUL: ElementwiseAttrs;
  RESHAPE: ReshapeAttrs;
  SOFTMAX: SoftmaxAttrs;
  PAD: NoAttrs;
  MEAN: MeanAttrs;
  CONCATENATION: ConcatenationAttrs;
  QUANTIZE: NoAttrs;
  DEQUANTIZE: NoAttrs;
}
export type OpType = keyof OpAttrsMap;
export const OP_TYPES: readonly OpType[] = [
  "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "AVERAGE_POOL_2D", "MAX_POOL_2D", "ADD", "MUL",
  "RESHAPE", "SOFTMAX", "PAD", "MEAN", "CONCATENATION", "QUANTIZE", "DEQUANTIZE",
];

interface OperatorOf<K extends OpType> {
  type: K;
  attrs: OpAttrsMap[K];
  /** Tensor indices; -1 = omitted optional input. */
  inputs: number[];
  outputs: number[];
  /** The operator version recorded in the model (TFLite OperatorCode.version). */
  version: number;
}
/** An operator; `type` discriminates `attrs`. */
export type Operator = { [K in OpType]: OperatorOf<K> }[OpType];
export type OperatorOfType<K extends OpType> = OperatorOf<K>;

export interface MetadataEntry {
  name: string;
  data: Uint8Array;
}

export interface Graph {
  /** Model name (subgraph name or architecture name). */
  name: string;
  /** Free-text description carried by the model file. */
  description: string;
  tensors: Tensor[];
  /** In execution order. */
  operators: Operator[];
  inputs: number[];
  outputs: number[];
  /** Named binary metadata carried through unchanged (e.g. TFLite `min_runtime_version`). */
  metadata: MetadataEntry[];
}

export function isOpType(s: string): s is OpType {
  return (OP_TYPES as readonly string[]).includes(s);
}
