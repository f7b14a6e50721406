/**
 * `micronets calibrate`: the least-squares fit against micronets-paper.md's own fits of the paper's Table 4
 * rows (the external reference), the written target file, and CSV errors that name file, line and column.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { loadTarget, targetSchemaPath } from "../src/analysis/targets.js";
import { linearFit } from "../src/calibrate/linear-fit.js";
import { readMeasurements } from "../src/calibrate/measurements.js";
import { runCli } from "./helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "mn-calibrate-"));
const F746 = "fixtures/calibration/kws-f746zg-paper.csv";

function csv(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

describe("linearFit", () => {
  it("recovers an exact line and its R² of 1; hand-derived 3-point fit", () => {
    const f = linearFit([1, 2, 3, 4], [5, 7, 9, 11]);
    expect(f.slope).toBeCloseTo(2, 12);
    expect(f.intercept).toBeCloseTo(3, 12);
    expect(f.r2).toBe(1);
    // (0,0) (1,1) (2,3): x̄ = 1, ȳ = 4/3, Sxx = 2, Sxy = 3 → slope 1.5, intercept −1/6;
    // residuals 1/6, −1/3, 1/6; SSres = 1/6, SStot = 14/3 → R² = 1 − 1/28.
    const g = linearFit([0, 1, 2], [0, 1, 3]);
    expect(g.slope).toBeCloseTo(1.5, 12);
    expect(g.intercept).toBeCloseTo(-1 / 6, 12);
    expect(g.r2).toBeCloseTo(1 - 1 / 28, 12);
    expect(g.residuals.map((r) => Number(r.toFixed(12)))).toEqual([0.166666666667, -0.333333333333, 0.166666666667]);
    // Through the origin: slope = Σxy / Σx² = 7 / 5.
    expect(linearFit([0, 1, 2], [0, 1, 3], { throughOrigin: true }).slope).toBeCloseTo(1.4, 12);
  });
});

describe("micronets calibrate", () => {
  it("reproduces micronets-paper.md's fit of the KWS rows on the F746ZG: 4.39 ms/Mop, 44.2 ms, r² 0.999", async () => {
    const r = await runCli("calibrate", F746, "--target", "stm32f746zg");
    expect(r.code, r.stderr).toBe(0);
    const slope = Number(/slope\s+([\d.]+) ms per Mop/.exec(r.stdout)![1]);
    const intercept = Number(/intercept\s+([\d.]+) ms/.exec(r.stdout)![1]);
    const r2 = Number(/R²\s+([\d.]+)/.exec(r.stdout)![1]);
    expect(slope.toFixed(2)).toBe("4.39");
    expect(intercept.toFixed(1)).toBe("44.2");
    expect(r2.toFixed(3)).toBe("0.999");
    // Power from energy ÷ latency: 274.32/610, 83.16/187, 48.6/109 W → mean 446.8 mW (paper: typ. 446).
    const mean = ((274.32 / 610 + 83.16 / 187 + 48.6 / 109) / 3) * 1000;
    expect(r.stdout).toContain(`power       ${mean.toFixed(1)} mW`);
    // One residual line per row, in CSV order, with the CSV line numbers.
    expect(r.stdout).toMatch(/\n\s+6\s+MicroNet-KWS-L\s+129\.000\s+610\.000/);
    expect(r.stdout).toMatch(/\n\s+8\s+MicroNet-KWS-S\s+16\.400\s+109\.000/);
  });

  it("reproduces the F767ZI fit (4.29 ms/Mop, 43.3 ms, r² 0.9995)", () => {
    const rows = readMeasurements(readFileSync("fixtures/calibration/kws-f767zi-paper.csv", "utf8"), "x.csv");
    const f = linearFit(rows.map((r) => r.ops / 1e6), rows.map((r) => r.latencyMs));
    expect(f.slope.toFixed(2)).toBe("4.29");
    expect(f.intercept.toFixed(1)).toBe("43.3");
    expect(f.r2.toFixed(4)).toBe("0.9995");
  });

  it("computes ops from model files named in the CSV (Table 5 layer lists: 131.43 / 31.11 / 16.65 Mops)", async () => {
    const rows = readMeasurements(readFileSync("fixtures/calibration/kws-f746zg-models.csv", "utf8"), "fixtures/calibration/kws-f746zg-models.csv");
    expect(rows.map((r) => (r.ops / 1e6).toFixed(2))).toEqual(["131.43", "31.11", "16.65"]);
    expect(rows.every((r) => r.opsFrom === "model")).toBe(true);
    const r = await runCli("calibrate", "fixtures/calibration/kws-f746zg-models.csv", "--target", "stm32f746zg");
    expect(r.code, r.stderr).toBe(0);
    // The independent fit of micronets-paper.md's integer op counts against the same latencies.
    const f = linearFit([131.43, 31.11, 16.65], [610, 187, 109]);
    expect(r.stdout).toContain(`slope       ${f.slope.toFixed(4).slice(0, -1)}`);
  });

  it("-o writes a schema-valid target whose new family cites the CSV; it loads and is used", async () => {
    const out = join(tmp, "f746-calibrated.json");
    const r = await runCli("calibrate", F746, "--target", "stm32f746zg", "--family", "kws-mine", "--runtime", "TFLM + CMSIS-NN (my board)", "-o", out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}`);
    const json = JSON.parse(readFileSync(out, "utf8"));
    const ajv = new Ajv2020.default({ strict: true });
    expect(ajv.validate(JSON.parse(readFileSync(targetSchemaPath(), "utf8")), json), JSON.stringify(ajv.errors)).toBe(true);
    const fam = json.latency.families["kws-mine"];
    expect(fam.source).toContain(F746);
    expect(fam.runtime).toBe("TFLM + CMSIS-NN (my board)");
    expect((1000 / fam.throughputMopsPerS).toFixed(2)).toBe("4.39");
    expect(json.latency.power.source).toContain(F746);
    // The other families and facts are untouched.
    const before = loadTarget("stm32f746zg");
    expect(json.latency.families.vww).toEqual(before.latency.families.vww);
    expect(json.sram).toEqual(before.sram);
    expect(json.$schema).toBe("../schemas/target.schema.json");
    // The written file is a usable target.
    const a = await runCli("analyze", "fixtures/architectures/micronet-kws-s.json", "--target", out, "--family", "kws-mine", "--json");
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).target.latencyModel.throughputMopsPerS).toBe(fam.throughputMopsPerS);
  });

  it("a negative intercept is refused for -o (exit 2), and --origin fits through zero", async () => {
    const f = csv("neg.csv", "ops,latency_ms\n1000000,1\n2000000,3\n3000000,5\n");
    const out = join(tmp, "neg.json");
    const r = await runCli("calibrate", f, "--target", "stm32f446re", "-o", out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}: the fit's intercept is -1.00 ms`);
    expect(existsSync(out)).toBe(false);
    const o = await runCli("calibrate", f, "--target", "stm32f446re", "--origin", "-o", out);
    expect(o.code, o.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8")).latency.families.kws.overheadMs).toBe(0);
  });
});

describe("calibrate: bad input exits 2 naming the file, line and column", () => {
  async function fails(text: string, ...fragments: (string | RegExp)[]): Promise<void> {
    const f = csv(`bad-${Math.random().toString(36).slice(2)}.csv`, text);
    const r = await runCli("calibrate", f, "--target", "stm32f746zg");
    expect(r.code, r.stdout).toBe(2);
    expect(r.stdout).toBe("");
    const line = r.stderr.trimEnd();
    expect(line.split("\n")).toHaveLength(1);
    expect(line.startsWith(`micronets: error: ${f}: `)).toBe(true);
    for (const frag of fragments) expect(line).toMatch(frag);
  }

  it("a value that is not a number", () => fails("# c\nmops,latency_ms\n16.4,109\n30.6,1o7\n", "line 4, column 2 (latency_ms): not a number: '1o7'"));
  it("an empty required value", () => fails("mops,latency_ms\n16.4,\n", "line 2, column 2 (latency_ms): not a number: ''"));
  it("a non-positive latency", () => fails("mops,latency_ms\n16.4,0\n", "line 2, column 2 (latency_ms): must be greater than 0"));
  it("a wrong field count", () => fails("mops,latency_ms\n16.4,109,3\n", "line 2: 3 fields, but the header (line 1) has 2"));
  it("an unknown column", () => fails("mops,latency_msec\n16.4,109\n", "line 1, column 2: unknown column 'latency_msec'"));
  it("no op column", () => fails("name,latency_ms\nx,109\n", "line 1: the header needs one of the columns model, ops, mops, macs"));
  it("two op counts on one row", () => fails("ops,mops,latency_ms\n1000,1,5\n2000,,6\n", "line 2: give exactly one of ops, mops per row (ops and mops are both given)"));
  it("an unterminated quote", () => fails('name,mops,latency_ms\n"KWS,16.4,109\n', "line 2, column 1: unterminated quoted field"));
  it("a missing model file", () => fails("model,latency_ms\nnope.tflite,10\n", /line 2, column 1 \(model\): model .*nope\.tflite: cannot read: no such file/));
  it("a single row", () => fails("mops,latency_ms\n16.4,109\n", "at least two models with different op counts"));
  it("no rows", () => fails("# only a header\nmops,latency_ms\n", "line 2: no measurement rows after the header"));
  it("energy and power together", () => fails("mops,latency_ms,energy_mj,power_mw\n16.4,109,48.6,446\n30.6,187,,\n", "line 2, column 4 (power_mw): give energy_mj or power_mw, not both"));

  it("--target is required; an unknown target is a usage error", async () => {
    expect((await runCli("calibrate", F746)).code).toBe(2);
    const r = await runCli("calibrate", F746, "--target", "esp32");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown target 'esp32'");
  });

  it("a missing CSV is an io error naming it", async () => {
    const r = await runCli("calibrate", "no-such.csv", "--target", "stm32f746zg");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no-such.csv: cannot read: no such file");
  });
});
