import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyzeGraph } from "../src/analysis/analyze.js";
import { planArena } from "../src/analysis/arena-plan.js";
import { estimateFlash } from "../src/analysis/flash.js";
import { loadTarget, type Target } from "../src/analysis/targets.js";
import { readTflite } from "../src/frontends/tflite/read-tflite.js";
import type { Graph } from "../src/ir/types.js";

const MODELS = ["kws_ref_model", "person_detect", "ad01_int8", "hello_world_int8"] as const;
const load = (m: string): Graph => readTflite(readFileSync(`fixtures/models/${m}.tflite`), m);
const golden = (m: string) => JSON.parse(readFileSync(`../shared/golden/tflm/${m}.reference.json`, "utf8"));

describe("analyzeGraph", () => {
  it("peak SRAM is TFLM's planned arena and the plan is TFLM's, for all four models", () => {
    for (const m of MODELS) {
      const a = analyzeGraph(load(m));
      const g = golden(m);
      expect(a.totals.peakSramBytes).toBe(g.arena.head_nonpersistent_bytes);
      expect(a.arena.buffers.map((b) => b.offset)).toEqual(g.memory_plan.map((b: { offset: number }) => b.offset));
      expect(a.totals.sramLowerBound).toBeLessThanOrEqual(a.totals.peakSramBytes);
      expect(a.target).toBeNull();
      expect(a.layers.every((l) => l.latencyMs === null && l.energyMj === null)).toBe(true);
    }
  });

  it("per-layer figures line up with the graph", () => {
    const g = load("kws_ref_model");
    const a = analyzeGraph(g);
    expect(a.layers).toHaveLength(13);
    expect(a.layers[0]).toMatchObject({
      index: 0, type: "CONV_2D", kernel: "conv_generic", outputTensor: 22, outputShape: [1, 25, 5, 64],
      inputShapes: [[1, 49, 10, 1]], constantShapes: [[64, 10, 4, 1], [64]], macs: 320_000, ops: 640_000,
    });
    expect(a.totals.macs).toBe(2_656_768);
    expect(a.totals.inputBytes).toBe(49 * 10);
    expect(a.totals.outputBytes).toBe(12);
    expect(a.totals.flashBytes).toBe(a.layers.reduce((s, l) => s + l.flashBytes, 0) + a.totals.flash.kernels + a.totals.flash.runtime);
  });

  it("with a target: latency = ops / throughput + overhead, energy = power × latency (MicroNets)", () => {
    const t = loadTarget("stm32f746zg");
    const a = analyzeGraph(load("kws_ref_model"), { target: t });
    const fam = t.latency.families.kws!;
    const expected = ((2 * 2_656_768) / 1e6 / fam.throughputMopsPerS) * 1000 + fam.overheadMs;
    expect(a.target!.latencyMs).toBeCloseTo(expected, 9);
    // Hand figure from the paper's fit: 5.313536 Mops × 4.39 ms/Mop + 44.2 ms ≈ 67.53 ms.
    expect(a.target!.latencyMs).toBeCloseTo(5.313536 * 4.39 + 44.2, 1);
    expect(a.target!.energyMj).toBeCloseTo((446 * expected) / 1000, 9);
    const perLayer = a.layers.reduce((s, l) => s + l.latencyMs!, 0);
    expect(perLayer + fam.overheadMs).toBeCloseTo(a.target!.latencyMs, 9);
    expect(a.target!.latencyModel).toMatchObject({ family: "kws", target: "stm32f746zg", powerMw: 446 });
  });

  it("fit: used vs total minus reserve, headroom in bytes and percent", () => {
    const t = loadTarget("stm32f446re");
    const a = analyzeGraph(load("person_detect"), { target: t });
    const sram = a.target!.fit.sram;
    const reserve = t.sram.reserve.stack + t.sram.reserve.application + t.sram.reserve.runtime;
    expect(sram).toEqual({
      used: 55_296,
      total: 128 * 1024,
      reserve,
      available: 128 * 1024 - reserve,
      headroomBytes: 128 * 1024 - reserve - 55_296,
      headroomPercent: ((128 * 1024 - reserve - 55_296) / (128 * 1024 - reserve)) * 100,
      fits: true,
    });
    expect(a.target!.fit.flash.used).toBe(a.totals.flashBytes);
    expect(a.target!.fit.fits).toBe(a.target!.fit.sram.fits && a.target!.fit.flash.fits);

    const tiny: Target = { ...t, sram: { ...t.sram, totalBytes: 60_000 } };
    const b = analyzeGraph(load("person_detect"), { target: tiny });
    expect(b.target!.fit.sram.fits).toBe(false);
    expect(b.target!.fit.sram.headroomBytes).toBe(60_000 - reserve - 55_296);
    expect(b.target!.fit.fits).toBe(false);
  });

  it("targets without a power figure give no energy; unknown latency families are rejected", () => {
    const a = analyzeGraph(load("ad01_int8"), { target: loadTarget("stm32f767zi"), latencyFamily: "ad" });
    expect(a.target!.energyMj).toBeNull();
    expect(a.target!.latencyModel.family).toBe("ad");
    expect(() => analyzeGraph(load("ad01_int8"), { target: loadTarget("stm32f767zi"), latencyFamily: "ic" })).toThrow(/has: kws, vww, ad/);
  });

  it("deployment: TFLM's by default; a supplied plan and flash model are the figures the fit uses", () => {
    const g = load("person_detect");
    const head = golden("person_detect").arena.head_nonpersistent_bytes;
    const a = analyzeGraph(g);
    expect(a.deployment).toEqual({ backend: "tflm", arenaBytes: head, flashBytes: a.totals.flashBytes, flashModel: "cmsis-nn", wideWeights: false, tflmArenaBytes: head, scratchBytes: 0, inPlaceLayers: 0 });
    // A deployed plan from elsewhere (here: every tensor in its own bytes, plus a 100-byte scratch buffer).
    const linear = planArena(g, { algorithm: "linear", scratch: [{ op: 0, size: 100 }] });
    const t = loadTarget("stm32f446re");
    const b = analyzeGraph(g, { backend: "cmsis-nn", arenaPlan: linear, flashBackend: "portable", target: t });
    expect(b.arena).toBe(linear);
    expect(b.totals.peakSramBytes).toBe(linear.total);
    expect(b.target!.fit.sram.used).toBe(linear.total);
    expect(b.totals.flashBytes).toBe(estimateFlash(g, { backend: "portable" }).total);
    expect(b.target!.fit.flash.used).toBe(b.totals.flashBytes);
    // 112 = the 100-byte request rounded up to TFLM's 16-byte alignment.
    expect(b.deployment).toMatchObject({ backend: "cmsis-nn", arenaBytes: linear.total, flashModel: "portable", tflmArenaBytes: head, scratchBytes: 112 });
    expect(() => analyzeGraph(g, { backend: "tvm" as never })).toThrow(/unknown backend 'tvm'/);
  });

  it("is plain JSON and works on shape-only graphs", () => {
    const g = load("person_detect");
    const a = analyzeGraph(g, { target: loadTarget("stm32l4r5zi"), planner: "linear" });
    expect(JSON.parse(JSON.stringify(a))).toStrictEqual(a);
    expect(a.arena.algorithm).toBe("linear");
    const shapeOnly = { ...g, tensors: g.tensors.map((t) => (t.constant ? { ...t, data: null } : t)) };
    expect(analyzeGraph(shapeOnly, { target: loadTarget("stm32l4r5zi"), planner: "linear" })).toStrictEqual(a);
  });
});
