/**
 * An independent checker for arena plans. It shares no code with the planners on purpose (a bug in a shared
 * helper would hide in both), and proves a plan sound: every buffer lies within [0, total), and no two
 * buffers whose lifetimes intersect share a byte. It returns the first violation found, or null.
 */

/** What the checker needs to know about a buffer (structurally the planner's buffer). */
export interface CheckedBuffer {
  readonly size: number;
  readonly firstUse: number;
  readonly lastUse: number;
}

export type PlanViolation =
  | { kind: "count"; message: string }
  | { kind: "offset"; buffer: number; message: string }
  | { kind: "bounds"; buffer: number; message: string }
  | { kind: "alignment"; buffer: number; message: string }
  | { kind: "overlap"; buffers: [number, number]; message: string };

export interface CheckPlanOptions {
  /** When given, every offset must be a multiple of it. */
  alignment?: number;
}

export function checkPlan(
  buffers: readonly CheckedBuffer[],
  plan: { readonly offsets: readonly number[]; readonly total: number },
  opts: CheckPlanOptions = {},
): PlanViolation | null {
  if (plan.offsets.length !== buffers.length) {
    return { kind: "count", message: `the plan has ${plan.offsets.length} offsets for ${buffers.length} buffers` };
  }
  if (!Number.isSafeInteger(plan.total) || plan.total < 0) {
    return { kind: "count", message: `the plan's total ${plan.total} is not a non-negative integer` };
  }
  for (let i = 0; i < buffers.length; i++) {
    const off = plan.offsets[i]!;
    const b = buffers[i]!;
    if (!Number.isSafeInteger(off) || off < 0) return { kind: "offset", buffer: i, message: `buffer ${i} has offset ${off}` };
    if (off + b.size > plan.total) {
      return { kind: "bounds", buffer: i, message: `buffer ${i} [${off}, ${off + b.size}) ends beyond the total ${plan.total}` };
    }
    if (opts.alignment && off % opts.alignment !== 0) {
      return { kind: "alignment", buffer: i, message: `buffer ${i} offset ${off} is not a multiple of ${opts.alignment}` };
    }
  }
  // Pairwise: simple and obviously right, which is the point of a checker.
  for (let i = 0; i < buffers.length; i++) {
    const a = buffers[i]!;
    const aStart = plan.offsets[i]!;
    const aEnd = aStart + a.size;
    for (let j = i + 1; j < buffers.length; j++) {
      const b = buffers[j]!;
      const timeShared = !(a.lastUse < b.firstUse || b.lastUse < a.firstUse);
      if (!timeShared) continue;
      const bStart = plan.offsets[j]!;
      const bEnd = bStart + b.size;
      const bytesShared = a.size > 0 && b.size > 0 && aStart < bEnd && bStart < aEnd;
      if (bytesShared) {
        return {
          kind: "overlap",
          buffers: [i, j],
          message: `buffers ${i} [${aStart}, ${aEnd}) scopes ${a.firstUse}..${a.lastUse} and ${j} [${bStart}, ${bEnd}) scopes ${b.firstUse}..${b.lastUse} share bytes while both live`,
        };
      }
    }
  }
  return null;
}
