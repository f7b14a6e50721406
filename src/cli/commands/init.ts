import { usageError } from "../../errors.js";
import type { Backend } from "../../codegen/compile.js";
import { boolOpt, parseCommandArgs, stringOpt } from "../args.js";
import type { Command } from "../command.js";

const usage = `usage: micronets init <model.tflite|arch.json> --target NAME|FILE [-o micronets.config.json] [options]

Writes a starter build config (schemas/config.schema.json, with "$schema" for editor completion) for one
model and target: output folder generated/<prefix>, a budget of 90 % of the target's SRAM and flash, JSON
and HTML reports. Then run \`micronets build\`. An existing file is not replaced without --force.

options:
  --target NAME|FILE        the MCU (a name from targets/ or a target JSON); required
  -o, --out FILE            the config file to write (default micronets.config.json)
  --backend portable|cmsis-nn
                            the kernels (default portable)
  --prefix NAME             C identifier prefix (default: from the model file name)
  --force                   replace an existing config file`;

export const initCommand: Command = {
  name: "init",
  usage,
  async run(argv, io) {
    const p = parseCommandArgs("init", argv, {
      target: { type: "string" },
      out: { type: "string", short: "o" },
      backend: { type: "string" },
      prefix: { type: "string" },
      force: { type: "boolean" },
    }, { min: 1, max: 1, names: "the model file" });
    const target = stringOpt(p, "target");
    if (!target) throw usageError("init: --target NAME|FILE is required");
    const { writeStarterConfig } = await import("../../build/init-config.js");
    const r = writeStarterConfig({
      model: p.positionals[0]!,
      target,
      config: stringOpt(p, "out"),
      backend: stringOpt(p, "backend") as Backend | undefined,
      prefix: stringOpt(p, "prefix"),
      force: boolOpt(p, "force"),
    });
    io.out(`wrote ${r.path}: model '${r.prefix}' for ${r.targetName}; run \`micronets build${r.path === "micronets.config.json" ? "" : ` --config ${r.path}`}\``);
    return 0;
  },
};
