/**
 * Loads the CMSIS-NN unit-test vectors in ../shared/testvectors/cmsis-nn and turns each into kernel
 * parameters (the `*KernelParams` types of src/quant/op-params.ts) plus input arrays and the expected output,
 * so any engine (the reference interpreter, the WebAssembly simulator) can run the same cases.
 *
 * Conventions of the files (int8 spec §5, §6.1): INPUT_OFFSET = −input zp, OUTPUT_OFFSET = +output zp,
 * shifts positive = left, PAD_X/PAD_Y the leading padding. Some upstream folders carry stale arrays from other
 * sets (fully_connected has 1001 output_mult values and a 22-element "output"); the config and the arrays
 * that match its sizes are authoritative.
 */
import { readdirSync, readFileSync } from "node:fs";
import type {
  AddKernelParams,
  ConvKernelParams,
  DepthwiseConvKernelParams,
  FullyConnectedKernelParams,
  MulKernelParams,
  PadKernelParams,
  PoolKernelParams,
  SoftmaxKernelParams,
} from "../../src/quant/op-params.js";
import type { Rounding } from "../../src/quant/rounding.js";

export const CMSIS_VECTOR_DIR = "../shared/testvectors/cmsis-nn";

export interface RawVectorSet {
  set: string;
  generator: string;
  config: Record<string, number | string>;
  arrays: Record<string, { type: string; values: number[] }>;
}

export type CmsisCase =
  | { name: string; kind: "conv"; params: ConvKernelParams; input: Int8Array; filter: Int8Array; bias: Int32Array | null; expected: Int8Array }
  | { name: string; kind: "depthwise"; params: DepthwiseConvKernelParams; input: Int8Array; filter: Int8Array; bias: Int32Array | null; expected: Int8Array }
  | { name: string; kind: "fully_connected"; params: FullyConnectedKernelParams; input: Int8Array; filter: Int8Array; bias: Int32Array | null; expected: Int8Array }
  | { name: string; kind: "avgpool" | "maxpool"; params: PoolKernelParams; input: Int8Array; expected: Int8Array }
  | { name: string; kind: "add"; params: AddKernelParams; input1: Int8Array; input2: Int8Array; expected: Int8Array }
  | { name: string; kind: "mul"; params: MulKernelParams; input1: Int8Array; input2: Int8Array; expected: Int8Array }
  | { name: string; kind: "softmax"; params: SoftmaxKernelParams; input: Int8Array; expected: Int8Array }
  | { name: string; kind: "pad"; params: PadKernelParams; input: Int8Array; expected: Int8Array };

/** Names of the vector sets present (file names without .json), sorted. */
export function listCmsisVectorSets(dir = CMSIS_VECTOR_DIR): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
}

export function readCmsisVectorSet(name: string, dir = CMSIS_VECTOR_DIR): RawVectorSet {
  return JSON.parse(readFileSync(`${dir}/${name}.json`, "utf8")) as RawVectorSet;
}

class SetReader {
  constructor(readonly raw: RawVectorSet) {}

  num(key: string): number {
    const v = this.raw.config[key];
    if (typeof v !== "number") throw new Error(`${this.raw.set}: config.${key} is ${JSON.stringify(v)}, expected a number`);
    return v;
  }

  str(key: string): string {
    const v = this.raw.config[key];
    if (typeof v !== "string") throw new Error(`${this.raw.set}: config.${key} is ${JSON.stringify(v)}, expected a string`);
    return v;
  }

  /** The first of `keys` present in `arrays`, checked to hold `length` values when a length is given. */
  values(keys: string[], length?: number): number[] {
    for (const k of keys) {
      const a = this.raw.arrays[k];
      if (!a) continue;
      if (length !== undefined && a.values.length !== length) throw new Error(`${this.raw.set}: arrays.${k} has ${a.values.length} values, expected ${length}`);
      return a.values;
    }
    throw new Error(`${this.raw.set}: none of arrays.${keys.join("/")} present`);
  }

  int8(keys: string[], length?: number): Int8Array {
    return Int8Array.from(this.values(keys, length));
  }

  int32(keys: string[], length?: number): Int32Array {
    return Int32Array.from(this.values(keys, length));
  }

  has(key: string): boolean {
    return key in this.raw.arrays;
  }

  activation(): { min: number; max: number } {
    return { min: this.num("OUT_ACTIVATION_MIN"), max: this.num("OUT_ACTIVATION_MAX") };
  }
}

function kindOf(name: string): CmsisCase["kind"] {
  if (name.startsWith("depthwise")) return "depthwise";
  if (name.startsWith("conv") || name.startsWith("kernel1x1") || name.startsWith("stride2pad1")) return "conv";
  if (name.startsWith("fully_connected") || name.startsWith("fc_")) return "fully_connected";
  if (name.startsWith("avgpooling")) return "avgpool";
  if (name.startsWith("maxpooling")) return "maxpool";
  if (name === "add") return "add";
  if (name === "mul") return "mul";
  if (name === "softmax") return "softmax";
  if (name.startsWith("pad")) return "pad";
  throw new Error(`unknown CMSIS-NN vector set kind: ${name}`);
}

function convCase(r: SetReader, name: string, depthwise: boolean, rounding: Rounding): CmsisCase {
  const n = r.num("INPUT_BATCHES");
  const [h, w, cin, cout] = [r.num("INPUT_H"), r.num("INPUT_W"), r.num("IN_CH"), r.num("OUT_CH")];
  const [kh, kw] = [r.num("FILTER_Y"), r.num("FILTER_X")];
  const [oh, ow] = [r.num("OUTPUT_H"), r.num("OUTPUT_W")];
  const common = {
    input_offset: r.num("INPUT_OFFSET"),
    output_offset: r.num("OUTPUT_OFFSET"),
    stride: { h: r.num("STRIDE_Y"), w: r.num("STRIDE_X") },
    padding: { h: r.num("PAD_Y"), w: r.num("PAD_X") },
    dilation: { h: r.num("DILATION_Y"), w: r.num("DILATION_X") },
    activation: r.activation(),
    multiplier: r.values(["output_mult", "output_multiplier"], cout),
    shift: r.values(["output_shift"], cout),
    input_dims: { n, h, w, c: cin },
    output_dims: { n, h: oh, w: ow, c: cout },
    rounding,
  };
  const input = r.int8(["input"], n * h * w * cin);
  const bias = r.has("biases") || r.has("bias") ? r.int32(["biases", "bias"], cout) : null;
  const expected = r.int8(["output_ref", "output"], n * oh * ow * cout);
  if (depthwise) {
    const params: DepthwiseConvKernelParams = { ...common, filter_dims: { n: 1, h: kh, w: kw, c: cout }, ch_mult: r.num("CH_MULT") };
    return { name, kind: "depthwise", params, input, filter: r.int8(["weights"], kh * kw * cout), bias, expected };
  }
  // The conv vectors here are ungrouped: the filter's depth is the input's.
  const params: ConvKernelParams = { ...common, filter_dims: { n: cout, h: kh, w: kw, c: cin } };
  return { name, kind: "conv", params, input, filter: r.int8(["weights"], cout * kh * kw * cin), bias, expected };
}

function fullyConnectedCase(r: SetReader, name: string, rounding: Rounding): CmsisCase {
  const batches = r.num("INPUT_BATCHES");
  const depth = r.num("ACCUMULATION_DEPTH");
  const units = r.num("OUT_CH");
  const perChannel = r.raw.config["PER_CHANNEL_QUANT"] === "true";
  // Per-tensor sets carry their multiplier in the config; per-channel sets in arrays.
  const multiplier = perChannel ? r.values(["output_multiplier", "output_mult"], units) : [r.num("OUTPUT_MULTIPLIER")];
  const shift = perChannel ? r.values(["output_shift"], units) : [r.num("OUTPUT_SHIFT")];
  const params: FullyConnectedKernelParams = {
    input_offset: r.num("INPUT_OFFSET"),
    filter_offset: typeof r.raw.config["FILTER_OFFSET"] === "number" ? r.num("FILTER_OFFSET") : 0,
    output_offset: r.num("OUTPUT_OFFSET"),
    activation: r.activation(),
    per_channel: perChannel,
    multiplier,
    shift,
    batches,
    accum_depth: depth,
    output_depth: units,
    rounding,
  };
  return {
    name,
    kind: "fully_connected",
    params,
    input: r.int8(["input"], batches * depth),
    filter: r.int8(["weights"], units * depth),
    bias: r.has("biases") || r.has("bias") ? r.int32(["biases", "bias"], units) : null,
    expected: r.int8(["output_ref", "output"], batches * units),
  };
}

function poolCase(r: SetReader, name: string, kind: "avgpool" | "maxpool"): CmsisCase {
  const [n, h, w, c] = [r.num("INPUT_N"), r.num("INPUT_H"), r.num("INPUT_W"), r.num("INPUT_C")];
  const [oh, ow] = [r.num("OUTPUT_H"), r.num("OUTPUT_W")];
  const params: PoolKernelParams = {
    stride: { h: r.num("STRIDE_H"), w: r.num("STRIDE_W") },
    padding: { h: r.num("PADDING_H"), w: r.num("PADDING_W") },
    activation: { min: r.num("ACTIVATION_MIN"), max: r.num("ACTIVATION_MAX") },
    input_dims: { n, h, w, c },
    filter_dims: { n: 1, h: r.num("FILTER_H"), w: r.num("FILTER_W"), c: 1 },
    output_dims: { n, h: oh, w: ow, c: r.num("OUTPUT_C") },
  };
  return { name, kind, params, input: r.int8(["input_tensor", "input"], n * h * w * c), expected: r.int8(["output_ref", "output"], n * oh * ow * c) };
}

function addCase(r: SetReader, name: string, rounding: Rounding): CmsisCase {
  const size = r.num("DST_SIZE");
  const params: AddKernelParams = {
    input1_offset: r.num("INPUT1_OFFSET"),
    input1_multiplier: r.num("INPUT1_MULT"),
    input1_shift: r.num("INPUT1_SHIFT"),
    input2_offset: r.num("INPUT2_OFFSET"),
    input2_multiplier: r.num("INPUT2_MULT"),
    input2_shift: r.num("INPUT2_SHIFT"),
    left_shift: r.num("LEFT_SHIFT"),
    output_offset: r.num("OUTPUT_OFFSET"),
    output_multiplier: r.num("OUTPUT_MULT"),
    output_shift: r.num("OUTPUT_SHIFT"),
    activation: r.activation(),
    input1_shape: [size],
    input2_shape: [size],
    output_shape: [size],
    rounding,
  };
  return { name, kind: "add", params, input1: r.int8(["input1"], size), input2: r.int8(["input2"], size), expected: r.int8(["output_ref"], size) };
}

function mulCase(r: SetReader, name: string, rounding: Rounding): CmsisCase {
  const size = r.num("DST_SIZE");
  const params: MulKernelParams = {
    input1_offset: r.num("INPUT1_OFFSET"),
    input2_offset: r.num("INPUT2_OFFSET"),
    output_offset: r.num("OUTPUT_OFFSET"),
    output_multiplier: r.num("OUTPUT_MULT"),
    output_shift: r.num("OUTPUT_SHIFT"),
    activation: r.activation(),
    input1_shape: [size],
    input2_shape: [size],
    output_shape: [size],
    rounding,
  };
  return { name, kind: "mul", params, input1: r.int8(["input1"], size), input2: r.int8(["input2"], size), expected: r.int8(["output_ref"], size) };
}

function softmaxCase(r: SetReader, name: string, rounding: Rounding): CmsisCase {
  const rows = r.num("NUM_ROWS");
  const rowSize = r.num("ROW_SIZE");
  const params: SoftmaxKernelParams = {
    num_rows: rows,
    row_size: rowSize,
    input_multiplier: r.num("INPUT_MULT"),
    input_left_shift: r.num("INPUT_LEFT_SHIFT"),
    diff_min: r.num("DIFF_MIN"),
    rounding,
  };
  return { name, kind: "softmax", params, input: r.int8(["input"], rows * rowSize), expected: r.int8(["output_ref"], rows * rowSize) };
}

function padCase(r: SetReader, name: string): CmsisCase {
  const dims = ["N", "H", "W", "C"];
  const inShape = dims.map((d) => r.num(`INPUT_${d}`));
  const pre = dims.map((d) => r.num(`PRE_PAD_${d}`));
  const post = dims.map((d) => r.num(`POST_PAD_${d}`));
  const outShape = inShape.map((d, i) => d + pre[i]! + post[i]!);
  const params: PadKernelParams = { input_shape: inShape, output_shape: outShape, pre_pad: pre, post_pad: post, pad_value: r.num("PAD_VALUE") };
  const size = outShape.reduce((a, b) => a * b, 1);
  if (size !== r.num("OUTPUT_SIZE")) throw new Error(`${name}: padded shape [${outShape.join(", ")}] has ${size} elements, config.OUTPUT_SIZE is ${r.num("OUTPUT_SIZE")}`);
  return { name, kind: "pad", params, input: r.int8(["input_tensor", "input"], inShape.reduce((a, b) => a * b, 1)), expected: r.int8(["output_ref", "output"], size) };
}

/** The vector set `name` as a runnable case; `rounding` is put into the params of requantising kernels. */
export function loadCmsisCase(name: string, rounding: Rounding = "double", dir = CMSIS_VECTOR_DIR): CmsisCase {
  const r = new SetReader(readCmsisVectorSet(name, dir));
  const kind = kindOf(name);
  switch (kind) {
    case "conv": return convCase(r, name, false, rounding);
    case "depthwise": return convCase(r, name, true, rounding);
    case "fully_connected": return fullyConnectedCase(r, name, rounding);
    case "avgpool": case "maxpool": return poolCase(r, name, kind);
    case "add": return addCase(r, name, rounding);
    case "mul": return mulCase(r, name, rounding);
    case "softmax": return softmaxCase(r, name, rounding);
    case "pad": return padCase(r, name);
  }
}
