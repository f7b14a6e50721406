/**
 * micronets' MicroNet fixtures against the paper's results table (micronets-paper.md): ops within 3 % where
 * the layer list is the paper's own (Table 5), the doc's integer-size op counts reproduced exactly, and the
 * .tflite file size against the table's flash KB.
 */
import { describe, expect, it } from "vitest";
import { compareWithPaper, formatPaperComparison } from "../src/search-space/paper-comparison.js";

const rows = compareWithPaper("fixtures/architectures");
const byModel = new Map(rows.map((r) => [r.model, r]));

describe("fixtures against the paper's table", () => {
  it("ops of every MicroNet with a published layer list (KWS, AD) are within 3 % of the table", () => {
    const exact = rows.filter((r) => r.layerList === "exact");
    expect(exact.map((r) => r.model)).toEqual(["MicroNet-KWS-L", "MicroNet-KWS-M", "MicroNet-KWS-S", "MicroNet-AD-L", "MicroNet-AD-M", "MicroNet-AD-S"]);
    for (const r of exact) expect(Math.abs(r.opsDiffPercent), r.model).toBeLessThan(3);
  });

  it("reproduces micronets-paper.md's integer-size op counts (KWS 131.43 / 31.11 / 16.65, AD 128.99 / 124.69 / 37.48)", () => {
    const want: Record<string, string> = {
      "MicroNet-KWS-L": "131.43", "MicroNet-KWS-M": "31.11", "MicroNet-KWS-S": "16.65",
      "MicroNet-AD-L": "128.99", "MicroNet-AD-M": "124.69", "MicroNet-AD-S": "37.48",
    };
    for (const [m, v] of Object.entries(want)) expect(byModel.get(m)!.ourMops.toFixed(2), m).toBe(v);
    // The KWS excess is the paper's 24.5 rows after the stride-2 block (122.5 instead of 125 positions).
    for (const m of ["MicroNet-KWS-L", "MicroNet-KWS-M", "MicroNet-KWS-S"]) {
      const d = byModel.get(m)!.opsDiffPercent;
      expect(d, m).toBeGreaterThan(1.4);
      expect(d, m).toBeLessThan(2.0);
    }
  });

  it("the approximate VWW-3/-4 re-creations are within 3 % too; VWW-2 and the Hello Edge DS-CNNs are not (known, explained)", () => {
    expect(Math.abs(byModel.get("MicroNet-VWW-3")!.opsDiffPercent)).toBeLessThan(3);
    expect(Math.abs(byModel.get("MicroNet-VWW-4")!.opsDiffPercent)).toBeLessThan(3);
    // micronets-paper.md: the VWW-2 list gives ≈ 6 Mops against 5.3; the DS-CNN rows are different models.
    expect(byModel.get("MicroNet-VWW-2")!.opsDiffPercent).toBeGreaterThan(10);
    for (const m of ["DS-CNN-L", "DS-CNN-M", "DS-CNN-S"]) expect(byModel.get(m)!.layerList).toBe("different");
  });

  it("the .tflite micronets writes for the exact layer lists is within 10 % of the table's flash KB", () => {
    for (const r of rows.filter((x) => x.layerList === "exact")) {
      expect(Math.abs(r.flashDiffPercent), r.model).toBeLessThan(10);
      // int8 weights dominate the file: parameters are at most the file bytes, and most of them.
      expect(r.ourParams, r.model).toBeLessThan(r.ourTfliteBytes);
      expect(r.ourParams / r.ourTfliteBytes, r.model).toBeGreaterThan(0.5);
    }
  });

  it("prints a table with every row and a legend saying what is compared", () => {
    const t = formatPaperComparison(rows);
    for (const r of rows) expect(t).toContain(r.model);
    expect(t).toContain("ops = 2 × MACs");
    expect(t).toContain("flash = .tflite file size");
  });
});
