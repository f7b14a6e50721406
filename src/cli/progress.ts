/**
 * Progress display for long work (sampling, studies, verifying many models, fuzzing).
 *
 * On a terminal (stream.isTTY) one line is redrawn in place — bar, count, percentage, rate and ETA — at
 * most every `redrawMs`, so a tight loop of ticks costs almost nothing. Anywhere else (CI logs, pipes,
 * files) plain lines are written, one per `percentStep` % or per `lineEveryMs`, whichever comes first, so a
 * log stays a few lines long. The clock and the stream are injectable for tests.
 */
import { performance } from "node:perf_hooks";

/** The part of a writable stream progress needs (process.stderr fits). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** Terminal width; 80 when unknown. */
  columns?: number;
}

export interface ProgressOptions {
  label: string;
  /** Number of items; 0 is allowed (nothing to do). */
  total: number;
  /** Default process.stderr (stdout stays clean for results). */
  stream?: ProgressStream;
  /** Milliseconds clock; default performance.now. */
  now?: () => number;
  /** Follow this instead of stream.isTTY. */
  tty?: boolean;
  /** Item name for the rate ("models/s"); default "items". */
  unit?: string;
  /** Terminal: minimum time between redraws, ms (default 100). */
  redrawMs?: number;
  /** Plain: a line each time another `percentStep` % is done (default 10). */
  percentStep?: number;
  /** Plain: a line when this long has passed since the last one and work was done, ms (default 30 000). */
  lineEveryMs?: number;
}

export interface Progress {
  /** `n` more items done (default 1). */
  tick(n?: number): void;
  /** Sets the number of items done. */
  update(count: number): void;
  /** Writes a line of text without breaking the bar. */
  log(line: string): void;
  /** Ends the display with a summary line (count, elapsed time, rate); later calls do nothing. */
  done(): void;
  readonly count: number;
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Items per second with sensible precision: 1234 → "1234", 12.34 → "12.3", 0.1234 → "0.12". */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return "—";
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond >= 10 ? perSecond.toFixed(1) : perSecond.toFixed(2);
}

function clampTotal(total: number): number {
  return Number.isFinite(total) && total > 0 ? Math.floor(total) : 0;
}

export function startProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => performance.now());
  const tty = opts.tty ?? stream.isTTY === true;
  const unit = opts.unit ?? "items";
  const redrawMs = opts.redrawMs ?? 100;
  const percentStep = opts.percentStep ?? 10;
  const lineEveryMs = opts.lineEveryMs ?? 30_000;
  const total = clampTotal(opts.total);
  const start = now();

  let count = 0;
  let finished = false;
  let lastDraw = -Infinity;
  let lastLine = start;
  let lastLineCount = 0;
  let lastStep = 0;

  const fraction = () => (total === 0 ? 1 : Math.min(1, count / total));
  const percentText = () => `${Math.floor(fraction() * 100)} %`;

  function rateAndEta(t: number): { rate: string; eta: string } {
    const elapsed = (t - start) / 1000;
    if (count === 0 || elapsed <= 0) return { rate: `—/s`, eta: "ETA --:--" };
    const perSec = count / elapsed;
    const remaining = Math.max(0, total - count);
    return { rate: `${formatRate(perSec)} ${unit}/s`, eta: `ETA ${formatDuration(Math.ceil(remaining / perSec))}` };
  }

  function ttyLine(t: number): string {
    const cols = Math.max(20, stream.columns ?? 80);
    const { rate, eta } = rateAndEta(t);
    const stats = ` ${count}/${total}  ${percentText().padStart(5)}  ${rate}  ${eta}`;
    const room = cols - 1 - opts.label.length - stats.length - 3;
    const width = Math.max(0, Math.min(40, room));
    let line = opts.label;
    if (width >= 5) {
      const filled = Math.round(fraction() * width);
      line += ` [${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
    }
    line += stats;
    // Never wrap: a wrapped line cannot be redrawn with \r.
    return line.length > cols - 1 ? line.slice(0, cols - 1) : line;
  }

  function plainLine(t: number): string {
    const { rate, eta } = rateAndEta(t);
    return `${opts.label}: ${count}/${total} (${percentText()}), ${rate}, ${eta}\n`;
  }

  function draw(t: number): void {
    lastDraw = t;
    stream.write(`\r${ttyLine(t)}\x1b[K`);
  }

  function maybeOutput(): void {
    const t = now();
    if (tty) {
      if (t - lastDraw >= redrawMs || count >= total) draw(t);
      return;
    }
    const step = percentStep > 0 ? Math.floor((fraction() * 100 + 1e-9) / percentStep) : 0;
    const stepped = step > lastStep && count < total; // 100 % is left to done()'s summary
    const timed = t - lastLine >= lineEveryMs && count > lastLineCount;
    if (stepped || timed) {
      lastStep = Math.max(lastStep, step);
      lastLine = t;
      lastLineCount = count;
      stream.write(plainLine(t));
    }
  }

  if (tty) draw(start);

  return {
    get count() {
      return count;
    },
    tick(n = 1) {
      if (finished || !(n > 0)) return;
      count += n;
      maybeOutput();
    },
    update(c: number) {
      if (finished || !Number.isFinite(c) || c === count) return;
      count = Math.max(0, c);
      maybeOutput();
    },
    log(line: string) {
      const text = line.endsWith("\n") ? line : `${line}\n`;
      if (tty && !finished) {
        stream.write(`\r\x1b[K${text}`);
        draw(now());
      } else {
        stream.write(text);
      }
    },
    done() {
      if (finished) return;
      finished = true;
      const t = now();
      const elapsed = (t - start) / 1000;
      const rate = elapsed > 0 ? `, ${formatRate(count / elapsed)} ${unit}/s` : "";
      const took = elapsed < 60 ? `${elapsed.toFixed(1)} s` : formatDuration(elapsed);
      const summary = `${opts.label}: ${count}/${total} (${percentText()}) in ${took}${rate}`;
      stream.write(tty ? `\r${summary}\x1b[K\n` : `${summary}\n`);
    },
  };
}
