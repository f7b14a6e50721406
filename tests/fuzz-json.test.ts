/**
 * CI slice of the fuzzer (architecture JSON): a fixed-seed run of structure-aware mutations of the
 * architecture fixtures and an every-layer-type document (wrong types, extreme numbers, bad and cyclic
 * references, new layers, giant arrays, 100k-deep nesting, invalid UTF-8, truncation) through the whole
 * pipeline. Every case must end in success or a MicronetsError. Replay a finding with
 * `npm run fuzz -- --seed <seed> --kind json --start <index> --n 1`.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCampaign } from "../src/fuzz/campaign.js";
import { DEFAULT_BOUNDS } from "../src/fuzz/pipeline.js";
import { formatStats } from "../src/fuzz/stats.js";

const SEED = 20_240_612;
const CASES = 1000;

describe("fuzz slice: mutated architecture JSON", () => {
  it(`${CASES} cases of seed ${SEED}: 0 findings`, async () => {
    const findingsDir = mkdtempSync(join(tmpdir(), "micronets-fuzz-"));
    // The campaign's 2 s bound, loosened: vitest runs test files side by side on a shared CI machine, and a
    // runaway case misses even this by far.
    const stats = await runCampaign({ seed: SEED, n: CASES, kind: "json", findingsDir, hangMs: 30_000, bounds: { ...DEFAULT_BOUNDS, slowMs: 10_000 } });
    const summary = formatStats(stats);
    expect(stats.cases).toBe(CASES);
    expect(stats.findings, summary).toEqual([]);
    expect(stats.rejected).toBeGreaterThan(CASES / 3);
    expect(stats.rejectedByErrorKind.limit ?? 0).toBeGreaterThan(0);
    expect(stats.reachedStage.compile ?? 0).toBeGreaterThan(CASES / 20);
  }, 180_000);
});
