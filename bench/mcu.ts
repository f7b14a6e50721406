/**
 * Generated C on emulated Cortex-M4/M7, per shared model: MACs, exact instructions per inference and per
 * MAC (QEMU instruction counting, per-layer marks), flash and SRAM of the linked firmware from
 * arm-none-eabi-size — the model's own share, i.e. the firmware minus the same test program without the
 * model — against the analysis as users get it (`micronets analyze`, default backend; the target: within
 * ANALYZE_TOLERANCE_PCT), and SRAM against TFLite Micro's planned and measured arena.
 * Every run is checked bit-exact against TFLM's golden output first.
 *
 * With MICRONETS_CMSIS_NN_DIR naming a CMSIS-NN checkout, the CMSIS-NN backend is also linked against the
 * real library and measured, for comparison.
 *
 * `benchMcu()` returns the figures; `printMcuBench()` prints the table; `node dist/bench/mcu.js` does both.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { analyzeModel } from "../src/api/analyze-model.js";
import { buildCmsisNnLibrary, buildMcu, compileModel, mcuSize, planPortableArena, runMcu } from "../src/codegen/index.js";
import type { CortexCore, FirmwareSize } from "../src/emulator/index.js";
import { loadModelFile } from "../src/frontends/load-model.js";
import { fillInput } from "../src/reference/interpreter.js";

const ROOT = fileURLToPath(new URL(import.meta.url.includes("/dist/") ? "../../" : "../", import.meta.url));

export const MCU_BENCH_MODELS = ["kws_ref_model", "person_detect", "ad01_int8", "hello_world_int8"] as const;

/** How far (percent) analyze's flash and SRAM may be from the linked firmware's model share. */
export const ANALYZE_TOLERANCE_PCT = 2;

/** Runs of planPortableArena timed per model (the fastest is reported: the machine may be shared). */
const PLAN_RUNS = 20;

function planMs(graph: Parameters<typeof planPortableArena>[0]): number {
  let best = Infinity;
  for (let i = 0; i < PLAN_RUNS; i++) {
    const t0 = performance.now();
    planPortableArena(graph);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

export interface CoreFigures {
  /** invoke(): input copy, every layer, output copy (marker instructions excluded). */
  inference: number;
  perMac: number;
  /** Per layer, in execution order. */
  layers: number[];
}

export interface McuBenchRow {
  model: string;
  macs: number;
  m4: CoreFigures;
  m7: CoreFigures;
  /** arm-none-eabi-size of the M4 firmware (no profiling marks) and of the same program without the model. */
  firmware: FirmwareSize;
  baseline: FirmwareSize;
  /** The model's share: firmware minus baseline. */
  modelFlash: number;
  modelSram: number;
  /** The static arena of the generated code. */
  arenaBytes: number;
  /** TFLM's arena_used_bytes (reference kernels, 64-bit host) from the golden, and the ratio to the model's SRAM. */
  tflmArena: number;
  sramVsTflm: number;
  /** TFLM's planned bytes for the tensors, as the analysis reports them beside its own (deployment.tflmArenaBytes). */
  tflmPlanned: number;
  /** `micronets analyze`'s figures (default backend) and their error against the measured model share, in %. */
  estimate: { backend: string; flash: number; flashErrorPct: number; sram: number; sramErrorPct: number };
  stackBytes: number;
  /** planPortableArena's time (the analysis' arena planning, no code generated), fastest of PLAN_RUNS, ms. */
  planMs: number;
  /** The same model compiled with wide (int16) weights: M4 instructions, model flash and its estimate. */
  wide: { inference: number; perMac: number; modelFlash: number; estimate: number; errorPct: number };
  /**
   * With MICRONETS_CMSIS_NN_DIR: the CMSIS-NN backend linked against the real library, on the M4, and
   * `analyze --backend cmsis-nn`'s figures for it (its flash model is not calibrated).
   */
  cmsisNn?: { inference: number; perMac: number; layers: number[]; modelFlash: number; modelSram: number; estimateFlash: number; estimateSram: number };
}

function pct(estimate: number, measured: number): number {
  return ((estimate - measured) / measured) * 100;
}

function coreFigures(run: ReturnType<typeof runMcu>, macs: number): CoreFigures {
  const ins = run.instructions!;
  return { inference: ins.inference, perMac: macs > 0 ? ins.inference / macs : 0, layers: ins.layers };
}

export function benchMcu(models: readonly string[] = MCU_BENCH_MODELS): McuBenchRow[] {
  const work = mkdtempSync(join(tmpdir(), "micronets-bench-mcu-"));
  try {
    const cmsisDir = process.env.MICRONETS_CMSIS_NN_DIR;
    const cmsisLib = cmsisDir ? buildCmsisNnLibrary(cmsisDir, "cortex-m4", work) : undefined;
    return models.map((model) => {
      const loaded = loadModelFile(`${ROOT}fixtures/models/${model}.tflite`);
      const graph = loaded.graph;
      const golden = JSON.parse(readFileSync(`${ROOT}../shared/golden/tflm/${model}.reference.json`, "utf8")) as {
        arena: { arena_used_bytes: number };
        outputs: { data: number[] }[];
      };
      // The analysis as users get it: `micronets analyze model.tflite`.
      const analysis = analyzeModel(loaded).report;
      const macs = analysis.totals.macs;
      const r = compileModel(graph, { prefix: "m" });
      const n = graph.tensors[graph.inputs[0]!]!.shape.reduce((a, b) => a * b, 1);
      const input = fillInput(n);
      const bytes = new Uint8Array(input.buffer);
      const expected = Int8Array.from(golden.outputs[0]!.data);
      const runCore = (core: CortexCore) => {
        const fw = buildMcu(r, { core, outDir: join(work, `${model}-${core}`) });
        const run = runMcu(fw, bytes, { countInstructions: true });
        const out = new Int8Array(run.output.buffer, run.output.byteOffset, run.output.byteLength);
        if (out.length !== expected.length || out.some((v, i) => v !== expected[i])) throw new Error(`${model} on ${core}: output differs from TFLM's golden`);
        return run;
      };
      const m4 = runCore("cortex-m4");
      const m7 = runCore("cortex-m7");
      const plain = buildMcu(r, { core: "cortex-m4", outDir: join(work, `${model}-size`), profileLayers: false });
      const base = buildMcu(r, { core: "cortex-m4", outDir: join(work, `${model}-baseline`), baseline: true });
      const firmware = mcuSize(plain);
      const baseline = mcuSize(base);
      const modelFlash = firmware.flash - baseline.flash;
      const modelSram = firmware.sram - baseline.sram;
      // Wide weights: the same checks and measurements on the M4.
      const rw = compileModel(graph, { prefix: "m", wideWeights: true });
      const fwWide = buildMcu(rw, { core: "cortex-m4", outDir: join(work, `${model}-wide`) });
      const runWide = runMcu(fwWide, bytes, { countInstructions: true });
      const outWide = new Int8Array(runWide.output.buffer, runWide.output.byteOffset, runWide.output.byteLength);
      if (outWide.some((v, i) => v !== expected[i])) throw new Error(`${model} with wide weights: output differs from TFLM's golden`);
      const wideSize = mcuSize(buildMcu(rw, { core: "cortex-m4", outDir: join(work, `${model}-wide-size`), profileLayers: false }));
      const wideFlash = wideSize.flash - baseline.flash;
      const wideEstimate = analyzeModel(loaded, { wideWeights: true }).report.totals.flashBytes;
      let cmsisNn: McuBenchRow["cmsisNn"];
      if (cmsisLib) {
        const rc = compileModel(graph, { prefix: "m", backend: "cmsis-nn", core: "cortex-m4" });
        const link = { libraries: [cmsisLib.archive], includeDirs: [cmsisLib.includeDir] };
        const fwc = buildMcu(rc, { core: "cortex-m4", outDir: join(work, `${model}-cmsis`), ...link });
        const runc = runMcu(fwc, bytes, { countInstructions: true, timeoutMs: 120_000 });
        const outc = new Int8Array(runc.output.buffer, runc.output.byteOffset, runc.output.byteLength);
        if (outc.some((v, i) => v !== expected[i])) throw new Error(`${model} with CMSIS-NN: output differs from TFLM's golden`);
        const sizec = mcuSize(buildMcu(rc, { core: "cortex-m4", outDir: join(work, `${model}-cmsis-size`), profileLayers: false, ...link }));
        const insc = runc.instructions!;
        const est = analyzeModel(loaded, { backend: "cmsis-nn" }).report.totals;
        cmsisNn = {
          inference: insc.inference,
          perMac: macs > 0 ? insc.inference / macs : 0,
          layers: insc.layers,
          modelFlash: sizec.flash - baseline.flash,
          modelSram: sizec.sram - baseline.sram,
          estimateFlash: est.flashBytes,
          estimateSram: est.peakSramBytes,
        };
      }
      return {
        model,
        macs,
        m4: coreFigures(m4, macs),
        m7: coreFigures(m7, macs),
        firmware,
        baseline,
        modelFlash,
        modelSram,
        arenaBytes: r.arenaBytes,
        tflmArena: golden.arena.arena_used_bytes,
        sramVsTflm: modelSram / golden.arena.arena_used_bytes,
        tflmPlanned: analysis.deployment.tflmArenaBytes,
        estimate: {
          backend: analysis.deployment.backend,
          flash: analysis.totals.flashBytes,
          flashErrorPct: pct(analysis.totals.flashBytes, modelFlash),
          sram: analysis.totals.peakSramBytes,
          sramErrorPct: pct(analysis.totals.peakSramBytes, modelSram),
        },
        stackBytes: m4.stackUsed,
        planMs: planMs(graph),
        wide: {
          inference: runWide.instructions!.inference,
          perMac: macs > 0 ? runWide.instructions!.inference / macs : 0,
          modelFlash: wideFlash,
          estimate: wideEstimate,
          errorPct: pct(wideEstimate, wideFlash),
        },
        ...(cmsisNn ? { cmsisNn } : {}),
      };
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function th(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function signed(p: number): string {
  return `${p >= 0 ? "+" : ""}${p.toFixed(1)}%`;
}

export function printMcuBench(rows: readonly McuBenchRow[]): void {
  console.log("Generated C (portable backend, arm-none-eabi-gcc -O2) on QEMU mps2-an386 (Cortex-M4) / mps2-an500 (Cortex-M7);");
  console.log("outputs bit-exact with TFLM. Flash/SRAM: the model's share of the linked M4 firmware (firmware − same program without the model).");
  const header = ["model", "MACs", "M4 instr", "instr/MAC M4", "instr/MAC M7", "flash (model)", "est. analyze", "err", "SRAM (model)", "est. analyze", "err", "TFLM planned", "TFLM arena", "SRAM/TFLM"];
  const table = rows.map((r) => [
    r.model,
    th(r.macs),
    th(r.m4.inference),
    r.m4.perMac.toFixed(3),
    r.m7.perMac.toFixed(3),
    th(r.modelFlash),
    th(r.estimate.flash),
    signed(r.estimate.flashErrorPct),
    th(r.modelSram),
    th(r.estimate.sram),
    signed(r.estimate.sramErrorPct),
    th(r.tflmPlanned),
    th(r.tflmArena),
    r.sramVsTflm.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(fmt(header));
  for (const row of table) console.log(fmt(row));
  console.log(`est. analyze: \`micronets analyze\` as users run it (backend ${[...new Set(rows.map((r) => r.estimate.backend))].join(", ")}); TFLM planned: the tensors' plan the analysis shows beside it; TFLM arena: arena_used_bytes of TFLM itself.`);
  const worst = Math.max(...rows.map((r) => Math.max(Math.abs(r.estimate.flashErrorPct), Math.abs(r.estimate.sramErrorPct))));
  console.log(`analyze vs linked firmware: worst error ${worst.toFixed(2)} % (target: within ${ANALYZE_TOLERANCE_PCT} %) — ${worst <= ANALYZE_TOLERANCE_PCT ? "met" : "NOT MET"}`);
  console.log("");
  console.log("The same with wide weights (compile/analyze wideWeights: int16 weight pairs in flash, fewer instructions):");
  const wh = ["model", "M4 instr", "instr/MAC M4", "flash (model)", "est. analyze", "err"];
  const wt = rows.map((r) => [r.model, th(r.wide.inference), r.wide.perMac.toFixed(3), th(r.wide.modelFlash), th(r.wide.estimate), signed(r.wide.errorPct)]);
  const ww = wh.map((h, i) => Math.max(h.length, ...wt.map((row) => row[i]!.length)));
  const wfmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(ww[i]!) : c.padStart(ww[i]!))).join("  ");
  console.log(wfmt(wh));
  for (const row of wt) console.log(wfmt(row));
  if (rows.some((r) => r.cmsisNn)) {
    console.log("");
    console.log("CMSIS-NN backend linked against CMSIS-NN (MICRONETS_CMSIS_NN_DIR), Cortex-M4, bit-exact with TFLM:");
    const ch = ["model", "M4 instr", "instr/MAC M4", "portable speed-up", "flash (model)", "est. analyze", "SRAM (model)", "est. analyze"];
    const ct = rows
      .filter((r) => r.cmsisNn)
      .map((r) => [r.model, th(r.cmsisNn!.inference), r.cmsisNn!.perMac.toFixed(3), `${(r.cmsisNn!.inference / r.m4.inference).toFixed(2)}×`, th(r.cmsisNn!.modelFlash), th(r.cmsisNn!.estimateFlash), th(r.cmsisNn!.modelSram), th(r.cmsisNn!.estimateSram)]);
    const cw = ch.map((h, i) => Math.max(h.length, ...ct.map((row) => row[i]!.length)));
    const cfmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(cw[i]!) : c.padStart(cw[i]!))).join("  ");
    console.log(cfmt(ch));
    for (const row of ct) console.log(cfmt(row));
  }
  console.log("");
  for (const r of rows) {
    console.log(`${r.model}: firmware text ${th(r.firmware.text)} data ${th(r.firmware.data)} bss ${th(r.firmware.bss)} (baseline ${th(r.baseline.text)}/${th(r.baseline.data)}/${th(r.baseline.bss)}), arena ${th(r.arenaBytes)}, stack ${th(r.stackBytes)} B; arena planned without code generation in ${r.planMs.toFixed(2)} ms`);
    console.log(`  M4 instructions per layer: ${r.m4.layers.map(th).join(" ")}`);
    if (r.cmsisNn) console.log(`  CMSIS-NN per layer:         ${r.cmsisNn.layers.map(th).join(" ")}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const rows = benchMcu();
    printMcuBench(rows);
    // The analysis target is part of what this bench checks.
    if (rows.some((r) => Math.abs(r.estimate.flashErrorPct) > ANALYZE_TOLERANCE_PCT || Math.abs(r.estimate.sramErrorPct) > ANALYZE_TOLERANCE_PCT)) process.exitCode = 1;
  } catch (e) {
    console.error(e);
    process.exitCode = 1;
  }
}
