import type { Command } from "../command.js";
import { analyzeCommand } from "./analyze.js";
import { convertCommand } from "./convert.js";
import { calibrateCommand } from "./calibrate.js";

export type { Command } from "../command.js";

export const COMMANDS: Command[] = [analyzeCommand, convertCommand, calibrateCommand];
