/**
 * The tensor arena plan: extracts TFLM's buffers and lifetimes (lifetimes.ts), places them with a named
 * algorithm (planner/), and proves the result with the independent checker before anyone uses it.
 */
import { limitError } from "../errors.js";
import { LIMITS } from "../ir/limits.js";
import type { Graph } from "../ir/types.js";
import { computeLifetimes, DEFAULT_ALIGNMENT, type ScratchRequest } from "./lifetimes.js";
import { checkPlan } from "./planner/check-plan.js";
import { lowerBound } from "./planner/lower-bound.js";
import { DEFAULT_PLANNER, getPlanner } from "./planner/registry.js";

export interface ArenaPlanOptions {
  /** Planner name (see planner/registry.ts); default "greedy-by-size", TFLM's. */
  algorithm?: string;
  /** Buffer alignment in bytes; default 16, TFLM's. */
  alignment?: number;
  /** Kernel scratch buffers (e.g. CMSIS-NN's), each live while its operator runs. */
  scratch?: readonly ScratchRequest[];
}

export interface PlannedBuffer {
  /** Tensor index, or null for a scratch buffer. */
  tensor: number | null;
  name: string;
  /** Aligned bytes. */
  size: number;
  firstUse: number;
  lastUse: number;
  /** Byte offset from the arena start. */
  offset: number;
  kind: "tensor" | "scratch";
}

export interface ArenaPlan {
  /** Tensors in tensor-index order, then scratch buffers in request order (TFLM's order). */
  buffers: PlannedBuffer[];
  /** Arena bytes the plan needs (TFLM's "head", the planned non-persistent bytes). */
  total: number;
  /** No plan for this execution order can be smaller (max over scopes of live bytes). */
  lowerBound: number;
  algorithm: string;
  alignment: number;
}

export function planArena(graph: Graph, opts: ArenaPlanOptions = {}): ArenaPlan {
  const algorithm = opts.algorithm ?? DEFAULT_PLANNER;
  const plan = getPlanner(algorithm);
  const alignment = opts.alignment ?? DEFAULT_ALIGNMENT;
  const lifetimes = computeLifetimes(graph, { alignment, scratch: opts.scratch });
  const result = plan(lifetimes);
  const violation = checkPlan(lifetimes, result, { alignment });
  // A violation here is a bug in a planner, not bad input: fail loudly rather than emit a corrupting plan.
  if (violation) throw new Error(`planner '${algorithm}' produced an invalid plan: ${violation.message}`);
  if (result.total > LIMITS.maxBytes) throw limitError(`the arena needs ${result.total} bytes, above the limit of ${LIMITS.maxBytes}`, "arena plan");
  return {
    buffers: lifetimes.map((b, i) => ({
      tensor: b.tensor,
      name: b.name,
      size: b.size,
      firstUse: b.firstUse,
      lastUse: b.lastUse,
      offset: result.offsets[i]!,
      kind: b.kind,
    })),
    total: result.total,
    lowerBound: lowerBound(lifetimes),
    algorithm,
    alignment,
  };
}
