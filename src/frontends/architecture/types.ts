/**
 * The architecture JSON document as TypeScript types. They mirror schemas/architecture.schema.json; a value
 * has these types only after the schema check has passed.
 */

/** One positive integer for both spatial dimensions, or [height, width]. */
export type Size2 = number | [number, number];
export type ActivationSpec = "none" | "relu" | "relu6";
export type PaddingSpec = "same" | "valid";

export interface QuantSpec {
  scale: number;
  zeroPoint: number;
}

/** Explicit constant data for one layer (small hand-written tests). */
export interface LayerWeightsSpec {
  /** int8 values flattened in the TFLite filter layout. */
  filter: number[];
  /** One scale, or one per output channel. */
  filterScale: number | number[];
  /** int32 values, one per output channel; zeros when absent. */
  bias?: number[];
}

interface LayerBase {
  name?: string;
  comment?: string;
  inputs?: string[];
}

export interface Conv2DLayerSpec extends LayerBase {
  type: "conv2d";
  filters: number;
  kernel: Size2;
  stride?: Size2;
  dilation?: Size2;
  padding?: PaddingSpec;
  groups?: number;
  activation?: ActivationSpec;
  useBias?: boolean;
  quantization?: QuantSpec;
  weights?: LayerWeightsSpec;
}

export interface DepthwiseLayerSpec extends LayerBase {
  type: "depthwise_conv2d";
  kernel: Size2;
  stride?: Size2;
  dilation?: Size2;
  padding?: PaddingSpec;
  depthMultiplier?: number;
  activation?: ActivationSpec;
  useBias?: boolean;
  quantization?: QuantSpec;
  weights?: LayerWeightsSpec;
}

export interface FullyConnectedLayerSpec extends LayerBase {
  type: "fully_connected";
  units: number;
  keepNumDims?: boolean;
  activation?: ActivationSpec;
  useBias?: boolean;
  quantization?: QuantSpec;
  weights?: LayerWeightsSpec;
}

export interface PoolLayerSpec extends LayerBase {
  type: "avgpool" | "maxpool";
  kernel: Size2 | "global";
  stride?: Size2;
  padding?: PaddingSpec;
  activation?: ActivationSpec;
}

export interface ElementwiseLayerSpec extends LayerBase {
  type: "add" | "mul";
  inputs: string[];
  activation?: ActivationSpec;
  quantization?: QuantSpec;
}

export interface ReshapeLayerSpec extends LayerBase {
  type: "reshape";
  shape: number[];
}

export interface SoftmaxLayerSpec extends LayerBase {
  type: "softmax";
  beta?: number;
}

export interface PadLayerSpec extends LayerBase {
  type: "pad";
  paddings: [number, number][];
}

export interface MeanLayerSpec extends LayerBase {
  type: "mean";
  axes: number[];
  keepDims?: boolean;
  quantization?: QuantSpec;
}

export interface ConcatLayerSpec extends LayerBase {
  type: "concat";
  inputs: string[];
  axis?: number;
  quantization?: QuantSpec;
}

export interface QuantizeLayerSpec extends LayerBase {
  type: "quantize";
  quantization?: QuantSpec;
}

export interface DequantizeLayerSpec extends LayerBase {
  type: "dequantize";
}

export type LayerSpec =
  | Conv2DLayerSpec
  | DepthwiseLayerSpec
  | FullyConnectedLayerSpec
  | PoolLayerSpec
  | ElementwiseLayerSpec
  | ReshapeLayerSpec
  | SoftmaxLayerSpec
  | PadLayerSpec
  | MeanLayerSpec
  | ConcatLayerSpec
  | QuantizeLayerSpec
  | DequantizeLayerSpec;

export type LayerType = LayerSpec["type"];

/** Every layer type, in the schema's order (its `$defs/<type>Layer` entries). */
export const LAYER_TYPES: readonly LayerType[] = [
  "conv2d", "depthwise_conv2d", "fully_connected", "avgpool", "maxpool", "add", "mul", "reshape", "softmax", "pad",
  "mean", "concat", "quantize", "dequantize",
];

export interface InputSpec {
  shape: number[];
  dtype?: "int8";
  quantization?: QuantSpec;
}

export interface ArchitectureDoc {
  $schema?: string;
  name: string;
  description?: string;
  source?: string;
  input: InputSpec;
  layers: LayerSpec[];
  outputs?: string[];
  weights?: { generate: { seed: number } };
}

/** The name the graph input goes by in `inputs`. */
export const GRAPH_INPUT_NAME = "input";
