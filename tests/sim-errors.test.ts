/** Bad input to the simulator gives a MicronetsError naming the place, never a trap or a partial result. */
import { describe, expect, it } from "vitest";
import { isMicronetsError, type MicronetsError } from "../src/errors.js";
import { fillInput } from "../src/reference/interpreter.js";
import { loadSimKernels } from "../src/sim/kernel-runner.js";
import { runWasm } from "../src/sim/simulator.js";
import { loadCmsisCase } from "./helpers/cmsis-vectors.js";
import { loadFixtureModel } from "./helpers/golden.js";

async function failure(f: () => unknown): Promise<MicronetsError> {
  try {
    await f();
  } catch (e) {
    expect(isMicronetsError(e), String(e)).toBe(true);
    return e as MicronetsError;
  }
  throw new Error("expected a MicronetsError");
}

describe("simulator input errors", () => {
  const graph = loadFixtureModel("hello_world_int8");

  it("rejects inputs of the wrong type, length or count, naming the graph input", async () => {
    let e = await failure(() => runWasm(graph, [new Float32Array(1)]));
    expect(e.where).toMatch(/graph input 0/);
    e = await failure(() => runWasm(graph, [fillInput(2)]));
    expect(e.message).toMatch(/expected 1 elements, got 2/);
    e = await failure(() => runWasm(graph, []));
    expect(e.message).toMatch(/1 inputs, 0 were given/);
  });

  it("rejects a shape-only model (weights without data), naming the op and tensor", async () => {
    const filterId = graph.operators[1]!.inputs[1]!;
    const shapeOnly = { ...graph, tensors: graph.tensors.map((t) => (t.id === filterId ? { ...t, data: null } : t)) };
    const e = await failure(() => runWasm(shapeOnly, [fillInput(1)]));
    expect(`${e.where} ${e.message}`).toMatch(/op 1 \(FULLY_CONNECTED\)/);
    expect(e.message).toMatch(new RegExp(`tensor ${filterId}`));
  });

  it("kernel runner: operands that do not match the parameters are rejected", async () => {
    const k = await loadSimKernels();
    const c = loadCmsisCase("conv_2");
    if (c.kind !== "conv") throw new Error("conv_2 is a conv case");
    let e = await failure(() => k.conv(c.params, c.input.subarray(1), c.filter, c.bias));
    expect(e.message).toMatch(/input has 35 elements/);
    e = await failure(() => k.conv(c.params, c.input, c.filter.subarray(1), c.bias));
    expect(e.message).toMatch(/filter has/);
    e = await failure(() => k.conv({ ...c.params, multiplier: c.params.multiplier.map(() => -5) }, c.input, c.filter, c.bias));
    expect(e.message).toMatch(/multiplier -5/);
    e = await failure(() => k.conv({ ...c.params, stride: { h: 0, w: 1 } }, c.input, c.filter, c.bias));
    expect(e.message).toMatch(/stride height is 0/);
  });

  it("an average pool whose window misses the image is rejected, as TFLM fails it", async () => {
    const k = await loadSimKernels();
    const c = loadCmsisCase("avgpooling_2");
    if (c.kind !== "avgpool") throw new Error("avgpooling_2 is an average pool case");
    const e = await failure(() => k.averagePool({ ...c.params, padding: { h: 0, w: 5 } }, c.input));
    expect(e.message).toMatch(/covers no input element/);
  });
});
