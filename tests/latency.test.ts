/**
 * The MicroNets latency/energy model: coefficients against the paper's Table 4 rows (refitted here from the
 * rows in micronets-paper.md, independently of the target files), family choice, and the per-layer and total
 * latency/energy that `micronets analyze --target` prints (hand-derived for a layer of MicroNet-KWS-S).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chooseLatencyFamily } from "../src/analysis/latency.js";
import { searchSpaceOf } from "../src/frontends/architecture/index.js";
import { loadTarget } from "../src/analysis/targets.js";
import { linearFit } from "../src/calibrate/linear-fit.js";
import { isMicronetsError } from "../src/errors.js";
import { runCli } from "./helpers/cli.js";

/** micronets-paper.md results table: [Mops, latency s] per MCU column (M = F746ZG, L = F767ZI, S = F446RE). */
const TABLE = {
  kwsM: [[129, 0.61], [30.6, 0.187], [16.4, 0.109]],
  kwsL: [[129, 0.596], [30.6, 0.181], [16.4, 0.108]],
  vwwM: [[135.9, 1.133], [5.3, 0.079], [45.2, 0.467], [37.7, 0.31]],
  vwwL: [[135.9, 1.055], [5.3, 0.082], [45.2, 0.447], [37.7, 0.298]],
  adL: [[129, 0.614], [124.7, 0.567], [37.5, 0.194]],
  // S column, DS-CNN-backbone KWS rows: KWS-M, KWS-S, DS-CNN-S.
  kwsS: [[30.6, 0.426], [16.4, 0.25], [7.1, 0.131]],
} as const;

function fit(rows: readonly (readonly number[])[]): { msPerMop: number; interceptMs: number; r2: number } {
  const f = linearFit(rows.map((r) => r[0]!), rows.map((r) => r[1]! * 1000));
  return { msPerMop: f.slope, interceptMs: f.intercept, r2: f.r2 };
}

describe("latency coefficients reproduce the paper's table", () => {
  it("every paper-fit family matches a least-squares fit of its Table 4 rows (within the doc's rounding)", () => {
    const cases: [string, string, keyof typeof TABLE, number, number][] = [
      // target, family, rows, micronets-paper.md's printed slope and intercept
      ["stm32f746zg", "kws", "kwsM", 4.39, 44.2],
      ["stm32f767zi", "kws", "kwsL", 4.29, 43.3],
      ["stm32f746zg", "vww", "vwwM", 8.05, 46.0],
      ["stm32f767zi", "vww", "vwwL", 7.42, 54.7],
      ["stm32f767zi", "ad", "adL", 4.45, 26.5],
    ];
    for (const [t, fam, rows, slope, intercept] of cases) {
      const f = fit(TABLE[rows]);
      expect(f.msPerMop.toFixed(2), `${t} ${fam}`).toBe(slope.toFixed(2));
      expect(f.interceptMs.toFixed(1), `${t} ${fam}`).toBe(intercept.toFixed(1));
      const m = loadTarget(t).latency.families[fam]!;
      expect(Math.abs(1000 / m.throughputMopsPerS - f.msPerMop), `${t} ${fam} slope`).toBeLessThan(0.01);
      expect(Math.abs(m.overheadMs - f.interceptMs), `${t} ${fam} overhead`).toBeLessThan(0.1);
      expect(m.source).toContain("micronets-paper.md");
    }
    // The F446RE KWS family is our own fit of the S-column DS-CNN rows (the doc prints no fit for it).
    const s = fit(TABLE.kwsS);
    const m = loadTarget("stm32f446re").latency.families.kws!;
    expect(1000 / m.throughputMopsPerS).toBeCloseTo(s.msPerMop, 2);
    expect(m.overheadMs).toBeCloseTo(s.interceptMs, 1);
  });

  it("power figures are the table's energy ÷ latency (≈ 446 mW on the F746ZG, ≈ 162 mW on the F446RE)", () => {
    // M column, every row with both: energy mJ / latency s = mW.
    const m = [[274.32, 0.61], [83.16, 0.187], [48.6, 0.109], [478.8, 1.133], [36.36, 0.079], [196.2, 0.467], [133.2, 0.31], [229.32, 0.515], [98.64, 0.219], [25.96, 0.058], [147.6, 0.33], [49.32, 0.108]];
    const powers = m.map(([e, l]) => e! / l!);
    const median = [...powers].sort((a, b) => a - b)[Math.floor(powers.length / 2)]!;
    expect(Math.abs(loadTarget("stm32f746zg").latency.power.mw! - median) / median).toBeLessThan(0.02);
    const s = [[70.56, 0.426], [40.68, 0.25], [27.25, 0.181], [74.16, 0.457], [21.13, 0.131], [39.96, 0.254]];
    const sp = s.map(([e, l]) => e! / l!).sort((a, b) => a - b);
    expect(loadTarget("stm32f446re").latency.power.mw!).toBeGreaterThanOrEqual(sp[0]! - 1);
    expect(loadTarget("stm32f446re").latency.power.mw!).toBeLessThanOrEqual(sp[sp.length - 1]! + 1);
  });
});

describe("choosing the latency family", () => {
  const t = loadTarget("stm32f746zg");

  it("--family wins, then the model's searchSpace hint, then the target's explicit default", () => {
    expect(chooseLatencyFamily(t, { family: "vww", hint: "kws" })).toEqual({ family: "vww", from: "option" });
    expect(chooseLatencyFamily(t, { hint: "vww" })).toEqual({ family: "vww", from: "model" });
    expect(chooseLatencyFamily(t)).toEqual({ family: t.latency.defaultFamily, from: "default" });
    const c = chooseLatencyFamily(loadTarget("stm32f446re"), { hint: "speech" });
    expect(c.family).toBe("kws");
    expect(c.from).toBe("default");
    expect(c.note).toContain("'speech' has no latency family on target 'stm32f446re'");
  });

  it("an unknown --family is a usage error listing the families", () => {
    try {
      chooseLatencyFamily(t, { family: "ic" });
      expect.unreachable();
    } catch (e) {
      expect(isMicronetsError(e) && e.exitCode).toBe(2);
      expect((e as Error).message).toContain("has no latency family 'ic'; it has: kws, speech, vww, ad");
    }
  });

  it("searchSpaceOf reads only a well-formed `searchSpace` string", () => {
    expect(searchSpaceOf({ searchSpace: "vww" })).toBe("vww");
    expect(searchSpaceOf({ searchSpace: "VWW" })).toBeUndefined();
    expect(searchSpaceOf({ searchSpace: 3 })).toBeUndefined();
    expect(searchSpaceOf([])).toBeUndefined();
    expect(searchSpaceOf(null)).toBeUndefined();
  });
});

describe("micronets analyze --target prints latency and energy per layer and in total", () => {
  it("MicroNet-KWS-S on the F746ZG: hand-derived first-layer figures and totals", async () => {
    const r = await runCli("analyze", "fixtures/architectures/micronet-kws-s.json", "--target", "stm32f746zg");
    expect(r.code, r.stderr).toBe(0);
    const header = r.stdout.split("\n").find((l) => l.includes("est. ms"))!;
    expect(header).toContain("est. mJ");
    // conv1: 10×4 conv, 1 → 84 channels, 'same' on 49×10: MACs = 49·10·84·10·4 = 1,646,400, ops 3,292,800.
    // Latency = 3.2928 Mops / (1000/4.39 = 227.79 Mops/s); energy = 446 mW × latency.
    const thr = loadTarget("stm32f746zg").latency.families.kws!.throughputMopsPerS;
    const ms = (3.2928 / thr) * 1000;
    const mj = (446 * ms) / 1000;
    const row = r.stdout.split("\n").find((l) => /^\s*0\s+CONV_2D/.test(l))!;
    expect(row).toContain("1,646,400");
    expect(row.trim().split(/\s+/).slice(-2)).toEqual([ms.toFixed(3), mj.toFixed(3)]);
    // Total: 16.65 Mops (micronets-paper.md, integer output sizes) / thr + 44.2 ms.
    const a = await runCli("analyze", "fixtures/architectures/micronet-kws-s.json", "--target", "stm32f746zg", "--json");
    const rep = JSON.parse(a.stdout);
    expect((rep.totals.ops / 1e6).toFixed(2)).toBe("16.65");
    const total = (rep.totals.ops / 1e6 / thr) * 1000 + 44.2;
    expect(rep.target.latencyMs).toBeCloseTo(total, 9);
    expect(rep.target.energyMj).toBeCloseTo((446 * total) / 1000, 9);
    expect(r.stdout).toContain(`latency ${total.toFixed(2)} ms`);
    expect(r.stdout).toContain(`energy  ${((446 * total) / 1000).toFixed(2)} mJ`);
    // Per-layer energies add up to the energy of the op time (the overhead is not spread over layers).
    const sum = rep.layers.reduce((s: number, l: { energyMj: number }) => s + l.energyMj, 0);
    expect(sum).toBeCloseTo((446 * (total - 44.2)) / 1000, 9);
  });

  it("the markdown report has the energy column; a target without power has none", async () => {
    const md = await runCli("analyze", "fixtures/architectures/micronet-kws-s.json", "--target", "stm32f446re", "--md");
    expect(md.stdout).toMatch(/\| # \| op \| output \| MACs \| params \| flash B \| est\. ms \| est\. mJ \|/);
    const none = await runCli("analyze", "fixtures/architectures/micronet-kws-s.json", "--target", "stm32f767zi");
    expect(none.stdout).toContain("est. ms");
    expect(none.stdout).not.toContain("est. mJ");
    expect(none.stdout).toContain("energy  n/a");
  });

  it("the architecture schema accepts the optional searchSpace hint", () => {
    const schema = JSON.parse(readFileSync("schemas/architecture.schema.json", "utf8"));
    expect(schema.properties.searchSpace.type).toBe("string");
    expect(schema.required).not.toContain("searchSpace");
  });
});
