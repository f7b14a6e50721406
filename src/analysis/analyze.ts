/**
 * One call that runs every static analysis on a graph and returns a plain-JSON ModelAnalysis: per-layer
 * costs and flash, totals, the arena plan, and — given a target — whether the model fits and how long and
 * how much energy an inference takes. The CLI, the report schema and the HTML report are built from it.
 *
 * The arena and flash figures are those of a deployment (`backend`): by default TFLite Micro's own plan
 * and the CMSIS-NN code-size model; the API layer (api/analyze-model.ts) supplies the code generator's exact
 * plan for micronets' backends, since analysis does not reach into code generation.
 */
import { usageError } from "../errors.js";
import { tensorBytes } from "../ir/tensor-data.js";
import type { Graph, OpType } from "../ir/types.js";
import { planArena, type ArenaPlan } from "./arena-plan.js";
import type { KernelKind } from "./code-size.js";
import { estimateFlash, type FlashBreakdown } from "./flash.js";
import { DEFAULT_ALIGNMENT, type ScratchRequest } from "./lifetimes.js";
import { DEFAULT_PLANNER } from "./planner/registry.js";
import { layerCosts, sumCosts, type CostFigures, type CostTotals } from "./layer-costs.js";
import { energyMj, inferenceLatencyMs, latencyModel, opsTimeMs, type LatencyModel } from "./latency.js";
import { reserveTotal, type Target } from "./targets.js";

/**
 * What runs the model on the device, which decides the arena and the code: micronets' portable C backend
 * (`micronets compile`'s default: in-place arena, specialised per-layer code), its CMSIS-NN backend (TFLM's
 * plan plus CMSIS-NN's scratch buffers, CMSIS-NN kernels), or TFLite Micro's interpreter ("tflm": TFLM's
 * own plan of the tensors).
 */
export type DeploymentBackend = "portable" | "cmsis-nn" | "tflm";
export const DEPLOYMENT_BACKENDS: readonly DeploymentBackend[] = ["portable", "cmsis-nn", "tflm"];

/** A layer whose output is written over its dying input in the deployed plan. */
export interface InPlaceLayer {
  op: number;
  /** Tensor indices of the overwritten input and of the output. */
  input: number;
  output: number;
  /** Output offset minus input offset. */
  rel: number;
  /** True when the layer needs no code at all (a RESHAPE sharing its input's bytes). */
  elided: boolean;
}

/** An arena plan as deployed; `inPlace` lists the layers that write over their input (when any do). */
export interface DeployedArenaPlan extends ArenaPlan {
  inPlace?: InPlaceLayer[];
}

export interface AnalyzeOptions {
  /** Judge the model against this MCU (fit, latency, energy). */
  target?: Target;
  /** Arena planner name; default "greedy-by-size" (TFLM's). */
  planner?: string;
  /** Latency family of the target (search space / op mix); default the target's defaultFamily. */
  latencyFamily?: string;
  /** Kernel scratch buffers to plan with the tensors (e.g. CMSIS-NN's). Unused when `arenaPlan` is given. */
  scratch?: readonly ScratchRequest[];
  /** Arena alignment; default 16 (TFLM's). Unused when `arenaPlan` is given. */
  alignment?: number;
  /** The deployment the figures are for; default "tflm" (TFLM's plan, the CMSIS-NN code-size model). */
  backend?: DeploymentBackend;
  /**
   * The deployed arena plan, when the caller has it (the API layer asks the code generator for the portable
   * or CMSIS-NN backend's exact layout). Default: planArena(graph, { planner, alignment, scratch }).
   */
  arenaPlan?: DeployedArenaPlan;
  /** The flash code model; default "portable" for the portable backend, "cmsis-nn" otherwise. */
  flashBackend?: "portable" | "cmsis-nn";
  /** Portable flash model: conv/FC weights stored as int16 pairs (compileModel's wideWeights). */
  wideWeights?: boolean;
}

/** The figures of the deployment: what the arena and the flash of the firmware will be, and TFLM's plan beside them. */
export interface DeploymentAnalysis {
  backend: DeploymentBackend;
  /** Arena bytes the deployed code needs (= arena.total = totals.peakSramBytes). */
  arenaBytes: number;
  /** Flash estimate for the backend's code and data (= totals.flashBytes). */
  flashBytes: number;
  /** The code-size model behind flashBytes. */
  flashModel: "portable" | "cmsis-nn";
  /** Weights stored as int16 pairs (portable flash model). */
  wideWeights: boolean;
  /** TFLM's planned bytes for the model's tensors (greedy-by-size, no kernel scratch: its "head"). */
  tflmArenaBytes: number;
  /** Kernel scratch bytes among the deployed plan's buffers. */
  scratchBytes: number;
  /** Layers writing over their input in the deployed plan. */
  inPlaceLayers: number;
}

/** One operator's figures. */
export interface LayerAnalysis extends CostFigures {
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

export interface ModelTotals extends CostTotals {
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
  /** The deployed arena plan (see `deployment.backend`). */
  arena: DeployedArenaPlan;
  deployment: DeploymentAnalysis;
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
  const backend = opts.backend ?? "tflm";
  if (!DEPLOYMENT_BACKENDS.includes(backend)) throw usageError(`unknown backend '${String(backend)}' (use ${DEPLOYMENT_BACKENDS.join(", ")})`);
  const flashModel = opts.flashBackend ?? (backend === "portable" ? "portable" : "cmsis-nn");
  const wideWeights = opts.wideWeights === true;
  const costs = layerCosts(graph);
  const flash = estimateFlash(graph, { backend: flashModel, wideWeights });
  const arena: DeployedArenaPlan = opts.arenaPlan ?? planArena(graph, { algorithm: opts.planner, alignment: opts.alignment, scratch: opts.scratch });
  // TFLM's own plan of the tensors, for comparison (the same plan as `arena` when nothing differs).
  const tflmDefault = opts.arenaPlan === undefined && (opts.planner ?? DEFAULT_PLANNER) === DEFAULT_PLANNER && (opts.alignment ?? DEFAULT_ALIGNMENT) === DEFAULT_ALIGNMENT && !opts.scratch?.length;
  const tflmArenaBytes = tflmDefault ? arena.total : planArena(graph).total;
  const model = opts.target ? latencyModel(opts.target, opts.latencyFamily) : null;

  const layers: LayerAnalysis[] = graph.operators.map((op, i) => {
    const c = costs[i]!;
    const out = graph.tensors[op.outputs[0]!]!;
    const present = op.inputs.filter((id) => id >= 0).map((id) => graph.tensors[id]!);
    const latencyMs = model ? opsTimeMs(c.ops, model) : null;
    return {
      ...c, // index, type and the cost figures
      kernel: flash.layers[i]!.kernel,
      outputTensor: out.id,
      outputName: out.name,
      outputShape: [...out.shape],
      inputShapes: present.filter((t) => !t.constant).map((t) => [...t.shape]),
      constantShapes: present.filter((t) => t.constant).map((t) => [...t.shape]),
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

  const deployment: DeploymentAnalysis = {
    backend,
    arenaBytes: arena.total,
    flashBytes: flash.total,
    flashModel,
    wideWeights,
    tflmArenaBytes,
    scratchBytes: arena.buffers.reduce((sum, b) => sum + (b.kind === "scratch" ? b.size : 0), 0),
    inPlaceLayers: arena.inPlace?.length ?? 0,
  };

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
    deployment,
    target,
  };
}
