/**
 * Binds an arena plan to a graph: every planned tensor gets the arena offset the plan gives it. The plan must
 * belong to the graph (same tensors, sizes and lifetimes as computeLifetimes derives) and keep every tensor
 * inside the arena and aligned for its element type. Whether live tensors overlap is checked only on request
 * (checkPlan, the independent checker): the simulator can run a deliberately broken plan, and then computes
 * whatever TFLM would compute with it.
 */
import { inputError } from "../errors.js";
import type { ArenaPlan } from "../analysis/arena-plan.js";
import { computeLifetimes } from "../analysis/lifetimes.js";
import { checkPlan } from "../analysis/planner/check-plan.js";
import { tensorBytes, tensorLabel } from "../ir/tensor-data.js";
import { dtypeSize, type Graph } from "../ir/types.js";

const WHERE = "arena plan";

/** Tensor index → arena offset, for every planned tensor. */
export function bindPlan(graph: Graph, plan: ArenaPlan, opts: { checkOverlap: boolean }): Map<number, number> {
  if (!Number.isSafeInteger(plan.total) || plan.total < 0) throw inputError(`total ${plan.total} is not a non-negative integer`, WHERE);
  const expected = new Map(computeLifetimes(graph, { alignment: plan.alignment }).filter((b) => b.tensor !== null).map((b) => [b.tensor!, b]));
  const offsets = new Map<number, number>();
  plan.buffers.forEach((b, k) => {
    if (b.kind !== "tensor") return; // scratch buffers occupy arena bytes but hold no tensor
    const where = `${WHERE}, buffer ${k}`;
    const id = b.tensor;
    const want = id === null ? undefined : expected.get(id);
    if (id === null || !want) throw inputError(`names tensor ${id}, which is not a planned tensor of this graph`, where);
    if (offsets.has(id)) throw inputError(`places tensor ${id} a second time`, where);
    if (b.size !== want.size || b.firstUse !== want.firstUse || b.lastUse !== want.lastUse) {
      throw inputError(
        `tensor ${id} has size ${b.size}, scopes ${b.firstUse}..${b.lastUse}; the graph gives size ${want.size}, scopes ${want.firstUse}..${want.lastUse} (a plan for another graph?)`,
        where,
      );
    }
    const t = graph.tensors[id]!;
    if (!Number.isSafeInteger(b.offset) || b.offset < 0) throw inputError(`offset ${b.offset} is not a non-negative integer`, where);
    if (b.offset + tensorBytes(t) > plan.total) throw inputError(`${tensorLabel(t)} at [${b.offset}, ${b.offset + tensorBytes(t)}) ends beyond the arena's ${plan.total} bytes`, where);
    if (b.offset % dtypeSize(t.dtype) !== 0) throw inputError(`offset ${b.offset} of ${tensorLabel(t)} is not aligned to its ${dtypeSize(t.dtype)}-byte elements`, where);
    offsets.set(id, b.offset);
  });
  for (const id of expected.keys()) {
    if (!offsets.has(id)) throw inputError(`has no buffer for ${tensorLabel(graph.tensors[id]!)}`, WHERE);
  }
  if (opts.checkOverlap) {
    const violation = checkPlan(plan.buffers, { offsets: plan.buffers.map((b) => b.offset), total: plan.total }, { alignment: plan.alignment });
    if (violation) throw inputError(`the plan is invalid: ${violation.message}`, WHERE);
  }
  return offsets;
}
