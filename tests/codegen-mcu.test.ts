/**
 * Generated C on emulated Cortex-M4 (QEMU mps2-an386) and Cortex-M7 (mps2-an500), built with the emulator
 * harness (arm-none-eabi-gcc -O2 -Wall -Wextra -Werror): the four shared models bit-exact with TFLite
 * Micro's outputs on both cores — exercising the DSP instruction paths the host cannot run — with exact
 * per-layer instruction counts; `micronets analyze`'s SRAM and flash against the linked images; and the
 * CMSIS-NN backend's output compiling warning-free for the M4 against the declarations header written from
 * the API facts.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeModel } from "../src/api/analyze-model.js";
import { buildCmsisNnLibrary, buildMcu, compileModel, mcuSize, runMcu, templatesDir } from "../src/codegen/index.js";
import { findToolchain, toolchainProblem, type CortexCore } from "../src/emulator/index.js";
import { loadModelFile } from "../src/frontends/load-model.js";
import { fillInput, runReference } from "../src/reference/interpreter.js";
import { compareOutputs, OPS_DOCS, opsGraph } from "./helpers/codegen-ops.js";
import { firstMismatch, GOLDEN_MODELS, loadFixtureModel, loadGolden } from "./helpers/golden.js";

const problem = toolchainProblem();
const work = mkdtempSync(join(tmpdir(), "micronets-codegen-mcu-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CORES: CortexCore[] = ["cortex-m4", "cortex-m7"];

describe.skipIf(problem !== undefined)("generated C on emulated Cortex-M", () => {
  for (const model of GOLDEN_MODELS) {
    it(`${model}: bit-exact with TFLM on Cortex-M4 and Cortex-M7, with per-layer instruction counts`, () => {
      const graph = loadFixtureModel(model);
      const golden = loadGolden(model);
      const input = golden.inputs[0]!.data;
      const r = compileModel(graph, { prefix: "m" });
      const counts: number[] = [];
      for (const core of CORES) {
        const fw = buildMcu(r, { core, outDir: join(work, `${model}-${core}`) });
        const run = runMcu(fw, new Uint8Array(input.buffer, input.byteOffset, input.byteLength), { countInstructions: true });
        const out = new Int8Array(run.output.buffer, run.output.byteOffset, run.output.byteLength);
        const m = firstMismatch(golden.outputs[0]!.data, out);
        expect(m && `${core}: first difference at ${m.element}: expected ${m.expected}, got ${m.actual}`).toBeNull();
        const ins = run.instructions!;
        expect(ins.layers.length).toBe(graph.operators.length);
        // Every layer that computes something costs instructions; together they are the inference but for
        // the input/output copies and the call overheads.
        const sum = ins.layers.reduce((a, b) => a + b, 0);
        expect(sum).toBeLessThanOrEqual(ins.inference);
        expect(sum).toBeGreaterThan(0.9 * ins.inference);
        graph.operators.forEach((op, i) => {
          if (op.type !== "RESHAPE") expect(ins.layers[i], `layer ${i}`).toBeGreaterThan(10);
        });
        // The static arena is the model's only SRAM beyond the test program's buffers.
        expect(mcuSize(fw).bss).toBeGreaterThanOrEqual(r.arenaBytes);
        counts.push(ins.inference);
      }
      // The same C on both cores: near-identical instruction counts (the compiler schedules differently).
      expect(Math.abs(counts[0]! - counts[1]!) / counts[0]!).toBeLessThan(0.05);
    });
  }

  it("analyze (default backend) predicts the linked firmware: the model's SRAM exactly, its flash within 2 %", () => {
    // The model's share of the firmware: arm-none-eabi-size of the M4 image minus the same program without
    // the model (as bench:mcu measures it), against `micronets analyze` as users run it.
    for (const model of GOLDEN_MODELS) {
      const loaded = loadModelFile(`fixtures/models/${model}.tflite`);
      const report = analyzeModel(loaded).report;
      const r = compileModel(loaded.graph, { prefix: "m" });
      const fw = mcuSize(buildMcu(r, { core: "cortex-m4", outDir: join(work, `${model}-size`), profileLayers: false }));
      const base = mcuSize(buildMcu(r, { core: "cortex-m4", outDir: join(work, `${model}-size-base`), baseline: true }));
      expect(report.deployment.backend).toBe("portable");
      expect(report.totals.peakSramBytes, model).toBe(fw.sram - base.sram);
      const flash = fw.flash - base.flash;
      expect(Math.abs(report.totals.flashBytes - flash) / flash, `${model}: estimate ${report.totals.flashBytes} B, linked ${flash} B`).toBeLessThan(0.02);
    }
  });

  it("wide weights (int16 pairs in flash): kws and ad01 bit-exact on Cortex-M4 with fewer instructions", () => {
    for (const model of ["kws_ref_model", "ad01_int8"]) {
      const golden = loadGolden(model);
      const input = golden.inputs[0]!.data;
      const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
      const counts: number[] = [];
      for (const wideWeights of [false, true]) {
        const r = compileModel(loadFixtureModel(model), { prefix: "m", wideWeights });
        const fw = buildMcu(r, { core: "cortex-m4", outDir: join(work, `${model}-wide-${wideWeights}`) });
        const run = runMcu(fw, bytes, { countInstructions: true });
        const m = firstMismatch(golden.outputs[0]!.data, new Int8Array(run.output.buffer, run.output.byteOffset, run.output.byteLength));
        expect(m, `${model} wide ${wideWeights}`).toBeNull();
        counts.push(run.instructions!.inference);
      }
      expect(counts[1]!).toBeLessThan(0.95 * counts[0]!);
    }
  });

  it("every op (the op-test architectures, every tensor compared) equals the reference interpreter on Cortex-M4", () => {
    for (const doc of OPS_DOCS) {
      for (const all of [true, false]) {
        const graph = opsGraph(doc, all);
        const n = graph.tensors[graph.inputs[0]!]!.shape.reduce((a, b) => a * b, 1);
        const input = fillInput(n);
        const expected = runReference(graph, [input]).outputs;
        const fw = buildMcu(compileModel(graph, { prefix: "ops" }), { core: "cortex-m4", outDir: join(work, `ops-${doc.name}-${all}`) });
        expect(compareOutputs(graph, expected, runMcu(fw, new Uint8Array(input.buffer)).output), `${doc.name} all ${all}`).toBeNull();
      }
    }
  });

  it("the portable output compiles warning-free at every optimisation level (the asm paths need -O1 or more)", () => {
    const { gcc } = findToolchain();
    const r = compileModel(loadFixtureModel("person_detect"), { prefix: "pd" });
    const dir = join(work, "levels");
    execFileSync("mkdir", ["-p", dir]);
    for (const f of r.files) writeFileSync(join(dir, f.name), f.contents);
    for (const level of ["-O0", "-Os", "-O3"]) {
      execFileSync(gcc, ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16", "-std=c99", level, "-Wall", "-Wextra", "-Werror", "-Wconversion", "-DMN_PROFILE_LAYERS", "-c", join(dir, r.sourceFile), "-o", join(dir, "model.o")], { stdio: "pipe" });
    }
  });

  it("the CMSIS-NN backend's output compiles warning-free for Cortex-M4 against the API declarations", () => {
    const { gcc } = findToolchain();
    for (const model of GOLDEN_MODELS) {
      const r = compileModel(loadFixtureModel(model), { backend: "cmsis-nn", core: "cortex-m4", prefix: "m" });
      const dir = join(work, `cmsis-${model}`);
      execFileSync("mkdir", ["-p", dir]);
      for (const f of r.files) writeFileSync(join(dir, f.name), f.contents);
      // The generated code includes CMSIS-NN's own header name.
      writeFileSync(join(dir, "arm_nnfunctions.h"), '#include "arm_nnfunctions_decls.h"\n');
      execFileSync(gcc, [
        "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16", "-std=c99", "-O2",
        "-Wall", "-Wextra", "-Werror", "-Wconversion", "-c", `-I${dir}`, `-I${join(templatesDir(), "cmsis-nn")}`,
        join(dir, r.sourceFile), "-o", join(dir, "model.o"),
      ], { stdio: "pipe" });
      expect(r.layers.some((l) => l.kernel.startsWith("arm_"))).toBe(true);
    }
  });
});

// Optional: with MICRONETS_CMSIS_NN_DIR naming a CMSIS-NN checkout (v7 API; not part of micronets), the
// CMSIS-NN backend's output is linked against the real library and run: bit-exact with TFLM on the M4.
const cmsisDir = process.env.MICRONETS_CMSIS_NN_DIR;
describe.skipIf(problem !== undefined || !cmsisDir)("the CMSIS-NN backend against the real CMSIS-NN library", () => {
  it("all four models are bit-exact with TFLM on Cortex-M4", () => {
    const lib = buildCmsisNnLibrary(cmsisDir!, "cortex-m4", work);
    for (const model of GOLDEN_MODELS) {
      const golden = loadGolden(model);
      const input = golden.inputs[0]!.data;
      const r = compileModel(loadFixtureModel(model), { backend: "cmsis-nn", core: "cortex-m4", prefix: "m" });
      const fw = buildMcu(r, { core: "cortex-m4", outDir: join(work, `cmsis-run-${model}`), libraries: [lib.archive], includeDirs: [lib.includeDir] });
      const run = runMcu(fw, new Uint8Array(input.buffer, input.byteOffset, input.byteLength), { countInstructions: true, timeoutMs: 120_000 });
      const m = firstMismatch(golden.outputs[0]!.data, new Int8Array(run.output.buffer, run.output.byteOffset, run.output.byteLength));
      expect(m, model).toBeNull();
    }
  }, 300_000);
});
