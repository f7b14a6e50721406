/**
 * Regression test for every bug the fuzzer found: each saved reproducer in this folder (the mutated input
 * plus its `.finding.json` record) is replayed through the whole fuzz pipeline and must now end in success
 * or a MicronetsError — never an untyped exception, a broken invariant, a hang or a runaway case. Records
 * whose fix has a definite outcome say so in `expected` (status, stage, a fragment of the message), and the
 * replay checks that too, so a fix cannot silently turn into a different failure.
 */
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { loadFindings } from "../../src/fuzz/findings.js";
import { runPipeline } from "../../src/fuzz/pipeline.js";

interface Expected {
  status: "ok" | "rejected";
  stage?: string;
  kind?: string;
  message?: string;
}

const DIR = "tests/fuzz-findings";
const findings = loadFindings(DIR);

describe("saved fuzz findings replay cleanly", () => {
  it("the folder holds the saved findings", () => {
    expect(findings.length).toBeGreaterThan(0);
  });

  for (const f of findings) {
    const r = f.record as typeof f.record & { expected?: Expected };
    it(`${basename(f.file)}: ${r.findingKind} at ${r.stage} (${r.seedModel}) — ${r.fixed ?? "no fix recorded"}`, async () => {
      // Generous bounds: a replay on a loaded CI machine must not flake; runaway cases take far longer.
      const o = await runPipeline(f.input, { variant: r.variant, hostC: r.stage === "host-c", bounds: { slowMs: 15_000, memoryBytes: 512 * 1024 * 1024 } });
      expect(o.status, `${o.findingKind} at ${o.stage}: ${o.message}\n${o.stack ?? ""}`).not.toBe("finding");
      expect(r.fixed, "a saved finding records its fix").toBeTruthy();
      if (r.expected) {
        expect(o.status, o.message).toBe(r.expected.status);
        if (r.expected.stage) expect(o.stage).toBe(r.expected.stage);
        if (r.expected.kind) expect(o.errorKind).toBe(r.expected.kind);
        if (r.expected.message) expect(o.message).toContain(r.expected.message);
      }
    }, 60_000);
  }
});
