/**
 * Runs an external tool with an argument array (never through a shell) and turns the ways it can fail
 * into MicronetsErrors that say what to do.
 */
import { spawnSync } from "node:child_process";
import { MicronetsError } from "../errors.js";

export interface ToolResult {
  /** Exit status; -1 when the tool was killed on timeout (only with `returnOnTimeout`). */
  status: number;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export interface ToolOptions {
  cwd?: string;
  /** Kill the tool (SIGKILL) after this many milliseconds. */
  timeoutMs?: number;
  /** On timeout return the output so far (timedOut = true) instead of throwing. */
  returnOnTimeout?: boolean;
}

/** Output beyond this is a runaway tool; spawnSync stops it. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Runs `tool args…`; returns its exit status and output (a nonzero status is not an error here). */
export function runTool(tool: string, args: readonly string[], options: ToolOptions = {}): ToolResult {
  const result = spawnSync(tool, args, {
    cwd: options.cwd,
    timeout: options.timeoutMs,
    killSignal: "SIGKILL",
    maxBuffer: MAX_OUTPUT_BYTES,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") throw new MicronetsError("io", `cannot run ${tool}: not found on PATH`);
  if (code === "ETIMEDOUT") {
    if (options.returnOnTimeout) return { status: -1, timedOut: true, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
    throw new MicronetsError("check", `${tool} did not finish within ${options.timeoutMs} ms and was killed`);
  }
  if (code === "ENOBUFS") throw new MicronetsError("check", `${tool} printed more than ${MAX_OUTPUT_BYTES} bytes and was stopped`);
  if (result.error) throw new MicronetsError("io", `cannot run ${tool}: ${result.error.message}`);
  if (result.status === null) {
    throw new MicronetsError("check", `${tool} was killed by signal ${result.signal ?? "?"}`);
  }
  return { status: result.status, timedOut: false, stdout: result.stdout, stderr: result.stderr };
}

/** Like runTool, but a nonzero exit status is an error carrying the tool's messages. */
export function runToolOk(tool: string, args: readonly string[], what: string, options: ToolOptions = {}): ToolResult {
  const result = runTool(tool, args, options);
  if (result.status !== 0) {
    const messages = (result.stderr + result.stdout).trim();
    throw new MicronetsError("check", `${what} failed (${tool} exit status ${result.status})${messages ? `:\n${messages}` : ""}`);
  }
  return result;
}
