/**
 * The CLI entry: picks the command and turns errors into one-line messages and exit codes
 * (0 ok, 1 a check failed, 2 bad input or usage). Commands only wire stages together.
 */
import { isMicronetsError, usageError } from "../errors.js";
import type { CliIO } from "./command.js";
import { COMMANDS } from "./commands/index.js";
import { VERSION } from "../version.js";

function help(): string {
  const lines = [
    `micronets ${VERSION} — analyse, plan and compile int8 neural networks for Cortex-M microcontrollers`,
    "",
    "usage: micronets <command> [options]",
    "",
    "commands:",
  ];
  for (const c of COMMANDS) lines.push(`  ${c.name.padEnd(10)} ${c.summary}`);
  lines.push("", "Run `micronets <command> --help` for a command's options.");
  return lines.join("\n");
}

export type { CliIO } from "./command.js";

const defaultIO: CliIO = {
  out: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
};

export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(help());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    io.out(VERSION);
    return 0;
  }
  try {
    const entry = COMMANDS.find((c) => c.name === name);
    if (!entry) throw usageError(`unknown command '${name}'; commands: ${COMMANDS.map((c) => c.name).join(", ")}`);
    const cmd = await entry.load();
    if (rest.includes("--help") || rest.includes("-h")) {
      io.out(cmd.usage);
      return 0;
    }
    return await cmd.run(rest, io);
  } catch (e) {
    if (isMicronetsError(e)) {
      io.err(`micronets: error: ${e.format()}`);
      return e.exitCode;
    }
    // Anything else is a bug in micronets, not in the user's input.
    const err = e as Error;
    io.err(`micronets: internal error: ${err?.message ?? String(e)} (this is a bug in micronets; please report it)`);
    if (process.env.MICRONETS_DEBUG) io.err(String(err?.stack));
    return 70;
  }
}
