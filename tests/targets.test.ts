import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { listTargets, loadTarget, parseTarget, targetSchemaPath, targetsDir } from "../src/analysis/targets.js";
import { isMicronetsError, type MicronetsError } from "../src/errors.js";

const KiB = 1024;
const NAMES = ["nrf52840", "stm32f446re", "stm32f746zg", "stm32f767zi", "stm32h7a3zi", "stm32l4r5zi"];

function caught(f: () => unknown): MicronetsError {
  try {
    f();
  } catch (e) {
    if (isMicronetsError(e)) return e;
    throw e;
  }
  throw new Error("expected a MicronetsError");
}

function writeTemp(json: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "micronets-target-"));
  const file = join(dir, "t.json");
  writeFileSync(file, typeof json === "string" ? json : JSON.stringify(json));
  return file;
}

const raw = (name: string) => JSON.parse(readFileSync(join(targetsDir(), `${name}.json`), "utf8"));

describe("targets", () => {
  it("ships the six MCUs of targets.md", () => {
    expect(listTargets()).toEqual(NAMES);
  });

  it("the schema is JSON Schema 2020-12 with the published $id", () => {
    const schema = JSON.parse(readFileSync(targetSchemaPath(), "utf8"));
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.$id).toBe("https://micronets.dev/schemas/target.schema.json");
    expect(() => new Ajv2020.default({ strict: true }).compile(schema)).not.toThrow();
  });

  it("datasheet facts match targets.md (core, clock, flash, SRAM)", () => {
    const facts: Record<string, [string, number, number, number]> = {
      stm32f446re: ["cortex-m4", 180e6, 512 * KiB, 128 * KiB],
      stm32f746zg: ["cortex-m7", 216e6, 1024 * KiB, 320 * KiB],
      stm32f767zi: ["cortex-m7", 216e6, 2048 * KiB, 512 * KiB],
      stm32l4r5zi: ["cortex-m4", 120e6, 2048 * KiB, 640 * KiB],
      nrf52840: ["cortex-m4", 64e6, 1024 * KiB, 256 * KiB],
      stm32h7a3zi: ["cortex-m7", 280e6, 2048 * KiB, 1400 * KiB],
    };
    for (const name of NAMES) {
      const t = loadTarget(name);
      expect(t.name).toBe(name);
      expect([t.core, t.clockHz, t.flash.totalBytes, t.sram.totalBytes]).toEqual(facts[name]);
      expect(t.dsp).toBe(true);
      for (const [fam, f] of Object.entries(t.latency.families)) {
        expect(f.source.length, `${name} ${fam}`).toBeGreaterThan(20);
        expect(f.source).toMatch(/targets\.md|micronets-paper\.md/);
      }
      expect(t.latency.power.source).toMatch(/targets\.md|micronets-paper\.md/);
    }
  });

  it("latency coefficients follow the cited fits and anchors", () => {
    // micronets-paper.md fit: KWS MicroNets on F746ZG, 4.39 ms per Mop, intercept 44.2 ms.
    const m = loadTarget("stm32f746zg").latency.families.kws!;
    expect(1000 / m.throughputMopsPerS).toBeCloseTo(4.39, 3);
    expect(m.overheadMs).toBe(44.2);
    // targets.md: TFLM + CMSIS-NN v0.5 on L4R5ZI ran KWS (2 × 2,656,768 ops) in 181.92 ms.
    const k = loadTarget("stm32l4r5zi").latency.families.kws!;
    expect((2 * 2_656_768) / 1e6 / k.throughputMopsPerS * 1000).toBeCloseTo(181.92, 1);
    // Power: typ. 162 mW (F446RE) and 446 mW (F746ZG) from Table 4 energy ÷ latency.
    expect(loadTarget("stm32f446re").latency.power.mw).toBe(162);
    expect(loadTarget("stm32f746zg").latency.power.mw).toBe(446);
  });

  it("loads by file path as well as by name", () => {
    const byPath = loadTarget("targets/stm32f446re.json");
    expect(byPath.name).toBe("stm32f446re");
    expect(byPath.file).toBe(join(targetsDir(), "stm32f446re.json"));
  });

  it("an unknown name lists the known targets", () => {
    const e = caught(() => loadTarget("esp32"));
    expect(e.message).toContain("unknown target 'esp32'");
    expect(e.message).toContain(NAMES.join(", "));
    expect(e.exitCode).toBe(2);
  });

  it("an invalid file gets an error naming the file and the JSON path", () => {
    const bad = raw("stm32f446re");
    bad.sram.totalBytes = "128K";
    const file = writeTemp(bad);
    const e = caught(() => loadTarget(file));
    expect(e.file).toBe(file);
    expect(e.where).toBe("/sram/totalBytes");
    expect(e.message).toMatch(/integer/);

    const extra = raw("stm32f746zg");
    extra.latency.families.kws.slope = 4.39;
    const e2 = caught(() => parseTarget(extra, "x.json"));
    expect(e2.where).toBe("/latency/families/kws");
    expect(e2.message).toContain("'slope'");

    const noSource = raw("stm32f746zg");
    delete noSource.latency.families.vww.source;
    expect(caught(() => parseTarget(noSource, "x.json")).where).toBe("/latency/families/vww");
  });

  it("cross-field rules: default family must exist, reserves must fit the totals", () => {
    const t = raw("stm32f767zi");
    t.latency.defaultFamily = "ic";
    expect(caught(() => parseTarget(t, "x.json")).where).toBe("/latency/defaultFamily");
    const r = raw("stm32f767zi");
    r.sram.reserve.stack = 600 * KiB;
    expect(caught(() => parseTarget(r, "x.json")).where).toBe("/sram/reserve");
  });

  it("unreadable and non-JSON files are typed errors", () => {
    expect(caught(() => loadTarget("/nonexistent/dir/t.json")).kind).toBe("io");
    const e = caught(() => loadTarget(writeTemp("{ not json")));
    expect(e.kind).toBe("input");
    expect(e.message).toMatch(/not valid JSON/);
  });
});
