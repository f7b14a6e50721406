/**
 * The fuzzer never hangs itself: a case that does not finish is detected, reported and saved. Checked with
 * the script's self-test (`--debug-hang-at I` makes case I spin forever) on the built JavaScript:
 * - the worker pool terminates the stuck worker, records a "hang" finding with the reproducer, and finishes
 *   every other case on a fresh worker;
 * - in-process (`--workers 0`, as the CI slices run), the watchdog thread saves the reproducer, prints one
 *   line and kills the process, instead of letting it stall.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const SCRIPT = join(process.cwd(), "dist", "scripts", "fuzz.js");

function fuzz(args: string[]): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: "utf8", timeout: 120_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe("hang detection (built fuzzer)", () => {
  it("worker pool: the stuck case becomes a hang finding and the other 39 cases still run", () => {
    const dir = mkdtempSync(join(tmpdir(), "mn-fuzz-hang-"));
    const r = fuzz(["--seed", "1", "--n", "40", "--kind", "tflite", "--workers", "2", "--hang-ms", "1500", "--debug-hang-at", "7", "--findings", dir]);
    expect(r.status, r.stderr).toBe(1); // findings → exit 1
    expect(r.stdout).toContain("seed 1, kind tflite: 40 cases (tflite 40)");
    expect(r.stdout).toMatch(/findings: +1 +\(hang 1\)/);
    const record = JSON.parse(readFileSync(join(dir, "tflite-s1-i7.finding.json"), "utf8")) as { findingKind: string; index: number; message: string; input: string };
    expect(record.findingKind).toBe("hang");
    expect(record.index).toBe(7);
    expect(record.message).toMatch(/^no result after \d+ ms \(hang bound 1500 ms\); worker terminated$/);
    expect(existsSync(join(dir, record.input))).toBe(true);
  }, 120_000);

  it("in-process: the watchdog saves the reproducer, says so on stderr, and kills the stalled process", () => {
    const dir = mkdtempSync(join(tmpdir(), "mn-fuzz-hang-"));
    const r = fuzz(["--seed", "1", "--n", "40", "--kind", "tflite", "--workers", "0", "--hang-ms", "1500", "--debug-hang-at", "7", "--findings", dir]);
    expect(r.signal).toBe("SIGKILL");
    expect(r.stderr).toMatch(new RegExp(`micronets fuzz: HANG: case 7 ran \\d+ ms; reproducer ${dir}/tflite-s1-i7\\.finding\\.json; killing the process`));
    const record = JSON.parse(readFileSync(join(dir, "tflite-s1-i7.finding.json"), "utf8")) as { findingKind: string; input: string; seed: number };
    expect(record.findingKind).toBe("hang");
    expect(record.seed).toBe(1);
    expect(existsSync(join(dir, record.input))).toBe(true);
  }, 120_000);
});
