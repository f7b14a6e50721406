/**
 * One call that runs every static analysis on a graph and returns a plain-JSON ModelAnalysis: per-layer
 * costs and flash, totals, the arena plan, and — given a target — whether the model fits and how long and
 * how much energy an inference takes. The CLI, the report schema and the HTML report are built from it.
 */
import { tensorBytes } from "../ir/tensor-data.js";
import type { Graph, OpType } from "../ir/types.js";
import { planArena, type ArenaPlan } from "./arena-plan.js";
import type { KernelKind } from "./code-size.js";
import { estimateFlash, type FlashBreakdown } from "./flash.js";
import type { ScratchRequest } from "./lifetimes.js";
import { layerCosts, sumCosts } from "./layer-costs.js";
import { energyMj, inferenceLatencyMs, latencyModel, opsTimeMs, type LatencyModel } from "./latency.js";
import { reserveTotal, type Target } from "./targets.js";

export interface AnalyzeOptions {
  /** Judge the model against this MCU (fit, latency, energy). */
  target?: Target;
  /** Arena planner name; default "greedy-by-size" (TFLM's). */
  planner?: string;
  /** Latency family of the target (search space / op mix); default the target's defaultFamily. */
  latencyFamily?: string;
  /** Kernel scratch buffers to plan with the tensors (e.g. CMSIS-NN's). */
  scratch?: readonly ScratchRequest[];
  /** Arena alignment; default 16 (TFLM's). */
  alignment?: number;
}

/** One operator's figures. */
export interface LayerAnalysis {
  /** Execution index. */
  index: number;
  type: OpType;
  /** The CMSIS-NN kernel it dispatches to (DSP build). */
  kernel: KernelKind;
  outputTensor: number;
  outputName: string;
  outputShape: number[];
  /** Shapes of the non-constant inputs (activations), in input order. */
  inputShapes: number[][];
  /** Shapes of the constant inputs (weights, biases, structural constants), in input order. */
  constantShapes: number[][];
  macs: number;
  /** 2 × MACs. */
  ops: number;
  /** Non-MAC work (pool window reads, elementwise elements, copies); see LayerCost. */
  elementwiseOps: number;
  /** Weight + bias elements. */
  params: number;
  weightBytes: number;
  biasBytes: number;
  /** Requantisation multipliers and shifts as generated code stores them. */
  quantBytes: number;
  otherConstantBytes: number;
  /** Flash this layer adds: its constants (shared ones at first use) and its call site. Kernel code is in totals. */
  flashBytes: number;
  /**
   * ops / throughput of the target's latency model, ms; null without a target. The per-inference overhead is
   * not spread over layers, and per-layer latency is only roughly proportional to ops (MicroNets §3).
   */
  latencyMs: number | null;
  /** power × latencyMs, mJ; null without a target or without a power figure. */
  energyMj: number | null;
}

export interface ModelTotals {
  macs: number;
  ops: number;
  elementwiseOps: number;
  params: number;
  weightBytes: number;
  biasBytes: number;
  quantBytes: number;
  otherConstantBytes: number;
  /** Estimated flash: data (exact) + code (estimate). */
  flashBytes: number;
  flashDataBytes: number;
  flashCodeBytes: number;
  flash: FlashBreakdown;
  /** Kernel kinds used, with their estimated code bytes and the layers using them. */
  kernels: { kind: KernelKind; bytes: number; layers: number[] }[];
  /** Peak SRAM for activations = the planned arena bytes. */
  peakSramBytes: number;
  /** No plan for this execution order needs fewer bytes. */
  sramLowerBound: number;
  /** Bytes of the graph's input tensors and of its output tensors. */
  inputBytes: number;
  outputBytes: number;
}

/** How one memory budget is used. */
export interface FitCheck {
  used: number;
  total: number;
  /** Bytes the target reserves for everything else (stack, application, runtime). */
  reserve: number;
  /** total − reserve: what the model may use. */
  available: number;
  /** available − used (negative when it does not fit). */
  headroomBytes: number;
  /** headroom / available × 100; null when nothing is available. */
  headroomPercent: number | null;
  fits: boolean;
}

export interface TargetAnalysis {
  name: string;
  displayName: string;
  core: string;
  clockHz: number;
  latencyModel: LatencyModel;
  fit: { sram: FitCheck; flash: FitCheck; fits: boolean };
  /** ops / throughput + overhead, ms. */
  latencyMs: number;
  /** power × latency, mJ; null when the target has no power figure. */
  energyMj: number | null;
}

export interface ModelAnalysis {
  model: { name: string; description: string; operators: number; tensors: number; inputs: number[]; outputs: number[] };
  layers: LayerAnalysis[];
  totals: ModelTotals;
  arena: ArenaPlan;
  /** null when no target was given. */
  target: TargetAnalysis | null;
}

function fitCheck(used: number, total: number, reserve: number): FitCheck {
  const available = total - reserve;
  const headroomBytes = available - used;
  return {
    used,
    total,
    reserve,
    available,
    headroomBytes,
    headroomPercent: available > 0 ? (headroomBytes / available) * 100 : null,
    fits: headroomBytes >= 0,
  };
}

export function analyzeGraph(graph: Graph, opts: AnalyzeOptions = {}): ModelAnalysis {
  const costs = layerCosts(graph);
  const flash = estimateFlash(graph);
  const arena = planArena(graph, { algorithm: opts.planner, alignment: opts.alignment, scratch: opts.scratch });
  const model = opts.target ? latencyModel(opts.target, opts.latencyFamily) : null;

  const layers: LayerAnalysis[] = graph.operators.map((op, i) => {
    const c = costs[i]!;
    const out = graph.tensors[op.outputs[0]!]!;
    const present = op.inputs.filter((id) => id >= 0).map((id) => graph.tensors[id]!);
    const latencyMs = model ? opsTimeMs(c.ops, model) : null;
    return {
      index: i,
      type: op.type,
      kernel: flash.layers[i]!.kernel,
      outputTensor: out.id,
      outputName: out.name,
      outputShape: [...out.shape],
      inputShapes: present.filter((t) => !t.constant).map((t) => [...t.shape]),
      constantShapes: present.filter((t) => t.constant).map((t) => [...t.shape]),
      macs: c.macs,
      ops: c.ops,
      elementwiseOps: c.elementwiseOps,
      params: c.params,
      weightBytes: c.weightBytes,
      biasBytes: c.biasBytes,
      quantBytes: c.quantBytes,
      otherConstantBytes: c.otherConstantBytes,
      flashBytes: flash.layers[i]!.totalBytes,
      latencyMs,
      energyMj: model && latencyMs !== null ? energyMj(latencyMs, model) : null,
    };
  });

  const sums = sumCosts(costs);
  const totals: ModelTotals = {
    ...sums,
    flashBytes: flash.total,
    flashDataBytes: flash.dataBytes,
    flashCodeBytes: flash.codeBytes,
    flash: flash.breakdown,
    kernels: flash.kernels,
    peakSramBytes: arena.total,
    sramLowerBound: arena.lowerBound,
    inputBytes: graph.inputs.reduce((s, id) => s + tensorBytes(graph.tensors[id]!), 0),
    outputBytes: graph.outputs.reduce((s, id) => s + tensorBytes(graph.tensors[id]!), 0),
  };

  let target: TargetAnalysis | null = null;
  if (opts.target && model) {
    const t = opts.target;
    const sram = fitCheck(arena.total, t.sram.totalBytes, reserveTotal(t.sram.reserve));
    const fl = fitCheck(flash.total, t.flash.totalBytes, reserveTotal(t.flash.reserve));
    const latency = inferenceLatencyMs(sums.ops, model);
    target = {
      name: t.name,
      displayName: t.displayName,
      core: t.core,
      clockHz: t.clockHz,
      latencyModel: model,
      fit: { sram, flash: fl, fits: sram.fits && fl.fits },
      latencyMs: latency,
      energyMj: energyMj(latency, model),
    };
  }

  return {
    model: {
      name: graph.name,
      description: graph.description,
      operators: graph.operators.length,
      tensors: graph.tensors.length,
      inputs: [...graph.inputs],
      outputs: [...graph.outputs],
    },
    layers,
    totals,
    arena,
    target,
  };
}
