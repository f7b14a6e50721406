/**
 * Live arena bytes per scope, from the planned buffers: what must coexist while each operator runs. The
 * maximum is the plan's lower bound (memory-planning.md §2); the gap between it and the arena total is
 * fragmentation. Scopes run from 0 (graph inputs) to the number of operators.
 */
import type { PlannedBuffer } from "../../analysis/arena-plan.js";

export interface LiveBytes {
  /** live[s] = bytes of the buffers with firstUse ≤ s ≤ lastUse. */
  live: number[];
  /** The first scope where live bytes reach their maximum (0 when nothing is planned). */
  peakScope: number;
  peakBytes: number;
}

export function liveBytesPerScope(buffers: readonly Pick<PlannedBuffer, "size" | "firstUse" | "lastUse">[], scopes: number): LiveBytes {
  const n = Math.max(1, scopes);
  // Difference array: +size at firstUse, −size after lastUse; linear in buffers + scopes.
  const delta = new Array<number>(n + 1).fill(0);
  for (const b of buffers) {
    const from = Math.min(Math.max(0, b.firstUse), n - 1);
    const to = Math.min(Math.max(from, b.lastUse), n - 1);
    delta[from]! += b.size;
    delta[to + 1]! -= b.size;
  }
  const live: number[] = [];
  let acc = 0;
  let peakScope = 0;
  let peakBytes = 0;
  for (let s = 0; s < n; s++) {
    acc += delta[s]!;
    live.push(acc);
    if (acc > peakBytes) {
      peakBytes = acc;
      peakScope = s;
    }
  }
  return { live, peakScope, peakBytes };
}
