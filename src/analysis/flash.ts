/**
 * Flash estimate of a compiled model: constants as generated code stores them (weights, biases, int32
 * requantisation multipliers and shifts, other constant inputs), plus code: one term per kernel kind used,
 * a small call site per layer, and a fixed runtime term (code-size.ts; those are initial estimates). With
 * `backend: "portable"` it models micronets' portable C backend instead (per-layer code, calibrated).
 * A constant tensor read by several operators is stored once, and counted at its first use.
 */
import { tensorBytes } from "../ir/tensor-data.js";
import type { Graph, OpType } from "../ir/types.js";
import { DEFAULT_CODE_SIZES, kernelKind, PORTABLE_CODE, portableLayerBytes, type CodeSizeTable, type KernelKind } from "./code-size.js";
import { constantRole, requantWords } from "./layer-costs.js";

export interface LayerFlash {
  index: number;
  type: OpType;
  kernel: KernelKind;
  weightBytes: number;
  biasBytes: number;
  /** int32 multiplier + int32 shift per output channel (or one pair), as generated code stores them. */
  quantBytes: number;
  otherConstantBytes: number;
  /** The layer's call site (estimate). */
  codeBytes: number;
  /** Sum of the above. Kernel code is shared between layers and reported separately. */
  totalBytes: number;
}

export interface FlashBreakdown {
  weights: number;
  biases: number;
  quantization: number;
  otherConstants: number;
  /** Per-layer call sites (estimate). */
  callSites: number;
  /** Kernel code, each kind once (estimate). */
  kernels: number;
  /** Fixed runtime code (estimate). */
  runtime: number;
}

export interface FlashEstimate {
  layers: LayerFlash[];
  /** Kernel kinds used, their code bytes and the layers that use them. */
  kernels: { kind: KernelKind; bytes: number; layers: number[] }[];
  breakdown: FlashBreakdown;
  /** Exact bytes of stored data (weights + biases + quantization + other constants). */
  dataBytes: number;
  /** Estimated code bytes (call sites + kernels + runtime). */
  codeBytes: number;
  total: number;
}

export interface FlashOptions {
  /**
   * The code the estimate models: "cmsis-nn" (default; one CMSIS-NN kernel per kind plus call sites, the
   * table in code-size.ts) or "portable" (micronets' portable C backend: per-layer specialised functions,
   * padded weight rows and per-channel tables, calibrated against arm-none-eabi-size).
   */
  backend?: "cmsis-nn" | "portable";
  /** Portable backend: weights of the matrix kernels stored as int16 pairs (codegen's wideWeights). */
  wideWeights?: boolean;
  /** Overrides of the code-size table (CMSIS-NN model). */
  codeSizes?: Partial<Omit<CodeSizeTable, "kernels">> & { kernels?: Partial<Record<KernelKind, number>> };
}

/** The portable backend's flash: exact data as the generator stores it, fitted code per layer. */
function estimatePortableFlash(graph: Graph, wideWeights: boolean): FlashEstimate {
  const uses = new Set<"memset" | "memmove">();
  const layers: LayerFlash[] = graph.operators.map((op, index) => {
    const b = portableLayerBytes(graph, op, { wideWeights });
    b.uses.forEach((u) => uses.add(u));
    return {
      index,
      type: op.type,
      kernel: kernelKind(graph, op),
      weightBytes: b.weightBytes,
      biasBytes: b.biasBytes,
      quantBytes: b.quantBytes,
      otherConstantBytes: b.otherBytes,
      codeBytes: b.codeBytes,
      totalBytes: b.weightBytes + b.biasBytes + b.quantBytes + b.otherBytes + b.codeBytes,
    };
  });
  const library = [...uses].reduce((s, u) => s + PORTABLE_CODE[u], 0);
  return totalFlash(layers, [], library, PORTABLE_CODE.invokeBase + PORTABLE_CODE.invokePerLayer * graph.operators.length);
}

/** The estimate from per-layer figures plus the code all layers share (kernel bodies and the runtime). */
function totalFlash(layers: LayerFlash[], kernels: FlashEstimate["kernels"], kernelBytes: number, runtimeBytes: number): FlashEstimate {
  const sum = (f: (l: LayerFlash) => number): number => layers.reduce((s, l) => s + f(l), 0);
  const breakdown: FlashBreakdown = {
    weights: sum((l) => l.weightBytes),
    biases: sum((l) => l.biasBytes),
    quantization: sum((l) => l.quantBytes),
    otherConstants: sum((l) => l.otherConstantBytes),
    callSites: sum((l) => l.codeBytes),
    kernels: kernelBytes,
    runtime: runtimeBytes,
  };
  const dataBytes = breakdown.weights + breakdown.biases + breakdown.quantization + breakdown.otherConstants;
  const codeBytes = breakdown.callSites + breakdown.kernels + breakdown.runtime;
  return { layers, kernels, breakdown, dataBytes, codeBytes, total: dataBytes + codeBytes };
}

export function estimateFlash(graph: Graph, opts: FlashOptions = {}): FlashEstimate {
  if (opts.backend === "portable") return estimatePortableFlash(graph, opts.wideWeights === true);
  const sizes: CodeSizeTable = {
    kernels: { ...DEFAULT_CODE_SIZES.kernels, ...opts.codeSizes?.kernels },
    perLayerCall: opts.codeSizes?.perLayerCall ?? DEFAULT_CODE_SIZES.perLayerCall,
    runtime: opts.codeSizes?.runtime ?? DEFAULT_CODE_SIZES.runtime,
  };
  const stored = new Set<number>();
  const kernelUse = new Map<KernelKind, number[]>();

  const layers: LayerFlash[] = graph.operators.map((op, index) => {
    let weights = 0;
    let biases = 0;
    let other = 0;
    op.inputs.forEach((id, i) => {
      const t = id >= 0 ? graph.tensors[id] : undefined;
      if (!t || !t.constant || stored.has(id)) return;
      stored.add(id);
      const bytes = tensorBytes(t);
      const role = constantRole(op, i);
      if (role === "weight") weights += bytes;
      else if (role === "bias") biases += bytes;
      else other += bytes;
    });
    const kernel = kernelKind(graph, op);
    const used = kernelUse.get(kernel);
    if (used) used.push(index);
    else kernelUse.set(kernel, [index]);
    const quant = 4 * requantWords(graph, op);
    const code = sizes.perLayerCall;
    return {
      index,
      type: op.type,
      kernel,
      weightBytes: weights,
      biasBytes: biases,
      quantBytes: quant,
      otherConstantBytes: other,
      codeBytes: code,
      totalBytes: weights + biases + quant + other + code,
    };
  });

  const kernels = [...kernelUse.entries()].map(([kind, used]) => ({ kind, bytes: sizes.kernels[kind], layers: used }));
  return totalFlash(layers, kernels, kernels.reduce((s, k) => s + k.bytes, 0), sizes.runtime);
}
