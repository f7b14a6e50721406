/**
 * The planner contract. An algorithm sees only sizes and lifetimes (TFLM's MemoryPlanner / TVM USMP design):
 * it knows nothing of tensors, operators or graphs, so algorithms are interchangeable and testable alone.
 */
import { inputError } from "../../errors.js";

/** One buffer to place: `size` bytes live from scope `firstUse` to scope `lastUse`, both inclusive. */
export interface PlannerBuffer {
  readonly size: number;
  readonly firstUse: number;
  readonly lastUse: number;
}

/** A plan: `offsets[i]` is buffer i's byte offset; `total` the bytes the plan needs (max of offset + size). */
export interface PlanResult {
  offsets: number[];
  total: number;
}

/** An arena-planning algorithm as a pure function of the buffers (in the order they were added). */
export type PlannerAlgorithm = (buffers: readonly PlannerBuffer[]) => PlanResult;

/** TFLM-style incremental interface over any algorithm: add buffers, then ask for the plan. */
export interface MemoryPlanner {
  addBuffer(size: number, firstUse: number, lastUse: number): void;
  plan(): PlanResult;
}

/** Two buffers conflict when their inclusive [firstUse, lastUse] intervals intersect. */
export function lifetimesOverlap(a: PlannerBuffer, b: PlannerBuffer): boolean {
  return a.firstUse <= b.lastUse && b.firstUse <= a.lastUse;
}

/** Rejects sizes and scopes an algorithm cannot place (non-integers, negatives, reversed lifetimes). */
export function checkPlannerInput(buffers: readonly PlannerBuffer[]): void {
  buffers.forEach((b, i) => {
    const where = `planner buffer ${i}`;
    if (!Number.isSafeInteger(b.size) || b.size < 0) throw inputError(`size ${b.size} is not a non-negative integer`, where);
    if (!Number.isSafeInteger(b.firstUse) || b.firstUse < 0) throw inputError(`first use ${b.firstUse} is not a non-negative integer`, where);
    if (!Number.isSafeInteger(b.lastUse) || b.lastUse < b.firstUse) throw inputError(`last use ${b.lastUse} is not an integer ≥ first use ${b.firstUse}`, where);
  });
}

/** The bytes a set of offsets needs: the highest end among the buffers. */
export function planTotal(buffers: readonly PlannerBuffer[], offsets: readonly number[]): number {
  let total = 0;
  buffers.forEach((b, i) => { total = Math.max(total, offsets[i]! + b.size); });
  return total;
}
