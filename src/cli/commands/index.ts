/**
 * The command registry. Each command's module is imported only when that command runs, so starting the CLI
 * (and an up-to-date `micronets build`) does not load analysis, code generation or the simulator.
 */
import type { Command } from "../command.js";

export type { Command } from "../command.js";

export interface CommandEntry {
  name: string;
  /** One line for `micronets --help`. */
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: "analyze", summary: "ops, parameters, flash, arena plan; fit, latency and energy on a target", load: async () => (await import("./analyze.js")).analyzeCommand },
  { name: "report", summary: "self-contained HTML report: fit gauges, arena layout plot, per-layer table", load: async () => (await import("./report.js")).reportCommand },
  { name: "check", summary: "CI gate: budgets, target fit and baseline regressions (exit 0 pass, 1 fail)", load: async () => (await import("./check.js")).checkCommand },
  { name: "compile", summary: "emit C for Cortex-M (portable kernels or CMSIS-NN calls) or a typed TypeScript binding", load: async () => (await import("./compile.js")).compileCommand },
  { name: "run", summary: "run one inference with an engine (reference interpreter, WebAssembly simulator, generated C)", load: async () => (await import("./run.js")).runCommand },
  { name: "verify", summary: "check every engine bit-exact against the reference interpreter", load: async () => (await import("./verify.js")).verifyCommand },
  { name: "convert", summary: "write a model (e.g. an architecture JSON) as a .tflite file", load: async () => (await import("./convert.js")).convertCommand },
  { name: "calibrate", summary: "fit a target's latency model (and power) to your board measurements", load: async () => (await import("./calibrate.js")).calibrateCommand },
  { name: "sample", summary: "random architectures from the MicroNet KWS/VWW search spaces, with their costs", load: async () => (await import("./sample.js")).sampleCommand },
  { name: "build", summary: "firmware build step: every model of micronets.config.json, incrementally", load: async () => (await import("./build.js")).buildCommand },
  { name: "init", summary: "write a starter micronets.config.json for a model and a target", load: async () => (await import("./init.js")).initCommand },
];
