/**
 * Per-operator static costs: multiply-accumulates, ops (the MicroNets convention, 1 MAC = 2 ops), other
 * elementwise work, parameters, and the bytes of constants each layer carries. Everything is computed from
 * shapes, so shape-only graphs (constants without data) are analysed the same way as complete models.
 */
import { limitError } from "../errors.js";
import { LIMITS } from "../ir/limits.js";
import { axisPadding } from "../ir/padding.js";
import { elementCount, opLabel, tensorBytes } from "../ir/tensor-data.js";
import type { Graph, Operator, OpType, Tensor } from "../ir/types.js";

/** The cost figures of a layer, and (summed) of a model. */
export interface CostFigures {
  /** Multiply-accumulates of the conv / depthwise / fully-connected arithmetic (0 for other ops). */
  macs: number;
  /** 2 × MACs: the op count the MicroNets latency model is linear in. */
  ops: number;
  /**
   * Work that is not a MAC, for later latency modelling: pooling window reads (padding excluded, as the
   * kernels clip the window), ADD/MUL output elements, SOFTMAX and MEAN input elements, and the elements
   * copied or converted by PAD, CONCATENATION, RESHAPE, QUANTIZE and DEQUANTIZE.
   */
  elementwiseOps: number;
  /** Weight + bias elements (constant operands of ADD/MUL/CONCATENATION count as weights). */
  params: number;
  weightBytes: number;
  biasBytes: number;
  /**
   * Requantisation constants as generated code stores them, int32 each: a multiplier and a shift per output
   * channel for conv / depthwise / per-channel FC, one pair for per-tensor ops (see requantWords).
   */
  quantBytes: number;
  /** Other constant inputs (PAD paddings, RESHAPE shape, MEAN axes): structural, not parameters. */
  otherConstantBytes: number;
}

export interface LayerCost extends CostFigures {
  /** Operator index in execution order. */
  index: number;
  type: OpType;
}

function tensorAt(graph: Graph, op: Operator, i: number): Tensor | undefined {
  const id = op.inputs[i];
  return id === undefined || id < 0 ? undefined : graph.tensors[id];
}

function outputOf(graph: Graph, op: Operator): Tensor {
  return graph.tensors[op.outputs[0]!]!;
}

/** Sum over output positions of the window taps that fall inside the input (TFLM clips pooling windows). */
function clippedWindowTaps(padding: "same" | "valid", inSize: number, k: number, stride: number): number {
  const { out, before } = axisPadding(padding, inSize, k, stride);
  let taps = 0;
  for (let o = 0; o < out; o++) {
    const start = o * stride - before;
    taps += Math.max(0, Math.min(start + k, inSize) - Math.max(start, 0));
  }
  return taps;
}

function macsOf(graph: Graph, op: Operator): number {
  const out = outputOf(graph, op);
  switch (op.type) {
    case "CONV_2D": {
      // N·OH·OW·Cout·KH·KW·(Cin/groups); the filter's last dimension is Cin/groups.
      const [cout, kh, kw, cf] = tensorAt(graph, op, 1)!.shape as [number, number, number, number];
      const [n, oh, ow] = out.shape as [number, number, number, number];
      return n * oh * ow * cout * kh * kw * cf;
    }
    case "DEPTHWISE_CONV_2D": {
      const [, kh, kw, cout] = tensorAt(graph, op, 1)!.shape as [number, number, number, number];
      const [n, oh, ow] = out.shape as [number, number, number, number];
      return n * oh * ow * cout * kh * kw;
    }
    case "FULLY_CONNECTED": {
      const [units, depth] = tensorAt(graph, op, 1)!.shape as [number, number];
      const batches = elementCount(tensorAt(graph, op, 0)!.shape) / depth;
      return batches * units * depth;
    }
    default:
      return 0;
  }
}

function elementwiseOf(graph: Graph, op: Operator): number {
  const out = outputOf(graph, op);
  switch (op.type) {
    case "AVERAGE_POOL_2D": case "MAX_POOL_2D": {
      const [n, h, w, c] = tensorAt(graph, op, 0)!.shape as [number, number, number, number];
      const a = op.attrs;
      return n * c * clippedWindowTaps(a.padding, h, a.filterH, a.strideH) * clippedWindowTaps(a.padding, w, a.filterW, a.strideW);
    }
    case "SOFTMAX": case "MEAN":
      return elementCount(tensorAt(graph, op, 0)!.shape);
    case "ADD": case "MUL": case "PAD": case "CONCATENATION": case "RESHAPE": case "QUANTIZE": case "DEQUANTIZE":
      return elementCount(out.shape);
    default:
      return 0;
  }
}

/**
 * int32 words of requantisation data generated code keeps for `op` (CMSIS-NN argument lists, spec §5):
 * conv and depthwise always take per-channel multiplier and shift arrays (TFLM expands a per-tensor filter
 * scale to every channel); FULLY_CONNECTED takes one pair, or one per unit when the filter is per-channel;
 * ADD a pair for each input and the output; MUL, MEAN, QUANTIZE and DEQUANTIZE one pair; SOFTMAX a pair and
 * diff_min. Pooling, PAD, RESHAPE and CONCATENATION need none (they require equal in/out quantisation).
 */
export function requantWords(graph: Graph, op: Operator): number {
  switch (op.type) {
    case "CONV_2D": return 2 * tensorAt(graph, op, 1)!.shape[0]!;
    case "DEPTHWISE_CONV_2D": return 2 * tensorAt(graph, op, 1)!.shape[3]!;
    case "FULLY_CONNECTED": {
      const filter = tensorAt(graph, op, 1)!;
      return (filter.quant?.scale.length ?? 1) > 1 ? 2 * filter.shape[0]! : 2;
    }
    case "ADD": return 6;
    case "SOFTMAX": return 3;
    case "MUL": case "MEAN": case "QUANTIZE": case "DEQUANTIZE": return 2;
    default: return 0;
  }
}

/** The role of constant input `inputIndex` of `op`: a weight, a bias, or a structural constant. */
export function constantRole(op: Operator, inputIndex: number): "weight" | "bias" | "other" {
  switch (op.type) {
    case "CONV_2D": case "DEPTHWISE_CONV_2D": case "FULLY_CONNECTED":
      return inputIndex === 1 ? "weight" : inputIndex === 2 ? "bias" : "other";
    case "ADD": case "MUL": case "CONCATENATION":
      return "weight";
    default:
      return "other";
  }
}

function constantRoles(graph: Graph, op: Operator): { weights: Tensor[]; biases: Tensor[]; other: Tensor[] } {
  const roles = { weights: [] as Tensor[], biases: [] as Tensor[], other: [] as Tensor[] };
  op.inputs.forEach((id, i) => {
    const t = id >= 0 ? graph.tensors[id] : undefined;
    if (!t || !t.constant) return;
    const role = constantRole(op, i);
    (role === "weight" ? roles.weights : role === "bias" ? roles.biases : roles.other).push(t);
  });
  return roles;
}

const sumBytes = (ts: Tensor[]): number => ts.reduce((s, t) => s + tensorBytes(t), 0);
const sumElements = (ts: Tensor[]): number => ts.reduce((s, t) => s + elementCount(t.shape), 0);

export function layerCost(graph: Graph, op: Operator, index: number): LayerCost {
  const macs = macsOf(graph, op);
  if (macs > LIMITS.maxMacs) throw limitError(`${macs} MACs exceeds the limit of ${LIMITS.maxMacs}`, opLabel(op, index));
  const { weights, biases, other } = constantRoles(graph, op);
  return {
    index,
    type: op.type,
    macs,
    ops: 2 * macs,
    elementwiseOps: elementwiseOf(graph, op),
    params: sumElements(weights) + sumElements(biases),
    weightBytes: sumBytes(weights),
    biasBytes: sumBytes(biases),
    quantBytes: 4 * requantWords(graph, op),
    otherConstantBytes: sumBytes(other),
  };
}

/** Costs of every operator, in execution order. */
export function layerCosts(graph: Graph): LayerCost[] {
  return graph.operators.map((op, i) => layerCost(graph, op, i));
}

export type CostTotals = CostFigures;

export function sumCosts(costs: readonly LayerCost[]): CostTotals {
  const t: CostTotals = { macs: 0, ops: 0, elementwiseOps: 0, params: 0, weightBytes: 0, biasBytes: 0, quantBytes: 0, otherConstantBytes: 0 };
  for (const c of costs) {
    for (const k of Object.keys(t) as (keyof CostTotals)[]) t[k] += c[k];
  }
  return t;
}
