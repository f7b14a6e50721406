/**
 * The structural part of each operator's parameters: dimensions, strides, padding, dilation, axes — what
 * decides a generated kernel's loops, its scratch buffers and its access schedule, but none of the
 * quantisation (multipliers, offsets) or weight values. Every type here is a `Pick` of the matching OpParams
 * type, so full OpParams (deriveOpParams) can stand in for them; `deriveShapeParams` computes them from the
 * IR alone, so a shape-only graph (an architecture without weights) can be planned exactly like its weighted
 * twin. Fields are derived as deriveOpParams derives them (quant/op-params.ts); tests hold the two to the
 * same arena plans.
 */
import { inputError } from "../../errors.js";
import { axisPadding } from "../../ir/padding.js";
import { meanAxes } from "../../ir/shape-inference.js";
import { elementCount, integerData, opLabel, tensorLabel } from "../../ir/tensor-data.js";
import type { Graph, Operator, Tensor } from "../../ir/types.js";
import type {
  AddParams,
  AveragePoolParams,
  ConcatenationParams,
  ConvParams,
  DepthwiseConvParams,
  DequantizeParams,
  Dims4,
  FullyConnectedParams,
  MaxPoolParams,
  MeanParams,
  MulParams,
  PadParams,
  QuantizeParams,
  ReshapeParams,
  SoftmaxParams,
} from "../../quant/op-params.js";

type Base = "type" | "op_index" | "tensors";
type Window = "input_dims" | "filter_dims" | "output_dims" | "stride" | "padding";

export type ConvShape = Pick<ConvParams, Base | Window | "dilation">;
export type DepthwiseShape = Pick<DepthwiseConvParams, Base | Window | "dilation" | "ch_mult">;
export type FullyConnectedShape = Pick<FullyConnectedParams, Base | "batches" | "accum_depth" | "output_depth">;
export type PoolShape = Pick<AveragePoolParams, Base | Window> | Pick<MaxPoolParams, Base | Window>;
export type BinaryShape = Pick<AddParams, Base | "input1_shape" | "input2_shape" | "output_shape"> | Pick<MulParams, Base | "input1_shape" | "input2_shape" | "output_shape">;
export type SoftmaxShape = Pick<SoftmaxParams, Base | "num_rows" | "row_size">;
export type PadShape = Pick<PadParams, Base | "input_shape" | "output_shape" | "pre_pad" | "post_pad">;
export type MeanShape = Pick<MeanParams, Base | "input_shape" | "axes">;
export type ConcatenationShape = Pick<ConcatenationParams, Base | "axis" | "input_shapes" | "output_shape">;
export type ReshapeShape = Pick<ReshapeParams, Base | "size">;
export type QuantizeShape = Pick<QuantizeParams, Base | "size">;
export type DequantizeShape = Pick<DequantizeParams, Base | "size">;

/** One entry per operator, discriminated by `type`; any OpParams entry is one too. */
export type ShapeParams =
  | ConvShape
  | DepthwiseShape
  | FullyConnectedShape
  | PoolShape
  | BinaryShape
  | SoftmaxShape
  | PadShape
  | MeanShape
  | ConcatenationShape
  | ReshapeShape
  | QuantizeShape
  | DequantizeShape;

function tensorOf(graph: Graph, op: Operator, index: number, id: number | undefined, role: string): Tensor {
  const t = id === undefined || id < 0 ? undefined : graph.tensors[id];
  if (!t) throw inputError(`missing ${role}`, opLabel(op, index));
  return t;
}

function dims4(t: Tensor, op: Operator, index: number, role: string): Dims4 {
  if (t.shape.length !== 4) throw inputError(`${role} (${tensorLabel(t)}) must have 4 dimensions, has [${t.shape.join(", ")}]`, opLabel(op, index));
  const [n, h, w, c] = t.shape as [number, number, number, number];
  return { n, h, w, c };
}

/**
 * The structural parameters of operator `index`, or null when they depend on constant data the graph does
 * not carry (PAD's paddings, MEAN's axes in a graph stripped of all constant data): such an op is planned
 * without in-place aliasing.
 */
export function deriveShapeParamsOf(graph: Graph, op: Operator, index: number): ShapeParams | null {
  const input = (k: number, role: string): Tensor => tensorOf(graph, op, index, op.inputs[k], role);
  const output = (): Tensor => tensorOf(graph, op, index, op.outputs[0], "output");
  const unary = () => ({ input: op.inputs[0]!, output: op.outputs[0]! });
  const base = { op_index: index };
  switch (op.type) {
    case "CONV_2D":
    case "DEPTHWISE_CONV_2D": {
      const a = op.attrs;
      const inDims = dims4(input(0, "input"), op, index, "input");
      const fDims = dims4(input(1, "filter"), op, index, "filter");
      const outDims = dims4(output(), op, index, "output");
      const common = {
        ...base,
        tensors: { input: op.inputs[0]!, filter: op.inputs[1]!, bias: op.inputs[2] === undefined || op.inputs[2] < 0 ? -1 : op.inputs[2], output: op.outputs[0]! },
        stride: { h: a.strideH, w: a.strideW },
        padding: {
          h: axisPadding(a.padding, inDims.h, fDims.h, a.strideH, a.dilationH).before,
          w: axisPadding(a.padding, inDims.w, fDims.w, a.strideW, a.dilationW).before,
        },
        dilation: { h: a.dilationH, w: a.dilationW },
        input_dims: inDims,
        filter_dims: fDims,
        output_dims: outDims,
      };
      return op.type === "CONV_2D" ? { type: "CONV_2D", ...common } : { type: "DEPTHWISE_CONV_2D", ...common, ch_mult: op.attrs.depthMultiplier };
    }
    case "FULLY_CONNECTED": {
      const filter = input(1, "filter");
      if (filter.shape.length !== 2) throw inputError(`filter must have 2 dimensions, has [${filter.shape.join(", ")}]`, opLabel(op, index));
      const [units, depth] = filter.shape as [number, number];
      const bias = op.inputs[2] === undefined || op.inputs[2] < 0 ? -1 : op.inputs[2];
      return {
        type: "FULLY_CONNECTED",
        ...base,
        tensors: { input: op.inputs[0]!, filter: op.inputs[1]!, bias, output: op.outputs[0]! },
        batches: elementCount(output().shape) / units,
        accum_depth: depth,
        output_depth: units,
      };
    }
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D": {
      const a = op.attrs;
      const inDims = dims4(input(0, "input"), op, index, "input");
      return {
        type: op.type,
        ...base,
        tensors: unary(),
        stride: { h: a.strideH, w: a.strideW },
        padding: { h: axisPadding(a.padding, inDims.h, a.filterH, a.strideH).before, w: axisPadding(a.padding, inDims.w, a.filterW, a.strideW).before },
        input_dims: inDims,
        filter_dims: { n: 1, h: a.filterH, w: a.filterW, c: 1 },
        output_dims: dims4(output(), op, index, "output"),
      } as PoolShape;
    }
    case "ADD":
    case "MUL":
      return {
        type: op.type,
        ...base,
        tensors: { input1: op.inputs[0]!, input2: op.inputs[1]!, output: op.outputs[0]! },
        input1_shape: [...input(0, "first input").shape],
        input2_shape: [...input(1, "second input").shape],
        output_shape: [...output().shape],
      } as BinaryShape;
    case "SOFTMAX": {
      const shape = input(0, "input").shape;
      const rowSize = shape.length > 0 ? shape[shape.length - 1]! : 1;
      return { type: "SOFTMAX", ...base, tensors: unary(), num_rows: elementCount(shape) / rowSize, row_size: rowSize };
    }
    case "PAD": {
      const inShape = input(0, "input").shape;
      const paddings = input(1, "paddings");
      if (!paddings.data) return null;
      const p = integerData(paddings);
      if (p.length !== 2 * inShape.length) throw inputError(`paddings have ${p.length} values; expected ${2 * inShape.length}`, opLabel(op, index));
      return {
        type: "PAD",
        ...base,
        tensors: { ...unary(), paddings: op.inputs[1]! },
        input_shape: [...inShape],
        output_shape: [...output().shape],
        pre_pad: inShape.map((_, i) => p[2 * i]!),
        post_pad: inShape.map((_, i) => p[2 * i + 1]!),
      };
    }
    case "MEAN": {
      const inShape = input(0, "input").shape;
      const axisT = input(1, "axis");
      if (!axisT.data) return null;
      const axes = meanAxes(integerData(axisT), inShape.length);
      if (typeof axes === "string") throw inputError(axes, opLabel(op, index));
      return { type: "MEAN", ...base, tensors: { ...unary(), axis: op.inputs[1]! }, input_shape: [...inShape], axes };
    }
    case "CONCATENATION": {
      const out = output();
      const rank = out.shape.length;
      const axis = op.attrs.axis < 0 ? op.attrs.axis + rank : op.attrs.axis;
      if (axis < 0 || axis >= rank) throw inputError(`axis ${op.attrs.axis} is out of range for rank ${rank}`, opLabel(op, index));
      return {
        type: "CONCATENATION",
        ...base,
        tensors: { inputs: [...op.inputs], output: op.outputs[0]! },
        axis,
        input_shapes: op.inputs.map((_, i) => [...input(i, `input ${i}`).shape]),
        output_shape: [...out.shape],
      };
    }
    case "RESHAPE":
      return { type: "RESHAPE", ...base, tensors: unary(), size: elementCount(output().shape) };
    case "QUANTIZE":
      return { type: "QUANTIZE", ...base, tensors: unary(), size: elementCount(output().shape) };
    case "DEQUANTIZE":
      return { type: "DEQUANTIZE", ...base, tensors: unary(), size: elementCount(input(0, "input").shape) };
  }
}

/** deriveShapeParamsOf for every operator, in execution order. */
export function deriveShapeParams(graph: Graph): (ShapeParams | null)[] {
  return graph.operators.map((op, i) => deriveShapeParamsOf(graph, op, i));
}
