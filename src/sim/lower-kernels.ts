/**
 * Lowers kernel parameters (the `*KernelParams` of quant/op-params.ts) onto the WebAssembly kernels: checks
 * the dimensions the kernels rely on, writes the parameter block, the channel table and the repacked filter
 * into the constant region, and returns the step that calls the kernel. The graph simulator and the
 * kernel-level runner (kernel-runner.ts) both go through here, so the CMSIS-NN vectors test the same code
 * the models run.
 */
import { inputError } from "../errors.js";
import type {
  AddKernelParams,
  ConvKernelParams,
  DepthwiseConvKernelParams,
  FullyConnectedKernelParams,
  MulKernelParams,
  PoolKernelParams,
} from "../quant/op-params.js";
import type { Rounding } from "../quant/rounding.js";
import { buildChanTable } from "./chan-table.js";
import type { ConstRegion } from "./const-region.js";
import { packConvFilter } from "./filter-pack.js";
import type { BinaryIo, Step, UnaryIo } from "./steps.js";
import { tsAddBroadcast, tsMulBroadcast } from "./ts-ops.js";
import { ADD_FIELDS, CONV_FIELDS, DEPTHWISE_FIELDS, MUL_FIELDS, POOL_FIELDS, REQUANT_FIELDS, type FieldList } from "./wat/param-layout.js";

/** Writes a parameter block (every field of `fields`, in order, as int32) and returns its address. */
function paramBlock(fields: FieldList, values: Record<string, number>, consts: ConstRegion, where: string): number {
  const words = fields.map((f) => {
    const v = values[f];
    if (v === undefined || !Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) {
      throw inputError(`kernel parameter ${f} is ${v}, not a 32-bit integer`, where);
    }
    return v | 0;
  });
  return consts.placeInt32(words);
}

function positive(where: string, values: Record<string, number>): void {
  for (const [k, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < 1) throw inputError(`${k} is ${v}; expected a positive integer`, where);
  }
}

function nonNegative(where: string, values: Record<string, number>): void {
  for (const [k, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < 0) throw inputError(`${k} is ${v}; expected a non-negative integer`, where);
  }
}

function expectLength(what: string, actual: number, expected: number, where: string): void {
  if (actual !== expected) throw inputError(`${what} has ${actual} elements; expected ${expected}`, where);
}

const single = (r: Rounding): number => (r === "single" ? 1 : 0);

/** CONV_2D, grouped when the filter's depth is below the input's. `filterOffset` is used by FC only. */
export function lowerConv(
  p: ConvKernelParams,
  io: UnaryIo,
  filter: Int8Array,
  bias: Int32Array | null,
  consts: ConstRegion,
  where: string,
  filterOffset = 0,
): Step {
  const { input_dims: id, filter_dims: fd, output_dims: od } = p;
  positive(where, {
    "input batches": id.n, "input height": id.h, "input width": id.w, "input channels": id.c,
    "filter count": fd.n, "filter height": fd.h, "filter width": fd.w, "filter depth": fd.c,
    "output height": od.h, "output width": od.w, "stride height": p.stride.h, "stride width": p.stride.w,
    "dilation height": p.dilation.h, "dilation width": p.dilation.w,
  });
  nonNegative(where, { "padding height": p.padding.h, "padding width": p.padding.w });
  if (od.n !== id.n) throw inputError(`output batches ${od.n} differ from input batches ${id.n}`, where);
  if (od.c !== fd.n) throw inputError(`output channels ${od.c} differ from the filter count ${fd.n}`, where);
  if (id.c % fd.c !== 0) throw inputError(`input channels ${id.c} are not a multiple of the filter depth ${fd.c}`, where);
  const groups = id.c / fd.c;
  if (od.c % groups !== 0) throw inputError(`output channels ${od.c} are not a multiple of the ${groups} groups`, where);
  const taps = fd.h * fd.w;
  expectLength("filter", filter.length, fd.n * taps * fd.c, where);
  const fpg = od.c / groups;
  const chan = consts.place(buildChanTable(p.multiplier, p.shift, bias, od.c, p.rounding, where));
  const packed = packConvFilter(filter, od.c, taps, fd.c, fpg);
  const filterAt = consts.place(new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength));
  const block = paramBlock(CONV_FIELDS, {
    input: io.input, filter: filterAt, chan, output: io.output,
    n: id.n, h: id.h, w: id.w, cin: id.c, kh: fd.h, kw: fd.w, cf: fd.c, oh: od.h, ow: od.w, cout: od.c,
    sh: p.stride.h, sw: p.stride.w, ph: p.padding.h, pw: p.padding.w, dh: p.dilation.h, dw: p.dilation.w,
    in_off: p.input_offset, filter_off: filterOffset, out_off: p.output_offset,
    act_min: p.activation.min, act_max: p.activation.max, single: single(p.rounding), fpg,
  }, consts, where);
  return { kind: "wasm", kernel: "conv_s8", paramBlock: block };
}

/** FULLY_CONNECTED as a 1×1 convolution over `batches` rows. */
export function lowerFullyConnected(p: FullyConnectedKernelParams, io: UnaryIo, filter: Int8Array, bias: Int32Array | null, consts: ConstRegion, where: string): Step {
  positive(where, { batches: p.batches, "accumulation depth": p.accum_depth, "output units": p.output_depth });
  const units = p.output_depth;
  const conv: ConvKernelParams = {
    input_offset: p.input_offset,
    output_offset: p.output_offset,
    stride: { h: 1, w: 1 },
    padding: { h: 0, w: 0 },
    dilation: { h: 1, w: 1 },
    activation: p.activation,
    // Per tensor: the single multiplier serves every unit.
    multiplier: p.per_channel ? p.multiplier : [p.multiplier[0]!],
    shift: p.per_channel ? p.shift : [p.shift[0]!],
    input_dims: { n: p.batches, h: 1, w: 1, c: p.accum_depth },
    filter_dims: { n: units, h: 1, w: 1, c: p.accum_depth },
    output_dims: { n: p.batches, h: 1, w: 1, c: units },
    rounding: p.rounding,
  };
  // TFLM's per-channel kernel has no filter offset.
  return lowerConv(conv, io, filter, bias, consts, where, p.per_channel ? 0 : p.filter_offset);
}

export function lowerDepthwise(p: DepthwiseConvKernelParams, io: UnaryIo, filter: Int8Array, bias: Int32Array | null, consts: ConstRegion, where: string): Step {
  const { input_dims: id, filter_dims: fd, output_dims: od } = p;
  positive(where, {
    "input batches": id.n, "input height": id.h, "input width": id.w, "input channels": id.c,
    "filter height": fd.h, "filter width": fd.w, "output height": od.h, "output width": od.w,
    "depth multiplier": p.ch_mult, "stride height": p.stride.h, "stride width": p.stride.w,
    "dilation height": p.dilation.h, "dilation width": p.dilation.w,
  });
  nonNegative(where, { "padding height": p.padding.h, "padding width": p.padding.w });
  if (od.n !== id.n) throw inputError(`output batches ${od.n} differ from input batches ${id.n}`, where);
  if (od.c !== id.c * p.ch_mult || fd.c !== od.c) {
    throw inputError(`output channels ${od.c} and filter channels ${fd.c} must equal input channels ${id.c} × depth multiplier ${p.ch_mult}`, where);
  }
  expectLength("filter", filter.length, fd.h * fd.w * od.c, where);
  const chan = consts.place(buildChanTable(p.multiplier, p.shift, bias, od.c, p.rounding, where));
  const filterAt = consts.place(new Uint8Array(filter.buffer, filter.byteOffset, filter.byteLength));
  const block = paramBlock(DEPTHWISE_FIELDS, {
    input: io.input, filter: filterAt, chan, output: io.output,
    n: id.n, h: id.h, w: id.w, cin: id.c, kh: fd.h, kw: fd.w, oh: od.h, ow: od.w, cout: od.c,
    sh: p.stride.h, sw: p.stride.w, ph: p.padding.h, pw: p.padding.w, dh: p.dilation.h, dw: p.dilation.w,
    in_off: p.input_offset, out_off: p.output_offset, act_min: p.activation.min, act_max: p.activation.max,
    single: single(p.rounding), mult: p.ch_mult,
  }, consts, where);
  return { kind: "wasm", kernel: "depthwise_s8", paramBlock: block };
}

export function lowerPool(kind: "average" | "max", p: PoolKernelParams, io: UnaryIo, consts: ConstRegion, where: string): Step {
  const { input_dims: id, filter_dims: fd, output_dims: od } = p;
  positive(where, {
    "input batches": id.n, "input height": id.h, "input width": id.w, channels: id.c,
    "window height": fd.h, "window width": fd.w, "output height": od.h, "output width": od.w,
    "stride height": p.stride.h, "stride width": p.stride.w,
  });
  nonNegative(where, { "padding height": p.padding.h, "padding width": p.padding.w });
  if (od.n !== id.n || od.c !== id.c) throw inputError(`output [${od.n}, ${od.h}, ${od.w}, ${od.c}] does not match input batches and channels`, where);
  if (kind === "average") {
    // TFLM fails on a window with no in-image tap; find it here rather than divide by zero in the kernel.
    const empty = (o: number, s: number, pad: number, k: number, size: number): boolean => {
      const p0 = o * s - pad;
      return Math.min(k, size - p0) <= Math.max(0, -p0);
    };
    for (let oy = 0; oy < od.h; oy++) if (empty(oy, p.stride.h, p.padding.h, fd.h, id.h)) throw inputError(`average pool window at output row ${oy} covers no input element`, where);
    for (let ox = 0; ox < od.w; ox++) if (empty(ox, p.stride.w, p.padding.w, fd.w, id.w)) throw inputError(`average pool window at output column ${ox} covers no input element`, where);
  }
  const block = paramBlock(POOL_FIELDS, {
    input: io.input, output: io.output, n: id.n, h: id.h, w: id.w, c: id.c, kh: fd.h, kw: fd.w, oh: od.h, ow: od.w,
    sh: p.stride.h, sw: p.stride.w, ph: p.padding.h, pw: p.padding.w, act_min: p.activation.min, act_max: p.activation.max,
  }, consts, where);
  return { kind: "wasm", kernel: kind === "average" ? "avgpool_s8" : "maxpool_s8", paramBlock: block };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** ADD: the WebAssembly kernel when no input broadcasts, else the TypeScript broadcasting path. */
export function lowerAdd(p: AddKernelParams, io: BinaryIo, consts: ConstRegion, where: string): Step {
  if (!sameShape(p.input1_shape, p.output_shape) || !sameShape(p.input2_shape, p.output_shape)) return tsAddBroadcast(p, io);
  const chan = consts.place(buildChanTable(
    [p.input1_multiplier, p.input2_multiplier, p.output_multiplier],
    [p.input1_shift, p.input2_shift, p.output_shift],
    null, 3, p.rounding, where,
  ));
  const block = paramBlock(ADD_FIELDS, {
    input1: io.input1, input2: io.input2, output: io.output, size: elementCount(p.output_shape),
    in1_off: p.input1_offset, in2_off: p.input2_offset,
    // Math.imul(x, 2^left_shift) semantics: the factor taken modulo 2^32.
    ls_pow: (2 ** p.left_shift) | 0,
    out_off: p.output_offset, act_min: p.activation.min, act_max: p.activation.max, single: single(p.rounding), chan,
  }, consts, where);
  return { kind: "wasm", kernel: "add_s8", paramBlock: block };
}

/** MUL: the WebAssembly kernel when no input broadcasts, else the TypeScript broadcasting path. */
export function lowerMul(p: MulKernelParams, io: BinaryIo, consts: ConstRegion, where: string): Step {
  if (!sameShape(p.input1_shape, p.output_shape) || !sameShape(p.input2_shape, p.output_shape)) return tsMulBroadcast(p, io);
  const chan = consts.place(buildChanTable([p.output_multiplier], [p.output_shift], null, 1, p.rounding, where));
  const block = paramBlock(MUL_FIELDS, {
    input1: io.input1, input2: io.input2, output: io.output, size: elementCount(p.output_shape),
    in1_off: p.input1_offset, in2_off: p.input2_offset,
    out_off: p.output_offset, act_min: p.activation.min, act_max: p.activation.max, single: single(p.rounding), chan,
  }, consts, where);
  return { kind: "wasm", kernel: "mul_s8", paramBlock: block };
}

/** int32 → int32 requantisation, value i with (multiplier[i], shift[i], bias[i]); `size` values. */
export function lowerRequant32(
  multiplier: readonly number[],
  shift: readonly number[],
  bias: Int32Array | null,
  rounding: Rounding,
  io: { input: number; output: number; size: number },
  consts: ConstRegion,
  where: string,
): Step {
  const chan = consts.place(buildChanTable(multiplier, shift, bias, io.size, rounding, where));
  const block = paramBlock(REQUANT_FIELDS, { input: io.input, chan, output: io.output, size: io.size, single: single(rounding) }, consts, where);
  return { kind: "wasm", kernel: "requant_s32", paramBlock: block };
}
