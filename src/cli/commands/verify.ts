import { loadModelFile } from "../../frontends/load-model.js";
import { thousands } from "../../report/format.js";
import { engineNames } from "../../verify/engines.js";
import { verifyModel } from "../../verify/verify.js";
import { intOpt, parseCommandArgs, stringOpt } from "../args.js";
import type { Command } from "../command.js";
import { startProgress } from "../progress.js";
import { INPUT_OPTIONS, modelInputs, roundingOpt } from "./model-inputs.js";

const usage = `usage: micronets verify <model.tflite|arch.json> [options]

Runs the engines side by side on the same inputs and compares every tensor, bit for bit, with the reference
interpreter. Prints 'bit-exact (N tensors, M bytes)' per engine, or the first mismatch (op index, tensor,
element index, both values). Exit 0 when all agree, 1 on a mismatch.

options:
  --engines A,B       engines to check (default: all but the reference: ${engineNames().filter((e) => e !== "reference").join(", ")})
  --input FILE        input values (.npy / .bin), once per model input
  --fill golden|SEED  input fill (default golden)
  --rounding MODE     double (default) | single
  --seed N            weight-generator seed for architecture JSONs without weights`;

export const verifyCommand: Command = {
  name: "verify",
  usage,
  async run(argv, io) {
    const p = parseCommandArgs("verify", argv, { ...INPUT_OPTIONS, engines: { type: "string" } }, { min: 1, max: 1, names: "the model file" });
    const rounding = roundingOpt(stringOpt(p, "rounding"));
    const engines = (stringOpt(p, "engines") ?? engineNames().filter((e) => e !== "reference").join(",")).split(",").map((s) => s.trim()).filter(Boolean);
    const model = loadModelFile(p.positionals[0]!, { weights: "generate", seed: intOpt(p, "seed", 0, 0xffffffff) });
    const inputs = modelInputs(model.graph, (p.values.input as string[] | undefined) ?? [], stringOpt(p, "fill"));
    // Generated-C engines build and run firmware (seconds each): show which engine is running.
    const bar = startProgress({ label: "verify", total: engines.filter((e) => e !== "reference").length + 1, unit: "engines" });
    const result = await verifyModel(model.graph, { engines, inputs, rounding, onEngine: (name) => { if (name !== "reference") bar.tick(); } });
    bar.tick();
    bar.done();
    for (const v of result.verdicts) {
      const c = v.comparison;
      if (!c.mismatch) {
        io.out(`${v.engine}: bit-exact (${c.tensors} tensor${c.tensors === 1 ? "" : "s"}, ${thousands(c.bytes)} byte${c.bytes === 1 ? "" : "s"}; ${c.scope} compared with the reference)`);
      } else {
        const m = c.mismatch;
        const op = m.op >= 0 ? `op ${m.op} (${m.opType})` : "graph input";
        io.out(`${v.engine}: MISMATCH at ${op}, tensor ${m.tensor} '${m.tensorName}', element ${m.element}: reference ${m.expected}, ${v.engine} ${m.actual}`);
      }
    }
    return result.ok ? 0 : 1;
  },
};
