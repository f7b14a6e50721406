import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { planArena } from "../src/analysis/arena-plan.js";
import { computeLifetimes } from "../src/analysis/lifetimes.js";
import { checkPlan } from "../src/analysis/planner/check-plan.js";
import { greedyBySize } from "../src/analysis/planner/greedy-by-size.js";
import { linear } from "../src/analysis/planner/linear.js";
import { lowerBound } from "../src/analysis/planner/lower-bound.js";
import { createMemoryPlanner, getPlanner, plannerNames } from "../src/analysis/planner/registry.js";
import type { PlannerBuffer } from "../src/analysis/planner/types.js";
import { isMicronetsError } from "../src/errors.js";
import { readTflite } from "../src/frontends/tflite/read-tflite.js";

const MODELS = ["kws_ref_model", "person_detect", "ad01_int8", "hello_world_int8"] as const;

interface GoldenBuffer {
  buffer: number;
  kind: "tensor" | "scratch";
  tensor?: number;
  size: number;
  first_use: number;
  last_use: number;
  offset: number;
}

function golden(model: string, variant: "reference" | "cmsis_nn") {
  const file = variant === "reference" ? `${model}.reference.json` : `${model}.cmsis_nn.json`;
  return JSON.parse(readFileSync(`../shared/golden/tflm/${file}`, "utf8")) as {
    arena: { head_nonpersistent_bytes: number; planner_max_memory_bytes: number };
    memory_plan: GoldenBuffer[];
  };
}

const load = (m: string) => readTflite(readFileSync(`fixtures/models/${m}.tflite`), m);

describe("arena plan reproduces TFLM's GreedyMemoryPlanner", () => {
  for (const m of MODELS) {
    it(`${m}: every buffer's size, lifetime and offset, and the total`, () => {
      const g = golden(m, "reference");
      const plan = planArena(load(m));
      expect(plan.total).toBe(g.arena.head_nonpersistent_bytes);
      expect(plan.total).toBe(g.arena.planner_max_memory_bytes);
      expect(plan.buffers.map((b) => ({ tensor: b.tensor, size: b.size, first_use: b.firstUse, last_use: b.lastUse, offset: b.offset })))
        .toEqual(g.memory_plan.map((b) => ({ tensor: b.tensor, size: b.size, first_use: b.first_use, last_use: b.last_use, offset: b.offset })));
      expect(plan.lowerBound).toBeLessThanOrEqual(plan.total);
    });
  }

  it("hard-coded published totals (memory-planning.md §1 table)", () => {
    const totals = Object.fromEntries(MODELS.map((m) => [m, planArena(load(m)).total]));
    expect(totals).toEqual({ kws_ref_model: 16000, person_detect: 55296, ad01_int8: 768, hello_world_int8: 32 });
  });

  it("kws_ref_model with the CMSIS-NN scratch buffer TFLM requested (160 B for op 0) matches the cmsis_nn plan", () => {
    const g = golden("kws_ref_model", "cmsis_nn");
    const scratch = g.memory_plan.filter((b) => b.kind === "scratch");
    expect(scratch).toHaveLength(1);
    // Op 0 is a 10×4 conv on 1 input channel: pure-C arm_convolve_s8 needs 4·roundup4(10·4·1) = 160 bytes (spec §5.3).
    const plan = planArena(load("kws_ref_model"), { scratch: [{ op: 0, size: 4 * (Math.ceil((10 * 4 * 1) / 4) * 4) }] });
    expect(plan.buffers.map((b) => ({ kind: b.kind, size: b.size, first_use: b.firstUse, last_use: b.lastUse, offset: b.offset })))
      .toEqual(g.memory_plan.map((b) => ({ kind: b.kind, size: b.size, first_use: b.first_use, last_use: b.last_use, offset: b.offset })));
    expect(plan.total).toBe(g.arena.head_nonpersistent_bytes);
  });
});

/** mulberry32: a tiny seeded PRNG so the property tests are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBuffers(rand: () => number, n: number, scopes: number, align: number): PlannerBuffer[] {
  return Array.from({ length: n }, () => {
    const a = Math.floor(rand() * scopes);
    const b = Math.floor(rand() * scopes);
    return { size: Math.floor(rand() * 64) * align, firstUse: Math.min(a, b), lastUse: Math.max(a, b) };
  });
}

describe("greedy-by-size, hand-derived cases", () => {
  it("places equal sizes highest buffer index first", () => {
    const plan = greedyBySize([
      { size: 16, firstUse: 0, lastUse: 1 },
      { size: 16, firstUse: 0, lastUse: 1 },
    ]);
    expect(plan).toEqual({ offsets: [16, 0], total: 32 });
  });

  it("fills the first large-enough gap between conflicting buffers, else goes after the last", () => {
    // Largest first: A@0; B conflicts A → 100; C conflicts only B → gap [0,100) → 0; D likewise → 0;
    // E conflicts A, B, C: candidate passes A (end 100), C (end 60 < 100), B (gap 0) → 180.
    const plan = greedyBySize([
      { size: 100, firstUse: 1, lastUse: 1 }, // A
      { size: 80, firstUse: 0, lastUse: 2 }, // B
      { size: 60, firstUse: 0, lastUse: 0 }, // C
      { size: 30, firstUse: 2, lastUse: 2 }, // D
      { size: 20, firstUse: 0, lastUse: 1 }, // E
    ]);
    expect(plan).toEqual({ offsets: [0, 100, 0, 0, 180], total: 200 });
  });

  it("handles no buffers and zero-size buffers", () => {
    expect(greedyBySize([])).toEqual({ offsets: [], total: 0 });
    expect(greedyBySize([{ size: 0, firstUse: 0, lastUse: 3 }, { size: 16, firstUse: 0, lastUse: 3 }])).toEqual({ offsets: [0, 0], total: 16 });
  });

  it("rejects malformed buffers with a MicronetsError naming the buffer", () => {
    for (const bad of [{ size: -1, firstUse: 0, lastUse: 0 }, { size: 1.5, firstUse: 0, lastUse: 0 }, { size: 16, firstUse: 3, lastUse: 2 }]) {
      try {
        greedyBySize([{ size: 16, firstUse: 0, lastUse: 0 }, bad]);
        expect.unreachable();
      } catch (e) {
        expect(isMicronetsError(e)).toBe(true);
        expect((e as Error & { where?: string }).where).toBe("planner buffer 1");
      }
    }
  });
});

describe("linear planner and lower bound", () => {
  it("linear stacks buffers in order", () => {
    expect(linear([{ size: 32, firstUse: 0, lastUse: 0 }, { size: 16, firstUse: 1, lastUse: 1 }, { size: 48, firstUse: 0, lastUse: 2 }]))
      .toEqual({ offsets: [0, 32, 48], total: 96 });
  });

  it("lower bound = max over scopes of live bytes (inclusive lifetimes)", () => {
    // scope 0: 10+5 = 15; scope 1: 10+7 = 17; scope 2: 7+3 = 10.
    expect(lowerBound([
      { size: 10, firstUse: 0, lastUse: 1 },
      { size: 5, firstUse: 0, lastUse: 0 },
      { size: 7, firstUse: 1, lastUse: 2 },
      { size: 3, firstUse: 2, lastUse: 2 },
    ])).toBe(17);
    expect(lowerBound([])).toBe(0);
  });

  it("registry: algorithms by name, the TFLM-style interface, unknown names listed", () => {
    expect(plannerNames()).toEqual(expect.arrayContaining(["greedy-by-size", "linear"]));
    const p = createMemoryPlanner("greedy-by-size");
    p.addBuffer(16, 0, 1);
    p.addBuffer(16, 0, 1);
    expect(p.plan()).toEqual({ offsets: [16, 0], total: 32 });
    expect(() => getPlanner("best-fit-ever")).toThrow(/known planners: greedy-by-size, linear/);
    const g = load("hello_world_int8");
    expect(planArena(g, { algorithm: "linear" }).total).toBe(64); // 4 buffers × 16 (golden planned_tensor_bytes_sum)
  });
});

describe("plan checker", () => {
  const bufs: PlannerBuffer[] = [
    { size: 32, firstUse: 0, lastUse: 1 },
    { size: 32, firstUse: 1, lastUse: 2 },
    { size: 32, firstUse: 2, lastUse: 3 },
  ];

  it("accepts a sound plan that reuses bytes across disjoint lifetimes", () => {
    expect(checkPlan(bufs, { offsets: [0, 32, 0], total: 64 })).toBeNull();
  });

  it("rejects a deliberately overlapping plan, naming both buffers", () => {
    const v = checkPlan(bufs, { offsets: [0, 16, 0], total: 64 });
    expect(v).toMatchObject({ kind: "overlap", buffers: [0, 1] });
  });

  it("rejects buffers beyond the total, negative offsets, misalignment and a wrong count", () => {
    expect(checkPlan(bufs, { offsets: [0, 32, 0], total: 63 })).toMatchObject({ kind: "bounds", buffer: 1 });
    expect(checkPlan(bufs, { offsets: [-32, 32, 0], total: 64 })).toMatchObject({ kind: "offset", buffer: 0 });
    expect(checkPlan(bufs, { offsets: [0, 40, 0], total: 80 }, { alignment: 16 })).toMatchObject({ kind: "alignment", buffer: 1 });
    expect(checkPlan(bufs, { offsets: [0, 32], total: 64 })).toMatchObject({ kind: "count" });
  });

  it("agrees with a byte-by-byte simulation on random plans", () => {
    const rand = rng(7);
    let rejected = 0;
    for (let trial = 0; trial < 300; trial++) {
      const b = randomBuffers(rand, 1 + Math.floor(rand() * 6), 5, 1).map((x) => ({ ...x, size: x.size % 12 }));
      const offsets = b.map(() => Math.floor(rand() * 24));
      const total = 36;
      let sound = true;
      for (let scope = 0; scope < 5 && sound; scope++) {
        const used = new Uint8Array(total);
        b.forEach((x, i) => {
          if (scope < x.firstUse || scope > x.lastUse) return;
          for (let k = offsets[i]!; k < offsets[i]! + x.size; k++) {
            if (used[k]) sound = false;
            used[k] = 1;
          }
        });
      }
      const v = checkPlan(b, { offsets, total });
      expect(v === null).toBe(sound);
      if (v) rejected++;
    }
    expect(rejected).toBeGreaterThan(20); // the random plans really exercise both verdicts
  });
});

describe("property: planners on random lifetimes (seeded)", () => {
  it("every plan passes the checker; lower bound ≤ greedy ≤ linear", () => {
    const rand = rng(20210301);
    let reachedBound = 0;
    for (let trial = 0; trial < 400; trial++) {
      const buffers = randomBuffers(rand, Math.floor(rand() * 40), 1 + Math.floor(rand() * 20), 16);
      const lb = lowerBound(buffers);
      const greedy = greedyBySize(buffers);
      const lin = linear(buffers);
      expect(checkPlan(buffers, greedy, { alignment: 16 })).toBeNull();
      expect(checkPlan(buffers, lin, { alignment: 16 })).toBeNull();
      expect(greedy.total).toBeGreaterThanOrEqual(lb);
      expect(greedy.total).toBeLessThanOrEqual(lin.total);
      expect(lin.total).toBe(buffers.reduce((s, b) => s + b.size, 0));
      if (greedy.total === lb) reachedBound++;
    }
    expect(reachedBound).toBeGreaterThan(0);
  });
});

describe("lifetimes", () => {
  it("golden lifetimes of the four models include the graph output living to the final scope", () => {
    for (const m of MODELS) {
      const g = load(m);
      const bufs = computeLifetimes(g);
      const out = bufs.find((b) => b.tensor === g.outputs[0])!;
      expect(out.lastUse).toBe(g.operators.length);
      expect(bufs.every((b) => b.size % 16 === 0 && b.size >= b.bytes && b.size - b.bytes < 16)).toBe(true);
    }
  });

  it("skips constants and variables, refuses an orphan tensor, validates scratch requests", () => {
    const g = load("hello_world_int8");
    const base = computeLifetimes(g).length;
    const orphan = { ...g, tensors: [...g.tensors, { ...g.tensors[g.inputs[0]!]!, id: g.tensors.length, name: "orphan" }] };
    expect(() => computeLifetimes(orphan)).toThrow(/neither a graph input nor produced/);
    const withVar = { ...g, tensors: [...g.tensors, { ...g.tensors[g.inputs[0]!]!, id: g.tensors.length, name: "state", isVariable: true }] };
    expect(computeLifetimes(withVar).length).toBe(base);
    expect(() => computeLifetimes(g, { scratch: [{ op: 3, size: 16 }] })).toThrow(/out of range/);
    expect(() => computeLifetimes(g, { scratch: [{ op: 0, size: -4 }] })).toThrow(/size -4/);
    const s = computeLifetimes(g, { scratch: [{ op: 1, size: 20 }] }).at(-1)!;
    expect(s).toMatchObject({ tensor: null, kind: "scratch", bytes: 20, size: 32, firstUse: 2, lastUse: 2 });
  });
});
