/**
 * The linearity study's pieces (scripts/study-linearity.ts): the fit per space, the CSV and the SVG plot on
 * constructed rows, and — with the Cortex-M toolchain — one sampled architecture compiled with the portable
 * backend and counted under QEMU.
 */
import { describe, expect, it } from "vitest";
import { toolchainProblem } from "../src/emulator/toolchain.js";
import { CSV_HEADER, firmwareMain, fitSpace, measureSample, rowsCsv, scatterSvg, ticks, type StudyRow } from "../scripts/study-linearity.js";

function row(space: "kws" | "vww", index: number, ops: number, instructions: number): StudyRow {
  return { space, index, name: `${space}-s1-${String(index).padStart(6, "0")}`, ops, macs: ops / 2, params: 0, sramBytes: 0, instructions, totalInstructions: instructions + 1000, core: "cortex-m4" };
}

describe("linearity study: fit, CSV, plot", () => {
  // instructions = 0.75 · ops + 2e6 exactly for KWS; VWW with a hand-placed outlier.
  const kws = [1e6, 5e6, 2e7, 6e7].map((ops, i) => row("kws", i, ops, 0.75 * ops + 2e6));
  const vww = [row("vww", 0, 1e6, 1.1e6), row("vww", 1, 2e6, 2.2e6), row("vww", 2, 3e6, 4.0e6)];

  it("fits instructions against ops per space", () => {
    const f = fitSpace("kws", kws);
    expect(f.slope).toBeCloseTo(0.75, 12);
    expect(f.intercept).toBeCloseTo(2e6, 3);
    expect(f.r2).toBeCloseTo(1, 12);
    expect(f.perOp.max).toBeCloseTo(0.75 + 2e6 / 1e6, 12);
    // x = 1, 2, 3 (M), y = 1.1, 2.2, 4.0: x̄ 2, ȳ 7.3/3, Sxy 2.9, Sxx 2 → slope 1.45, intercept 7.3/3 − 2.9 M.
    const g = fitSpace("vww", vww);
    expect(g.slope).toBeCloseTo(1.45, 12);
    expect(g.intercept).toBeCloseTo((7.3 / 3 - 2.9) * 1e6, 3);
    expect(g.r2).toBeLessThan(0.99);
  });

  it("writes one CSV row per architecture and an SVG with the points, the fit line and R² per space", () => {
    const rows = [...kws, ...vww];
    const csv = rowsCsv(rows).trimEnd().split("\n");
    expect(csv[0]).toBe(CSV_HEADER);
    expect(csv).toHaveLength(rows.length + 1);
    expect(csv[1]).toBe("kws,0,kws-s1-000000,1000000,500000,0,0,2750000,2751000,cortex-m4");
    const svg = scatterSvg(rows, [fitSpace("kws", kws), fitSpace("vww", vww)], "test <plot>");
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(svg.match(/<circle /g)).toHaveLength(rows.length);
    expect(svg).toContain("R² = 1.0000");
    expect(svg).toContain("KWS search space (n = 4)");
    expect(svg).toContain("VWW search space (n = 3)");
    expect(svg).toContain("test &lt;plot&gt;");
    expect(svg).not.toContain("<script");
  });

  it("axis ticks start at 0 and reach the largest value", () => {
    expect(ticks(59.3)).toEqual([0, 20, 40, 60]);
    expect(ticks(40)).toEqual([0, 10, 20, 30, 40]);
    expect(ticks(0.37)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
  });

  it("every point lies inside its panel", () => {
    const svg = scatterSvg([...kws, ...vww], [fitSpace("kws", kws), fitSpace("vww", vww)], "t");
    for (const m of svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)) {
      const [cx, cy] = [Number(m[1]), Number(m[2])];
      expect(cx % 460).toBeGreaterThanOrEqual(64);
      expect(cy).toBeGreaterThanOrEqual(40);
      expect(cy).toBeLessThanOrEqual(380 - 48);
    }
  });

  it("the firmware marks exactly one invoke", () => {
    const c = firmwareMain("model");
    expect(c.match(/mn_mark\(\);/g)).toHaveLength(2);
    expect(c).toMatch(/mn_mark\(\);\n\s+if \(model_invoke\(/);
  });
});

const problem = toolchainProblem();

describe.skipIf(problem !== undefined)("linearity study on QEMU (Cortex-M4)", () => {
  it("counts one sampled KWS architecture's inference; at least ops / 4 instructions (SMLAD: 2 MACs each)", () => {
    // Sample 3 of seed 1 is small (2.5 Mops), so this takes about a second.
    const r = measureSample("kws", 1, 3, "cortex-m4");
    expect(r.name).toBe("kws-s1-000003");
    expect(r.ops).toBe(2 * r.macs);
    expect(r.instructions).toBeGreaterThanOrEqual(r.ops / 4);
    expect(r.totalInstructions).toBeGreaterThan(r.instructions);
    // Deterministic: the same architecture counts the same.
    expect(measureSample("kws", 1, 3, "cortex-m4").instructions).toBe(r.instructions);
  });
});
