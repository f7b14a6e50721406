/**
 * Live arena bytes per scope, from the planned buffers: what must coexist while each operator runs. The
 * maximum is the plan's lower bound (memory-planning.md §2; for an in-place plan, with each aliased pair's
 * shared bytes counted once); the gap between it and the arena total is fragmentation. Scopes run from 0
 * (graph inputs) to the number of operators.
 */
import type { DeployedArenaPlan } from "../../analysis/analyze.js";
import type { PlannedBuffer } from "../../analysis/arena-plan.js";

export interface LiveBytes {
  /** live[s] = bytes of the buffers with firstUse ≤ s ≤ lastUse. */
  live: number[];
  /** The first scope where live bytes reach their maximum (0 when nothing is planned). */
  peakScope: number;
  peakBytes: number;
}

/**
 * `shared`: bytes counted twice at one scope because a layer writes its output over its input there (the
 * in-place layers of a deployed plan); they are live once.
 */
export function liveBytesPerScope(buffers: readonly Pick<PlannedBuffer, "size" | "firstUse" | "lastUse">[], scopes: number, shared: readonly { scope: number; bytes: number }[] = []): LiveBytes {
  const n = Math.max(1, scopes);
  // Difference array: +size at firstUse, −size after lastUse; linear in buffers + scopes.
  const delta = new Array<number>(n + 1).fill(0);
  for (const b of buffers) {
    const from = Math.min(Math.max(0, b.firstUse), n - 1);
    const to = Math.min(Math.max(from, b.lastUse), n - 1);
    delta[from]! += b.size;
    delta[to + 1]! -= b.size;
  }
  for (const s of shared) {
    if (s.scope < 0 || s.scope >= n) continue;
    delta[s.scope]! -= s.bytes;
    delta[s.scope + 1]! += s.bytes;
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

/** The bytes each in-place layer's input and output share, at the layer's scope (op i runs in scope i + 1). */
export function sharedInPlace(arena: DeployedArenaPlan): { scope: number; bytes: number }[] {
  const byTensor = new Map(arena.buffers.filter((b) => b.tensor !== null).map((b) => [b.tensor!, b]));
  return (arena.inPlace ?? []).map((l) => {
    const a = byTensor.get(l.input);
    const b = byTensor.get(l.output);
    const bytes = a && b ? Math.max(0, Math.min(a.offset + a.size, b.offset + b.size) - Math.max(a.offset, b.offset)) : 0;
    return { scope: l.op + 1, bytes };
  });
}
