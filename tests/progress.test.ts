/** Progress display, both modes, with a fake stream and a fake clock; expected lines derived by hand. */
import { describe, expect, it } from "vitest";
import { formatDuration, formatRate, startProgress, type ProgressStream } from "../src/cli/progress.js";

class FakeStream implements ProgressStream {
  chunks: string[] = [];
  constructor(readonly isTTY: boolean, readonly columns = 80) {}
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  get text(): string {
    return this.chunks.join("");
  }
}

function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000; // not 0, so nothing depends on the clock's origin
  return { now: () => t, advance: (ms) => { t += ms; } };
}

describe("progress on a terminal", () => {
  it("redraws one line in place, throttled, with count, percentage, rate and ETA", () => {
    const s = new FakeStream(true, 100);
    const c = fakeClock();
    const p = startProgress({ label: "verify", total: 1000, stream: s, now: c.now, unit: "models" });
    expect(s.chunks).toHaveLength(1); // drawn at once
    expect(s.chunks[0]).toMatch(/^\rverify \[░+\] 0\/1000 +0 %  —\/s  ETA --:--\x1b\[K$/);
    // 250 ticks, one every 20 ms → 5 s; redraws at most every 100 ms → 1 + 50 frames.
    for (let i = 0; i < 250; i++) {
      c.advance(20);
      p.tick();
    }
    expect(s.chunks).toHaveLength(51);
    for (const ch of s.chunks) {
      expect(ch.startsWith("\r")).toBe(true);
      expect(ch.endsWith("\x1b[K")).toBe(true);
      expect(ch).not.toContain("\n");
      expect(ch.length - 1 - 3).toBeLessThanOrEqual(99); // never wider than the terminal
    }
    // 250 of 1000 in 5 s: 50 models/s, 750 left → 15 s.
    const last = s.chunks.at(-1)!;
    expect(last).toContain(" 250/1000   25 %  50.0 models/s  ETA 0:15");
    // A quarter of the bar is filled.
    const bar = /\[(█*)(░*)\]/.exec(last)!;
    expect(bar[1]!.length / (bar[1]!.length + bar[2]!.length)).toBeCloseTo(0.25, 1);
  });

  it("log() prints above the bar and redraws it; done() ends with a summary and a newline", () => {
    const s = new FakeStream(true);
    const c = fakeClock();
    const p = startProgress({ label: "fuzz", total: 4, stream: s, now: c.now });
    c.advance(1000);
    p.tick(2);
    p.log("case 7 failed");
    expect(s.chunks.at(-2)).toBe("\r\x1b[Kcase 7 failed\n");
    expect(s.chunks.at(-1)).toMatch(/^\rfuzz \[.*\] 2\/4 +50 %/);
    c.advance(1000);
    p.tick(2); // the last item always draws, throttle or not
    expect(s.chunks.at(-1)).toContain("4/4  100 %  2.00 items/s  ETA 0:00");
    p.done();
    expect(s.chunks.at(-1)).toBe("\rfuzz: 4/4 (100 %) in 2.0 s, 2.00 items/s\x1b[K\n");
    const n = s.chunks.length;
    p.tick();
    p.done();
    expect(s.chunks).toHaveLength(n);
  });

  it("narrow terminals drop the bar rather than wrap", () => {
    const s = new FakeStream(true, 30);
    startProgress({ label: "sample", total: 10, stream: s, now: fakeClock().now });
    expect(s.chunks[0]).not.toMatch(/[░█]/);
    expect(s.chunks[0]!.length - 4).toBeLessThanOrEqual(29);
  });
});

describe("progress in logs (not a terminal)", () => {
  it("writes a line per 10 % and a summary, nothing else", () => {
    const s = new FakeStream(false);
    const c = fakeClock();
    const p = startProgress({ label: "study", total: 200, stream: s, now: c.now });
    expect(s.text).toBe("");
    for (let i = 0; i < 200; i++) {
      c.advance(50);
      p.tick();
    }
    p.done();
    const lines = s.text.trimEnd().split("\n");
    // 10 %, 20 %, … 90 % (at items 20, 40, … 180), then the summary at 200 items / 10 s.
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe("study: 20/200 (10 %), 20.0 items/s, ETA 0:09");
    expect(lines[8]).toBe("study: 180/200 (90 %), 20.0 items/s, ETA 0:01");
    expect(lines[9]).toBe("study: 200/200 (100 %) in 10.0 s, 20.0 items/s");
    expect(s.text).not.toMatch(/[\r\x1b]/);
  });

  it("also writes a line when 30 s passed, if work was done", () => {
    const s = new FakeStream(false);
    const c = fakeClock();
    const p = startProgress({ label: "sample", total: 1000, stream: s, now: c.now });
    // One item every 2 s: 10 % takes 200 s, so the 30 s rule fires first, at items 15, 30, 45, …
    for (let i = 0; i < 60; i++) {
      c.advance(2000);
      p.tick();
    }
    const lines = s.text.trimEnd().split("\n");
    expect(lines).toEqual([
      "sample: 15/1000 (1 %), 0.50 items/s, ETA 32:50",
      "sample: 30/1000 (3 %), 0.50 items/s, ETA 32:20",
      "sample: 45/1000 (4 %), 0.50 items/s, ETA 31:50",
      "sample: 60/1000 (6 %), 0.50 items/s, ETA 31:20",
    ]);
    // Idle time alone prints nothing.
    c.advance(120_000);
    p.update(60);
    expect(s.text.trimEnd().split("\n")).toHaveLength(4);
  });

  it("a zero total and an early done() are reported as they are", () => {
    const s = new FakeStream(false);
    const c = fakeClock();
    startProgress({ label: "none", total: 0, stream: s, now: c.now }).done();
    const p = startProgress({ label: "part", total: 10, stream: s, now: c.now, percentStep: 50 });
    c.advance(90_000);
    p.update(3);
    p.done();
    expect(s.text).toBe("none: 0/0 (100 %) in 0.0 s\npart: 3/10 (30 %), 0.03 items/s, ETA 3:30\npart: 3/10 (30 %) in 1:30, 0.03 items/s\n");
  });
});

describe("formatting", () => {
  it("durations and rates", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(75)).toBe("1:15");
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(Infinity)).toBe("--:--");
    expect(formatRate(1234.4)).toBe("1234");
    expect(formatRate(12.34)).toBe("12.3");
    expect(formatRate(0.1234)).toBe("0.12");
  });
});
