/**
 * No reuse: every buffer gets its own bytes, in the order added. The baseline that shows what planning saves
 * (and the layout of a runtime that never frees).
 */
import { checkPlannerInput, type PlannerAlgorithm } from "./types.js";

export const linear: PlannerAlgorithm = (buffers) => {
  checkPlannerInput(buffers);
  const offsets: number[] = [];
  let next = 0;
  for (const b of buffers) {
    offsets.push(next);
    next += b.size;
  }
  return { offsets, total: next };
};
