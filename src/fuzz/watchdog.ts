/**
 * Hang detection for in-process runs. A case runs synchronously, so nothing on the main thread can notice
 * it never returning; a tiny watchdog thread can. Before each case the driver publishes the case number,
 * start time and input bytes in shared memory; the watchdog polls, and when one case has run past the hang
 * bound it writes the reproducer and a record to the findings folder, prints one line naming them, and kills
 * the process (a hung synchronous loop cannot be interrupted any other way). The worker pool used by
 * `npm run fuzz` does better — it terminates the hung worker and carries on — but needs compiled JavaScript;
 * this works anywhere, including inside vitest.
 *
 * The watchdog's source is plain JavaScript evaluated in the thread, so it does not depend on how the
 * TypeScript around it is run.
 */
import { Worker } from "node:worker_threads";

const MAX_INPUT = 32 * 1024 * 1024;

// Int32 slots of the control block.
const ACTIVE = 0; // 1 while a case runs
const INDEX = 1;
const STARTED = 2; // ms since the watchdog's epoch
const LENGTH = 3; // input bytes published
const STOP = 4;

const WATCHDOG_SOURCE = `
const { workerData } = require("node:worker_threads");
const fs = require("node:fs");
const path = require("node:path");
const { control, input, meta, epoch, hangMs, dir, pollMs } = workerData;
const c = new Int32Array(control);
const bytes = new Uint8Array(input);
const metaBytes = new Uint8Array(meta);
const timer = setInterval(() => {
  if (Atomics.load(c, ${STOP})) { clearInterval(timer); return; }
  if (!Atomics.load(c, ${ACTIVE})) return;
  const ran = Date.now() - epoch - Atomics.load(c, ${STARTED});
  if (ran < hangMs) return;
  const index = Atomics.load(c, ${INDEX});
  const n = Atomics.load(c, ${LENGTH});
  let info = {};
  try { info = JSON.parse(Buffer.from(metaBytes.subarray(0, metaBytes.indexOf(0) < 0 ? metaBytes.length : metaBytes.indexOf(0))).toString("utf8")); } catch {}
  let where = "(not saved)";
  try {
    fs.mkdirSync(dir, { recursive: true });
    const base = info.base || ("hang-i" + index);
    fs.writeFileSync(path.join(dir, base + (info.ext || ".bin")), bytes.subarray(0, n));
    fs.writeFileSync(path.join(dir, base + ".finding.json"), JSON.stringify({ ...info.record, findingKind: "hang", message: "no result after " + ran + " ms (hang bound " + hangMs + " ms)", ms: ran }, null, 2) + "\\n");
    where = path.join(dir, base + ".finding.json");
  } catch (e) { where = "(saving failed: " + e.message + ")"; }
  // Straight to file descriptor 2: process.stderr in a worker is relayed by the (stuck) main thread.
  fs.writeSync(2, "\\nmicronets fuzz: HANG: case " + index + " ran " + ran + " ms; reproducer " + where + "; killing the process\\n");
  process.kill(process.pid, "SIGKILL");
}, pollMs);
`;

export interface WatchdogCase {
  index: number;
  /** The reproducer bytes (a graph case publishes its JSON serialisation). */
  bytes: Uint8Array;
  /** File name stem and extension for the saved reproducer, and the record to save with it. */
  base: string;
  ext: string;
  record: Record<string, unknown>;
}

export class Watchdog {
  private readonly control = new SharedArrayBuffer(4 * 8);
  private readonly input = new SharedArrayBuffer(MAX_INPUT);
  private readonly meta = new SharedArrayBuffer(64 * 1024);
  private readonly c = new Int32Array(this.control);
  private readonly epoch = Date.now();
  private readonly worker: Worker;

  constructor(opts: { hangMs: number; dir: string; pollMs?: number }) {
    this.worker = new Worker(WATCHDOG_SOURCE, {
      eval: true,
      workerData: { control: this.control, input: this.input, meta: this.meta, epoch: this.epoch, hangMs: opts.hangMs, dir: opts.dir, pollMs: opts.pollMs ?? 250 },
    });
    // The watchdog must never keep the process alive by itself.
    this.worker.unref();
  }

  begin(c: WatchdogCase): void {
    const n = Math.min(c.bytes.length, MAX_INPUT);
    new Uint8Array(this.input).set(c.bytes.subarray(0, n));
    const meta = new TextEncoder().encode(JSON.stringify({ base: c.base, ext: c.ext, record: c.record }));
    const m = new Uint8Array(this.meta);
    m.fill(0);
    m.set(meta.subarray(0, m.length - 1));
    Atomics.store(this.c, LENGTH, n);
    Atomics.store(this.c, INDEX, c.index);
    Atomics.store(this.c, STARTED, Date.now() - this.epoch);
    Atomics.store(this.c, ACTIVE, 1);
  }

  end(): void {
    Atomics.store(this.c, ACTIVE, 0);
  }

  async stop(): Promise<void> {
    Atomics.store(this.c, STOP, 1);
    await this.worker.terminate();
  }
}
