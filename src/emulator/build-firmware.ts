/**
 * Cross-builds a bare-metal ELF for an emulated Cortex-M core from C sources plus the firmware support
 * files (codegen-templates/firmware: vectors/reset/faults, semihosting I/O, mn_mark, linker script),
 * and reads sizes and symbols back from it with the binutils.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { MicronetsError } from "../errors.js";
import { coreInfo, type CortexCore } from "./cores.js";
import { runToolOk } from "./exec-tool.js";
import { FIRMWARE_LINKER_SCRIPT, FIRMWARE_SOURCES, firmwareDir } from "./paths.js";
import { findToolchain } from "./toolchain.js";

export type OptimizeLevel = "O0" | "O1" | "O2" | "O3" | "Os";

export interface BuildFirmwareOptions {
  /** C sources of the application (one of them defines `int main(void)`). */
  sources: readonly string[];
  includeDirs?: readonly string[];
  /** Preprocessor macros: NAME → value (`true` defines NAME without a value). */
  defines?: Readonly<Record<string, string | number | true>>;
  core: CortexCore;
  /** Folder for the ELF and its link map (created if missing). */
  outDir: string;
  /** Base name of the outputs: `<name>.elf`, `<name>.map`. Default "firmware". */
  name?: string;
  /** Default "O2". */
  optimize?: OptimizeLevel;
  /** C standard (-std=…). Default "c99". */
  std?: string;
  /** Stack reserved in RAM, bytes (multiple of 16). Default 16384. */
  stackBytes?: number;
  /** Add -Werror (warnings fail the build). Default true: generated C must compile warning-free. */
  warningsAsErrors?: boolean;
  /** Further arguments for arm-none-eabi-gcc (used for compiling and linking). */
  extraFlags?: readonly string[];
}

const OPTIMIZE_LEVELS: readonly string[] = ["O0", "O1", "O2", "O3", "Os"];
const MACRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DEFAULT_STACK_BYTES = 16384;
const BUILD_TIMEOUT_MS = 300_000;

/** arm-none-eabi-gcc arguments for a build (exported for tests and for printing a reproducible command). */
export function firmwareGccArgs(options: BuildFirmwareOptions, elfPath: string, mapPath: string): string[] {
  const core = coreInfo(options.core);
  const optimize = options.optimize ?? "O2";
  if (!OPTIMIZE_LEVELS.includes(optimize)) {
    throw new MicronetsError("usage", `unsupported optimization level '${optimize}' (use ${OPTIMIZE_LEVELS.join(", ")})`);
  }
  const stack = options.stackBytes ?? DEFAULT_STACK_BYTES;
  if (!Number.isInteger(stack) || stack < 256 || stack % 16 !== 0 || stack > 1024 * 1024) {
    throw new MicronetsError("usage", `stack size ${stack} must be a multiple of 16 bytes between 256 and 1 MiB`);
  }
  if (options.sources.length === 0) throw new MicronetsError("usage", "buildFirmware needs at least one C source");
  const fw = firmwareDir();
  const args: string[] = [
    ...core.cflags,
    `-std=${options.std ?? "c99"}`,
    `-${optimize}`,
    "-Wall",
    "-Wextra",
    ...(options.warningsAsErrors === false ? [] : ["-Werror"]),
    // Separate sections + --gc-sections: the image holds only what is reachable, like real firmware.
    "-ffunction-sections",
    "-fdata-sections",
    "-specs=nano.specs",
    "-specs=nosys.specs",
    // mn_startup.c is the startup code; newlib's crt0 would add a second, unused one.
    "-nostartfiles",
    `-I${fw}`,
  ];
  for (const dir of options.includeDirs ?? []) args.push(`-I${resolve(dir)}`);
  for (const [name, value] of Object.entries(options.defines ?? {})) {
    if (!MACRO_NAME.test(name)) throw new MicronetsError("usage", `bad macro name '${name}' in defines`);
    args.push(value === true ? `-D${name}` : `-D${name}=${value}`);
  }
  args.push(...(options.extraFlags ?? []));
  for (const source of options.sources) {
    if (!existsSync(source)) throw new MicronetsError("io", "C source not found", { file: source });
    args.push(resolve(source));
  }
  for (const source of FIRMWARE_SOURCES) args.push(join(fw, source));
  args.push(
    `-T${join(fw, FIRMWARE_LINKER_SCRIPT)}`,
    "-Wl,--gc-sections",
    `-Wl,--defsym=__mn_stack_size=${stack}`,
    `-Wl,-Map=${mapPath}`,
    "-o",
    elfPath,
  );
  return args;
}

/** Compiles and links the firmware; returns the ELF's path. A compile or link error is a MicronetsError. */
export function buildFirmware(options: BuildFirmwareOptions): string {
  const toolchain = findToolchain();
  const name = options.name ?? "firmware";
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new MicronetsError("usage", `bad firmware name '${name}'`);
  const outDir = resolve(options.outDir);
  const elfPath = join(outDir, `${name}.elf`);
  const args = firmwareGccArgs(options, elfPath, join(outDir, `${name}.map`));
  try {
    mkdirSync(outDir, { recursive: true });
  } catch {
    throw new MicronetsError("io", "cannot create the output folder", { file: outDir });
  }
  runToolOk(toolchain.gcc, args, `building ${options.core} firmware '${name}'`, { timeoutMs: BUILD_TIMEOUT_MS });
  return elfPath;
}

export interface FirmwareSize {
  /** Code and constants (Berkeley `text`: .vectors, .text, read-only data). */
  text: number;
  /** Initialised data: occupies flash (its initial values) and RAM. */
  data: number;
  /** Zero-initialised data, without the reserved stack. */
  bss: number;
  /** The stack reserved by the linker script. */
  stack: number;
  /** text + data. */
  flash: number;
  /** data + bss (the stack is reported separately). */
  sram: number;
}

function requireElf(elf: string): void {
  if (!existsSync(elf)) throw new MicronetsError("io", "ELF file not found", { file: elf });
}

/** Section sizes of a firmware ELF, from arm-none-eabi-size. */
export function firmwareSize(elf: string): FirmwareSize {
  requireElf(elf);
  const { size } = findToolchain();
  const berkeley = runToolOk(size, ["-B", "-d", elf], "reading section sizes").stdout.trim().split("\n");
  const fields = berkeley[1]?.trim().split(/\s+/).slice(0, 3).map(Number);
  if (!fields || fields.length !== 3 || fields.some((n) => !Number.isSafeInteger(n))) {
    throw new MicronetsError("check", `unexpected arm-none-eabi-size output: ${berkeley.join(" / ")}`, { file: elf });
  }
  const [text, data, bssAndStack] = fields as [number, number, number];
  let stack = 0;
  for (const line of runToolOk(size, ["-A", "-d", elf], "reading section sizes").stdout.split("\n")) {
    const m = /^\.stack\s+(\d+)\s/.exec(line);
    if (m) stack = Number(m[1]);
  }
  const bss = bssAndStack - stack;
  return { text, data, bss, stack, flash: text + data, sram: data + bss };
}

/** Address of a symbol in the ELF (Thumb bit cleared), or undefined when it is absent. */
export function symbolAddress(elf: string, symbol: string): number | undefined {
  requireElf(elf);
  const { nm } = findToolchain();
  for (const line of runToolOk(nm, [elf], "reading the symbol table").stdout.split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts.length === 3 && parts[2] === symbol && /^[0-9a-fA-F]+$/.test(parts[0] ?? "")) {
      const value = Number.parseInt(parts[0] as string, 16);
      return value - (value % 2);
    }
  }
  return undefined;
}
