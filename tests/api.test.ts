// The library API as a user imports it: by package name, through package.json "exports" (the built dist/).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze, compile, isMicronetsError, loadModel, planArena, verify, listTargets, VERSION } from "micronets";

describe('import { loadModel, analyze, planArena, compile, verify } from "micronets"', () => {
  const model = loadModel("fixtures/models/kws_ref_model.tflite");

  it("loadModel reads a file or bytes", () => {
    expect(model.format).toBe("tflite");
    expect(model.graph.operators).toHaveLength(13);
    const fromBytes = loadModel({ bytes: new Uint8Array(readFileSync("fixtures/architectures/micronet-kws-s.json")), name: "kws-s.json" });
    expect(fromBytes.format).toBe("architecture");
    expect(fromBytes.searchSpace).toBe("kws");
  });

  it("analyze gives the report (MACs, the deployed arena beside TFLM's) and target fit", () => {
    const r = analyze(model, { target: "stm32f446re" });
    expect(r.totals.macs).toBe(2_656_768);
    // The default deployment is the portable C `compile` generates: 8,384 B, the SRAM share of the linked
    // kws firmware (bench:mcu, arm-none-eabi-size); TFLM plans 16,000 B (its golden head) for the tensors.
    expect(r.deployment.backend).toBe("portable");
    expect(r.totals.peakSramBytes).toBe(8_384);
    expect(r.totals.peakSramBytes).toBe(compile(model).arenaBytes);
    expect(r.deployment.tflmArenaBytes).toBe(16_000);
    expect(r.target?.fit.fits).toBe(true);
    expect(listTargets()).toContain("stm32f446re");
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("planArena returns TFLM's plan", () => {
    const golden = JSON.parse(readFileSync("../shared/golden/tflm/kws_ref_model.reference.json", "utf8"));
    const plan = planArena(model);
    expect(plan.total).toBe(16_000);
    expect(plan.buffers.map((b) => b.offset)).toEqual(golden.memory_plan.map((b: { offset: number }) => b.offset));
  });

  it("compile returns C sources", () => {
    const c = compile(model, { prefix: "kws" });
    expect(c.files.map((f) => f.name).sort()).toEqual(["kws_model.c", "kws_model.h"]);
  });

  it("verify compares engines with the reference", async () => {
    const v = await verify(model, { engines: ["wasm"] });
    expect(v.ok).toBe(true);
    expect(v.verdicts[0]!.comparison.tensors).toBe(14);
  });

  it("errors are typed", () => {
    try {
      loadModel("fixtures/models/README.md");
      expect.unreachable();
    } catch (e) {
      expect(isMicronetsError(e)).toBe(true);
    }
  });
});
