/**
 * Runs a firmware ELF on QEMU's MPS2 board for its core, with semihosting for I/O and exit status, and
 * optionally with the instruction-count plugin (exact counts: total, and a snapshot at every mn_mark).
 *
 * Each run gets a fresh working folder (QEMU's cwd): the input bytes are placed there as `input.bin`
 * (MN_INPUT_FILE in mn_firmware.h) and the plugin writes its report there; the folder is removed after.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { MicronetsError } from "../errors.js";
import { symbolAddress } from "./build-firmware.js";
import { coreInfo, type CortexCore } from "./cores.js";
import { runTool } from "./exec-tool.js";
import { insnCountPlugin } from "./insn-count-plugin.js";
import { findToolchain } from "./toolchain.js";

/** The file name the firmware reads its input from (MN_INPUT_FILE in mn_firmware.h). */
export const INPUT_FILE_NAME = "input.bin";
/** The symbol whose executions the plugin snapshots. */
export const MARK_SYMBOL = "mn_mark";

export interface RunOptions {
  core: CortexCore;
  /** A host file the firmware can read as MN_INPUT_FILE. */
  inputFile?: string;
  /** Or the input bytes themselves. */
  inputBytes?: Uint8Array;
  /** Count executed instructions with the QEMU plugin. */
  countInstructions?: boolean;
  /** Kill QEMU after this long. Default 20 000 ms. */
  timeoutMs?: number;
}

export interface InstructionCounts {
  /** Instructions executed from reset to the semihosting exit. */
  total: number;
  /**
   * The running count each time mn_mark was entered (instructions executed before it). Consecutive
   * differences are the cost of the code between two marks plus the marker's own call and return.
   */
  marks: number[];
}

export interface RunResult {
  /** QEMU's exit status: main's return value (low 8 bits), 1 after a fault or mn_fail. */
  exitCode: number;
  /** What the firmware wrote to standard output (mn_print, mn_write, printf). */
  stdout: string;
  /** Standard error: fault reports ("mn: fault: exception 3"), mn_fail messages, QEMU's own warnings. */
  stderr: string;
  /** Wall-clock time of the QEMU run. */
  wallMs: number;
  instructions?: InstructionCounts;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const REPORT_FILE = "insn_count.txt";

/** QEMU splits -plugin options at commas; a literal comma is written twice. */
function qemuOptionValue(value: string): string {
  return value.replaceAll(",", ",,");
}

/** Parses the plugin's report ("total N", "mark N"…, "end"). */
export function parseCountReport(text: string): InstructionCounts {
  let total: number | undefined;
  const marks: number[] = [];
  let complete = false;
  const count = (s: string, line: number): number => {
    if (!/^\d+$/.test(s)) throw new MicronetsError("check", `instruction-count report line ${line}: bad number '${s}'`);
    const big = BigInt(s);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new MicronetsError("check", `instruction-count report line ${line}: ${s} is too large`);
    return Number(big);
  };
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    const [key, value = ""] = line.split(/\s+(.*)/s);
    if (key === "total") total = count(value, i + 1);
    else if (key === "mark") marks.push(count(value, i + 1));
    else if (key === "end") complete = true;
    else if (key === "error") throw new MicronetsError("check", `instruction-count plugin: ${value}`);
    else throw new MicronetsError("check", `instruction-count report line ${i + 1}: unexpected '${line}'`);
  });
  if (total === undefined || !complete) throw new MicronetsError("check", "instruction-count report is incomplete");
  return { total, marks };
}

/** Differences between consecutive mark snapshots: the instructions spent in each marked region. */
export function markDeltas(marks: readonly number[]): number[] {
  return marks.slice(1).map((m, i) => m - (marks[i] as number));
}

/** Runs the ELF to its semihosting exit (or the timeout, which is an error). */
export function runOnQemu(elf: string, options: RunOptions): RunResult {
  const toolchain = findToolchain();
  const { board } = coreInfo(options.core);
  const elfPath = resolve(elf);
  if (!existsSync(elfPath)) throw new MicronetsError("io", "ELF file not found", { file: elf });
  if (options.inputFile !== undefined && options.inputBytes !== undefined) {
    throw new MicronetsError("usage", "give either inputFile or inputBytes, not both");
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new MicronetsError("usage", `timeout ${timeoutMs} ms must be positive`);
  // Build the plugin and read the marker's address before starting the clock.
  const plugin = options.countInstructions ? insnCountPlugin(toolchain) : undefined;
  const markAddress = plugin ? symbolAddress(elfPath, MARK_SYMBOL) : undefined;

  const runDir = mkdtempSync(join(tmpdir(), "micronets-qemu-"));
  try {
    if (options.inputFile !== undefined) {
      try {
        copyFileSync(options.inputFile, join(runDir, INPUT_FILE_NAME));
      } catch {
        throw new MicronetsError("io", "cannot read the input file", { file: options.inputFile });
      }
    } else if (options.inputBytes !== undefined) {
      writeFileSync(join(runDir, INPUT_FILE_NAME), options.inputBytes);
    }
    const reportPath = join(runDir, REPORT_FILE);
    const args = ["-M", board, "-nographic", "-monitor", "none", "-serial", "none"];
    args.push("-semihosting-config", "enable=on,target=native", "-kernel", elfPath);
    if (plugin) {
      const pluginArgs = [qemuOptionValue(plugin), `out=${qemuOptionValue(reportPath)}`];
      if (markAddress !== undefined) pluginArgs.push(`mark=0x${markAddress.toString(16)}`);
      args.push("-plugin", pluginArgs.join(","));
    }
    const started = performance.now();
    const result = runTool(toolchain.qemu, args, { cwd: runDir, timeoutMs, returnOnTimeout: true });
    if (result.timedOut) {
      const tail = result.stdout.slice(-500).trim();
      throw new MicronetsError(
        "check",
        `QEMU (${board}) did not finish within ${timeoutMs} ms and was killed: the firmware never reached its exit ` +
          `(an endless loop or a lockup)${tail ? `; its last output: ${tail}` : ""}`,
        { file: elf },
      );
    }
    const wallMs = performance.now() - started;
    const run: RunResult = { exitCode: result.status, stdout: result.stdout, stderr: result.stderr, wallMs };
    if (plugin) {
      if (!existsSync(reportPath)) {
        throw new MicronetsError(
          "check",
          `QEMU wrote no instruction-count report (exit status ${result.status})${result.stderr.trim() ? `: ${result.stderr.trim()}` : ""}`,
          { file: elf },
        );
      }
      run.instructions = parseCountReport(readFileSync(reportPath, "utf8"));
    }
    return run;
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}
