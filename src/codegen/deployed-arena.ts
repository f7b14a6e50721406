/**
 * The arena each backend's generated code declares, planned without emitting C and without weights (the
 * plans depend on shapes and op structure only), for analyses that must predict the deployed firmware:
 * - planPortableArena: the portable backend's layout (in-place aliasing, its kernels' scratch buffers) —
 *   the very planning compileModel runs (portable/arena.ts), fed structure derived from the IR;
 * - planCmsisNnArena: TFLM's plan of the tensors plus CMSIS-NN's scratch buffers for a core, as the
 *   CMSIS-NN backend plans it;
 * - arenaPlanOfLayout: a layout as the analysis' ArenaPlan (planned buffers with offsets and lifetimes).
 */
import type { DeployedArenaPlan, InPlaceLayer } from "../analysis/analyze.js";
import { planArena } from "../analysis/arena-plan.js";
import type { ScratchRequest } from "../analysis/lifetimes.js";
import { lowerBound } from "../analysis/planner/lower-bound.js";
import { LIMITS } from "../ir/limits.js";
import { tensorBytes } from "../ir/tensor-data.js";
import type { Graph } from "../ir/types.js";
import type { OpParams } from "../quant/op-params.js";
import { cmsisScratch, type CmsisCore } from "./cmsis-nn/dispatch.js";
import { layoutPieces, type ArenaLayout } from "./plan.js";
import { planPortableLayout, portableKernelArena } from "./portable/arena.js";
import type { KernelArena } from "./portable/kernel.js";
import { deriveShapeParams } from "./portable/shape-params.js";

export interface PortableArenaOptions {
  /** Let layers write over dying inputs (default true, as compileModel). */
  inPlace?: boolean;
  /** Accepted so the options mirror compileModel's; wide weights change flash, not the arena. */
  wideWeights?: boolean;
  /** Planner of the plain (no alias) plan; default TFLM's greedy-by-size. */
  planner?: string;
}

/**
 * The portable backend's exact arena layout: `planPortableArena(g).total === compileModel(g).arenaBytes` for
 * every graph compileModel accepts. Shape-only graphs (constants without data) plan like their weighted
 * twins. A layer whose input or output is larger than generated code accepts (LIMITS.maxMcuArenaBytes;
 * compileModel refuses such graphs) is planned without writing in place, so even such a model gets a plan.
 */
export function planPortableArena(graph: Graph, opts: PortableArenaOptions = {}): ArenaLayout {
  const shapes = deriveShapeParams(graph);
  const arenas = shapes.map((s, i): KernelArena => {
    const a = portableKernelArena(graph, s);
    const op = graph.operators[i]!;
    const tooLarge = [...op.inputs, ...op.outputs].some((id) => id >= 0 && !graph.tensors[id]!.constant && tensorBytes(graph.tensors[id]!) > LIMITS.maxMcuArenaBytes);
    return tooLarge ? { scratch: a.scratch } : a;
  });
  return planPortableLayout(graph, arenas, { inPlace: opts.inPlace, planner: opts.planner }).layout;
}

/** The layers of a layout that write over an input (in op order). */
function inPlaceLayers(layout: ArenaLayout): InPlaceLayer[] {
  return layout.aliases.map((a) => ({ op: a.op, input: a.input, output: a.output, rel: a.rel, elided: a.elide }));
}

/**
 * A layout as an ArenaPlan: every buffer with its offset and lifetime (tensors in tensor order, then scratch
 * buffers, as planArena orders them), the layers that work in place, and — for an in-place layout — the
 * lower bound for that choice of aliases (each aliased pair counted once, as the bytes it spans, at its
 * layer), which the total never undercuts.
 */
export function arenaPlanOfLayout(layout: ArenaLayout): DeployedArenaPlan {
  let s = 0;
  const offsets = layout.buffers.map((b) => (b.tensor !== null ? layout.tensorOffset.get(b.tensor)! : layout.scratchOffset[s++]!));
  const index = new Map<number, number>();
  layout.buffers.forEach((b, i) => { if (b.tensor !== null) index.set(b.tensor, i); });
  const pairs = layout.aliases.map((a) => ({ input: index.get(a.input)!, output: index.get(a.output)! }));
  const { pieces } = layoutPieces(layout.buffers, offsets, pairs);
  const plan: DeployedArenaPlan = {
    buffers: layout.buffers.map((b, i) => ({ tensor: b.tensor, name: b.name, size: b.size, firstUse: b.firstUse, lastUse: b.lastUse, offset: offsets[i]!, kind: b.kind })),
    total: layout.total,
    lowerBound: lowerBound(pieces),
    algorithm: layout.algorithm,
    alignment: layout.alignment,
  };
  if (layout.aliases.length > 0) plan.inPlace = inPlaceLayers(layout);
  return plan;
}

/** Cores whose CMSIS-NN build takes the DSP paths (their scratch sizes); MVE paths are not modelled. */
const DSP_CORES = new Set(["cortex-m4", "cortex-m7", "cortex-m33", "cortex-m35p", "cortex-m55", "cortex-m85"]);

/** The CMSIS-NN build profile of a core name (a target's `core`): DSP cores as the Cortex-M4, others pure C. */
export function cmsisCoreOf(core: string): CmsisCore {
  if (core === "cortex-m4" || core === "cortex-m7" || core === "host") return core;
  return DSP_CORES.has(core) ? "cortex-m4" : "host";
}

export interface CmsisNnArenaOptions {
  /** The core the CMSIS-NN library is built for (its scratch sizes); default "cortex-m4", as compileModel. */
  core?: CmsisCore;
  /** Arena planner (default TFLM's greedy-by-size). */
  planner?: string;
}

/**
 * The CMSIS-NN backend's arena: the tensors and the kernels' get_buffer_size scratch buffers for the core,
 * planned as TFLM plans them (planArena) — what compileModel(g, { backend: "cmsis-nn" }) declares.
 */
export function planCmsisNnArena(graph: Graph, opts: CmsisNnArenaOptions = {}): DeployedArenaPlan {
  const core = opts.core ?? "cortex-m4";
  const scratch: ScratchRequest[] = [];
  deriveShapeParams(graph).forEach((s, op) => {
    if (s === null) return;
    // The dispatch and buffer-size rules read only these structural fields (held equal to the code
    // generator's by the arena tests), so the shape stands in for the full parameters.
    const size = cmsisScratch(s as OpParams, core);
    if (size > 0) scratch.push({ op, size });
  });
  return planArena(graph, { algorithm: opts.planner, scratch });
}
