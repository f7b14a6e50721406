/**
 * Filter and bias constants of the convolution family: their quantization always (analysis needs the scale
 * counts), their bytes when the layer has explicit weights or the seeded generator is on.
 *
 * Generated weights: int8 values uniform on [-127, 127] with one ±127 per output channel (as symmetric
 * per-channel quantization of trained weights produces), per-channel scales (per-tensor for fully_connected,
 * as converters emit) that give each channel the planned pre-activation spread (jittered ±25 %), and int32
 * biases that centre each channel (like a folded batch norm) plus a small random offset. Every draw comes
 * from SplitMix32 streams keyed by (seed, layer index, purpose), so the same seed gives identical bytes and a
 * layer's draws do not depend on the other layers.
 */
import { inputError, limitError } from "../../errors.js";
import { elementCount, int32Bytes } from "../../ir/tensor-data.js";
import { LIMITS } from "../../ir/limits.js";
import type { Quantization, Tensor } from "../../ir/types.js";
import type { BuiltGraph, LayerRecord } from "./build-graph.js";
import { SplitMix32, streamSeed } from "../../util/prng.js";
import { INT8_WEIGHT_RMS, type QuantPlan } from "./quant-plan.js";

export interface FillOptions {
  /** Fill generated data into layers without explicit weights. */
  generate: boolean;
  seed: number;
}

/**
 * Generated constant bytes allowed in one graph: the flash limit of generated code. Weights are generated only
 * to compile or run a model, and neither is possible beyond it, so larger requests are refused before any
 * allocation instead of spending a second and tens of MB on weights nothing can use (analysis needs none).
 */
export const MAX_GENERATED_BYTES = LIMITS.maxMcuFlashBytes;

const STREAM_SCALES = 1;
const STREAM_DATA = 2;
const STREAM_BIAS = 3;
/** Smallest and largest scales kept (positive normal float32 values, far from over/underflow in products). */
const MIN_SCALE = 1e-30;
const MAX_SCALE = 1e30;

function clampScale(s: number): number {
  const v = Number.isFinite(s) && s > 0 ? s : MIN_SCALE;
  return Math.fround(Math.min(MAX_SCALE, Math.max(MIN_SCALE, v)));
}

function quantization(scales: number[], axis: number): Quantization {
  return { scale: scales, zeroPoint: new Array<number>(scales.length).fill(0), axis: scales.length > 1 ? axis : 0 };
}

/** Index of element j of output channel c in a filter with `channels` channels on `axis` (0 or 3). */
function channelElement(axis: 0 | 3, perChannel: number, channels: number, c: number, j: number): number {
  return axis === 0 ? c * perChannel + j : j * channels + c;
}

class Filler {
  private generatedBytes = 0;

  constructor(
    readonly built: BuiltGraph,
    readonly plan: QuantPlan,
    readonly opts: FillOptions,
  ) {}

  layer(rec: LayerRecord): void {
    const tensors = this.built.graph.tensors;
    const filter = tensors[rec.filter!]!;
    const bias = rec.bias !== undefined && rec.bias >= 0 ? tensors[rec.bias] : undefined;
    const axis = rec.channelAxis!;
    const inScale = this.plan.quant[rec.inputs[0]!]!.scale[0]!;
    const spec = rec.spec;
    const explicit = "weights" in spec ? spec.weights : undefined;

    let scales: number[];
    let q: Int8Array | null = null;
    if (explicit) {
      scales = this.explicitScales(rec, explicit.filterScale);
    } else {
      if (this.opts.generate) q = this.generatedFilter(rec, filter);
      scales = this.generatedScales(rec, filter, q);
    }
    filter.quant = quantization(scales, axis);
    if (bias) bias.quant = quantization(scales.map((s) => clampScale(inScale * s)), 0);

    if (explicit) {
      this.explicitData(rec, filter, bias, explicit.filter, explicit.bias);
    } else if (q) {
      filter.data = new Uint8Array(q.buffer);
      if (bias) bias.data = this.generatedBias(rec, bias, filter, q);
    }
  }

  private explicitScales(rec: LayerRecord, filterScale: number | number[]): number[] {
    const given = typeof filterScale === "number" ? [filterScale] : filterScale;
    const channels = rec.channels!;
    if (given.length !== 1 && given.length !== channels) {
      throw inputError(`has ${given.length} scales; expected 1 or ${channels} (one per output channel)`, `${rec.path}/weights/filterScale`);
    }
    return given.map((s, k) => {
      const f = Math.fround(s);
      if (!(f > 0) || !Number.isFinite(f)) {
        throw inputError(`scale ${s} cannot be stored as a positive float32`, `${rec.path}/weights/filterScale${typeof filterScale === "number" ? "" : `/${k}`}`);
      }
      return f;
    });
  }

  /**
   * Scales giving each output channel the planned pre-activation spread σ·u (u a ±25 % jitter per channel;
   * per tensor for fully_connected). The generated bias cancels the channel's mean (as a folded batch norm
   * does), so only the input variance v matters: a channel with int8 weights q and scale s has variance
   * s²·Σq²·v (independent taps) — with the actual Σq² when the weights are generated, else its expectation.
   */
  private generatedScales(rec: LayerRecord, filter: Tensor, q: Int8Array | null): number[] {
    const channels = rec.channels!;
    const pre = this.plan.preStd.get(rec.index)!;
    const x = this.plan.stats[rec.inputs[0]!]!;
    // A (near-)constant input has no spread to scale; fall back to its magnitude.
    const v = Math.max(x.std * x.std, 1e-6 * x.mean * x.mean, 1e-30);
    const perChannel = elementCount(filter.shape) / channels;
    const sumSq = (c: number): number => {
      if (!q) return perChannel * INT8_WEIGHT_RMS * INT8_WEIGHT_RMS;
      let acc = 0;
      for (let j = 0; j < perChannel; j++) acc += q[channelElement(rec.channelAxis!, perChannel, channels, c, j)]! ** 2;
      return acc;
    };
    if (rec.spec.type === "fully_connected") {
      let total = 0;
      for (let c = 0; c < channels; c++) total += sumSq(c);
      return [clampScale(pre / Math.sqrt((total / channels) * v))];
    }
    const rng = new SplitMix32(streamSeed(this.opts.seed, rec.index, STREAM_SCALES));
    return Array.from({ length: channels }, (_, c) => clampScale((pre * rng.uniform(0.75, 1.25)) / Math.sqrt(sumSq(c) * v)));
  }

  private explicitData(rec: LayerRecord, filter: Tensor, bias: Tensor | undefined, values: number[], biasValues: number[] | undefined): void {
    const need = elementCount(filter.shape);
    if (values.length !== need) {
      throw inputError(`has ${values.length} values; the filter [${filter.shape.join(", ")}] needs ${need}`, `${rec.path}/weights/filter`);
    }
    filter.data = new Uint8Array(Int8Array.from(values).buffer);
    if (biasValues && !bias) throw inputError("the layer has useBias: false, so it takes no bias values", `${rec.path}/weights/bias`);
    if (!bias) return;
    if (biasValues && biasValues.length !== rec.channels) {
      throw inputError(`has ${biasValues.length} values; expected ${rec.channels} (one per output channel)`, `${rec.path}/weights/bias`);
    }
    bias.data = int32Bytes(biasValues ?? new Array<number>(rec.channels!).fill(0));
  }

  private generatedFilter(rec: LayerRecord, filter: Tensor): Int8Array {
    const count = elementCount(filter.shape);
    this.generatedBytes += count + (rec.bias !== undefined && rec.bias >= 0 ? 4 * rec.channels! : 0);
    if (this.generatedBytes > MAX_GENERATED_BYTES) {
      throw limitError(`generated weights would exceed ${MAX_GENERATED_BYTES} bytes at this layer (the generator's limit: the flash limit of generated code; analysis needs no weights)`, rec.path);
    }
    const rng = new SplitMix32(streamSeed(this.opts.seed, rec.index, STREAM_DATA));
    const q = new Int8Array(count);
    for (let i = 0; i < count; i++) q[i] = rng.int(-127, 127);
    const channels = rec.channels!;
    const perChannel = count / channels;
    for (let c = 0; c < channels; c++) {
      const j = rng.int(0, perChannel - 1);
      q[channelElement(rec.channelAxis!, perChannel, channels, c, j)] = rng.next() < 0.5 ? -127 : 127;
    }
    return q;
  }

  /**
   * Biases that cancel each channel's expected mean (input mean μ times the channel's weight sum, as a folded
   * batch norm would) plus a random offset of about ±10 % of the pre-activation spread.
   */
  private generatedBias(rec: LayerRecord, bias: Tensor, filter: Tensor, q: Int8Array): Uint8Array {
    const rng = new SplitMix32(streamSeed(this.opts.seed, rec.index, STREAM_BIAS));
    const pre = this.plan.preStd.get(rec.index)!;
    const mu = this.plan.stats[rec.inputs[0]!]!.mean;
    const channels = rec.channels!;
    const perChannel = q.length / channels;
    const wScales = filter.quant!.scale;
    const bScales = bias.quant!.scale;
    const values = Array.from({ length: channels }, (_, c) => {
      let sum = 0;
      for (let j = 0; j < perChannel; j++) sum += q[channelElement(rec.channelAxis!, perChannel, channels, c, j)]!;
      const k = wScales.length > 1 ? c : 0;
      const real = -mu * wScales[k]! * sum + pre * rng.uniform(-0.1, 0.1);
      const v = Math.round(real / bScales[k]!);
      return Math.min(2147483647, Math.max(-2147483648, v));
    });
    return int32Bytes(values);
  }
}

/** Sets filter/bias quantization of every convolution-family layer and fills data where there is any. */
export function fillConstants(built: BuiltGraph, plan: QuantPlan, opts: FillOptions): void {
  const filler = new Filler(built, plan, opts);
  for (const rec of built.records) if (rec.filter !== undefined) filler.layer(rec);
}
