/**
 * Chooses the quantization of every activation tensor so that a forward pass with generated weights neither
 * saturates nor collapses to the zero point.
 *
 * The plan works in real values. Each tensor gets an estimated mean and standard deviation, propagated layer
 * by layer (the generated weights of a convolution are scaled so its pre-activation has a fixed spread: σ = 1,
 * or σ = 2 before ReLU6 so the 0..6 range is used as in trained models). A tensor's int8 range covers the
 * pre-activation mean ± 4σ passed through the activation, always including 0. Ops that pass values through
 * (pooling, reshape, pad, concat) must share scale and zero point with their inputs (TFLite Micro checks
 * this), so such tensors form groups whose range is the union of their members'. Fixed parameters ("pins")
 * win: the graph input, explicit `quantization` fields, and SOFTMAX's 1/256, -128. All scales are float32
 * values (Math.fround).
 */
import { inputError } from "../../errors.js";
import { elementCount } from "../../ir/tensor-data.js";
import type { Activation, Quantization } from "../../ir/types.js";
import type { BuiltGraph } from "./build-graph.js";
import type { ArchitectureDoc, QuantSpec } from "./types.js";

export interface RealStats {
  mean: number;
  std: number;
}

export interface QuantPlan {
  /** By tensor id: activation quantization (null for constants and float32 tensors). */
  quant: (Quantization | null)[];
  /** By layer index (convolution family): the expected standard deviation of its pre-activation values. */
  preStd: Map<number, number>;
  /** By tensor id: estimated real statistics (for tests and diagnostics). */
  stats: (RealStats | undefined)[];
}

/** Root-mean-square of integers drawn uniformly from [-127, 127]. */
export const INT8_WEIGHT_RMS = Math.sqrt((127 * 128) / 3);
/** Standard deviation of integers uniform on [-128, 127] (the assumed input distribution). */
const INT8_UNIFORM_STD = Math.sqrt((256 * 256 - 1) / 12);
const RANGE_SIGMAS = 4;
/** Pre-activation spread targeted by generated weights. */
const PRE_ACTIVATION_STD: Record<string, number> = { none: 1, relu: 1, relu6: 2 };
/** Default input quantization: values in [-1, 1). */
export const DEFAULT_INPUT_QUANT: QuantSpec = { scale: 1 / 128, zeroPoint: 0 };
const SOFTMAX_QUANT: QuantSpec = { scale: 1 / 256, zeroPoint: -128 };

function activate(x: number, act: Activation): number {
  switch (act) {
    case "relu": return Math.max(0, x);
    case "relu6": return Math.min(6, Math.max(0, x));
    case "relu_n1_to_1": return Math.min(1, Math.max(-1, x));
    default: return x;
  }
}

/** Mean and standard deviation of act(X) for X ~ N(mean, std²), by numerical integration. */
export function activationStats(mean: number, std: number, act: Activation): RealStats {
  if (act === "none" || act === "tanh" || act === "sign_bit") return { mean, std };
  if (!(std > 0)) return { mean: activate(mean, act), std: 0 };
  let w0 = 0;
  let w1 = 0;
  let w2 = 0;
  for (let i = -400; i <= 400; i++) {
    const z = i / 50;
    const w = Math.exp(-0.5 * z * z);
    const y = activate(mean + std * z, act);
    w0 += w;
    w1 += w * y;
    w2 += w * y * y;
  }
  const m = w1 / w0;
  return { mean: m, std: Math.sqrt(Math.max(0, w2 / w0 - m * m)) };
}

/** Scale and zero point covering [lo, hi] (widened to include 0). */
export function quantForRange(lo: number, hi: number): QuantSpec {
  let a = Math.min(lo, 0);
  let b = Math.max(hi, 0);
  if (!Number.isFinite(a) || !Number.isFinite(b) || b - a < 1e-12) {
    a = -1;
    b = 1;
  }
  const scale = Math.fround((b - a) / 255);
  const zeroPoint = Math.min(127, Math.max(-128, Math.round(-128 - a / scale)));
  return { scale, zeroPoint };
}

interface Pin {
  q: QuantSpec;
  /** JSON path of the field (or layer) that fixed it. */
  where: string;
}

class UnionFind {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(x: number): number {
    let r = x;
    while (this.parent[r] !== r) r = this.parent[r]!;
    while (this.parent[x] !== r) {
      const next = this.parent[x]!;
      this.parent[x] = r;
      x = next;
    }
    return r;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

function meanOfSquares(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v * v;
  return values.length > 0 ? s / values.length : 0;
}

/** A float32 scale from the document; 0 after rounding is an error at `where`. */
function pinned(q: QuantSpec, where: string): Pin {
  const scale = Math.fround(q.scale);
  if (!(scale > 0) || !Number.isFinite(scale)) throw inputError(`scale ${q.scale} cannot be stored as a positive float32`, `${where}/scale`);
  return { q: { scale, zeroPoint: q.zeroPoint }, where };
}

export function planQuantization(doc: ArchitectureDoc, built: BuiltGraph): QuantPlan {
  const { graph, records } = built;
  const n = graph.tensors.length;
  const stats: (RealStats | undefined)[] = new Array<RealStats | undefined>(n);
  const range = new Map<number, [number, number]>();
  const pins = new Map<number, Pin>();
  const groups = new UnionFind(n);
  const preStd = new Map<number, number>();

  const inputPin = doc.input.quantization ? pinned(doc.input.quantization, "/input/quantization") : { q: DEFAULT_INPUT_QUANT, where: "/input" };
  pins.set(0, inputPin);
  // Assume inputs spread over the whole int8 range.
  stats[0] = { mean: inputPin.q.scale * (-0.5 - inputPin.q.zeroPoint), std: inputPin.q.scale * INT8_UNIFORM_STD };

  const fromPre = (out: number, mean: number, std: number, act: Activation): void => {
    stats[out] = activationStats(mean, std, act);
    range.set(out, [activate(mean - RANGE_SIGMAS * std, act), activate(mean + RANGE_SIGMAS * std, act)]);
  };

  for (const rec of records) {
    const spec = rec.spec;
    const out = rec.output;
    const x = stats[rec.inputs[0]!]!;
    const op = graph.operators[rec.opIndex]!;
    switch (spec.type) {
      case "conv2d":
      case "depthwise_conv2d":
      case "fully_connected": {
        const ex2 = Math.max(x.mean * x.mean + x.std * x.std, 1e-30);
        let pre: number;
        if (spec.weights) {
          const scales = typeof spec.weights.filterScale === "number" ? [spec.weights.filterScale] : spec.weights.filterScale;
          pre = Math.max(Math.sqrt(meanOfSquares(spec.weights.filter) * meanOfSquares(scales) * rec.fanIn! * ex2), 1e-30);
        } else {
          // Generated weights are scaled to give exactly this spread (weight-fill.ts).
          pre = PRE_ACTIVATION_STD[rec.activation] ?? 1;
        }
        preStd.set(rec.index, pre);
        fromPre(out, 0, pre, rec.activation);
        break;
      }
      case "avgpool":
      case "maxpool": {
        const a = op.attrs as { filterH: number; filterW: number };
        const window = a.filterH * a.filterW;
        // Averaging shrinks the spread (neighbours are correlated, so less than 1/√N); a maximum raises the mean.
        stats[out] = spec.type === "avgpool"
          ? { mean: x.mean, std: x.std * window ** -0.25 }
          : { mean: x.mean + 0.5 * x.std * Math.sqrt(2 * Math.log(Math.max(window, 1))), std: x.std * 0.7 };
        groups.union(rec.inputs[0]!, out);
        break;
      }
      case "reshape":
      case "pad":
        stats[out] = { ...x };
        groups.union(rec.inputs[0]!, out);
        break;
      case "concat": {
        const axis = (op.attrs as { axis: number }).axis;
        let total = 0;
        let m1 = 0;
        let m2 = 0;
        for (const id of rec.inputs) {
          const s = stats[id]!;
          const size = graph.tensors[id]!.shape[axis]!;
          total += size;
          m1 += size * s.mean;
          m2 += size * (s.mean * s.mean + s.std * s.std);
          groups.union(id, out);
        }
        const mean = m1 / total;
        stats[out] = { mean, std: Math.sqrt(Math.max(0, m2 / total - mean * mean)) };
        break;
      }
      case "add": {
        const y = stats[rec.inputs[1]!]!;
        fromPre(out, x.mean + y.mean, Math.hypot(x.std, y.std), rec.activation);
        break;
      }
      case "mul": {
        const y = stats[rec.inputs[1]!]!;
        const mean = x.mean * y.mean;
        const ex2 = (x.mean * x.mean + x.std * x.std) * (y.mean * y.mean + y.std * y.std);
        fromPre(out, mean, Math.sqrt(Math.max(0, ex2 - mean * mean)), rec.activation);
        break;
      }
      case "mean": {
        const reduced = elementCount(graph.tensors[rec.inputs[0]!]!.shape) / elementCount(graph.tensors[out]!.shape);
        fromPre(out, x.mean, x.std * reduced ** -0.25, "none");
        break;
      }
      case "softmax": {
        const c = graph.tensors[out]!.shape.at(-1) ?? 1;
        stats[out] = { mean: 1 / c, std: 1 / c };
        pins.set(out, { q: { scale: Math.fround(SOFTMAX_QUANT.scale), zeroPoint: SOFTMAX_QUANT.zeroPoint }, where: rec.path });
        break;
      }
      case "quantize":
        fromPre(out, x.mean, x.std, "none");
        break;
      case "dequantize":
        stats[out] = { ...x };
        break;
    }
    if ("quantization" in spec && spec.quantization) pins.set(out, pinned(spec.quantization, `${rec.path}/quantization`));
  }

  // Resolve each group: one pin (or several equal ones) wins, otherwise the union of the members' ranges.
  const members = new Map<number, number[]>();
  graph.tensors.forEach((t) => {
    if (t.constant || t.dtype !== "int8") return;
    const r = groups.find(t.id);
    const list = members.get(r);
    if (list) list.push(t.id);
    else members.set(r, [t.id]);
  });
  const quant: (Quantization | null)[] = new Array<Quantization | null>(n).fill(null);
  for (const ids of members.values()) {
    let pin: Pin | undefined;
    let lo = Infinity;
    let hi = -Infinity;
    for (const id of ids) {
      const p = pins.get(id);
      if (p) {
        if (pin && (pin.q.scale !== p.q.scale || pin.q.zeroPoint !== p.q.zeroPoint)) {
          throw inputError(
            `quantization (scale ${p.q.scale}, zero point ${p.q.zeroPoint}) conflicts with ${pin.where} (scale ${pin.q.scale}, zero point ${pin.q.zeroPoint}); ` +
              "pooling, reshape, pad and concat layers pass values through, so their inputs and outputs must share one quantization",
            p.where,
          );
        }
        pin ??= p;
      }
      const r = range.get(id);
      if (r) {
        lo = Math.min(lo, r[0]);
        hi = Math.max(hi, r[1]);
      }
    }
    const q = pin ? pin.q : quantForRange(lo, hi);
    for (const id of ids) quant[id] = { scale: [q.scale], zeroPoint: [q.zeroPoint], axis: 0 };
  }
  return { quant, preStd, stats };
}

