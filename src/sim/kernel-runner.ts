/**
 * Runs single kernels on the simulator, given kernel parameters and arrays instead of a graph (for kernel
 * test vectors such as CMSIS-NN's). Each call lays out a fresh memory — operands first, then the constant
 * region — and goes through the same lowering (lower-kernels.ts) and TypeScript paths (ts-ops.ts) as
 * whole models.
 */
import type {
  AddKernelParams,
  ConvKernelParams,
  DepthwiseConvKernelParams,
  FullyConnectedKernelParams,
  MulKernelParams,
  PadKernelParams,
  PoolKernelParams,
  SoftmaxKernelParams,
} from "../quant/op-params.js";
import type { Rounding } from "../quant/rounding.js";
import { inputError } from "../errors.js";
import { loadKernelModule } from "./assemble.js";
import { alignTo, ConstRegion } from "./const-region.js";
import { lowerAdd, lowerConv, lowerDepthwise, lowerFullyConnected, lowerMul, lowerPool, lowerRequant32 } from "./lower-kernels.js";
import { Machine } from "./machine.js";
import type { Step } from "./steps.js";
import { tsPad, tsSoftmax } from "./ts-ops.js";
import type { WasmModule } from "./wasm-api.js";

export interface SimKernels {
  conv(p: ConvKernelParams, input: Int8Array, filter: Int8Array, bias: Int32Array | null): Int8Array;
  depthwise(p: DepthwiseConvKernelParams, input: Int8Array, filter: Int8Array, bias: Int32Array | null): Int8Array;
  fullyConnected(p: FullyConnectedKernelParams, input: Int8Array, filter: Int8Array, bias: Int32Array | null): Int8Array;
  averagePool(p: PoolKernelParams, input: Int8Array): Int8Array;
  maxPool(p: PoolKernelParams, input: Int8Array): Int8Array;
  add(p: AddKernelParams, input1: Int8Array, input2: Int8Array): Int8Array;
  mul(p: MulKernelParams, input1: Int8Array, input2: Int8Array): Int8Array;
  softmax(p: SoftmaxKernelParams, input: Int8Array): Int8Array;
  pad(p: PadKernelParams, input: Int8Array): Int8Array;
  /** MultiplyByQuantizedMultiplier(values[i] + bias[i], multiplier[i], shift[i]) as int32, unclamped. */
  requantize32(values: Int32Array, multiplier: readonly number[], shift: readonly number[], bias: Int32Array | null, rounding: Rounding): Int32Array;
}

const BASE = 64;
const where = "kernel";

/** Operand arrays must hold exactly what the parameters describe, or the kernel would read other bytes. */
function expectCount(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw inputError(`${what} has ${actual} elements; the kernel parameters describe ${expected}`, where);
}

/** Places the operands, lowers with `lower(addresses, consts)`, runs, and returns the output bytes. */
function runOne(module: WasmModule, operands: readonly Int8Array[], outputSize: number, lower: (at: number[], out: number, consts: ConstRegion) => Step): Int8Array {
  const at: number[] = [];
  let end = BASE;
  for (const o of operands) {
    at.push(end);
    end = alignTo(end + o.length, 16);
  }
  const out = end;
  const consts = new ConstRegion(alignTo(out + outputSize, 64));
  const step = lower(at, out, consts);
  const machine = new Machine(module, consts.endAddress + 16);
  operands.forEach((o, k) => machine.bytes.set(new Uint8Array(o.buffer, o.byteOffset, o.byteLength), at[k]!));
  consts.copyInto(machine.bytes);
  machine.exec(step);
  return Int8Array.from(new Int8Array(machine.memory.buffer, out, outputSize));
}

const count4 = (d: { n: number; h: number; w: number; c: number }): number => d.n * d.h * d.w * d.c;
const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The simulator's kernels, after assembling the module (once per process). */
export async function loadSimKernels(): Promise<SimKernels> {
  const m = await loadKernelModule();
  return {
    conv: (p, input, filter, bias) => {
      expectCount("input", input.length, count4(p.input_dims));
      return runOne(m, [input], count4(p.output_dims), ([i], o, c) => lowerConv(p, { input: i!, output: o }, filter, bias, c, where));
    },
    depthwise: (p, input, filter, bias) => {
      expectCount("input", input.length, count4(p.input_dims));
      return runOne(m, [input], count4(p.output_dims), ([i], o, c) => lowerDepthwise(p, { input: i!, output: o }, filter, bias, c, where));
    },
    fullyConnected: (p, input, filter, bias) => {
      expectCount("input", input.length, p.batches * p.accum_depth);
      return runOne(m, [input], p.batches * p.output_depth, ([i], o, c) => lowerFullyConnected(p, { input: i!, output: o }, filter, bias, c, where));
    },
    averagePool: (p, input) => {
      expectCount("input", input.length, count4(p.input_dims));
      return runOne(m, [input], count4(p.output_dims), ([i], o, c) => lowerPool("average", p, { input: i!, output: o }, c, where));
    },
    maxPool: (p, input) => {
      expectCount("input", input.length, count4(p.input_dims));
      return runOne(m, [input], count4(p.output_dims), ([i], o, c) => lowerPool("max", p, { input: i!, output: o }, c, where));
    },
    add: (p, a, b) => {
      expectCount("input 1", a.length, count(p.input1_shape));
      expectCount("input 2", b.length, count(p.input2_shape));
      return runOne(m, [a, b], count(p.output_shape), ([i1, i2], o, c) => lowerAdd(p, { input1: i1!, input2: i2!, output: o }, c, where));
    },
    mul: (p, a, b) => {
      expectCount("input 1", a.length, count(p.input1_shape));
      expectCount("input 2", b.length, count(p.input2_shape));
      return runOne(m, [a, b], count(p.output_shape), ([i1, i2], o, c) => lowerMul(p, { input1: i1!, input2: i2!, output: o }, c, where));
    },
    softmax: (p, input) => {
      expectCount("input", input.length, p.num_rows * p.row_size);
      return runOne(m, [input], p.num_rows * p.row_size, ([i], o) => tsSoftmax(p, { input: i!, output: o }));
    },
    pad: (p, input) => {
      expectCount("input", input.length, count(p.input_shape));
      return runOne(m, [input], count(p.output_shape), ([i], o) => tsPad(p, { input: i!, output: o }));
    },
    requantize32: (values, multiplier, shift, bias, rounding) => {
      const bytes = new Int8Array(values.buffer, values.byteOffset, values.byteLength);
      const out = runOne(m, [bytes], values.byteLength, ([i], o, c) =>
        lowerRequant32(multiplier, shift, bias, rounding, { input: i!, output: o, size: values.length }, c, where));
      return new Int32Array(out.buffer, out.byteOffset, values.length);
    },
  };
}
