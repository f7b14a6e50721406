/**
 * Access schedules: when a generated kernel reads each byte of one input and first writes each byte of its
 * output, on one time axis of the kernel's own loop order. They decide whether (and how far apart) the
 * input and the output may share arena bytes: an output byte may lie on an input byte only if that input
 * byte is read for the last time strictly before the output byte is first written.
 */

export interface AccessSchedule {
  /** Per input byte, the last time it is read (−1: never read). */
  lastRead: Int32Array;
  /** Per output byte, the first time it is written. */
  writeTime: Int32Array;
}

/**
 * True when the output may start `rel` bytes after the input's start (rel < 0: before it): no output byte
 * is written while the input byte beneath it may still be read.
 */
export function relIsSafe(s: AccessSchedule, rel: number): boolean {
  const inBytes = s.lastRead.length;
  const outBytes = s.writeTime.length;
  const lastRead = s.lastRead;
  const writeTime = s.writeTime;
  // Output byte a lies on input byte a + rel (when that is within the input).
  const a0 = Math.max(0, -rel);
  const a1 = Math.min(outBytes, inBytes - rel);
  if (a1 <= a0) return true;
  // Same answer as one pass over the overlap, found sooner: an unsafe placement almost always conflicts over
  // a wide run of bytes, very often at the overlap's end (an expanding layer outruns its input), so the
  // ends and a sparse sample are tried first; only a placement that passes them costs the full pass.
  if (lastRead[a1 - 1 + rel]! >= writeTime[a1 - 1]! || lastRead[a0 + rel]! >= writeTime[a0]!) return false;
  for (let a = a0 + SAMPLE_STRIDE; a < a1; a += SAMPLE_STRIDE) {
    if (lastRead[a + rel]! >= writeTime[a]!) return false;
  }
  for (let a = a0; a < a1; a++) {
    if (lastRead[a + rel]! >= writeTime[a]!) return false;
  }
  return true;
}

/** Sample spacing of relIsSafe's first pass (odd, so it does not follow a channel count's period). */
const SAMPLE_STRIDE = 61;

/**
 * The safe placement of the output relative to the input (a multiple of `alignment`) that needs the fewest
 * bytes for the two together, with the span it needs; null when every overlapping placement is unsafe.
 * `inSize`/`outSize` are the planned (aligned) sizes.
 */
export function bestRel(s: AccessSchedule, inSize: number, outSize: number, alignment: number): { rel: number; span: number } | null {
  const span = (rel: number): number => Math.max(inSize, rel + outSize) - Math.min(0, rel);
  const lo = -Math.ceil(outSize / alignment) * alignment + alignment;
  const hi = Math.floor(inSize / alignment) * alignment - alignment;
  const separate = inSize + outSize;
  // Placements are tried fewest bytes first; among equals, the one closest to 0 (then the lower one), for
  // determinism. The span grows with |rel| on each side of 0, so that order is a merge of the placements
  // at or after the input's start (ascending) and those before it (descending): no sort needed.
  let up = Math.max(lo, 0);
  let down = Math.min(hi, -alignment);
  // Each check scans the overlap, so trying every placement of two large tensors is quadratic (minutes for
  // a 10 MB activation). Past a fixed amount of scanning, give up on sharing: separate buffers are always safe.
  let budget = BEST_REL_SCAN_BUDGET;
  while (up <= hi || down >= lo) {
    let rel: number;
    if (up > hi) rel = down;
    else if (down < lo) rel = up;
    else {
      const d = span(down) - span(up) || Math.abs(down) - Math.abs(up) || down - up;
      rel = d < 0 ? down : up;
    }
    if (rel === up) up += alignment;
    else down -= alignment;
    if (span(rel) >= separate) break;
    budget -= Math.max(0, Math.min(s.writeTime.length, s.lastRead.length - rel) - Math.max(0, -rel));
    if (budget < 0) return null;
    if (relIsSafe(s, rel)) return { rel, span: span(rel) };
  }
  return null;
}

/** Bytes bestRel may compare while searching one layer's placements (~0.1 s); deterministic, not timed. */
export const BEST_REL_SCAN_BUDGET = 64 * 1024 * 1024;

/**
 * Thrown by ScheduleBuilder when listing a layer's accesses would take more than SCHEDULE_WORK_BUDGET steps:
 * the schedule walks every tap of every output, so a huge window (a 300×300 SAME convolution: 8·10^9 taps)
 * took minutes. The planner then simply does not place that layer in place (always safe).
 */
export class ScheduleTooLarge extends Error {}

/** Byte accesses one layer's schedule may list (about a quarter of a second); deterministic, not timed. */
export const SCHEDULE_WORK_BUDGET = 64 * 1024 * 1024;

/** A schedule builder over byte ranges, for kernels whose accesses are easiest to list as ranges. */
export class ScheduleBuilder {
  readonly lastRead: Int32Array;
  readonly writeTime: Int32Array;
  private work = 0;
  constructor(inBytes: number, outBytes: number) {
    this.lastRead = new Int32Array(inBytes).fill(-1);
    this.writeTime = new Int32Array(outBytes).fill(0x7fffffff);
  }
  private charge(n: number): void {
    this.work += 1 + Math.max(0, n);
    if (this.work > SCHEDULE_WORK_BUDGET) throw new ScheduleTooLarge(`schedule over ${SCHEDULE_WORK_BUDGET} accesses`);
  }
  /** Input bytes [start, start + n) are read at time t. */
  read(start: number, n: number, t: number): void {
    this.charge(n);
    const end = Math.min(start + n, this.lastRead.length);
    for (let i = Math.max(0, start); i < end; i++) if (this.lastRead[i]! < t) this.lastRead[i] = t;
  }
  /** Input bytes start, start + stride, … (count of them) are read at time t. */
  readStrided(start: number, stride: number, count: number, t: number): void {
    this.charge(count);
    for (let k = 0; k < count; k++) {
      const i = start + k * stride;
      if (i >= 0 && i < this.lastRead.length && this.lastRead[i]! < t) this.lastRead[i] = t;
    }
  }
  /** Output bytes [start, start + n) are written at time t. */
  write(start: number, n: number, t: number): void {
    this.charge(n);
    const end = Math.min(start + n, this.writeTime.length);
    for (let i = Math.max(0, start); i < end; i++) if (this.writeTime[i]! > t) this.writeTime[i] = t;
  }
  writeStrided(start: number, stride: number, count: number, t: number): void {
    this.charge(count);
    for (let k = 0; k < count; k++) {
      const i = start + k * stride;
      if (i >= 0 && i < this.writeTime.length && this.writeTime[i]! > t) this.writeTime[i] = t;
    }
  }
  build(): AccessSchedule {
    return { lastRead: this.lastRead, writeTime: this.writeTime };
  }
}
