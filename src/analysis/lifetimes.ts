/**
 * Buffer extraction for the arena, exactly as TFLite Micro does it (memory-planning.md §1), so our plan can be
 * compared buffer for buffer with TFLM's:
 * - one buffer per non-constant, non-variable tensor, in tensor-index order (constants stay in flash,
 *   variables are persistent), then kernel scratch buffers in request order with their operator's lifetime;
 * - scopes: 0 = before the first operator, operator i runs in scope i + 1; graph inputs are created at 0;
 *   an operator's output is created at its scope; every input is last used at its consumer's scope; graph
 *   outputs live until the final scope (= number of operators);
 * - sizes are rounded up to the arena alignment (TFLM's MicroArenaBufferAlignment() = 16).
 */
import { inputError, limitError, usageError } from "../errors.js";
import { LIMITS } from "../ir/limits.js";
import { opLabel, tensorBytes, tensorLabel } from "../ir/tensor-data.js";
import type { Graph } from "../ir/types.js";

/** TFLM's arena buffer alignment. */
export const DEFAULT_ALIGNMENT = 16;

/** A kernel scratch request: `size` bytes needed while operator `op` runs. */
export interface ScratchRequest {
  op: number;
  size: number;
}

export interface LifetimeBuffer {
  /** The tensor index, or null for a scratch buffer. */
  tensor: number | null;
  name: string;
  kind: "tensor" | "scratch";
  /** Unaligned bytes (tensor data size or the scratch request). */
  bytes: number;
  /** Bytes rounded up to the alignment: what the planner places. */
  size: number;
  firstUse: number;
  lastUse: number;
}

export interface LifetimeOptions {
  alignment?: number;
  scratch?: readonly ScratchRequest[];
}

export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

export function checkAlignment(alignment: number): void {
  if (!Number.isSafeInteger(alignment) || alignment < 1 || alignment > 4096) {
    throw usageError(`alignment ${alignment} must be an integer from 1 to 4096`);
  }
}

/** Every buffer the arena must hold, with TFLM's scopes. */
export function computeLifetimes(graph: Graph, opts: LifetimeOptions = {}): LifetimeBuffer[] {
  const alignment = opts.alignment ?? DEFAULT_ALIGNMENT;
  checkAlignment(alignment);
  const n = graph.tensors.length;
  const first = new Array<number>(n).fill(-1);
  const last = new Array<number>(n).fill(-1);
  const planned = (id: number): boolean => {
    const t = graph.tensors[id];
    return t !== undefined && !t.constant && !t.isVariable;
  };
  const use = (id: number, scope: number): void => {
    if (!planned(id)) return;
    if (last[id]! < scope) last[id] = scope;
  };

  for (const id of graph.inputs) {
    if (!planned(id)) continue;
    first[id] = 0;
    use(id, 0);
  }
  graph.operators.forEach((op, i) => {
    const scope = i + 1;
    for (const id of op.inputs) if (id >= 0) use(id, scope);
    for (const id of op.outputs) {
      if (!planned(id)) continue;
      if (first[id] === -1) first[id] = scope;
      use(id, scope);
    }
  });
  const finalScope = graph.operators.length;
  for (const id of graph.outputs) use(id, finalScope);

  const buffers: LifetimeBuffer[] = [];
  graph.tensors.forEach((t, id) => {
    if (!planned(id)) return;
    // TFLM refuses to plan a tensor with a partial lifetime ("invalid lifetime"): one no operator produces
    // and that is not a graph input (an orphan, or read before it is written).
    if (first[id] === -1) {
      throw inputError("is neither a graph input nor produced by an operator, so it has no lifetime to plan", tensorLabel(t));
    }
    const bytes = tensorBytes(t);
    buffers.push({ tensor: id, name: t.name, kind: "tensor", bytes, size: alignUp(bytes, alignment), firstUse: first[id]!, lastUse: last[id]! });
  });

  (opts.scratch ?? []).forEach((s, k) => {
    const where = `scratch request ${k}`;
    if (!Number.isSafeInteger(s.op) || s.op < 0 || s.op >= graph.operators.length) {
      throw usageError(`${where}: operator index ${s.op} is out of range (the graph has ${graph.operators.length} operators)`);
    }
    if (!Number.isSafeInteger(s.size) || s.size < 0) {
      throw usageError(`${where}: size ${s.size} must be an integer from 0 to ${LIMITS.maxBytes}`);
    }
    // Too big is the model's doing (a kernel's scratch grows with the layer), not the caller's: a limit.
    if (s.size > LIMITS.maxBytes) {
      throw limitError(`needs ${s.size} bytes of kernel scratch, above the limit of ${LIMITS.maxBytes}`, opLabel(graph.operators[s.op]!, s.op));
    }
    const scope = s.op + 1;
    buffers.push({
      tensor: null,
      name: `scratch ${k} (${opLabel(graph.operators[s.op]!, s.op)})`,
      kind: "scratch",
      bytes: s.size,
      size: alignUp(s.size, alignment),
      firstUse: scope,
      lastUse: scope,
    });
  });
  return buffers;
}
