import { usageError } from "../../errors.js";
import { loadModelFile } from "../../frontends/load-model.js";
import { tensorLabel } from "../../ir/tensor-data.js";
import { writeTensorFile } from "../../io/tensor-files.js";
import { shape } from "../../report/format.js";
import { getEngine, engineNames } from "../../verify/engines.js";
import { intOpt, parseCommandArgs, stringOpt } from "../args.js";
import type { Command } from "../command.js";
import { INPUT_OPTIONS, modelInputs, roundingOpt } from "./model-inputs.js";

const usage = `usage: micronets run <model.tflite|arch.json> [options]

Runs one inference and prints (or writes) the outputs.

options:
  --input FILE        input values, .npy or raw little-endian .bin (once per model input, in order)
  --fill golden|SEED  fill the inputs instead: 'golden' is TFLM's test pattern (default), a number a seeded
                      uniform random fill
  --engine NAME       ${engineNames().join(" | ")} (default reference)
  --rounding MODE     double (TFLM, CMSIS-NN; default) | single (TFLITE_SINGLE_ROUNDING)
  --seed N            weight-generator seed for architecture JSONs without weights
  -o, --out FILE      write output 0 to FILE (.npy or raw .bin); repeat for more outputs`;

export const runCommand: Command = {
  name: "run",
  usage,
  async run(argv, io) {
    const p = parseCommandArgs("run", argv, { ...INPUT_OPTIONS, engine: { type: "string" }, out: { type: "string", short: "o", multiple: true } }, { min: 1, max: 1, names: "the model file" });
    const engine = getEngine(stringOpt(p, "engine") ?? "reference");
    const rounding = roundingOpt(stringOpt(p, "rounding"));
    const model = loadModelFile(p.positionals[0]!, { weights: "generate", seed: intOpt(p, "seed", 0, 0xffffffff) });
    const g = model.graph;
    const inputs = modelInputs(g, (p.values.input as string[] | undefined) ?? [], stringOpt(p, "fill"));
    const outs = (p.values.out as string[] | undefined) ?? [];
    if (outs.length > g.outputs.length) throw usageError(`the model has ${g.outputs.length} output(s); got ${outs.length} --out files`);
    const result = await engine.run(g, inputs, { keepIntermediates: false, rounding });
    g.outputs.forEach((id, k) => {
      const t = g.tensors[id]!;
      const v = result.outputs[k]!;
      if (outs[k]) {
        writeTensorFile(outs[k]!, v, t.shape);
        io.out(`output ${k} (${tensorLabel(t)}) ${t.dtype} ${shape(t.shape)} → ${outs[k]}`);
        return;
      }
      const values = Array.from(v as ArrayLike<number>);
      const shown = values.length > 64 ? `${values.slice(0, 64).join(" ")} … (${values.length} values)` : values.join(" ");
      io.out(`output ${k} (${tensorLabel(t)}) ${t.dtype} ${shape(t.shape)}: ${shown}`);
      const q = t.quant;
      if (q && q.scale.length === 1 && t.dtype === "int8" && values.length <= 64) {
        io.out(`  dequantized: ${values.map((x) => (q.scale[0]! * (x - q.zeroPoint[0]!)).toPrecision(4)).join(" ")}`);
      }
    });
    io.out(`engine ${engine.name}`);
    return 0;
  },
};
