/**
 * CI slice of the fuzzer (.tflite): a fixed-seed run of mutated models — byte-level corruption aimed at the
 * file's real offsets, lengths, vtables and fields, and IR-level mutations written back as .tflite — through
 * load → analyze → plan → op params → reports → convert → compile → reference interpreter. Every case must
 * end in success or a MicronetsError: no untyped exception, broken invariant, case over 2 s or over the
 * memory bound. A finding's reproducer is saved (path in the failure message) and replays with
 * `npm run fuzz -- --seed <seed> --kind tflite --start <index> --n 1`.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCampaign } from "../src/fuzz/campaign.js";
import { loadCorpus, makeCase } from "../src/fuzz/cases.js";
import { DEFAULT_BOUNDS, runPipeline } from "../src/fuzz/pipeline.js";
import { formatStats } from "../src/fuzz/stats.js";

const SEED = 20_240_611;
const CASES = 3000;

describe("fuzz slice: mutated .tflite models", () => {
  it(`${CASES} cases of seed ${SEED}: 0 findings`, async () => {
    const findingsDir = mkdtempSync(join(tmpdir(), "micronets-fuzz-"));
    // The campaign's 2 s bound, loosened: vitest runs test files side by side on a shared CI machine, and a
    // runaway case misses even this by far.
    const stats = await runCampaign({ seed: SEED, n: CASES, kind: "tflite", findingsDir, hangMs: 30_000, bounds: { ...DEFAULT_BOUNDS, slowMs: 10_000 } });
    const summary = formatStats(stats);
    expect(stats.cases).toBe(CASES);
    expect(stats.findings, summary).toEqual([]);
    // The slice must exercise both ends: real rejections, and cases that reach the interpreter.
    expect(stats.rejected).toBeGreaterThan(CASES / 3);
    expect(stats.reachedStage.compile ?? 0).toBeGreaterThan(CASES / 20);
    expect(stats.executedStage.reference ?? 0).toBeGreaterThan(CASES / 20);
    expect(stats.executedStage.wasm ?? 0).toBeGreaterThan(0);
    expect(Object.keys(stats.rejectedByStage).length).toBeGreaterThanOrEqual(3);
  }, 180_000);
});

describe("fuzz case generator regressions", () => {
  // Campaign seed 5005 (100,000 .tflite cases): case 56153 resized a weight whose consumer's bias reference an
  // earlier mutation had pointed past the tensor table, and the generator itself threw a TypeError.
  it("seed 5005 case 56153 generates and is rejected with a typed error", async () => {
    const c = makeCase(loadCorpus(), 5005, 56153, "tflite");
    const o = await runPipeline(c.input, { variant: c.variant });
    expect(o.status).toBe("rejected");
  });
});
