import { usageError } from "../../errors.js";
import { loadModelFile } from "../../frontends/load-model.js";
import { writeTflite } from "../../frontends/tflite/write-tflite.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { intOpt, parseCommandArgs, stringOpt } from "../args.js";
import type { Command } from "../command.js";

const usage = `usage: micronets convert <model.tflite|arch.json> -o <out.tflite> [--seed N]

Writes the model as a .tflite FlatBuffer that TensorFlow Lite Micro can run. An architecture JSON without
weights gets seeded, deterministic generated weights (--seed, default: the document's seed or 0).

options:
  -o, --out FILE   the .tflite file to write (required)
  --seed N         weight-generator seed for architecture JSONs`;

export const convertCommand: Command = {
  name: "convert",
  usage,
  async run(argv, io) {
    const p = parseCommandArgs("convert", argv, { out: { type: "string", short: "o" }, seed: { type: "string" } }, { min: 1, max: 1, names: "the model file" });
    const out = stringOpt(p, "out");
    if (!out) throw usageError("convert: -o/--out is required");
    const seed = intOpt(p, "seed", 0, 0xffffffff);
    const model = loadModelFile(p.positionals[0]!, { weights: "generate", seed });
    const bytes = writeTflite(model.graph);
    writeFileAtomic(out, bytes);
    io.out(`wrote ${out} (${bytes.length} bytes, ${model.graph.operators.length} operators)`);
    return 0;
  },
};
