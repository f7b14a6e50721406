/**
 * The lower bound for a fixed execution order (memory-planning.md §2): at each scope, the bytes of all
 * buffers live at that scope must coexist, so no non-overlapping plan can be smaller than the maximum over
 * scopes of the live bytes.
 */
import { checkPlannerInput, type PlannerBuffer } from "./types.js";

export function lowerBound(buffers: readonly PlannerBuffer[]): number {
  checkPlannerInput(buffers);
  // Sweep: +size when a buffer starts, −size one scope after it ends; removals at a scope are applied
  // before additions there, since a buffer ending at scope s−1 is not live at s.
  const events: [scope: number, delta: number][] = [];
  for (const b of buffers) {
    events.push([b.firstUse, b.size], [b.lastUse + 1, -b.size]);
  }
  events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let live = 0;
  let peak = 0;
  for (const [, delta] of events) {
    live += delta;
    peak = Math.max(peak, live);
  }
  return peak;
}
