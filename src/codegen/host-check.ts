/**
 * Generated C as an engine on the host: write the files of a CompileResult and a small test program into a
 * folder, build them with the machine's C compiler (warnings are errors; optionally AddressSanitizer and
 * UndefinedBehaviorSanitizer with no recovery), and run the program on input bytes to get output bytes.
 * `micronets verify` and the tests use this to compare generated code with the reference interpreter and
 * with TFLM's goldens.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MicronetsError } from "../errors.js";
import { runTool, runToolOk } from "../emulator/exec-tool.js";
import { VERSION } from "../version.js";
import type { CompileResult } from "./compile.js";
import { render } from "./templates.js";

/** The strict warning set generated code must pass on the host. */
export const HOST_WARNING_FLAGS = ["-Wall", "-Wextra", "-Werror", "-Wconversion", "-Wshadow", "-Wstrict-prototypes", "-Wmissing-prototypes", "-pedantic"];
export const SANITIZER_FLAGS = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"];

let hostCc: string | null | undefined;

/** The host C compiler ($CC, else cc, else gcc), or null when none runs. */
export function findHostCc(): string | null {
  if (hostCc !== undefined) return hostCc;
  const candidates = [process.env.CC, "cc", "gcc"].filter((c): c is string => typeof c === "string" && c.length > 0);
  hostCc = candidates.find((cc) => {
    const r = spawnSync(cc, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
    return !r.error && r.status === 0;
  }) ?? null;
  return hostCc;
}

export interface HostBuildOptions {
  /** Folder for the sources and the program (created). */
  outDir: string;
  /** Build with -fsanitize=address,undefined -fno-sanitize-recover=all. */
  sanitize?: boolean;
  /** Default "O2". */
  optimize?: "O0" | "O1" | "O2" | "O3" | "Os";
  /** Further compiler flags. */
  extraFlags?: readonly string[];
}

export interface HostProgram {
  exe: string;
  dir: string;
  /** The compiler command line used (for reports). */
  command: string[];
}

/** Writes the generated files and the test main into `outDir` and builds the program. */
export function buildHost(result: CompileResult, opts: HostBuildOptions): HostProgram {
  const cc = findHostCc();
  if (!cc) throw new MicronetsError("io", "no host C compiler found (set CC or install gcc)");
  try {
    mkdirSync(opts.outDir, { recursive: true });
  } catch {
    throw new MicronetsError("io", "cannot create the build folder", { file: opts.outDir });
  }
  for (const f of result.files) writeFileSync(join(opts.outDir, f.name), f.contents);
  const main = render("host/main.c.hbs", { prefix: result.prefix, PREFIX: result.prefix.toUpperCase(), version: VERSION });
  const mainFile = join(opts.outDir, `${result.prefix}_host_main.c`);
  writeFileSync(mainFile, main);
  const exe = join(opts.outDir, `${result.prefix}_host`);
  const args = [
    "-std=c99",
    `-${opts.optimize ?? "O2"}`,
    ...HOST_WARNING_FLAGS,
    ...(opts.sanitize ? SANITIZER_FLAGS : []),
    ...(opts.extraFlags ?? []),
    `-I${opts.outDir}`,
    join(opts.outDir, result.sourceFile),
    mainFile,
    "-o",
    exe,
  ];
  runToolOk(cc, args, `compiling the generated C for the host (${cc})`, { timeoutMs: 300_000 });
  return { exe, dir: opts.outDir, command: [cc, ...args] };
}

/** Runs the program once on `input` (the graph inputs back to back); returns the output bytes. */
export function runHost(program: HostProgram, input: Uint8Array, runs = 1): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "micronets-host-"));
  try {
    const inFile = join(dir, "input.bin");
    const outFile = join(dir, "output.bin");
    writeFileSync(inFile, input);
    const r = runTool(program.exe, [inFile, outFile, String(runs)], { timeoutMs: 120_000 });
    if (r.status !== 0) {
      throw new MicronetsError("check", `the generated program failed (exit status ${r.status})${r.stderr.trim() ? `: ${r.stderr.trim().slice(0, 2000)}` : ""}`);
    }
    return new Uint8Array(readFileSync(outFile));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An engine over generated C: build once, run many inputs; dispose() removes its build folder. */
export interface HostEngine {
  run(input: Uint8Array): Uint8Array;
  program: HostProgram;
  dispose(): void;
}

export function createHostEngine(result: CompileResult, opts: { sanitize?: boolean; dir?: string } = {}): HostEngine {
  const owned = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "micronets-c-"));
  const program = buildHost(result, { outDir: dir, sanitize: opts.sanitize });
  return {
    program,
    run: (input) => runHost(program, input),
    dispose: () => {
      if (owned) rmSync(dir, { recursive: true, force: true });
    },
  };
}
