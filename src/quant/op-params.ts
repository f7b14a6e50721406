/**
 * Per-operator integer parameters, derived from the IR exactly as TFLM's Prepare functions derive them (int8
 * spec §3.5, §3.6, §4). This is the single source of constants for every engine: the reference interpreter,
 * the WebAssembly simulator and the C code generators all read `deriveOpParams(graph)`.
 *
 * Conventions (those of CMSIS-NN's params structs, whose field names are used where they correspond):
 * - `input_offset` = −input zero point, `output_offset` = +output zero point, `filter_offset` = −filter zp;
 * - `multiplier`/`shift` come from QuantizeMultiplier: Q31 mantissa, shift positive = left;
 * - `padding` is the leading (top/left) padding only; `activation` is the int8 clamp [min, max];
 * - dims are NHWC `{ n, h, w, c }`; conv filters are `{ n: Cout, h: KH, w: KW, c: Cin/groups }`,
 *   depthwise filters `{ n: 1, h: KH, w: KW, c: Cout }`, pooling windows `{ n: 1, h: KH, w: KW, c: 1 }`.
 * Everything is plain data (numbers, arrays, small objects), so it can be serialised or printed into C.
 */
import { inputError, isMicronetsError, MicronetsError } from "../errors.js";
import { axisPadding } from "../ir/padding.js";
import { meanAxes } from "../ir/shape-inference.js";
import { elementCount, integerData, opLabel, tensorLabel } from "../ir/tensor-data.js";
import type { Conv2DAttrs, Graph, Operator, OperatorOfType, OpType, Pool2DAttrs, Tensor } from "../ir/types.js";
import { activationRangeInt8, type ActivationRange } from "./activation-range.js";
import { adjustMeanMultiplier } from "./mean-multiplier.js";
import { quantizeMultiplier, quantizeMultiplierGreaterThanOne, quantizeMultiplierSmallerThanOneExp, type QuantizedMultiplier } from "./quantize-multiplier.js";
import type { Rounding } from "./rounding.js";
import { calculateInputRadius, SCALED_DIFF_INTEGER_BITS } from "./softmax-fixed-point.js";

export type { ActivationRange } from "./activation-range.js";
export type { Rounding } from "./rounding.js";

/** NHWC dimensions (CMSIS-NN `cmsis_nn_dims`). */
export interface Dims4 {
  n: number;
  h: number;
  w: number;
  c: number;
}

/** A height/width pair (CMSIS-NN `cmsis_nn_tile`). */
export interface HW {
  h: number;
  w: number;
}

// ---- kernel parameter sets: what each reference kernel (and any other engine's kernel) needs -------------

/** CONV_2D (TFLM ConvPerChannel / CMSIS arm_convolve_wrapper_s8). Grouped when input_dims.c > filter_dims.c. */
export interface ConvKernelParams {
  input_offset: number;
  output_offset: number;
  stride: HW;
  padding: HW;
  dilation: HW;
  activation: ActivationRange;
  /** Per output channel (length Cout), also when the filter is quantised per tensor. */
  multiplier: number[];
  shift: number[];
  input_dims: Dims4;
  filter_dims: Dims4;
  output_dims: Dims4;
  rounding: Rounding;
}

/** DEPTHWISE_CONV_2D (TFLM DepthwiseConvPerChannel / CMSIS arm_depthwise_conv_wrapper_s8). */
export interface DepthwiseConvKernelParams extends ConvKernelParams {
  /** depth_multiplier: output channel oc = ic · ch_mult + m. */
  ch_mult: number;
}

/** FULLY_CONNECTED (TFLM FullyConnected[PerChannel] / CMSIS arm_fully_connected_s8). */
export interface FullyConnectedKernelParams {
  input_offset: number;
  /** −filter zero point; 0 for spec-conforming int8 weights. Ignored by the per-channel variant (as in TFLM). */
  filter_offset: number;
  output_offset: number;
  activation: ActivationRange;
  /** True: one multiplier/shift per output unit; false: `multiplier[0]`/`shift[0]` for all. */
  per_channel: boolean;
  multiplier: number[];
  shift: number[];
  /** Rows of the input: product of all output dims but the last. */
  batches: number;
  /** The filter's last dimension (depth summed over). */
  accum_depth: number;
  /** Output units (the filter's first dimension). */
  output_depth: number;
  rounding: Rounding;
}

/** AVERAGE_POOL_2D and MAX_POOL_2D (CMSIS arm_avgpool_s8 / arm_max_pool_s8). */
export interface PoolKernelParams {
  stride: HW;
  padding: HW;
  activation: ActivationRange;
  input_dims: Dims4;
  filter_dims: Dims4;
  output_dims: Dims4;
}

/** ADD (TFLM AddElementwise / BroadcastAdd6DSlow; CMSIS arm_elementwise_add_s8), NumPy broadcasting. */
export interface AddKernelParams {
  input1_offset: number;
  input1_multiplier: number;
  input1_shift: number;
  input2_offset: number;
  input2_multiplier: number;
  input2_shift: number;
  /** 20 for int8: both inputs are scaled by 2^left_shift before their multipliers. */
  left_shift: number;
  output_offset: number;
  output_multiplier: number;
  output_shift: number;
  activation: ActivationRange;
  input1_shape: number[];
  input2_shape: number[];
  output_shape: number[];
  rounding: Rounding;
}

/** MUL (TFLM MulElementwise / CMSIS arm_elementwise_mul_s8), NumPy broadcasting. */
export interface MulKernelParams {
  input1_offset: number;
  input2_offset: number;
  output_offset: number;
  output_multiplier: number;
  output_shift: number;
  activation: ActivationRange;
  input1_shape: number[];
  input2_shape: number[];
  output_shape: number[];
  rounding: Rounding;
}

/** SOFTMAX int8 → int8 over the last dimension (CMSIS arm_softmax_s8; output scale 1/256, zp −128). */
export interface SoftmaxKernelParams {
  num_rows: number;
  row_size: number;
  /** Q31 multiplier of β · input_scale · 2^26 (`mult` in arm_softmax_s8). */
  input_multiplier: number;
  /** Left shift of that multiplier, ≥ 0 (`shift` in arm_softmax_s8). */
  input_left_shift: number;
  /** Differences below this (≤ 0) contribute nothing and output −128. */
  diff_min: number;
  rounding: Rounding;
}

/** PAD (up to 5-D; CMSIS arm_pad_s8 for 4-D). */
export interface PadKernelParams {
  input_shape: number[];
  output_shape: number[];
  /** Elements before, per dimension. */
  pre_pad: number[];
  /** Elements after, per dimension. */
  post_pad: number[];
  /** The output zero point for PAD. */
  pad_value: number;
}

/** MEAN int8 (TFLM QuantizedMeanOrSum): the division by the count is folded into the multiplier. */
export interface MeanKernelParams {
  input_shape: number[];
  /** Reduced dimensions, normalised (non-negative), sorted and de-duplicated. */
  axes: number[];
  /** Elements summed into each output. */
  num_elements: number;
  input_offset: number;
  output_offset: number;
  /** QuantizeMultiplier(in_s / out_s) before the count adjustment. */
  base_multiplier: number;
  base_shift: number;
  /** The adjusted multiplier and shift the kernel applies (spec §4.10). */
  multiplier: number;
  shift: number;
  rounding: Rounding;
}

/** CONCATENATION: inputs are block-copied along `axis` in input order (all share the output's quantisation). */
export interface ConcatenationKernelParams {
  axis: number;
  input_shapes: number[][];
  output_shape: number[];
}

/** RESHAPE: a copy of `size` elements. */
export interface ReshapeKernelParams {
  size: number;
}

/** QUANTIZE float32 → int8: q = clamp(round(x / scale) + zero_point), the division in float32. */
export interface QuantizeFloatKernelParams {
  mode: "float";
  size: number;
  /** The output's float32 scale. */
  scale: number;
  zero_point: number;
}

/** QUANTIZE int8/int16/int32 → int8 (requantize): clamp(MBQM(x + input_offset, M, s) + output_offset). */
export interface RequantizeKernelParams {
  mode: "requantize";
  size: number;
  input_offset: number;
  output_offset: number;
  multiplier: number;
  shift: number;
  rounding: Rounding;
}

export type QuantizeKernelParams = QuantizeFloatKernelParams | RequantizeKernelParams;

/** DEQUANTIZE int8 → float32: f = (float)(scale · (q − zero_point)). */
export interface DequantizeKernelParams {
  size: number;
  scale: number;
  zero_point: number;
}

// ---- per-op entries -----------------------------------------------------------------------------------

interface OpParamsBase<K extends OpType> {
  type: K;
  /** The operator's index in graph.operators (execution order). */
  op_index: number;
  /** The requantisation build the multipliers were derived for; engines must apply MBQM of this kind. */
  rounding: Rounding;
}

/** Tensor indices an op reads and writes (bias −1 when absent). */
export interface ConvTensors {
  input: number;
  filter: number;
  bias: number;
  output: number;
}
export interface UnaryTensors {
  input: number;
  output: number;
}
export interface BinaryTensors {
  input1: number;
  input2: number;
  output: number;
}

export interface ConvParams extends OpParamsBase<"CONV_2D">, ConvKernelParams {
  tensors: ConvTensors;
  groups: number;
}
export interface DepthwiseConvParams extends OpParamsBase<"DEPTHWISE_CONV_2D">, DepthwiseConvKernelParams {
  tensors: ConvTensors;
}
export interface FullyConnectedParams extends OpParamsBase<"FULLY_CONNECTED">, FullyConnectedKernelParams {
  tensors: ConvTensors;
}
export interface AveragePoolParams extends OpParamsBase<"AVERAGE_POOL_2D">, PoolKernelParams {
  tensors: UnaryTensors;
}
export interface MaxPoolParams extends OpParamsBase<"MAX_POOL_2D">, PoolKernelParams {
  tensors: UnaryTensors;
}
export interface AddParams extends OpParamsBase<"ADD">, AddKernelParams {
  tensors: BinaryTensors;
}
export interface MulParams extends OpParamsBase<"MUL">, MulKernelParams {
  tensors: BinaryTensors;
}
export interface SoftmaxParams extends OpParamsBase<"SOFTMAX">, SoftmaxKernelParams {
  tensors: UnaryTensors;
}
export interface PadParams extends OpParamsBase<"PAD">, PadKernelParams {
  tensors: UnaryTensors & { paddings: number };
}
export interface MeanParams extends OpParamsBase<"MEAN">, MeanKernelParams {
  tensors: UnaryTensors & { axis: number };
}
export interface ConcatenationParams extends OpParamsBase<"CONCATENATION">, ConcatenationKernelParams {
  tensors: { inputs: number[]; output: number };
}
export interface ReshapeParams extends OpParamsBase<"RESHAPE">, ReshapeKernelParams {
  tensors: UnaryTensors;
}
export type QuantizeParams = OpParamsBase<"QUANTIZE"> & QuantizeKernelParams & { tensors: UnaryTensors };
export interface DequantizeParams extends OpParamsBase<"DEQUANTIZE">, DequantizeKernelParams {
  tensors: UnaryTensors;
}

/** One entry per operator, discriminated by `type` (the IR op type). */
export type OpParams =
  | ConvParams
  | DepthwiseConvParams
  | FullyConnectedParams
  | AveragePoolParams
  | MaxPoolParams
  | AddParams
  | MulParams
  | SoftmaxParams
  | PadParams
  | MeanParams
  | ConcatenationParams
  | ReshapeParams
  | QuantizeParams
  | DequantizeParams;

export type OpParamsOfType<K extends OpType> = Extract<OpParams, { type: K }>;

export interface DeriveOptions {
  /** "double" (default; TFLM and CMSIS-NN) or "single" (TFLITE_SINGLE_ROUNDING). */
  rounding?: Rounding;
}

// ---- derivation ---------------------------------------------------------------------------------------

/** Reads quantisation facts from tensors; failures name the op. */
class Ctx {
  constructor(readonly graph: Graph, readonly op: Operator, readonly index: number, readonly rounding: Rounding) {}

  fail(message: string): never {
    throw inputError(message, opLabel(this.op, this.index));
  }

  tensor(id: number | undefined, role: string): Tensor {
    const t = id === undefined || id < 0 ? undefined : this.graph.tensors[id];
    if (!t) this.fail(`missing ${role}`);
    return t;
  }

  input(i: number, role: string): Tensor {
    return this.tensor(this.op.inputs[i], role);
  }

  optionalInputId(i: number): number {
    const id = this.op.inputs[i];
    return id === undefined || id < 0 ? -1 : id;
  }

  output(): Tensor {
    return this.tensor(this.op.outputs[0], "output");
  }

  /** Per-tensor (scale, zero point); per-axis tensors give their first entry, as TFLM's params.scale does. */
  qp(t: Tensor, role: string): { scale: number; zp: number } {
    if (!t.quant) this.fail(`${role} (${tensorLabel(t)}) has no quantization parameters`);
    return { scale: t.quant.scale[0]!, zp: t.quant.zeroPoint[0]! };
  }

  scales(t: Tensor, role: string): number[] {
    if (!t.quant) this.fail(`${role} (${tensorLabel(t)}) has no quantization parameters`);
    return t.quant.scale;
  }

  dims4(t: Tensor, role: string): Dims4 {
    if (t.shape.length !== 4) this.fail(`${role} (${tensorLabel(t)}) must have 4 dimensions, has [${t.shape.join(", ")}]`);
    const [n, h, w, c] = t.shape as [number, number, number, number];
    return { n, h, w, c };
  }

  /** Runs a multiplier computation, re-throwing its MicronetsError with this op's place. */
  quant<T>(what: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (isMicronetsError(e)) throw new MicronetsError(e.kind, `${what}: ${e.message}`, { where: opLabel(this.op, this.index) });
      throw e;
    }
  }

  /**
   * A requantisation multiplier the kernels can apply: TFLM's MultiplyByQuantizedMultiplier shifts left by at
   * most 31 (double rounding; single rounding caps at 30 itself). A larger shift (a real multiplier of 2^31
   * or more, e.g. from a denormal output scale) is undefined behaviour in TFLM and in C, so it is refused
   * here, for every engine alike.
   */
  requant(what: string, real: () => number, f: (real: number) => QuantizedMultiplier): QuantizedMultiplier {
    return this.quant(what, () => {
      const m = real();
      const q = f(m);
      if (q.shift > 31) throw inputError(`real multiplier ${m} needs a left shift of ${q.shift}; TFLM's kernels shift by at most 31 (check the scales)`);
      return q;
    });
  }
}

function perChannelMultipliers(ctx: Ctx, input: Tensor, filter: Tensor, output: Tensor, channels: number): { multiplier: number[]; shift: number[] } {
  const inS = ctx.qp(input, "input").scale;
  const outS = ctx.qp(output, "output").scale;
  const wS = ctx.scales(filter, "filter");
  if (wS.length !== 1 && wS.length !== channels) ctx.fail(`filter has ${wS.length} scales; expected 1 or ${channels}`);
  const multiplier: number[] = [];
  const shift: number[] = [];
  for (let c = 0; c < channels; c++) {
    // (double)input_scale · (double)filter_scale / (double)output_scale, left to right.
    const real = (inS * wS[wS.length === 1 ? 0 : c]!) / outS;
    const q = ctx.requant(`channel ${c} multiplier`, () => real, (r) => quantizeMultiplier(r, ctx.rounding));
    multiplier.push(q.multiplier);
    shift.push(q.shift);
  }
  return { multiplier, shift };
}

function convTensors(ctx: Ctx): ConvTensors {
  return { input: ctx.op.inputs[0]!, filter: ctx.op.inputs[1]!, bias: ctx.optionalInputId(2), output: ctx.op.outputs[0]! };
}

function unaryTensors(ctx: Ctx): UnaryTensors {
  return { input: ctx.op.inputs[0]!, output: ctx.op.outputs[0]! };
}

/** Stride, leading padding and dilation of a sliding window over `inDims` (TFLM's ComputePaddingHeightWidth). */
function slidingWindow(a: Conv2DAttrs | Pool2DAttrs, inDims: Dims4, kh: number, kw: number): { stride: HW; padding: HW; dilation: HW } {
  const dilation = "dilationH" in a ? { h: a.dilationH, w: a.dilationW } : { h: 1, w: 1 };
  return {
    stride: { h: a.strideH, w: a.strideW },
    padding: {
      h: axisPadding(a.padding, inDims.h, kh, a.strideH, dilation.h).before,
      w: axisPadding(a.padding, inDims.w, kw, a.strideW, dilation.w).before,
    },
    dilation,
  };
}

/**
 * What CONV_2D and DEPTHWISE_CONV_2D share: offsets, window, activation, per-channel requantisation, dims.
 * `check` runs on the dims before anything is derived from them.
 */
function convCommon(ctx: Ctx, a: Conv2DAttrs, channelsOf: (filterDims: Dims4) => number, check?: (inDims: Dims4, fDims: Dims4) => void) {
  const input = ctx.input(0, "input");
  const filter = ctx.input(1, "filter");
  const output = ctx.output();
  const inDims = ctx.dims4(input, "input");
  const fDims = ctx.dims4(filter, "filter");
  const outDims = ctx.dims4(output, "output");
  const out = ctx.qp(output, "output");
  check?.(inDims, fDims);
  return {
    op_index: ctx.index,
    rounding: ctx.rounding,
    tensors: convTensors(ctx),
    input_offset: -ctx.qp(input, "input").zp,
    output_offset: out.zp,
    ...slidingWindow(a, inDims, fDims.h, fDims.w),
    activation: activationRangeInt8(a.activation, out.scale, out.zp),
    ...perChannelMultipliers(ctx, input, filter, output, channelsOf(fDims)),
    input_dims: inDims,
    filter_dims: fDims,
    output_dims: outDims,
  };
}

function conv(ctx: Ctx, op: OperatorOfType<"CONV_2D">): ConvParams {
  const common = convCommon(ctx, op.attrs, (f) => f.n);
  return { type: "CONV_2D", ...common, groups: common.input_dims.c / common.filter_dims.c };
}

function depthwise(ctx: Ctx, op: OperatorOfType<"DEPTHWISE_CONV_2D">): DepthwiseConvParams {
  const a = op.attrs;
  const common = convCommon(ctx, a, (f) => f.c, (inDims, fDims) => {
    if (fDims.c !== inDims.c * a.depthMultiplier) ctx.fail(`filter has ${fDims.c} channels; input ${inDims.c} × depth_multiplier ${a.depthMultiplier} expected`);
  });
  return { type: "DEPTHWISE_CONV_2D", ...common, ch_mult: a.depthMultiplier };
}

function fullyConnected(ctx: Ctx, op: OperatorOfType<"FULLY_CONNECTED">): FullyConnectedParams {
  const input = ctx.input(0, "input");
  const filter = ctx.input(1, "filter");
  const output = ctx.output();
  if (filter.shape.length !== 2) ctx.fail(`filter must have 2 dimensions, has [${filter.shape.join(", ")}]`);
  const [units, depth] = filter.shape as [number, number];
  const inQ = ctx.qp(input, "input");
  const wQ = ctx.qp(filter, "filter");
  const out = ctx.qp(output, "output");
  const perChannel = ctx.scales(filter, "filter").length > 1;
  let mult: { multiplier: number[]; shift: number[] };
  if (perChannel) {
    mult = perChannelMultipliers(ctx, input, filter, output, units);
  } else {
    // GetQuantizedConvolutionMultipler: the input·filter product is a float32 product.
    const product = Math.fround(inQ.scale * wQ.scale);
    const biasId = ctx.optionalInputId(2);
    const bias = biasId >= 0 ? ctx.graph.tensors[biasId] : undefined;
    if (bias?.quant) {
      const diff = Math.abs(product - bias.quant.scale[0]!) / out.scale;
      if (!(diff <= 0.02)) ctx.fail(`bias scale ${bias.quant.scale[0]} differs from input·filter scale ${product} by ${diff} output scales (TFLM allows 0.02)`);
    }
    const q = ctx.requant("output multiplier", () => product / out.scale, (r) => quantizeMultiplier(r, ctx.rounding));
    mult = { multiplier: [q.multiplier], shift: [q.shift] };
  }
  const outShape = output.shape;
  const outputDepth = outShape.length > 0 ? outShape[outShape.length - 1]! : 1;
  if (outputDepth !== units) ctx.fail(`output's last dimension ${outputDepth} differs from the filter's ${units} units`);
  return {
    type: "FULLY_CONNECTED",
    op_index: ctx.index,
    rounding: ctx.rounding,
    tensors: convTensors(ctx),
    input_offset: -inQ.zp,
    filter_offset: -wQ.zp,
    output_offset: out.zp,
    activation: activationRangeInt8(op.attrs.activation, out.scale, out.zp),
    per_channel: perChannel,
    ...mult,
    batches: elementCount(outShape) / units,
    accum_depth: depth,
    output_depth: units,
  };
}

function pool<K extends "AVERAGE_POOL_2D" | "MAX_POOL_2D">(ctx: Ctx, op: OperatorOfType<K>): OpParamsOfType<K> {
  const input = ctx.input(0, "input");
  const output = ctx.output();
  const inDims = ctx.dims4(input, "input");
  const a = op.attrs;
  const out = ctx.qp(output, "output");
  const window = slidingWindow(a, inDims, a.filterH, a.filterW);
  return {
    type: op.type,
    op_index: ctx.index,
    rounding: ctx.rounding,
    tensors: unaryTensors(ctx),
    stride: window.stride,
    padding: window.padding,
    activation: activationRangeInt8(a.activation, out.scale, out.zp),
    input_dims: inDims,
    filter_dims: { n: 1, h: a.filterH, w: a.filterW, c: 1 },
    output_dims: ctx.dims4(output, "output"),
  } as OpParamsOfType<K>;
}

function add(ctx: Ctx, op: OperatorOfType<"ADD">): AddParams {
  const in1 = ctx.input(0, "first input");
  const in2 = ctx.input(1, "second input");
  const output = ctx.output();
  const q1 = ctx.qp(in1, "first input");
  const q2 = ctx.qp(in2, "second input");
  const out = ctx.qp(output, "output");
  const leftShift = 20;
  // max of the two float scales, then doubled in double precision.
  const twiceMaxInputScale = 2 * Math.max(q1.scale, q2.scale);
  const m1 = ctx.quant("input 1 multiplier", () => quantizeMultiplierSmallerThanOneExp(q1.scale / twiceMaxInputScale, ctx.rounding));
  const m2 = ctx.quant("input 2 multiplier", () => quantizeMultiplierSmallerThanOneExp(q2.scale / twiceMaxInputScale, ctx.rounding));
  const mo = ctx.quant("output multiplier", () => quantizeMultiplierSmallerThanOneExp(twiceMaxInputScale / (2 ** leftShift * out.scale), ctx.rounding));
  return {
    type: "ADD",
    op_index: ctx.index,
    rounding: ctx.rounding,
    tensors: { input1: op.inputs[0]!, input2: op.inputs[1]!, output: op.outputs[0]! },
    input1_offset: -q1.zp,
    input1_multiplier: m1.multiplier,
    input1_shift: m1.shift,
    input2_offset: -q2.zp,
    input2_multiplier: m2.multiplier,
    input2_shift: m2.shift,
    left_shift: leftShift,
    output_offset: out.zp,
    output_multiplier: mo.multiplier,
    output_shift: mo.shift,
    activation: activationRangeInt8(op.attrs.activation, out.scale, out.zp),
    input1_shape: [...in1.shape],
    input2_shape: [...in2.shape],
    output_shape: [...output.shape],
  };
}

function mul(ctx: Ctx, op: OperatorOfType<"MUL">): MulParams {
  const in1 = ctx.input(0, "first input");
  const in2 = ctx.input(1, "second input");
  const output = ctx.output();
  const q1 = ctx.qp(in1, "first input");
  const q2 = ctx.qp(in2, "second input");
  const out = ctx.qp(output, "output");
  const m = ctx.requant("output multiplier", () => (q1.scale * q2.scale) / out.scale, (r) => quantizeMultiplier(r, ctx.rounding));
  return {
    type: "MUL",
    op_index: ctx.index,
    rounding: ctx.rounding,
    tensors: { input1: op.inputs[0]!, input2: op.inputs[1]!, output: op.outputs[0]! },
    input1_offset: -q1.zp,
    input2_offset: -q2.zp,
    output_offset: out.zp,
    output_multiplier: m.multiplier,
    output_shift: m.shift,
    activation: activationRangeInt8(op.attrs.activation, out.scale, out.zp),
    input1_shape: [...in1.shape],
    input2_shape: [...in2.shape],
    output_shape: [...output.shape],
  };
}

/** TFLM PreprocessSoftmaxScaling + CalculateInputRadius for int8 input. */
export function softmaxInputParams(beta: number, inputScale: number, rounding: Rounding): { input_multiplier: number; input_left_shift: number; diff_min: number } {
  const maxReal = rounding === "single" ? 2 ** 30 - 1 : 2 ** 31 - 1;
  const real = Math.min(beta * inputScale * 2 ** (31 - SCALED_DIFF_INTEGER_BITS), maxReal);
  const q = quantizeMultiplierGreaterThanOne(real, rounding);
  return { input_multiplier: q.multiplier, input_left_shift: q.shift, diff_min: 0 - calculateInputRadius(SCALED_DIFF_INTEGER_BITS, q.shift) };
}

function softmax(ctx: Ctx, op: OperatorOfType<"SOFTMAX">): SoftmaxParams {
  const input = ctx.input(0, "input");
  const shape = input.shape;
  const rowSize = shape.length > 0 ? shape[shape.length - 1]! : 1;
  const p = ctx.quant("input multiplier", () => softmaxInputParams(op.attrs.beta, ctx.qp(input, "input").scale, ctx.rounding));
  return {
    type: "SOFTMAX",
    op_index: ctx.index,
    rounding: ctx.rounding,
    tensors: unaryTensors(ctx),
    num_rows: elementCount(shape) / rowSize,
    row_size: rowSize,
    ...p,
  };
}

function pad(ctx: Ctx, op: OperatorOfType<"PAD">): PadParams {
  const input = ctx.input(0, "input");
  const paddings = ctx.input(1, "paddings");
  const output = ctx.output();
  if (!paddings.constant || !paddings.data) ctx.fail("paddings must be a constant tensor with data");
  const p = integerData(paddings);
  const rank = input.shape.length;
  if (p.length !== 2 * rank) ctx.fail(`paddings have ${p.length} values; expected ${2 * rank}`);
  return {
    type: "PAD",
    op_index: ctx.index,
    rounding: ctx.rounding,
    tensors: { input: op.inputs[0]!, paddings: op.inputs[1]!, output: op.outputs[0]! },
    input_shape: [...input.shape],
    output_shape: [...output.shape],
    pre_pad: input.shape.map((_, i) => p[2 * i]!),
    post_pad: input.shape.map((_, i) => p[2 * i + 1]!),
    pad_value: ctx.qp(output, "output").zp,
  };
}

function mean(ctx: Ctx, op: OperatorOfType<"MEAN">): MeanParams {
  const input = ctx.input(0, "input");
  const axisT = ctx.input(1, "axis");
  const output = ctx.output();
  if (!axisT.constant || !axisT.data) ctx.fail("axis must be a constant tensor with data");
  const axes = meanAxes(integerData(axisT), input.shape.length);
  if (typeof axes === "string") return ctx.fail(axes);
  const inQ = ctx.qp(input, "input");
  const out = ctx.qp(output, "output");
  let count = 1;
  for (const a of axes) count *= input.shape[a]!;
  const base = ctx.requant("multiplier", () => inQ.scale / out.scale, (r) => quantizeMultiplier(r, ctx.rounding));
  const adj = ctx.quant("multiplier", () => adjustMeanMultiplier(base.multiplier, base.shift, count));
  return {
    type: "MEAN",
    op_index: ctx.index,
    rounding: ctx.rounding,
    tensors: { input: op.inputs[0]!, axis: op.inputs[1]!, output: op.outputs[0]! },
    input_shape: [...input.shape],
    axes,
    num_elements: count,
    input_offset: -inQ.zp,
    output_offset: out.zp,
    base_multiplier: base.multiplier,
    base_shift: base.shift,
    multiplier: adj.multiplier,
    shift: adj.shift,
  };
}

function concatenation(ctx: Ctx, op: OperatorOfType<"CONCATENATION">): ConcatenationParams {
  const output = ctx.output();
  const rank = output.shape.length;
  const axis = op.attrs.axis < 0 ? op.attrs.axis + rank : op.attrs.axis;
  if (axis < 0 || axis >= rank) ctx.fail(`axis ${op.attrs.axis} is out of range for rank ${rank}`);
  return {
    type: "CONCATENATION",
    op_index: ctx.index,
    rounding: ctx.rounding,
    tensors: { inputs: [...op.inputs], output: op.outputs[0]! },
    axis,
    input_shapes: op.inputs.map((_, i) => [...ctx.input(i, `input ${i}`).shape]),
    output_shape: [...output.shape],
  };
}

function reshape(ctx: Ctx): ReshapeParams {
  const input = ctx.input(0, "input");
  const output = ctx.output();
  const size = elementCount(output.shape);
  if (elementCount(input.shape) !== size) ctx.fail(`input has ${elementCount(input.shape)} elements, output ${size}`);
  return { type: "RESHAPE", op_index: ctx.index, rounding: ctx.rounding, tensors: unaryTensors(ctx), size };
}

function quantize(ctx: Ctx): QuantizeParams {
  const input = ctx.input(0, "input");
  const output = ctx.output();
  const out = ctx.qp(output, "output");
  const base = { type: "QUANTIZE" as const, op_index: ctx.index, rounding: ctx.rounding, tensors: unaryTensors(ctx), size: elementCount(output.shape) };
  if (input.dtype === "float32") return { ...base, mode: "float", scale: out.scale, zero_point: out.zp };
  const inQ = ctx.qp(input, "input");
  const m = ctx.requant("requantize multiplier", () => inQ.scale / out.scale, (r) => quantizeMultiplier(r, ctx.rounding));
  return { ...base, mode: "requantize", input_offset: -inQ.zp, output_offset: out.zp, multiplier: m.multiplier, shift: m.shift };
}

function dequantize(ctx: Ctx): DequantizeParams {
  const input = ctx.input(0, "input");
  const q = ctx.qp(input, "input");
  return { type: "DEQUANTIZE", op_index: ctx.index, rounding: ctx.rounding, tensors: unaryTensors(ctx), size: elementCount(input.shape), scale: q.scale, zero_point: q.zp };
}

/** The integer parameters of one operator (at execution index `index`). */
export function deriveParams(graph: Graph, op: Operator, index: number, rounding: Rounding = "double"): OpParams {
  const ctx = new Ctx(graph, op, index, rounding);
  switch (op.type) {
    case "CONV_2D": return conv(ctx, op);
    case "DEPTHWISE_CONV_2D": return depthwise(ctx, op);
    case "FULLY_CONNECTED": return fullyConnected(ctx, op);
    case "AVERAGE_POOL_2D": return pool(ctx, op);
    case "MAX_POOL_2D": return pool(ctx, op);
    case "ADD": return add(ctx, op);
    case "MUL": return mul(ctx, op);
    case "SOFTMAX": return softmax(ctx, op);
    case "PAD": return pad(ctx, op);
    case "MEAN": return mean(ctx, op);
    case "CONCATENATION": return concatenation(ctx, op);
    case "RESHAPE": return reshape(ctx);
    case "QUANTIZE": return quantize(ctx);
    case "DEQUANTIZE": return dequantize(ctx);
  }
}

/**
 * Integer parameters for every operator of a (validated) graph, in execution order. Throws a MicronetsError
 * naming the op when a multiplier cannot be formed (e.g. an ADD whose output multiplier is not below 1).
 */
export function deriveOpParams(graph: Graph, opts: DeriveOptions = {}): OpParams[] {
  const rounding = opts.rounding ?? "double";
  return graph.operators.map((op, i) => deriveParams(graph, op, i, rounding));
}
