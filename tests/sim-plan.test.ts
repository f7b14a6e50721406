/**
 * The simulator really runs inside the arena plan: with TFLM's plan it reproduces TFLM, and with a plan that
 * puts one live tensor on another live tensor's bytes it computes something else — the corruption a device
 * would suffer — while the independent plan checker rejects that plan and runWasm refuses it.
 */
import { describe, expect, it } from "vitest";
import { planArena, type ArenaPlan } from "../src/analysis/arena-plan.js";
import { checkPlan } from "../src/analysis/planner/check-plan.js";
import { isMicronetsError } from "../src/errors.js";
import { fillInput } from "../src/reference/interpreter.js";
import { runWasm, runWasmWithPlan } from "../src/sim/simulator.js";
import { countMismatches, firstMismatch, loadFixtureModel, loadGolden } from "./helpers/golden.js";

const MODEL = "ad01_int8";

/** A copy of `plan` with tensor `moved` placed at the offset of tensor `onto`. */
function movePlan(plan: ArenaPlan, moved: number, onto: number): ArenaPlan {
  const target = plan.buffers.find((b) => b.tensor === onto)!;
  return { ...plan, buffers: plan.buffers.map((b) => (b.tensor === moved ? { ...b, offset: target.offset } : { ...b })) };
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(isMicronetsError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error("expected a MicronetsError");
}

describe("the simulator inside the arena plan", () => {
  const graph = loadFixtureModel(MODEL);
  const golden = loadGolden(MODEL);
  const inputs = [fillInput(640)];
  const plan = planArena(graph);
  // Op 1 (FULLY_CONNECTED 128 → 128) reads tensor `inp` while it writes tensor `out`: both live in scope 2.
  const op = graph.operators[1]!;
  const inp = op.inputs[0]!;
  const out = op.outputs[0]!;
  const broken = movePlan(plan, out, inp);

  it("the chosen tensors are live together and disjoint in TFLM's plan, and share bytes in the broken one", () => {
    const a = plan.buffers.find((b) => b.tensor === inp)!;
    const b = plan.buffers.find((b) => b.tensor === out)!;
    expect(a.firstUse <= b.lastUse && b.firstUse <= a.lastUse).toBe(true);
    expect(a.offset + a.size <= b.offset || b.offset + b.size <= a.offset).toBe(true);
    expect(broken.buffers.find((x) => x.tensor === out)!.offset).toBe(a.offset);
  });

  it("with TFLM's plan, passed explicitly, the result is TFLM's", async () => {
    const r = await runWasmWithPlan(graph, inputs, plan);
    expect(firstMismatch(golden.outputs[0]!.data, r.outputs[0]!)).toBeNull();
  });

  it("the plan checker rejects the broken plan", () => {
    const v = checkPlan(broken.buffers, { offsets: broken.buffers.map((b) => b.offset), total: broken.total }, { alignment: broken.alignment });
    expect(v?.kind).toBe("overlap");
    const ids = v?.kind === "overlap" ? v.buffers.map((k) => broken.buffers[k]!.tensor).sort((x, y) => x! - y!) : [];
    expect(ids).toEqual([inp, out].sort((x, y) => x - y));
  });

  it("runWasm refuses the broken plan", async () => {
    expect(await rejection(runWasm(graph, inputs, { plan: broken }))).toMatch(/share bytes while both live/);
  });

  it("run anyway, the broken plan corrupts the op's output and the model's output", async () => {
    const r = await runWasmWithPlan(graph, inputs, broken, { keepIntermediates: true });
    const opOut = r.intermediates!.get(out)!;
    const g = golden.tensors.get(out)!;
    expect(firstMismatch(g.data, opOut)).not.toBeNull();
    expect(countMismatches(golden.outputs[0]!.data, r.outputs[0]!)).toBeGreaterThan(0);
  });

  it("rejects plans that do not belong to the graph or leave the arena", async () => {
    const other = planArena(loadFixtureModel("kws_ref_model"));
    expect(await rejection(runWasmWithPlan(graph, inputs, other))).toMatch(/not a planned tensor of this graph|another graph|has no buffer/);
    const outside = { ...plan, buffers: plan.buffers.map((b) => (b.tensor === out ? { ...b, offset: plan.total } : b)) };
    expect(await rejection(runWasmWithPlan(graph, inputs, outside))).toMatch(/beyond the arena/);
    const missing = { ...plan, buffers: plan.buffers.filter((b) => b.tensor !== out) };
    expect(await rejection(runWasmWithPlan(graph, inputs, missing))).toMatch(/has no buffer/);
  });
});
