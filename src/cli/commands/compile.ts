import { basename, join } from "node:path";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { loadTarget } from "../../analysis/targets.js";
import { BACKENDS, compileModel, prefixFromName, type Backend, type CodegenCore } from "../../codegen/index.js";
import { MicronetsError, usageError } from "../../errors.js";
import { loadModelFile } from "../../frontends/load-model.js";
import { writeDirAtomic } from "../../io/atomic-write.js";
import { thousands } from "../../report/format.js";
import { boolOpt, intOpt, parseCommandArgs, stringOpt } from "../args.js";
import type { Command } from "../command.js";

const usage = `usage: micronets compile <model.tflite|arch.json> -o <dir> [options]

Emits C for Cortex-M: <prefix>_model.h / <prefix>_model.c with every weight, bias, requantisation constant,
shape and arena offset baked in, one static 16-byte-aligned arena laid out by the plan, and
int <prefix>_invoke(const int8_t *in, int8_t *out). Deterministic; compiles with -std=c99 -Wall -Wextra -Werror.
The output folder is written atomically (complete, or not at all).

options:
  -o, --out DIR             output folder (required; replaced when it exists)
  --kernels portable|cmsis-nn
                            portable: specialised self-contained kernels (default; ACLE DSP intrinsics when
                            __ARM_FEATURE_DSP); cmsis-nn: calls into CMSIS-NN (link it yourself)
  --target NAME|FILE        the MCU (its core sets CMSIS-NN scratch sizes); default cortex-m4
  --core cortex-m4|cortex-m7|host
                            the core, instead of --target
  --prefix NAME             C identifier prefix (default: from the model file name)
  --no-in-place             portable: keep every layer's output apart from its inputs (TFLM's plan)
  --seed N                  weight-generator seed for architecture JSONs without weights`;

export const compileCommand: Command = {
  name: "compile",
  summary: "emit C for Cortex-M (portable kernels or CMSIS-NN calls)",
  usage,
  async run(argv, io) {
    const p = parseCommandArgs("compile", argv, {
      out: { type: "string", short: "o" },
      kernels: { type: "string" },
      target: { type: "string" },
      core: { type: "string" },
      prefix: { type: "string" },
      "no-in-place": { type: "boolean" },
      seed: { type: "string" },
    }, { min: 1, max: 1, names: "the model file" });
    const outDir = stringOpt(p, "out");
    if (!outDir) throw usageError("compile: -o/--out <dir> is required");
    refuseForeignFolder(outDir);
    const backend = (stringOpt(p, "kernels") ?? "portable") as Backend;
    if (!BACKENDS.includes(backend)) throw usageError(`compile: --kernels must be ${BACKENDS.join(" or ")}, got '${backend}'`);
    if (stringOpt(p, "target") && stringOpt(p, "core")) throw usageError("compile: give --target or --core, not both");
    let core: CodegenCore = "cortex-m4";
    const targetName = stringOpt(p, "target");
    if (targetName) {
      const t = loadTarget(targetName);
      if (t.core !== "cortex-m4" && t.core !== "cortex-m7") throw usageError(`compile: target '${t.name}' has core ${t.core}; code generation supports cortex-m4 and cortex-m7`);
      core = t.core;
    } else if (stringOpt(p, "core")) {
      core = stringOpt(p, "core") as CodegenCore;
    }
    const path = p.positionals[0]!;
    const model = loadModelFile(path, { weights: "generate", seed: intOpt(p, "seed", 0, 0xffffffff) });
    const prefix = stringOpt(p, "prefix") ?? prefixFromName(basename(path).replace(/\.(tflite|json)$/i, ""));
    const result = compileModel(model.graph, { backend, core, prefix, inPlace: !boolOpt(p, "no-in-place"), modelName: basename(path) });
    writeDirAtomic(outDir, (tmp) => {
      for (const f of result.files) writeFileSync(join(tmp, f.name), f.contents);
    });
    io.out(`wrote ${outDir}/: ${result.files.map((f) => f.name).join(", ")}`);
    io.out(`  backend ${result.backend}, core ${result.core}, prefix '${result.prefix}'; arena ${thousands(result.arenaBytes)} B (TFLM's plan for the same buffers: ${thousands(result.plainArenaBytes)} B)`);
    return 0;
  },
};

/** Files an earlier `micronets compile` writes (any prefix). */
const COMPILE_OUTPUT = /^[A-Za-z][A-Za-z0-9_]*_model\.[ch]$/;

/**
 * -o replaces the folder as a whole (atomically), so it must be new, empty, or an earlier compile output:
 * never a file or a folder holding other work (a mistyped `-o src` must not delete a source tree).
 */
function refuseForeignFolder(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new MicronetsError("io", "exists and is not a folder; -o names the folder to write the C files into", { file: out });
  const foreign = readdirSync(out).filter((f) => !COMPILE_OUTPUT.test(f));
  if (foreign.length > 0) {
    throw new MicronetsError("io", `exists and holds files other than an earlier \`micronets compile\` output (e.g. '${foreign.sort()[0]}'); -o replaces the whole folder, so give a new or empty one`, { file: out });
  }
}
