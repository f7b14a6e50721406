/** Command-line parsing on top of node:util parseArgs, with usage errors as MicronetsErrors. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { usageError } from "../errors.js";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parseCommandArgs(command: string, argv: string[], options: OptionSpec, positionals: { min: number; max: number; names: string }): Parsed {
  let parsed: Parsed;
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    parsed = { values: r.values as Parsed["values"], positionals: r.positionals };
  } catch (e) {
    // parseArgs throws TypeErrors with codes such as ERR_PARSE_ARGS_UNKNOWN_OPTION.
    throw usageError(`${command}: ${(e as Error).message.split("\n")[0]}`);
  }
  if (parsed.positionals.length < positionals.min) throw usageError(`${command}: missing ${positionals.names}`);
  if (parsed.positionals.length > positionals.max) throw usageError(`${command}: unexpected argument '${parsed.positionals[positionals.max]}'`);
  return parsed;
}

export function stringOpt(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === "string" ? v : undefined;
}

export function boolOpt(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

export function intOpt(p: Parsed, name: string, min = -Infinity, max = Infinity): number | undefined {
  const v = stringOpt(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw usageError(`--${name} must be an integer${Number.isFinite(min) ? ` ≥ ${min}` : ""}${Number.isFinite(max) ? ` and ≤ ${max}` : ""}, got '${v}'`);
  return n;
}
