/**
 * Lowers one graph operator (its derived OpParams) to a simulator step: the WebAssembly kernels for conv,
 * depthwise, fully connected, pools and (non-broadcast) add/mul; the TypeScript path for the rest. Tensor
 * addresses come from `address` (arena slots for activations, the constant region for constant operands).
 */
import { inputError } from "../errors.js";
import { elementCount, int32Data, int8Data, tensorBytes, tensorLabel } from "../ir/tensor-data.js";
import type { Graph, Tensor } from "../ir/types.js";
import type { OpParams } from "../quant/op-params.js";
import type { ConstRegion } from "./const-region.js";
import { lowerAdd, lowerConv, lowerDepthwise, lowerFullyConnected, lowerMul, lowerPool } from "./lower-kernels.js";
import type { Step } from "./steps.js";
import { tsConcatenation, tsDequantize, tsMean, tsPad, tsQuantize, tsReshape, tsSoftmax } from "./ts-ops.js";

function constantInt8(t: Tensor, role: string, where: string): Int8Array {
  if (!t.constant || !t.data) throw inputError(`the ${role} (${tensorLabel(t)}) must be a constant tensor with data for the simulator`, where);
  if (t.dtype !== "int8") throw inputError(`the ${role} (${tensorLabel(t)}) must be int8, found ${t.dtype}`, where);
  return int8Data(t);
}

function constantBias(graph: Graph, id: number, where: string): Int32Array | null {
  if (id < 0) return null;
  const t = graph.tensors[id]!;
  if (!t.constant || !t.data) throw inputError(`the bias (${tensorLabel(t)}) must be a constant tensor with data for the simulator`, where);
  if (t.dtype !== "int32") throw inputError(`the bias (${tensorLabel(t)}) must be int32, found ${t.dtype}`, where);
  return int32Data(t);
}

export function lowerOp(graph: Graph, p: OpParams, address: (id: number) => number, consts: ConstRegion, where: string): Step {
  const t = (id: number): Tensor => graph.tensors[id]!;
  switch (p.type) {
    case "CONV_2D": {
      const io = { input: address(p.tensors.input), output: address(p.tensors.output) };
      return lowerConv(p, io, constantInt8(t(p.tensors.filter), "filter", where), constantBias(graph, p.tensors.bias, where), consts, where);
    }
    case "DEPTHWISE_CONV_2D": {
      const io = { input: address(p.tensors.input), output: address(p.tensors.output) };
      return lowerDepthwise(p, io, constantInt8(t(p.tensors.filter), "filter", where), constantBias(graph, p.tensors.bias, where), consts, where);
    }
    case "FULLY_CONNECTED": {
      const io = { input: address(p.tensors.input), output: address(p.tensors.output) };
      const input = t(p.tensors.input);
      // TFLM reads the input as batches × depth contiguous values.
      if (elementCount(input.shape) !== p.batches * p.accum_depth) {
        throw inputError(`input has ${elementCount(input.shape)} elements; batches ${p.batches} × depth ${p.accum_depth} expected`, where);
      }
      return lowerFullyConnected(p, io, constantInt8(t(p.tensors.filter), "filter", where), constantBias(graph, p.tensors.bias, where), consts, where);
    }
    case "AVERAGE_POOL_2D":
      return lowerPool("average", p, { input: address(p.tensors.input), output: address(p.tensors.output) }, consts, where);
    case "MAX_POOL_2D":
      return lowerPool("max", p, { input: address(p.tensors.input), output: address(p.tensors.output) }, consts, where);
    case "ADD":
      return lowerAdd(p, { input1: address(p.tensors.input1), input2: address(p.tensors.input2), output: address(p.tensors.output) }, consts, where);
    case "MUL":
      return lowerMul(p, { input1: address(p.tensors.input1), input2: address(p.tensors.input2), output: address(p.tensors.output) }, consts, where);
    case "SOFTMAX":
      return tsSoftmax(p, { input: address(p.tensors.input), output: address(p.tensors.output) });
    case "PAD":
      return tsPad(p, { input: address(p.tensors.input), output: address(p.tensors.output) });
    case "MEAN":
      return tsMean(p, { input: address(p.tensors.input), output: address(p.tensors.output) }, elementCount(t(p.tensors.output).shape));
    case "CONCATENATION":
      return tsConcatenation(p, p.tensors.inputs.map(address), address(p.tensors.output));
    case "RESHAPE": {
      const input = t(p.tensors.input);
      const output = t(p.tensors.output);
      if (input.dtype !== output.dtype) throw inputError(`RESHAPE input (${input.dtype}) and output (${output.dtype}) types differ`, where);
      return tsReshape(tensorBytes(output), { input: address(p.tensors.input), output: address(p.tensors.output) });
    }
    case "QUANTIZE":
      return tsQuantize(p, t(p.tensors.input).dtype, { input: address(p.tensors.input), output: address(p.tensors.output) }, where);
    case "DEQUANTIZE":
      return tsDequantize(p, { input: address(p.tensors.input), output: address(p.tensors.output) });
  }
}
