/**
 * Generated C on emulated Cortex-M4/M7: build a firmware image of the model plus a small test program with
 * the emulator harness (src/emulator), run it on QEMU's MPS2 board for the core, read the output back
 * through semihosting, and count instructions exactly — per layer (the model is built with
 * MN_PROFILE_LAYERS: every layer is an out-of-line `noipa` function and mn_mark() runs between layers) and
 * per inference. Also builds the same program without the model, so the model's own flash and SRAM can be
 * read from arm-none-eabi-size as a difference.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MicronetsError } from "../errors.js";
import { buildFirmware, firmwareSize, markDeltas, runOnQemu, type CortexCore, type FirmwareSize, type OptimizeLevel } from "../emulator/index.js";
import { VERSION } from "../version.js";
import type { CompileResult } from "./compile.js";
import { render } from "./templates.js";

/** Instructions of one mn_mark() call and return, included in every difference of consecutive marks. */
export const MARK_OVERHEAD = 2;

export interface McuBuildOptions {
  core: CortexCore;
  /** Folder for the sources and the ELF (created). */
  outDir: string;
  /** Out-of-line layers with mn_mark() between them (default true). */
  profileLayers?: boolean;
  /** Default "O2". */
  optimize?: OptimizeLevel;
  /** Stack reserved for the firmware (default 16 KiB). */
  stackBytes?: number;
  /** Build the program without the model (for size differences). */
  baseline?: boolean;
  /** Static libraries to link after the model (e.g. CMSIS-NN for the cmsis-nn backend's output). */
  libraries?: readonly string[];
  /** Extra include folders (e.g. CMSIS-NN's Include). */
  includeDirs?: readonly string[];
}

export interface McuFirmware {
  elf: string;
  core: CortexCore;
  profileLayers: boolean;
  layers: number;
  baseline: boolean;
}

/** Writes the generated files and the firmware main into `outDir` and builds the ELF. */
export function buildMcu(result: CompileResult, opts: McuBuildOptions): McuFirmware {
  try {
    mkdirSync(opts.outDir, { recursive: true });
  } catch {
    throw new MicronetsError("io", "cannot create the build folder", { file: opts.outDir });
  }
  const baseline = opts.baseline === true;
  const profile = !baseline && opts.profileLayers !== false;
  const sources: string[] = [];
  if (!baseline) {
    for (const f of result.files) writeFileSync(join(opts.outDir, f.name), f.contents);
    sources.push(join(opts.outDir, result.sourceFile));
  }
  const main = render("mcu/main.c.hbs", {
    prefix: result.prefix,
    version: VERSION,
    baseline,
    inputBytes: result.inputBytes,
    outputBytes: result.outputBytes,
  });
  const mainFile = join(opts.outDir, `${result.prefix}_mcu_main.c`);
  writeFileSync(mainFile, main);
  sources.push(mainFile);
  if (!baseline) sources.push(...(opts.libraries ?? []));
  const elf = buildFirmware({
    sources,
    includeDirs: [opts.outDir, ...(opts.includeDirs ?? [])],
    defines: profile ? { MN_PROFILE_LAYERS: true } : {},
    core: opts.core,
    outDir: opts.outDir,
    name: baseline ? `${result.prefix}_baseline` : `${result.prefix}_${opts.core.replace("cortex-", "")}`,
    optimize: opts.optimize ?? "O2",
    stackBytes: opts.stackBytes,
  });
  return { elf, core: opts.core, profileLayers: profile, layers: result.layers.length, baseline };
}

export interface McuRun {
  output: Uint8Array;
  /** Stack high-water mark of the whole program. */
  stackUsed: number;
  instructions?: {
    /** From reset to exit. */
    total: number;
    /** invoke() itself: input copy, every layer, output copy (without the marker's own instructions). */
    inference: number;
    /** Per layer (profiled builds), without the marker's own instructions. */
    layers: number[];
  };
  wallMs: number;
}

function parseHex(s: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/.test(s)) throw new MicronetsError("check", "the firmware printed a malformed output");
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Runs the firmware on `input`; returns the output bytes (and instruction counts when asked). */
export function runMcu(fw: McuFirmware, input: Uint8Array, opts: { countInstructions?: boolean; timeoutMs?: number } = {}): McuRun {
  const r = runOnQemu(fw.elf, { core: fw.core, inputBytes: input, countInstructions: opts.countInstructions, timeoutMs: opts.timeoutMs ?? 60_000 });
  if (r.exitCode !== 0) {
    throw new MicronetsError("check", `the ${fw.core} firmware failed (exit status ${r.exitCode})${r.stderr.trim() ? `: ${r.stderr.trim().slice(0, 2000)}` : ""}`, { file: fw.elf });
  }
  const out = /out=([0-9a-f]*)\n/.exec(r.stdout);
  const stack = /stack=(\d+)/.exec(r.stdout);
  if (!out || !stack) throw new MicronetsError("check", `unexpected firmware output: ${r.stdout.slice(0, 200)}`, { file: fw.elf });
  const run: McuRun = { output: parseHex(out[1]!), stackUsed: Number(stack[1]), wallMs: r.wallMs };
  if (r.instructions) {
    const deltas = markDeltas(r.instructions.marks);
    // Marks: before invoke, (profiled) before the first layer and after each layer, after invoke.
    const expected = fw.profileLayers ? fw.layers + 3 : 2;
    if (r.instructions.marks.length !== expected) {
      throw new MicronetsError("check", `expected ${expected} instruction marks, the firmware made ${r.instructions.marks.length}`, { file: fw.elf });
    }
    const marks = r.instructions.marks;
    const inference = marks[marks.length - 1]! - marks[0]! - (marks.length - 1) * MARK_OVERHEAD;
    const layers = fw.profileLayers ? deltas.slice(1, 1 + fw.layers).map((d) => d - MARK_OVERHEAD) : [];
    run.instructions = { total: r.instructions.total, inference, layers };
  }
  return run;
}

/** Section sizes of a firmware ELF (arm-none-eabi-size). */
export function mcuSize(fw: McuFirmware): FirmwareSize {
  return firmwareSize(fw.elf);
}

/** An engine over generated C on an emulated core: build once, run many inputs. */
export interface McuEngine {
  firmware: McuFirmware;
  run(input: Uint8Array, opts?: { countInstructions?: boolean }): McuRun;
}

export function createMcuEngine(result: CompileResult, opts: McuBuildOptions): McuEngine {
  const firmware = buildMcu(result, opts);
  return { firmware, run: (input, o = {}) => runMcu(firmware, input, o) };
}
