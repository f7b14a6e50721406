/**
 * The arena layout of generated code: TFLM's buffers and lifetimes (analysis/lifetimes.ts), planned either
 * exactly as TFLM plans them (a registered planner, no aliasing) or with in-place aliasing.
 *
 * In-place aliasing (memory-planning.md §3): an operator whose input dies at it may write its output over
 * that input, at a placement its kernel's access schedule proves safe (schedule.ts). Aliased tensors form
 * chains (a tensor is the aliased input of at most one op; an output aliases at most one input) with fixed
 * relative offsets. Each chain is placed as one rigid shape in (scope × address) space — its members keep
 * their own lifetimes, so a later member may reuse bytes an earlier one held — largest first, at the lowest
 * base offset where none of its members collides with a placed buffer live at the same time (first fit,
 * like greedy-by-size). Which candidate aliases to use is a local search: from all of them, drop any whose
 * removal lowers the total (a long chain drifts: expanding layers must start below their input); then
 * compare with greedily adding them to none, and with TFLM's own plan.
 *
 * Proof: the layout is decomposed into pieces for the independent checker `checkPlan`: every tensor is a
 * buffer over its lifetime, except that an aliased pair at its op's scope s is one buffer covering both
 * (the input ends at s − 1, the output starts at s + 1). checkPlan then proves that no two pieces live at
 * the same time share a byte; `verifyLayout` separately checks each pair sits where its schedule allows.
 */
import { computeLifetimes, DEFAULT_ALIGNMENT, type LifetimeBuffer, type ScratchRequest } from "../analysis/lifetimes.js";
import { checkPlan } from "../analysis/planner/check-plan.js";
import { DEFAULT_PLANNER, getPlanner } from "../analysis/planner/registry.js";
import type { PlannerBuffer } from "../analysis/planner/types.js";
import { limitError } from "../errors.js";
import { LIMITS } from "../ir/limits.js";
import type { Graph } from "../ir/types.js";
import { bestRel, ScheduleTooLarge, type AccessSchedule } from "./schedule.js";

/** An operator that may write its output over one of its inputs. */
export interface AliasCandidate {
  op: number;
  /** Index in op.inputs of the input that may be overwritten. */
  slot: number;
  /** When set, the output must sit exactly on the input (rel 0) and the op then needs no code (RESHAPE). */
  elide?: boolean;
  /** The kernel's access schedule for that input and the output (not needed with `elide`). */
  schedule?: () => AccessSchedule;
}

export interface LayoutOptions {
  /** Planner for the plain (no alias) plan; default TFLM's greedy-by-size. */
  algorithm?: string;
  alignment?: number;
  scratch?: readonly ScratchRequest[];
  /** Alias candidates; none (or an empty list) gives TFLM's plan exactly. */
  aliases?: readonly AliasCandidate[];
  /** Above this many candidates, skip the search and keep the better of all-or-none (bounded time). */
  maxSearch?: number;
}

export interface UsedAlias {
  op: number;
  slot: number;
  input: number;
  output: number;
  /** Output offset minus input offset. */
  rel: number;
  elide: boolean;
}

export interface ArenaLayout {
  /** Byte offset of every planned tensor, by tensor index (constants and variables have none). */
  tensorOffset: Map<number, number>;
  /** Byte offset of each scratch request, in request order. */
  scratchOffset: number[];
  /** Arena bytes. */
  total: number;
  /** TFLM's plan of the same buffers (registered planner, no aliasing). */
  plainTotal: number;
  aliases: UsedAlias[];
  /** "greedy-by-size" etc. for a plain plan; "in-place first-fit" when aliases are used. */
  algorithm: string;
  alignment: number;
  buffers: LifetimeBuffer[];
}

interface Edge {
  cand: AliasCandidate;
  /** Buffer indices. */
  input: number;
  output: number;
  rel: number;
}

interface Evaluated {
  total: number;
  offsets: number[];
}

/** What every placement of one buffer list shares: sizes and lifetimes, and work arrays. */
interface PlaceContext {
  n: number;
  size: Float64Array;
  firstUse: Float64Array;
  lastUse: Float64Array;
  /** Work arrays of placeChains, reused from call to call. */
  work: {
    parent: Int32Array;
    relToParent: Float64Array;
    root: Int32Array;
    off: Float64Array;
    count: Int32Array;
    start: Int32Array;
    fill: Int32Array;
    members: Int32Array;
    key: Float64Array;
    first: Float64Array;
    i0: Int32Array;
    /** Placed buffers live at each scope (the first liveCount[s] entries of liveAt[s]). */
    liveAt: number[][];
    liveCount: Int32Array;
    /** Forbidden intervals (start, end) of the unit being placed. */
    lo: Float64Array;
    hi: Float64Array;
    /** Marks (by `tick`) of the placed buffers already met by the member being placed. */
    seen: Int32Array;
    tick: number;
  };
}

function placeContext(buffers: readonly LifetimeBuffer[]): PlaceContext {
  const n = buffers.length;
  const size = new Float64Array(n);
  const firstUse = new Float64Array(n);
  const lastUse = new Float64Array(n);
  let scopes = 0;
  buffers.forEach((b, i) => {
    size[i] = b.size;
    firstUse[i] = b.firstUse;
    lastUse[i] = b.lastUse;
    scopes = Math.max(scopes, b.lastUse + 1);
  });
  const work = {
    parent: new Int32Array(n),
    relToParent: new Float64Array(n),
    root: new Int32Array(n),
    off: new Float64Array(n),
    count: new Int32Array(n),
    start: new Int32Array(n + 1),
    fill: new Int32Array(n),
    members: new Int32Array(n),
    key: new Float64Array(n),
    first: new Float64Array(n),
    i0: new Int32Array(n),
    liveAt: Array.from({ length: scopes }, () => [] as number[]),
    liveCount: new Int32Array(scopes),
    lo: new Float64Array(64),
    hi: new Float64Array(64),
    seen: new Int32Array(n),
    tick: 0,
  };
  return { n, size, firstUse, lastUse, work };
}

function growTo(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(Math.max(n, 64));
  b.set(a);
  return b;
}

/** Sorts the first `count` intervals by start (insertion sort: a unit meets few placed buffers). */
function sortIntervals(lo: Float64Array, hi: Float64Array, count: number): void {
  if (count > 64) {
    const idx = Array.from({ length: count }, (_, k) => k).sort((x, y) => lo[x]! - lo[y]!);
    const l = idx.map((k) => lo[k]!);
    const h = idx.map((k) => hi[k]!);
    lo.set(l);
    hi.set(h);
    return;
  }
  for (let k = 1; k < count; k++) {
    const l = lo[k]!;
    const h = hi[k]!;
    let j = k - 1;
    while (j >= 0 && lo[j]! > l) {
      lo[j + 1] = lo[j]!;
      hi[j + 1] = hi[j]!;
      j--;
    }
    lo[j + 1] = l;
    hi[j + 1] = h;
  }
}

/**
 * Places the chains formed by `edges` (rigid shapes) first-fit, largest first. Returns null when two members
 * of one chain would share bytes while both live without being alias partners. (Typed arrays throughout:
 * the local search calls this a few hundred times per model.)
 */
function placeChains(buffers: readonly LifetimeBuffer[], edges: readonly Edge[], ctx: PlaceContext = placeContext(buffers)): Evaluated | null {
  const { n, size, firstUse, lastUse } = ctx;
  // Both buffers have bytes and live at a common scope.
  const together = (i: number, j: number): boolean => size[i]! > 0 && size[j]! > 0 && firstUse[i]! <= lastUse[j]! && firstUse[j]! <= lastUse[i]!;
  const { parent, relToParent, root, off, count, start, fill, members, key, first, i0 } = ctx.work;
  parent.fill(-1);
  relToParent.fill(0);
  for (const e of edges) {
    if (parent[e.output] !== -1) return null;
    parent[e.output] = e.input;
    relToParent[e.output] = e.rel;
  }
  // Each buffer's chain (its root) and offset from the root.
  for (let i = 0; i < n; i++) {
    let r = i;
    let o = 0;
    for (let guard = 0; parent[r]! !== -1; guard++) {
      if (guard > n) return null;
      o += relToParent[r]!;
      r = parent[r]!;
    }
    root[i] = r;
    off[i] = o;
  }
  // Units (chains) as runs of `members` in buffer order; a unit is named by its root.
  count.fill(0);
  for (let i = 0; i < n; i++) count[root[i]!]!++;
  start[0] = 0;
  for (let r = 0; r < n; r++) start[r + 1] = start[r]! + count[r]!;
  fill.set(start.subarray(0, n));
  for (let i = 0; i < n; i++) members[fill[root[i]!]!++] = i;
  const units: number[] = [];
  const byFirst: number[] = [];
  for (let r = 0; r < n; r++) {
    const s0 = start[r]!;
    const s1 = start[r + 1]!;
    if (s0 === s1) continue;
    let min = Infinity;
    for (let k = s0; k < s1; k++) min = Math.min(min, off[members[k]!]!);
    let kmax = 0;
    let fmin = Infinity;
    for (let k = s0; k < s1; k++) {
      const m = members[k]!;
      off[m] = off[m]! - min;
      kmax = Math.max(kmax, size[m]!);
      fmin = Math.min(fmin, firstUse[m]!);
    }
    // Members of one chain that live together must be alias partners or disjoint. In order of first use,
    // a member can only live together with those that start before it ends.
    if (s1 - s0 > 1) {
      byFirst.length = 0;
      for (let k = s0; k < s1; k++) byFirst.push(members[k]!);
      byFirst.sort((x, y) => firstUse[x]! - firstUse[y]!);
      for (let a = 0; a < byFirst.length; a++) {
        const ia = byFirst[a]!;
        for (let c = a + 1; c < byFirst.length && firstUse[byFirst[c]!]! <= lastUse[ia]!; c++) {
          const ic = byFirst[c]!;
          if (!together(ia, ic)) continue;
          const overlap = off[ia]! < off[ic]! + size[ic]! && off[ic]! < off[ia]! + size[ia]!;
          if (overlap && parent[ic] !== ia && parent[ia] !== ic) return null;
        }
      }
    }
    units.push(r);
    key[r] = kmax;
    first[r] = fmin;
    i0[r] = members[s0]!;
  }
  // Largest member first (then earliest), like greedy-by-size; a unit's first member breaks ties.
  units.sort((x, y) => key[y]! - key[x]! || first[x]! - first[y]! || i0[x]! - i0[y]!);

  // Placed buffers by the scopes they live at, so a member meets only those live at the same time
  // (lists with their own counts: resetting array lengths is slow).
  const { liveAt, liveCount, seen } = ctx.work;
  liveCount.fill(0);
  if (ctx.work.tick > 1 << 30) {
    seen.fill(0);
    ctx.work.tick = 0;
  }
  let tick = ctx.work.tick;
  const offsets = new Array<number>(n).fill(0);
  let lo = ctx.work.lo;
  let hi = ctx.work.hi;
  for (const r of units) {
    const s0 = start[r]!;
    const s1 = start[r + 1]!;
    // The lowest base offset where no member meets a placed buffer live at the same time: each such pair
    // forbids the open interval of bases (q.off − m.off − m.size, q.off + q.size − m.off); the answer is 0
    // or the end of one of them, found by one sweep in order of interval start.
    let count = 0;
    for (let k = s0; k < s1; k++) {
      const m = members[k]!;
      if (size[m] === 0) continue;
      tick++;
      for (let sc = firstUse[m]!; sc <= lastUse[m]!; sc++) {
        const list = liveAt[sc]!;
        for (let j = 0, nj = liveCount[sc]!; j < nj; j++) {
          const q = list[j]!;
          if (seen[q] === tick) continue;
          seen[q] = tick;
          if (count === lo.length) {
            lo = growTo(lo, 2 * count);
            hi = growTo(hi, 2 * count);
          }
          lo[count] = offsets[q]! - off[m]! - size[m]!;
          hi[count] = offsets[q]! + size[q]! - off[m]!;
          count++;
        }
      }
    }
    sortIntervals(lo, hi, count);
    let base = 0;
    for (let k = 0; k < count; k++) {
      if (lo[k]! >= base) break;
      if (hi[k]! > base) base = hi[k]!;
    }
    for (let k = s0; k < s1; k++) {
      const m = members[k]!;
      offsets[m] = base + off[m]!;
      if (size[m]! > 0) for (let sc = firstUse[m]!; sc <= lastUse[m]!; sc++) liveAt[sc]![liveCount[sc]!++] = m;
    }
  }
  ctx.work.tick = tick;
  ctx.work.lo = lo;
  ctx.work.hi = hi;
  let total = 0;
  for (let i = 0; i < n; i++) total = Math.max(total, offsets[i]! + size[i]!);
  return { total, offsets };
}

/** The pieces checkPlan proves (see the file comment). */
export function layoutPieces(buffers: readonly LifetimeBuffer[], offsets: readonly number[], pairs: readonly { input: number; output: number }[]): { pieces: PlannerBuffer[]; pieceOffsets: number[] } {
  const pieces: PlannerBuffer[] = [];
  const pieceOffsets: number[] = [];
  const first = buffers.map((b) => b.firstUse);
  const last = buffers.map((b) => b.lastUse);
  for (const p of pairs) {
    const s = buffers[p.output]!.firstUse;
    last[p.input] = s - 1;
    first[p.output] = s + 1;
    const lo = Math.min(offsets[p.input]!, offsets[p.output]!);
    const hi = Math.max(offsets[p.input]! + buffers[p.input]!.size, offsets[p.output]! + buffers[p.output]!.size);
    pieces.push({ size: hi - lo, firstUse: s, lastUse: s });
    pieceOffsets.push(lo);
  }
  buffers.forEach((b, i) => {
    if (first[i]! > last[i]!) return;
    pieces.push({ size: b.size, firstUse: first[i]!, lastUse: last[i]! });
    pieceOffsets.push(offsets[i]!);
  });
  return { pieces, pieceOffsets };
}

/**
 * Input + output bytes of all layers whose in-place schedules one compile may list (deterministic, not timed):
 * 24 MiB, far above any microcontroller's SRAM, about a quarter of a second of schedule work.
 */
export const MODEL_SCHEDULE_BYTES = 24 * 1024 * 1024;

/** Plans the arena for generated code. */
export function planLayout(graph: Graph, opts: LayoutOptions = {}): ArenaLayout {
  const algorithm = opts.algorithm ?? DEFAULT_PLANNER;
  const alignment = opts.alignment ?? DEFAULT_ALIGNMENT;
  const buffers = computeLifetimes(graph, { alignment, scratch: opts.scratch });
  const index = new Map<number, number>();
  buffers.forEach((b, i) => { if (b.tensor !== null) index.set(b.tensor, i); });
  const graphOutputs = new Set(graph.outputs);

  // TFLM's plan of the same buffers.
  const plainResult = getPlanner(algorithm)(buffers);
  const plain: Evaluated = { total: plainResult.total, offsets: plainResult.offsets };

  // Legal candidates: the input dies at this op, is read once by it, is not a graph output, and its
  // schedule admits an overlapping placement.
  const edges: Edge[] = [];
  let scheduledBytes = 0;
  for (const cand of opts.aliases ?? []) {
    const op = graph.operators[cand.op]!;
    const bi = index.get(op.inputs[cand.slot]!);
    const bo = index.get(op.outputs[0]!);
    if (bi === undefined || bo === undefined) continue;
    if (graphOutputs.has(op.inputs[cand.slot]!)) continue;
    if (op.inputs.filter((x) => x === op.inputs[cand.slot]).length !== 1) continue;
    if (buffers[bi]!.lastUse !== cand.op + 1 || buffers[bo]!.firstUse !== cand.op + 1) continue;
    if (edges.some((e) => e.output === bo || e.input === bi)) continue;
    if (cand.elide) {
      if (buffers[bi]!.size === buffers[bo]!.size) edges.push({ cand, input: bi, output: bo, rel: 0 });
      continue;
    }
    if (!cand.schedule) continue;
    // Listing a schedule is linear in the layer's bytes; past a model-wide amount, further layers keep
    // separate buffers (always safe), so a model with many multi-MB activations still compiles in well
    // under a second. Real MCU models stay far below it.
    const cost = buffers[bi]!.size + buffers[bo]!.size;
    if (scheduledBytes + cost > MODEL_SCHEDULE_BYTES) continue;
    scheduledBytes += cost;
    let schedule: AccessSchedule;
    try {
      schedule = cand.schedule();
    } catch (e) {
      if (e instanceof ScheduleTooLarge) continue; // too big to prove: the layer keeps separate buffers
      throw e;
    }
    const best = bestRel(schedule, buffers[bi]!.size, buffers[bo]!.size, alignment);
    if (best) edges.push({ cand, input: bi, output: bo, rel: best.rel });
  }

  let chosen: Edge[] = [];
  let best: Evaluated = plain;
  let usedAlgorithm = algorithm;
  if (edges.length > 0) {
    const search = edges.length <= (opts.maxSearch ?? 96);
    const ctx = placeContext(buffers);
    type State = { set: Edge[]; ev: Evaluated };
    // Best-improvement local search: each round applies the single change (drop or add one edge) that
    // lowers the total most; elisions are kept whenever they do not cost bytes.
    const improve = (start: State, moves: (s: State) => Edge[][]): State => {
      let cur = start;
      for (;;) {
        let next: State | null = null;
        for (const set of moves(cur)) {
          const ev = placeChains(buffers, set, ctx);
          if (!ev) continue;
          const better = next === null ? ev.total < cur.ev.total || (ev.total === cur.ev.total && set.length > cur.set.length && set.some((e) => e.cand.elide && !cur.set.includes(e))) : ev.total < next.ev.total;
          if (better) next = { set, ev };
        }
        if (!next) return cur;
        cur = next;
      }
    };
    const dropMoves = (st: State): Edge[][] => st.set.map((_, k) => st.set.filter((__, j) => j !== k));
    const addMoves = (st: State): Edge[][] => edges.filter((e) => !st.set.includes(e)).map((e) => [...st.set, e]);
    const all = placeChains(buffers, edges, ctx);
    let down: State | null = all ? { set: [...edges], ev: all } : null;
    if (down && search) down = improve(down, dropMoves);
    let up: State | null = null;
    if (search) up = improve({ set: [], ev: placeChains(buffers, [], ctx)! }, addMoves);
    const pick = [down, up].filter((x): x is State => x !== null).sort((a, b) => a.ev.total - b.ev.total)[0];
    // Aliasing must pay for itself; otherwise keep TFLM's plan (elisions alone still save a copy).
    if (pick && (pick.ev.total < plain.total || (pick.ev.total === plain.total && pick.set.some((e) => e.cand.elide)))) {
      chosen = pick.set;
      best = pick.ev;
      usedAlgorithm = "in-place first-fit";
    }
  }

  // Independent proof over the pieces (see the file comment).
  const { pieces, pieceOffsets } = layoutPieces(buffers, best.offsets, chosen);
  const violation = checkPlan(pieces, { offsets: pieceOffsets, total: best.total }, { alignment });
  if (violation) throw new Error(`arena layout is unsound: ${violation.message}`);
  if (best.total > LIMITS.maxBytes) throw limitError(`the arena needs ${best.total} bytes, above the limit of ${LIMITS.maxBytes}`, "arena plan");

  const tensorOffset = new Map<number, number>();
  const scratchOffset: number[] = [];
  buffers.forEach((b, i) => {
    if (b.tensor !== null) tensorOffset.set(b.tensor, best.offsets[i]!);
    else scratchOffset.push(best.offsets[i]!);
  });
  return {
    tensorOffset,
    scratchOffset,
    total: best.total,
    plainTotal: plain.total,
    aliases: chosen
      .map((e) => ({ op: e.cand.op, slot: e.cand.slot, input: buffers[e.input]!.tensor!, output: buffers[e.output]!.tensor!, rel: e.rel, elide: e.cand.elide === true }))
      .sort((a, b) => a.op - b.op),
    algorithm: usedAlgorithm,
    alignment,
    buffers,
  };
}

/**
 * Independent check of a layout against the alias decisions: every pair of buffers live at the same time
 * either shares no byte or is an alias pair at its op's scope, placed at exactly the chosen distance.
 * Returns a message for the first violation, or null.
 */
export function verifyLayout(layout: ArenaLayout): string | null {
  const offsets: number[] = [];
  let s = 0;
  layout.buffers.forEach((b) => {
    offsets.push(b.tensor !== null ? layout.tensorOffset.get(b.tensor)! : layout.scratchOffset[s++]!);
  });
  const pairs = new Map<string, UsedAlias>();
  for (const a of layout.aliases) pairs.set(`${a.input},${a.output}`, a);
  for (let i = 0; i < layout.buffers.length; i++) {
    const a = layout.buffers[i]!;
    const ao = offsets[i]!;
    if (ao % layout.alignment !== 0) return `buffer '${a.name}' offset ${ao} is not aligned`;
    if (ao < 0 || ao + a.size > layout.total) return `buffer '${a.name}' [${ao}, ${ao + a.size}) is outside the arena of ${layout.total} bytes`;
    for (let j = i + 1; j < layout.buffers.length; j++) {
      const b = layout.buffers[j]!;
      if (a.lastUse < b.firstUse || b.lastUse < a.firstUse) continue;
      const bo = offsets[j]!;
      if (a.size === 0 || b.size === 0 || !(ao < bo + b.size && bo < ao + a.size)) continue;
      const alias = a.tensor !== null && b.tensor !== null ? (pairs.get(`${a.tensor},${b.tensor}`) ?? pairs.get(`${b.tensor},${a.tensor}`)) : undefined;
      if (!alias) return `buffers '${a.name}' and '${b.name}' share bytes while both live`;
      const inOff = layout.tensorOffset.get(alias.input)!;
      const outOff = layout.tensorOffset.get(alias.output)!;
      if (outOff - inOff !== alias.rel) return `alias of op ${alias.op} placed at ${outOff - inOff}, planned ${alias.rel}`;
      const shared = [Math.max(a.firstUse, b.firstUse), Math.min(a.lastUse, b.lastUse)];
      if (shared[0] !== alias.op + 1 || shared[1] !== alias.op + 1) return `alias pair of op ${alias.op} shares bytes outside its scope`;
    }
  }
  return null;
}
