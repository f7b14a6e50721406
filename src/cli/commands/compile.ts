import { basename, join } from "node:path";
import { Buffer } from "node:buffer";
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync, writeFileSync } from "node:fs";
import { loadTarget } from "../../analysis/targets.js";
import { BACKENDS, compileModel, prefixFromName, type Backend, type CodegenCore } from "../../codegen/index.js";
import type { TsTensorSpec } from "../../codegen/typescript/io-spec.js";
import { TS_HEADER } from "../../codegen/typescript/header.js";
import { isMicronetsError, MicronetsError, usageError } from "../../errors.js";
import { loadModelFile } from "../../frontends/load-model.js";
import { writeDirAtomic } from "../../io/atomic-write.js";
import { thousands } from "../../report/format.js";
import { boolOpt, intOpt, parseCommandArgs, stringOpt } from "../args.js";
import type { Command } from "../command.js";

const usage = `usage: micronets compile <model.tflite|arch.json> -o <dir> [options]

Emits C for Cortex-M: <prefix>_model.h / <prefix>_model.c with every weight, bias, requantisation constant,
shape and arena offset baked in, one static 16-byte-aligned arena laid out by the plan, and
int <prefix>_invoke(const int8_t *in, int8_t *out). Deterministic; compiles with -std=c99 -Wall -Wextra -Werror.
With --emit ts: <prefix>.ts, a typed TypeScript module that embeds the model and runs it in the WebAssembly
simulator: shape/dtype/quantisation constants, a synchronous infer(input), quantize() and dequantize().
The output folder is written atomically (complete, or not at all).

options:
  -o, --out DIR             output folder (required; replaced when it exists)
  --emit c|ts|c,ts          what to write: C (default), the TypeScript binding, or both
  --kernels portable|cmsis-nn
                            portable: specialised self-contained kernels (default; ACLE DSP intrinsics when
                            __ARM_FEATURE_DSP); cmsis-nn: calls into CMSIS-NN (link it yourself)
  --target NAME|FILE        the MCU (its core sets CMSIS-NN scratch sizes); default cortex-m4
  --core cortex-m4|cortex-m7|host
                            the core, instead of --target
  --prefix NAME             C identifier prefix and TypeScript module name (default: from the model file
                            name)
  --no-in-place             portable: keep every layer's output apart from its inputs (TFLM's plan)
  --seed N                  weight-generator seed for architecture JSONs without weights`;

export const compileCommand: Command = {
  name: "compile",
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
      emit: { type: "string" },
    }, { min: 1, max: 1, names: "the model file" });
    const outDir = stringOpt(p, "out");
    if (!outDir) throw usageError("compile: -o/--out <dir> is required");
    const emit = parseEmit(stringOpt(p, "emit") ?? "c");
    if (!emit.has("c")) {
      // These shape only the C; accepting them silently would let a user believe they changed the binding.
      const cOnly = ["kernels", "target", "core", "no-in-place"].filter((o) => p.values[o] !== undefined);
      if (cOnly.length > 0) throw usageError(`compile: --${cOnly[0]} applies to the C output; add c to --emit (e.g. --emit c,ts)`);
    }
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
    // Everything is generated before anything is written, so a failure leaves no folder behind.
    let result: ReturnType<typeof compileModel> | undefined;
    try {
      result = emit.has("c") ? compileModel(model.graph, { backend, core, prefix, inPlace: !boolOpt(p, "no-in-place"), modelName: basename(path) }) : undefined;
    } catch (e) {
      // A model that loads but cannot be compiled (a limit, a multiplier out of range) is that file's problem.
      if (isMicronetsError(e) && (e.kind === "input" || e.kind === "limit")) throw e.withFile(path);
      throw e;
    }
    const binding = emit.has("ts") ? await (await loadTypeScriptEmitter()).emitTypeScriptBinding(model.graph, { prefix, modelName: basename(path) }) : undefined;
    const files = [...(result?.files ?? []), ...(binding ? [binding.file] : [])];
    writeDirAtomic(outDir, (tmp) => {
      for (const f of files) writeFileSync(join(tmp, f.name), f.contents);
    });
    io.out(`wrote ${outDir}/: ${files.map((f) => f.name).join(", ")}`);
    if (result) io.out(`  backend ${result.backend}, core ${result.core}, prefix '${result.prefix}'; arena ${thousands(result.arenaBytes)} B (TFLM's plan for the same buffers: ${thousands(result.plainArenaBytes)} B)`);
    if (binding) {
      const io1 = (s: TsTensorSpec): string => `${s.dtype} [${s.shape.join(", ")}]`;
      io.out(`  TypeScript binding ${binding.file.name}: infer(${binding.inputs.map(io1).join(", ")}) → ${binding.outputs.map(io1).join(", ")}; model embedded (${thousands(binding.modelBytes)} B of .tflite); imports "micronets"`);
    }
    return 0;
  },
};

/** Files an earlier `micronets compile` writes (any prefix). */
const COMPILE_OUTPUT = /^[A-Za-z][A-Za-z0-9_]*_model\.[ch]$/;
/** A TypeScript binding is recognised by its name AND its first line, so a folder of sources never is. */
const TS_OUTPUT = /^[A-Za-z][A-Za-z0-9_]*\.ts$/;

const EMITS = ["c", "ts"] as const;
type Emit = (typeof EMITS)[number];

function parseEmit(text: string): Set<Emit> {
  const parts = text.split(",").map((s) => s.trim());
  for (const part of parts) {
    if (!(EMITS as readonly string[]).includes(part)) throw usageError(`compile: --emit takes c, ts or c,ts, got '${text}'`);
  }
  return new Set(parts as Emit[]);
}

/** The TypeScript generator imports ts-morph; it is loaded only when a binding is asked for. */
async function loadTypeScriptEmitter(): Promise<typeof import("../../codegen/typescript/index.js")> {
  try {
    return await import("../../codegen/typescript/index.js");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" && /ts-morph/.test((e as Error).message)) {
      throw usageError("compile: --emit ts needs the ts-morph package, which is not installed");
    }
    throw e;
  }
}

function isEarlierBinding(dir: string, name: string): boolean {
  if (!TS_OUTPUT.test(name)) return false;
  const path = join(dir, name);
  if (!statSync(path).isFile()) return false;
  const head = Buffer.alloc(TS_HEADER.length);
  const fd = openSync(path, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return head.toString("latin1") === TS_HEADER;
}

/**
 * -o replaces the folder as a whole (atomically), so it must be new, empty, or an earlier compile output:
 * never a file or a folder holding other work (a mistyped `-o src` must not delete a source tree).
 */
function refuseForeignFolder(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new MicronetsError("io", "exists and is not a folder; -o names the folder to write the C files into", { file: out });
  const foreign = readdirSync(out).filter((f) => !COMPILE_OUTPUT.test(f) && !isEarlierBinding(out, f));
  if (foreign.length > 0) {
    throw new MicronetsError("io", `exists and holds files other than an earlier \`micronets compile\` output (e.g. '${foreign.sort()[0]}'); -o replaces the whole folder, so give a new or empty one`, { file: out });
  }
}
