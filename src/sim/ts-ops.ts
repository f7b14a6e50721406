/**
 * The operators the simulator runs in TypeScript, on views of the same linear memory the WebAssembly
 * kernels use (so a tensor lives in its planned bytes whichever engine touches it): softmax, pad, mean,
 * concatenation, reshape, quantize, dequantize, and ADD/MUL with broadcasting. They call the reference
 * interpreter's kernels, which are bit-exact with TFLM; only the storage is the simulator's.
 */
import { inputError } from "../errors.js";
import type {
  AddKernelParams,
  ConcatenationKernelParams,
  DequantizeKernelParams,
  MeanKernelParams,
  MulKernelParams,
  PadKernelParams,
  QuantizeKernelParams,
  SoftmaxKernelParams,
} from "../quant/op-params.js";
import { addS8 } from "../reference/add.js";
import { concatenationS8 } from "../reference/concatenation.js";
import { dequantizeS8 } from "../reference/dequantize.js";
import { meanS8 } from "../reference/mean.js";
import { mulS8 } from "../reference/mul.js";
import { padS8 } from "../reference/pad.js";
import { quantizeFloatToS8, requantizeToS8 } from "../reference/quantize.js";
import { softmaxS8 } from "../reference/softmax.js";
import type { BinaryIo, Step, UnaryIo } from "./steps.js";

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const i8 = (buf: ArrayBuffer, at: number, n: number): Int8Array => new Int8Array(buf, at, n);

export function tsSoftmax(p: SoftmaxKernelParams, io: UnaryIo): Step {
  const n = p.num_rows * p.row_size;
  return { kind: "ts", run: (buf) => softmaxS8(p, i8(buf, io.input, n), i8(buf, io.output, n)) };
}

export function tsPad(p: PadKernelParams, io: UnaryIo): Step {
  const nIn = count(p.input_shape);
  const nOut = count(p.output_shape);
  return { kind: "ts", run: (buf) => padS8(p, i8(buf, io.input, nIn), i8(buf, io.output, nOut)) };
}

export function tsMean(p: MeanKernelParams, io: UnaryIo, outputElements: number): Step {
  const nIn = count(p.input_shape);
  return { kind: "ts", run: (buf) => meanS8(p, i8(buf, io.input, nIn), i8(buf, io.output, outputElements)) };
}

export function tsConcatenation(p: ConcatenationKernelParams, inputs: readonly number[], output: number): Step {
  const sizes = p.input_shapes.map(count);
  const nOut = count(p.output_shape);
  return {
    kind: "ts",
    run: (buf) => concatenationS8(p, inputs.map((at, k) => i8(buf, at, sizes[k]!)), i8(buf, output, nOut)),
  };
}

/** RESHAPE copies the bytes (memmove semantics, like TFLM's memcpy between distinct buffers). */
export function tsReshape(bytes: number, io: UnaryIo): Step {
  return {
    kind: "ts",
    run: (buf) => {
      if (io.input !== io.output) new Uint8Array(buf).copyWithin(io.output, io.input, io.input + bytes);
    },
  };
}

export function tsQuantize(p: QuantizeKernelParams, inputDtype: string, io: UnaryIo, where: string): Step {
  const n = p.size;
  if (p.mode === "float") {
    if (inputDtype !== "float32") throw inputError(`float QUANTIZE expects a float32 input, found ${inputDtype}`, where);
    return { kind: "ts", run: (buf) => quantizeFloatToS8(p, new Float32Array(buf, io.input, n), i8(buf, io.output, n)) };
  }
  const view = (buf: ArrayBuffer): Int8Array | Int16Array | Int32Array => {
    switch (inputDtype) {
      case "int8": return i8(buf, io.input, n);
      case "int16": return new Int16Array(buf, io.input, n);
      case "int32": return new Int32Array(buf, io.input, n);
      default: throw inputError(`requantize does not support a ${inputDtype} input`, where);
    }
  };
  return { kind: "ts", run: (buf) => requantizeToS8(p, view(buf), i8(buf, io.output, n)) };
}

export function tsDequantize(p: DequantizeKernelParams, io: UnaryIo): Step {
  return { kind: "ts", run: (buf) => dequantizeS8(p, i8(buf, io.input, p.size), new Float32Array(buf, io.output, p.size)) };
}

export function tsAddBroadcast(p: AddKernelParams, io: BinaryIo): Step {
  const [n1, n2, nOut] = [count(p.input1_shape), count(p.input2_shape), count(p.output_shape)];
  return { kind: "ts", run: (buf) => addS8(p, i8(buf, io.input1, n1), i8(buf, io.input2, n2), i8(buf, io.output, nOut)) };
}

export function tsMulBroadcast(p: MulKernelParams, io: BinaryIo): Step {
  const [n1, n2, nOut] = [count(p.input1_shape), count(p.input2_shape), count(p.output_shape)];
  return { kind: "ts", run: (buf) => mulS8(p, i8(buf, io.input1, n1), i8(buf, io.input2, n2), i8(buf, io.output, nOut)) };
}
