import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readTflite } from "../src/frontends/tflite/read-tflite.js";

const MODELS = ["kws_ref_model", "person_detect", "ad01_int8", "hello_world_int8"];

describe("tflite reader", () => {
  for (const m of MODELS) {
    it(`reads ${m} with the op list TFLM reports`, () => {
      const g = readTflite(readFileSync(`fixtures/models/${m}.tflite`), m);
      const golden = JSON.parse(readFileSync(`../shared/golden/tflm/${m}.reference.json`, "utf8"));
      expect(g.tensors.length).toBe(golden.num_tensors);
      expect(g.operators.length).toBe(golden.num_ops);
      const hist: Record<string, number> = {};
      for (const op of g.operators) hist[op.type] = (hist[op.type] ?? 0) + 1;
      expect(hist).toEqual(golden.op_histogram);
      for (const [i, op] of g.operators.entries()) {
        expect(op.inputs).toEqual(golden.ops[i].inputs);
        expect(op.outputs).toEqual(golden.ops[i].outputs);
      }
    });
  }
});
