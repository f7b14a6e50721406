import type { Command } from "../command.js";
import { analyzeCommand } from "./analyze.js";
import { calibrateCommand } from "./calibrate.js";
import { convertCommand } from "./convert.js";
import { reportCommand } from "./report.js";
import { checkCommand } from "./check.js";

export type { Command } from "../command.js";

export const COMMANDS: Command[] = [analyzeCommand, convertCommand, reportCommand, calibrateCommand, checkCommand];
