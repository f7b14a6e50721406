/**
 * The four fixture models run through the reference interpreter with the golden input fill, compared
 * bit-exactly with what TensorFlow Lite Micro computed: the outputs and every non-constant tensor.
 */
import { describe, expect, it } from "vitest";
import { opLabel } from "../src/ir/tensor-data.js";
import { fillInput, runReference } from "../src/reference/interpreter.js";
import { countMismatches, firstMismatch, GOLDEN_MODELS, loadFixtureModel, loadGolden } from "./helpers/golden.js";

describe("reference interpreter against TFLM goldens", () => {
  for (const model of GOLDEN_MODELS) {
    it(`${model}: outputs and every intermediate tensor are bit-exact`, () => {
      const graph = loadFixtureModel(model);
      const golden = loadGolden(model);
      const inputs = graph.inputs.map((id) => fillInput(graph.tensors[id]!.shape.reduce((a, b) => a * b, 1)));
      // The fill must be the one TFLM was fed.
      golden.inputs.forEach((g, k) => {
        expect(g.tensor).toBe(graph.inputs[k]);
        expect(firstMismatch(g.data, inputs[k]!)).toBeNull();
      });

      const result = runReference(graph, inputs, { keepIntermediates: true });
      const got = result.intermediates!;

      // Every tensor TFLM recorded, in execution order of its producer, reporting the first difference.
      const ordered = [...golden.tensors.values()].sort((a, b) => a.producerOp - b.producerOp);
      expect(ordered.length).toBeGreaterThan(0);
      const problems: string[] = [];
      for (const g of ordered) {
        const v = got.get(g.tensor);
        const where = g.producerOp >= 0 ? opLabel(graph.operators[g.producerOp]!, g.producerOp) : "graph input";
        if (!v) {
          problems.push(`${where}: tensor ${g.tensor} '${g.name}' was not computed`);
          continue;
        }
        const m = firstMismatch(g.data, v);
        if (m) {
          problems.push(`${where}: tensor ${g.tensor} '${g.name}' element ${m.element}: TFLM ${m.expected}, ours ${m.actual} (${countMismatches(g.data, v)} of ${g.data.length} differ)`);
          break; // later tensors inherit the difference
        }
      }
      expect(problems).toEqual([]);

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
