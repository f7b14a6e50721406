import type { CliIO } from "../main.js";
import { analyzeCommand } from "./analyze.js";
import { convertCommand } from "./convert.js";

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

export const COMMANDS: Command[] = [analyzeCommand, convertCommand];
