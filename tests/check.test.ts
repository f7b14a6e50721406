/**
 * `micronets check`, the CI gate: budget failures and regressions with their exact messages, the three exit
 * codes, --md and --json, and budget/baseline files against their schemas. Expected figures are hand-derived
 * (MACs from the layer lists), come from TFLM's golden plan (person_detect's 55,296-byte arena, with
 * --backend tflm) or from the linked firmware (person_detect's portable arena: 38,832 B measured by bench:mcu).
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { loadTarget } from "../src/analysis/targets.js";
import { runCli } from "./helpers/cli.js";

const PD = "fixtures/models/person_detect.tflite";
const KWS_S = "fixtures/architectures/micronet-kws-s.json";
const KWS_M = "fixtures/architectures/micronet-kws-m.json";
const tmp = mkdtempSync(join(tmpdir(), "mn-check-"));
const goldenArena: number = JSON.parse(readFileSync("../shared/golden/tflm/person_detect.reference.json", "utf8")).arena.head_nonpersistent_bytes;

function file(name: string, content: unknown): string {
  const p = join(tmp, name);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return p;
}

const n = (v: number): string => Math.round(v).toLocaleString("en-US");

/** MACs of a MicroNet-KWS layer list (micronets-paper.md Table 5): conv 10×4 on 49×10, DS blocks on 25×5, FC. */
function kwsMacs(first: number, blocks: number[]): number {
  let macs = 49 * 10 * first * 10 * 4;
  let c = first;
  for (const out of blocks) {
    macs += 25 * 5 * c * 9 + 25 * 5 * c * out;
    c = out;
  }
  return macs + c * 12;
}

async function analyzeJson(model: string, ...args: string[]): Promise<Record<string, any>> {
  const r = await runCli("analyze", model, "--json", ...args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe("micronets check: budgets", () => {
  it("fails an SRAM budget with the exact message and exit 1 (person_detect: TFLM's 55,296 B arena)", async () => {
    expect(goldenArena).toBe(55_296);
    const r = await runCli("check", PD, "--budget", "fixtures/budgets/person-detect-tight.json", "--backend", "tflm");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toContain("FAIL sram: 55,296 B > budget 50,000 B (+5,296 B, +10.6 %)");
    // person_detect: 7,157,888 MACs (the model's conv/depthwise/FC layers) against "8M".
    expect(lines).toContain("PASS macs: 7,157,888 MACs ≤ budget 8,000,000 MACs (-842,112 MACs, -10.5 %)");
    expect(lines.at(-1)).toBe("check FAILED: 1 of 3 checks failed");
  });

  it("checks the deployed arena: the portable code's 38,832 B pass the budget TFLM's plan fails", async () => {
    // 38,832 B: the SRAM share of the linked person_detect firmware (bench:mcu, arm-none-eabi-size).
    const r = await runCli("check", PD, "--budget", "fixtures/budgets/person-detect-tight.json");
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain("PASS sram: 38,832 B ≤ budget 50,000 B (-11,168 B, -22.3 %)");
    const c = await runCli("check", PD, "--budget", "fixtures/budgets/person-detect-tight.json", "--backend", "cmsis-nn");
    // person_detect's CMSIS-NN scratch buffers fit in the gaps of TFLM's plan: the same 55,296 B.
    expect(c.stdout).toContain("FAIL sram: 55,296 B > budget 50,000 B");
  });

  it("a percentage limit is of what the target leaves the model (total − reserve)", async () => {
    const budget = file("pct.json", { limits: { sram: "40%" } });
    const r = await runCli("check", PD, "--budget", budget, "--target", "stm32f446re", "--backend", "tflm");
    expect(r.code).toBe(1);
    const t = loadTarget("stm32f446re");
    const avail = t.sram.totalBytes - (t.sram.reserve.stack + t.sram.reserve.application + t.sram.reserve.runtime);
    const limit = Math.floor(avail * 0.4);
    const diff = 55_296 - limit;
    expect(r.stdout).toContain(`FAIL sram: 55,296 B > budget ${n(limit)} B = 40 % of the ${n(avail)} B stm32f446re leaves the model (+${n(diff)} B, +${((100 * diff) / limit).toFixed(1)} %)`);
    // No flash limit in the budget: the target's available flash is the limit.
    expect(r.stdout).toMatch(/^PASS flash: [\d,]+ B ≤ available 491,520 B on stm32f446re = 524,288 B − 32,768 B reserved \(-[\d,]+ B, -[\d.]+ %\)$/m);
  });

  it("latency and energy limits: hand-derived MicroNet-KWS-M figures on the F746ZG", async () => {
    const ops = 2 * kwsMacs(140, [140, 140, 140, 112, 196]);
    expect((ops / 1e6).toFixed(2)).toBe("31.11"); // micronets-paper.md, integer output sizes
    const m = loadTarget("stm32f746zg").latency.families.kws!;
    const ms = (ops / 1e6 / m.throughputMopsPerS) * 1000 + m.overheadMs;
    const mj = (446 * ms) / 1000;
    const budget = file("lat.json", { target: "stm32f746zg", limits: { latency: "150ms", energy: 100, ops: "31.2M" } });
    const r = await runCli("check", KWS_M, "--budget", budget);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL latency: ${ms.toFixed(2)} ms > budget 150.00 ms (+${(ms - 150).toFixed(2)} ms, +${((100 * (ms - 150)) / 150).toFixed(1)} %)`);
    expect(r.stdout).toContain(`PASS energy: ${mj.toFixed(3)} mJ ≤ budget 100.000 mJ (-${(100 - mj).toFixed(3)} mJ, -${(100 - mj).toFixed(1)} %)`);
    expect(r.stdout).toContain(`PASS ops: ${n(ops)} ops ≤ budget 31,200,000 ops (-${n(31_200_000 - ops)} ops`);
  });

  it("passes with exit 0 when everything fits (the example KWS budget)", async () => {
    const r = await runCli("check", KWS_S, "--budget", "fixtures/budgets/kws-f746zg.json");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("check passed: 5 of 5 checks passed");
    expect(r.stdout).not.toContain("FAIL");
  });

  it("a model that does not fit the target fails without any budget", async () => {
    // MicroNet-KWS-L's arena is larger than the F446RE's available SRAM (the paper: KWS-L does not fit S).
    const r = await runCli("check", "fixtures/architectures/micronet-kws-l.json", "--target", "stm32f446re");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL sram: [\d,]+ B > available 110,592 B on stm32f446re = 131,072 B − 20,480 B reserved \(\+[\d,]+ B, \+[\d.]+ %\)$/m);
  });
  it("a budget's target may be a target file, relative to the budget", async () => {
    const budget = file("rel-target.json", { target: relative(tmp, resolve("targets/stm32f446re.json")), limits: { ops: "1M" } });
    const r = await runCli("check", PD, "--budget", budget, "--json");
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.target).toEqual({ name: "stm32f446re", family: "kws", familyFrom: "default" });
    expect(json.checks.map((c: { kind: string; metric: string }) => `${c.kind} ${c.metric}`)).toEqual(["fit sram", "fit flash", "budget ops"]);
  });
});

describe("micronets check: baseline regressions", () => {
  it("fails a regression beyond the tolerance with the exact message (KWS-M against a KWS-S baseline)", async () => {
    const base = file("kws-s.report.json", await analyzeJson(KWS_S, "--target", "stm32f746zg"));
    const opsS = 2 * kwsMacs(84, [112, 84, 84, 84, 196]);
    const opsM = 2 * kwsMacs(140, [140, 140, 140, 112, 196]);
    const r = await runCli("check", KWS_M, "--target", "stm32f746zg", "--baseline", base, "--tolerance", "2%");
    expect(r.code).toBe(1);
    const limit = opsS * 1.02;
    const pct = ((100 * (opsM - opsS)) / opsS).toFixed(1);
    expect(r.stdout).toContain(`FAIL ops regression: ${n(opsM)} ops > baseline ${n(opsS)} ops + 2 % = ${n(limit)} ops (+${n(opsM - opsS)} ops, +${pct} % vs baseline)`);
    expect(r.stdout).toMatch(/^FAIL latency regression: [\d.]+ ms > baseline [\d.]+ ms \+ 2 % = [\d.]+ ms \(\+[\d.]+ ms, \+[\d.]+ % vs baseline\)$/m);
  });

  it("an edited baseline: sram +10.6 % fails a 2 % tolerance, passes a per-metric 11 %", async () => {
    const rep = await analyzeJson(PD, "--backend", "tflm");
    rep.totals.peakSramBytes = 50_000;
    const base = file("pd.report.json", rep);
    const r = await runCli("check", PD, "--baseline", base, "--tolerance", "2%", "--backend", "tflm");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL sram regression: 55,296 B > baseline 50,000 B + 2 % = 51,000 B (+5,296 B, +10.6 % vs baseline)");
    expect(r.stdout).toContain("PASS flash regression:");
    expect(r.stdout).toContain("SKIP latency regression: no target given");
    const ok = await runCli("check", PD, "--baseline", base, "--tolerance", "2%,sram=11%", "--backend", "tflm");
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toContain("PASS sram regression: 55,296 B ≤ baseline 50,000 B + 11 % = 55,500 B (+5,296 B, +10.6 % vs baseline)");
  });

  it("an unchanged model passes its own baseline at 0 % tolerance (exit 0), latency and energy included", async () => {
    const base = file("same.json", await analyzeJson(KWS_S, "--target", "stm32f446re"));
    const r = await runCli("check", KWS_S, "--target", "stm32f446re", "--baseline", base);
    expect(r.code, r.stdout).toBe(0);
    for (const m of ["sram", "flash", "ops", "macs", "params", "latency", "energy"]) expect(r.stdout).toContain(`PASS ${m} regression:`);
    expect(r.stdout).toContain("(±0 B, ±0.0 % vs baseline)");
  });

  it("latency/energy are not compared across targets or families", async () => {
    const base = file("f446.json", await analyzeJson(KWS_S, "--target", "stm32f446re"));
    const r = await runCli("check", KWS_S, "--target", "stm32f746zg", "--baseline", base);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("SKIP latency regression: the baseline was made for stm32f446re / family 'kws', this check for stm32f746zg / 'kws'");
  });

  it("a baseline's sram and flash count only for the same backend; a report from before deployment figures is TFLM's", async () => {
    const portable = await analyzeJson(PD);
    const old = await analyzeJson(PD, "--backend", "tflm");
    delete old.deployment; // as `analyze --json` wrote it before: TFLM's plan, the CMSIS-NN flash model
    const oldBase = file("old.report.json", old);
    const r = await runCli("check", PD, "--baseline", oldBase);
    expect(r.code, r.stdout).toBe(0);
    const skip = "the baseline has no deployment figures (TFLM's plan, the CMSIS-NN flash model: backend tflm), this check's for portable; check with --backend tflm or make a new baseline";
    expect(r.stdout).toContain(`SKIP sram regression: ${skip}`);
    expect(r.stdout).toContain(`SKIP flash regression: ${skip}`);
    for (const m of ["ops", "macs", "params"]) expect(r.stdout).toContain(`PASS ${m} regression:`);
    const t = await runCli("check", PD, "--baseline", oldBase, "--backend", "tflm");
    expect(t.code, t.stdout).toBe(0);
    expect(t.stdout).toContain("PASS sram regression: 55,296 B ≤ baseline 55,296 B + 0 % = 55,296 B (±0 B, ±0.0 % vs baseline)");
    expect(t.stdout).toContain("PASS flash regression:");
    // A new report: compared with the same backend, skipped with another.
    const newBase = file("new.report.json", portable);
    const same = await runCli("check", PD, "--baseline", newBase);
    expect(same.stdout).toContain("PASS sram regression: 38,832 B ≤ baseline 38,832 B");
    const other = await runCli("check", PD, "--baseline", newBase, "--backend", "cmsis-nn");
    expect(other.stdout).toContain("SKIP sram regression: the baseline's sram and flash are for backend portable, this check's for cmsis-nn; check with --backend portable or make a new baseline");
    // A grown arena in a same-backend baseline still fails.
    portable.totals.peakSramBytes = 30_000;
    const grown = await runCli("check", PD, "--baseline", file("grown.report.json", portable));
    expect(grown.code).toBe(1);
    expect(grown.stdout).toContain("FAIL sram regression: 38,832 B > baseline 30,000 B + 0 % = 30,000 B (+8,832 B, +29.4 % vs baseline)");
  });

  it("budget file tolerances win over --tolerance for their metric; the budget may name the baseline", async () => {
    const rep = await analyzeJson(PD);
    rep.totals.flashBytes -= 1000;
    file("b.report.json", rep);
    const budget = file("with-baseline.json", { baseline: "b.report.json", tolerances: { flash: "0%" } });
    const r = await runCli("check", PD, "--budget", budget, "--tolerance", "5%");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL flash regression: [\d,]+ B > baseline [\d,]+ B \+ 0 % = [\d,]+ B \(\+1,000 B, \+[\d.]+ % vs baseline\)$/m);
  });
});

describe("micronets check: outputs", () => {
  it("--md writes a markdown summary (atomic) and --json prints a schema-valid result", async () => {
    const md = join(tmp, "summary.md");
    const r = await runCli("check", PD, "--budget", "fixtures/budgets/person-detect-tight.json", "--md", md, "--json", "--backend", "tflm");
    expect(r.code).toBe(1);
    const text = readFileSync(md, "utf8");
    expect(text).toContain("## micronets check: ❌ failed");
    expect(text).toContain("| ❌ **FAIL** | sram | 55,296 B | budget 50,000 B | +5,296 B (+10.6 %) |");
    expect(readdirSync(tmp).filter((f) => f.includes(".tmp"))).toEqual([]);
    const json = JSON.parse(r.stdout);
    const ajv = new Ajv2020.default({ strict: true, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync("schemas/check-result.schema.json", "utf8")));
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.passed).toBe(false);
    expect(json.summary).toEqual({ checks: 3, passed: 2, failed: 1 });
    expect(json.checks[0]).toMatchObject({ kind: "budget", metric: "sram", unit: "B", value: 55_296, limit: 50_000, difference: 5_296, passed: false });
    expect(json.checks[0].differencePercent).toBeCloseTo(10.592, 9);
  });

  it("the model's searchSpace picks the latency family; --family overrides it", async () => {
    const doc = JSON.parse(readFileSync("fixtures/architectures/micronet-vww-2.json", "utf8"));
    doc.searchSpace = "vww";
    const f = file("vww2.json", doc);
    const r = await runCli("check", f, "--target", "stm32f746zg", "--json");
    expect(JSON.parse(r.stdout).target).toEqual({ name: "stm32f746zg", family: "vww", familyFrom: "model" });
    const o = await runCli("check", f, "--target", "stm32f746zg", "--family", "kws", "--json");
    expect(JSON.parse(o.stdout).target).toEqual({ name: "stm32f746zg", family: "kws", familyFrom: "option" });
  });

  it("budget fixtures validate against schemas/budget.schema.json (usable through $schema in editors)", () => {
    const schema = JSON.parse(readFileSync("schemas/budget.schema.json", "utf8"));
    expect(schema.$id).toBe("https://micronets.dev/schemas/budget.schema.json");
    const ajv = new Ajv2020.default({ strict: true });
    const validate = ajv.compile(schema);
    for (const f of readdirSync("fixtures/budgets").filter((x) => x.endsWith(".json"))) {
      const doc = JSON.parse(readFileSync(`fixtures/budgets/${f}`, "utf8"));
      expect(validate(doc), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(doc.$schema).toBe(schema.$id);
    }
  });

  it("an analyze --json report is a valid baseline (schemas/baseline.schema.json)", async () => {
    const ajv = new Ajv2020.default({ strict: true });
    const validate = ajv.compile(JSON.parse(readFileSync("schemas/baseline.schema.json", "utf8")));
    expect(validate(await analyzeJson(PD, "--target", "stm32f746zg"))).toBe(true);
    expect(validate(await analyzeJson(PD))).toBe(true);
    expect(validate({ totals: { peakSramBytes: 1 } })).toBe(false);
  });
});

describe("micronets check: bad input exits 2 with one line", () => {
  async function bad(args: string[], ...fragments: string[]): Promise<void> {
    const r = await runCli("check", ...args);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    for (const f of fragments) expect(r.stderr).toContain(f);
  }

  it("an unknown metric in the budget", async () => {
    const b = file("bad1.json", { limits: { sramm: 1 } });
    await bad([PD, "--budget", b], `${b}: /limits: unknown property 'sramm'; known metrics: sram, flash, ops, macs, params, latency, energy`);
  });
  it("a malformed quantity", async () => {
    const b = file("bad2.json", { limits: { sram: "256 KiBB" } });
    await bad([PD, "--budget", b], `${b}: /limits/sram: expected bytes, a size such as "256KiB", or a percentage such as "80%", got "256 KiBB"`);
  });
  it("a percentage latency", async () => {
    const b = file("bad3.json", { limits: { latency: "50%" } });
    await bad([PD, "--budget", b], `${b}: /limits/latency: expected a latency in ms such as 200 or "200ms", got "50%"`);
  });
  it("JSON syntax errors are placed at line:column", async () => {
    const b = file("bad4.json", '{\n  "limits": { "sram": 1, }\n}');
    await bad([PD, "--budget", b], b, "2:");
  });
  it("a percentage or latency limit without a target", async () => {
    await bad([PD, "--budget", file("bad5.json", { limits: { sram: "50%" } })], "is a percentage of the target: give --target");
    await bad([PD, "--budget", file("bad6.json", { limits: { latency: 100 } })], "the latency limit in", "needs a target");
  });
  it("an energy limit on a target without a power figure", async () => {
    const b = file("bad7.json", { limits: { energy: 10 } });
    await bad([PD, "--budget", b, "--target", "stm32f767zi"], `${b}: /limits/energy: target 'stm32f767zi' has no power figure`);
  });
  it("a budget written for another target", async () => {
    await bad([KWS_S, "--budget", "fixtures/budgets/kws-f746zg.json", "--target", "stm32f446re"], "is for target 'stm32f746zg', but --target is 'stm32f446re'");
  });
  it("a baseline that is not a report", async () => {
    const b = file("notreport.json", { totals: { ops: 3 } });
    await bad([PD, "--baseline", b], `${b}: /totals: not a baseline report`, "'peakSramBytes'");
  });
  it("bad --tolerance values and nothing to check", async () => {
    await bad([PD, "--baseline", "x.json", "--tolerance", "2"], "--tolerance: '2' is not a percentage such as 2%");
    await bad([PD, "--baseline", "x.json", "--tolerance", "srm=1%"], "--tolerance: unknown metric 'srm'");
    await bad([PD], "nothing to check; give --target, --budget or --baseline");
  });
  it("a missing model or budget file", async () => {
    await bad(["nope.tflite", "--target", "stm32f746zg"], "nope.tflite: cannot read: no such file");
    await bad([PD, "--budget", "nope.json"], "nope.json: cannot read: no such file");
    expect(existsSync("nope.json")).toBe(false);
  });
});
