/**
 * TFLite Micro's GreedyMemoryPlanner, reproduced offset for offset (memory-planning.md §1):
 * - buffers are placed largest first; equal sizes highest buffer index first (TFLM fills its sort array back
 *   to front, then bubble-sorts descending, swapping only on strictly smaller);
 * - the first goes to offset 0; each next one walks the placed buffers in offset order, looking only at those
 *   whose lifetime conflicts with it, and takes the first gap (between the end of the highest-ending
 *   conflicting buffer seen so far and the next conflicting buffer) that is large enough, else goes after
 *   the last conflicting one;
 * - a newly placed buffer enters the offset-ordered list after every placed buffer with the same offset.
 */
import { checkPlannerInput, lifetimesOverlap, planTotal, type PlannerAlgorithm } from "./types.js";

export const greedyBySize: PlannerAlgorithm = (buffers) => {
  checkPlannerInput(buffers);
  const n = buffers.length;
  const offsets = new Array<number>(n).fill(0);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => buffers[b]!.size - buffers[a]!.size || b - a);

  const byOffset: number[] = []; // placed buffer ids, ascending offset; ties in placement order
  for (const id of order) {
    const wanted = buffers[id]!;
    let candidate = 0;
    for (const placedId of byOffset) {
      const placed = buffers[placedId]!;
      if (!lifetimesOverlap(placed, wanted)) continue;
      if (offsets[placedId]! - candidate >= wanted.size) break; // the gap before this buffer fits
      candidate = Math.max(candidate, offsets[placedId]! + placed.size);
    }
    offsets[id] = candidate;
    let pos = byOffset.length;
    while (pos > 0 && offsets[byOffset[pos - 1]!]! > candidate) pos--;
    byOffset.splice(pos, 0, id);
  }
  return { offsets, total: planTotal(buffers, offsets) };
};
