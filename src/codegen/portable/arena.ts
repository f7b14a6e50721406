/**
 * The portable backend's arena, planned from what each kernel needs of it (KernelArena: scratch buffers and
 * the input it may overwrite, with its access schedule). The code generator (portable/index.ts) and the
 * planner without code generation (deployed-arena.ts) both plan through `planPortableLayout`, so the arena
 * an analysis reports is the one the generated C declares.
 */
import type { ScratchRequest } from "../../analysis/lifetimes.js";
import type { Graph } from "../../ir/types.js";
import { planLayout, verifyLayout, type AliasCandidate, type ArenaLayout } from "../plan.js";
import { concatenationArena, dequantizeArena, meanArena, padArena, quantizeArena, reshapeArena } from "./data-movement.js";
import { depthwiseArena } from "./depthwise.js";
import { binaryArena } from "./elementwise.js";
import type { KernelArena } from "./kernel.js";
import { convArena, fullyConnectedArena } from "./matmul.js";
import { poolArena } from "./pool.js";
import type { ShapeParams } from "./shape-params.js";
import { softmaxArena } from "./softmax.js";

/**
 * What operator `s` needs of the arena in the portable backend. `null` (structure unknown without constant
 * data, see deriveShapeParams) needs nothing and offers no input to overwrite.
 */
export function portableKernelArena(graph: Graph, s: ShapeParams | null): KernelArena {
  if (s === null) return { scratch: [] };
  switch (s.type) {
    case "CONV_2D": return convArena(s);
    case "DEPTHWISE_CONV_2D": return depthwiseArena(s);
    case "FULLY_CONNECTED": return fullyConnectedArena(s);
    case "AVERAGE_POOL_2D": return poolArena(s);
    case "MAX_POOL_2D": return poolArena(s);
    case "ADD": return binaryArena(s);
    case "MUL": return binaryArena(s);
    case "SOFTMAX": return softmaxArena(s);
    case "PAD": return padArena(s);
    case "MEAN": return meanArena(s);
    case "CONCATENATION": return concatenationArena(s);
    case "RESHAPE": return reshapeArena(s);
    case "QUANTIZE": return quantizeArena(graph, s);
    case "DEQUANTIZE": return dequantizeArena(s);
  }
}

export interface PortableLayoutOptions {
  /** Let layers write over dying inputs (default true). */
  inPlace?: boolean;
  /** Planner of the plain (no alias) plan; default TFLM's greedy-by-size. */
  planner?: string;
}

export interface PortableLayout {
  layout: ArenaLayout;
  /** For each operator, the index (in layout.scratchOffset) of each of its scratch buffers. */
  scratchIndex: number[][];
}

/** Plans and checks the arena for kernels with these needs (one entry per operator, in execution order). */
export function planPortableLayout(graph: Graph, arenas: readonly KernelArena[], opts: PortableLayoutOptions = {}): PortableLayout {
  const scratch: ScratchRequest[] = [];
  const scratchIndex: number[][] = arenas.map((k, op) => k.scratch.map((size) => (scratch.push({ op, size }), scratch.length - 1)));
  const aliases: AliasCandidate[] = [];
  if (opts.inPlace ?? true) {
    arenas.forEach((k, op) => {
      if (k.alias) aliases.push({ op, slot: k.alias.slot, elide: k.alias.elide, schedule: k.alias.schedule });
    });
  }
  const layout = planLayout(graph, { algorithm: opts.planner, scratch, aliases });
  const problem = verifyLayout(layout);
  // A violation is a bug in the planner or a schedule, never bad input: stop rather than emit corrupting code.
  if (problem) throw new Error(`in-place arena layout is unsound: ${problem}`);
  return { layout, scratchIndex };
}
