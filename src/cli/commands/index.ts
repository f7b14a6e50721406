import type { Command } from "../command.js";
import { analyzeCommand } from "./analyze.js";
import { calibrateCommand } from "./calibrate.js";
import { checkCommand } from "./check.js";
import { compileCommand } from "./compile.js";
import { convertCommand } from "./convert.js";
import { runCommand } from "./run.js";
import { verifyCommand } from "./verify.js";
import { reportCommand } from "./report.js";
import { sampleCommand } from "./sample.js";
import { buildCommand } from "./build.js";
import { initCommand } from "./init.js";

export type { Command } from "../command.js";

export const COMMANDS: Command[] = [analyzeCommand, convertCommand, compileCommand, runCommand, verifyCommand, reportCommand, calibrateCommand, checkCommand, sampleCommand, buildCommand, initCommand];
