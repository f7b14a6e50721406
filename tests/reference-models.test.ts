/**
 * The four fixture models run through the reference interpreter with the golden input fill, compared
 * bit-exactly with what TensorFlow Lite Micro computed: the outputs and every non-constant tensor.
 */
import { describe, expect, it } from "vitest";
import { fillInput, runReference } from "../src/reference/interpreter.js";
import { firstGoldenDifference, firstMismatch, GOLDEN_MODELS, loadFixtureModel, loadGolden, standardInputs } from "./helpers/golden.js";

describe("reference interpreter against TFLM goldens", () => {
  for (const model of GOLDEN_MODELS) {
    it(`${model}: outputs and every intermediate tensor are bit-exact`, () => {
      const graph = loadFixtureModel(model);
      const golden = loadGolden(model);
      const inputs = standardInputs(graph);
      // The fill must be the one TFLM was fed.
      golden.inputs.forEach((g, k) => {
        expect(g.tensor).toBe(graph.inputs[k]);
        expect(firstMismatch(g.data, inputs[k]!)).toBeNull();
      });

      const result = runReference(graph, inputs, { keepIntermediates: true });
      const got = result.intermediates!;

      // Every tensor TFLM recorded, in execution order of its producer, reporting the first difference.
      expect(golden.tensors.size).toBeGreaterThan(0);
      expect(firstGoldenDifference(graph, golden, got, "ours")).toBeNull();

      // Every non-constant tensor of the graph is covered by the golden, and the outputs match.
      const nonConstant = graph.tensors.filter((t) => !t.constant).map((t) => t.id);
      expect([...golden.tensors.keys()].sort((a, b) => a - b)).toEqual(nonConstant);
      expect(result.outputs.length).toBe(golden.outputs.length);
      golden.outputs.forEach((g, k) => {
        expect(g.tensor).toBe(graph.outputs[k]);
        expect(firstMismatch(g.data, result.outputs[k]!)).toBeNull();
      });
    });
  }

  it("single rounding changes ad01_int8's result (TFLM's build uses double rounding)", () => {
    const graph = loadFixtureModel("ad01_int8");
    const golden = loadGolden("ad01_int8");
    const out = runReference(graph, [fillInput(640)], { rounding: "single" }).outputs[0]!;
    expect(firstMismatch(golden.outputs[0]!.data, out)).not.toBeNull();
  });
});
