/**
 * C code generation without a compiler: the API's validation (prefixes, shape-only graphs), sanitising of
 * model text, determinism, the arena layouts (TFLM's plan reproduced, in-place plans proven sound and within
 * the SRAM goal against TFLM's measured arenas; planned without generating code or weights exactly as
 * compileModel plans them), access-schedule arithmetic and exact C literals.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyzeGraph } from "../src/analysis/analyze.js";
import { estimateFlash } from "../src/analysis/flash.js";
import { loadTarget } from "../src/analysis/targets.js";
import { arenaPlanOfLayout, cmsisCoreOf, compileModel, checkPrefix, commentText, planCmsisNnArena, planLayout, planPortableArena, prefixFromName, verifyLayout, type ArenaLayout } from "../src/codegen/index.js";
import { cFloat32, cInt32, packInt8Words } from "../src/codegen/c-format.js";
import { bestRel, relIsSafe, ScheduleBuilder } from "../src/codegen/schedule.js";
import { MicronetsError } from "../src/errors.js";
import { loadArchitecture } from "../src/frontends/architecture/index.js";
import type { Graph } from "../src/ir/types.js";
import { OPS_DOCS, opsGraph } from "./helpers/codegen-ops.js";
import { GOLDEN_DIR, GOLDEN_MODELS, loadFixtureModel } from "./helpers/golden.js";

function clone(g: Graph): Graph {
  return { ...g, tensors: g.tensors.map((t) => ({ ...t })), operators: g.operators.map((o) => ({ ...o })) };
}

function tflmArena(model: string): { used: number; head: number } {
  const j = JSON.parse(readFileSync(`${GOLDEN_DIR}/${model}.reference.json`, "utf8")) as { arena: { arena_used_bytes: number; head_nonpersistent_bytes: number } };
  return { used: j.arena.arena_used_bytes, head: j.arena.head_nonpersistent_bytes };
}

/** Parses a C hexadecimal float literal (as cFloat32 prints them). */
function parseHexFloat(s: string): number {
  const m = /^(-?)0x1(?:\.([0-9a-f]+))?p(-?\d+)f?$/.exec(s);
  if (!m) throw new Error(`not a hex float: ${s}`);
  const frac = m[2] ? Number.parseInt(m[2], 16) / 16 ** m[2].length : 0;
  return (m[1] ? -1 : 1) * (1 + frac) * 2 ** Number(m[3]);
}

describe("prefix and model text", () => {
  it("accepts C identifiers and rejects everything else with a usage error", () => {
    expect(checkPrefix("kws")).toBe("kws");
    expect(checkPrefix("Model_2")).toBe("Model_2");
    for (const bad of ["", "1abc", "_x", "a b", "x;y", "a-b", "int", "static", "caf\u00e9", "x".repeat(33), "a\nb", "a*/b"]) {
      let err: unknown;
      try {
        checkPrefix(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(MicronetsError);
      expect((err as MicronetsError).kind).toBe("usage");
    }
  });

  it("derives valid prefixes from any name", () => {
    for (const name of ["person_detect", "KWS ref (v2)", "9lives", "", "int", "*/;"]) expect(() => checkPrefix(prefixFromName(name))).not.toThrow();
  });

  it("neutralises comment terminators, control characters and line splices", () => {
    const t = commentText("a*/b/*c\n#include <evil.h>\\\u0000\u00e9??=");
    expect(t).not.toContain("*/");
    expect(t).not.toContain("/*");
    expect(t).not.toMatch(/[\n\r\u0000\\]/);
    expect(t).not.toContain("?"); // no trigraphs (-std=c99 enables them)
    expect(t).toMatch(/^[\x20-\x7e]*$/);
  });

  it("keeps hostile tensor and model names out of the generated code", () => {
    const g = clone(loadFixtureModel("hello_world_int8"));
    const evil = "*/ int evil = 1; /*\n#error boom\n";
    g.name = evil;
    g.tensors.forEach((t) => { t.name = evil; });
    for (const backend of ["portable", "cmsis-nn"] as const) {
      const r = compileModel(g, { backend, prefix: "hw" });
      for (const f of r.files) {
        // The names survive only inside comments, their terminator and newlines broken.
        expect(f.contents).not.toContain("*/ int evil");
        expect(f.contents).not.toMatch(/^\s*#error boom/m);
        expect(f.contents).toContain("* / int evil = 1; / *_#error boom_");
      }
    }
  });

  it("refuses a bad prefix through compileModel", () => {
    expect(() => compileModel(loadFixtureModel("hello_world_int8"), { prefix: "x y" })).toThrow(MicronetsError);
  });
});

describe("graphs that cannot be compiled", () => {
  it("refuses a shape-only graph (a constant without data) with a MicronetsError naming the tensor", () => {
    const g = clone(loadFixtureModel("hello_world_int8"));
    const filter = g.tensors[g.operators[0]!.inputs[1]!]!;
    filter.data = null;
    let err: unknown;
    try {
      compileModel(g);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MicronetsError);
    expect((err as MicronetsError).kind).toBe("input");
    expect(String((err as MicronetsError).where)).toContain("op 0");
    expect((err as MicronetsError).message).toContain(`tensor ${filter.id}`);
  });

  it("refuses unknown backends and cores", () => {
    const g = loadFixtureModel("hello_world_int8");
    expect(() => compileModel(g, { backend: "tvm" as never })).toThrow(MicronetsError);
    expect(() => compileModel(g, { core: "cortex-m0" as never })).toThrow(MicronetsError);
  });
});

describe("determinism and file layout", () => {
  for (const backend of ["portable", "cmsis-nn"] as const) {
    it(`${backend}: compiling twice gives identical bytes`, () => {
      const g = loadFixtureModel("kws_ref_model");
      const a = compileModel(g, { backend, prefix: "kws" });
      const b = compileModel(loadFixtureModel("kws_ref_model"), { backend, prefix: "kws" });
      expect(a.files.map((f) => f.name)).toEqual(["kws_model.h", "kws_model.c"]);
      expect(b.files).toEqual(a.files);
    });
  }

  it("declares the API and I/O macros in the header", () => {
    const r = compileModel(loadFixtureModel("kws_ref_model"), { prefix: "kws" });
    const h = r.files[0]!.contents;
    expect(h).toContain("int kws_invoke(const int8_t *in, int8_t *out);");
    expect(h).toContain("#define KWS_INPUT0_SHAPE { 1, 49, 10, 1 }");
    expect(h).toContain("#define KWS_INPUT_BYTES 490");
    expect(h).toContain("#define KWS_OUTPUT_BYTES 12");
    expect(h).toContain(`#define KWS_ARENA_BYTES ${r.arenaBytes}`);
    // The output of the softmax is quantised with scale 1/256, zero point -128.
    expect(h).toContain("#define KWS_OUTPUT0_SCALE 0x1p-8f");
    expect(h).toContain("#define KWS_OUTPUT0_ZERO_POINT -128");
  });
});

describe("arena layouts", () => {
  it("without scratch or aliases, reproduces TFLM's planned head for every golden model", () => {
    for (const m of ["hello_world_int8", "ad01_int8", "kws_ref_model", "person_detect"]) {
      expect(planLayout(loadFixtureModel(m)).total, m).toBe(tflmArena(m).head);
    }
  });

  for (const m of ["kws_ref_model", "person_detect", "ad01_int8", "hello_world_int8"]) {
    it(`${m}: the in-place layout is sound and at most 0.65 × TFLM's arena`, () => {
      const r = compileModel(loadFixtureModel(m));
      expect(r.layout).toBeDefined();
      expect(verifyLayout(r.layout!)).toBeNull();
      expect(r.arenaBytes).toBeLessThanOrEqual(r.plainArenaBytes);
      expect(r.arenaBytes).toBeLessThanOrEqual(0.65 * tflmArena(m).used);
    });
  }

  it("kws: every in-place layer is placed where its schedule allows, and the arena is far below TFLM's head", () => {
    const r = compileModel(loadFixtureModel("kws_ref_model"));
    // TFLM needs 16000 planned bytes (two 8000-byte activations live at once); in place, one activation plus
    // the small input, scratch and tail layers must suffice.
    expect(r.arenaBytes).toBeLessThan(9000);
    expect(r.layout!.aliases.length).toBeGreaterThan(8);
  });

  it("the planner can be told not to alias: then it is TFLM's plan of the same buffers", () => {
    const r = compileModel(loadFixtureModel("kws_ref_model"), { inPlace: false });
    expect(r.layout!.aliases).toEqual([]);
    expect(r.arenaBytes).toBe(r.plainArenaBytes);
  });
});

describe("access schedules", () => {
  // A kernel that reads input byte i at time 2i and writes output byte i at 2i + 1 (an elementwise op).
  function elementwise(n: number) {
    const sb = new ScheduleBuilder(n, n);
    for (let i = 0; i < n; i++) {
      sb.read(i, 1, 2 * i);
      sb.write(i, 1, 2 * i + 1);
    }
    return sb.build();
  }

  it("an elementwise kernel may write exactly over its input, or anywhere below it, but not above", () => {
    const s = elementwise(64);
    expect(relIsSafe(s, 0)).toBe(true);
    expect(relIsSafe(s, -16)).toBe(true);
    // Output byte 0 would land on input byte 16, read later.
    expect(relIsSafe(s, 16)).toBe(false);
    expect(bestRel(s, 64, 64, 16)).toEqual({ rel: 0, span: 64 });
  });

  it("a kernel that reads everything before writing may overlap entirely; one that writes first may not", () => {
    const readFirst = new ScheduleBuilder(32, 32);
    readFirst.read(0, 32, 0);
    readFirst.write(0, 32, 1);
    expect(bestRel(readFirst.build(), 32, 32, 16)).toEqual({ rel: 0, span: 32 });
    const writeFirst = new ScheduleBuilder(32, 32);
    writeFirst.write(0, 32, 0);
    writeFirst.read(0, 32, 1);
    expect(bestRel(writeFirst.build(), 32, 32, 16)).toBeNull();
  });

  it("an expanding kernel (1 input byte → 2 output bytes, in order) must start its output below its input", () => {
    const n = 64;
    const sb = new ScheduleBuilder(n, 2 * n);
    for (let i = 0; i < n; i++) {
      sb.read(i, 1, 2 * i);
      sb.write(2 * i, 2, 2 * i + 1);
    }
    // Output bytes 2i, 2i+1 land on input bytes 2i + rel, 2i + 1 + rel, which must be < i + 1 for all i:
    // rel ≤ −i − 1 for i = n − 1, i.e. rel ≤ −64; the best aligned placement is −64 (span 128, not 192).
    expect(bestRel(sb.build(), n, 2 * n, 16)).toEqual({ rel: -64, span: 128 });
  });
});

describe("C literals", () => {
  it("prints INT32_MIN as an expression and floats exactly", () => {
    expect(cInt32(-2147483648)).toBe("(-2147483647 - 1)");
    expect(cInt32(2147483647)).toBe("2147483647");
    expect(cFloat32(0.1875)).toBe("0x1.8p-3f");
    expect(cFloat32(1 / 256)).toBe("0x1p-8f");
    for (const v of [1 / 3, 0.024573976, 6.103515625e-5, 1e-30, 3.4e38, -123.456]) {
      expect(parseHexFloat(cFloat32(v))).toBe(Math.fround(v));
    }
  });

  it("packs int8 values little-endian into words", () => {
    expect(packInt8Words([1, -1, 2, -128, 5])).toEqual([0x80_02_ff_01, 0x00_00_00_05]);
  });
});

describe("planning the deployed arena without generating code", () => {
  const fixtures = ["micronet-kws-s", "micronet-ad-s", "micronet-vww-2", "ds-cnn-s", "mobilenet-v1-0.25-person-detect"];
  const weighted = (f: string): Graph => loadArchitecture(readFileSync(`fixtures/architectures/${f}.json`, "utf8"), { weights: "generate", seed: 7 });
  const shapeOnly = (f: string): Graph => loadArchitecture(readFileSync(`fixtures/architectures/${f}.json`, "utf8"), { weights: "none" });
  const sameLayout = (a: ArenaLayout, b: ArenaLayout): void => {
    expect(a.total).toBe(b.total);
    expect([...a.tensorOffset]).toEqual([...b.tensorOffset]);
    expect(a.scratchOffset).toEqual(b.scratchOffset);
    expect(a.aliases).toEqual(b.aliases);
    expect(a.algorithm).toBe(b.algorithm);
  };

  it("planPortableArena is compileModel's layout: the shared models and fixtures with generated weights", () => {
    // The op-test architectures use every op of the IR (PAD, MEAN, CONCATENATION, QUANTIZE, broadcast MUL, …).
    const graphs: [string, Graph][] = [
      ...GOLDEN_MODELS.map((m): [string, Graph] => [m, loadFixtureModel(m)]),
      ...fixtures.map((f): [string, Graph] => [f, weighted(f)]),
      ...OPS_DOCS.map((d): [string, Graph] => [d.name, opsGraph(d, false)]),
    ];
    for (const [name, g] of graphs) {
      const c = compileModel(g);
      const p = planPortableArena(g);
      expect(p.total, name).toBe(c.arenaBytes);
      sameLayout(p, c.layout!);
      expect(verifyLayout(p)).toBeNull();
    }
  });

  it("the options mean what compileModel's mean (no in-place layers, another planner)", () => {
    const g = loadFixtureModel("kws_ref_model");
    const plain = planPortableArena(g, { inPlace: false });
    expect(plain.total).toBe(compileModel(g, { inPlace: false }).arenaBytes);
    expect(plain.aliases).toEqual([]);
    sameLayout(planPortableArena(g, { planner: "linear" }), compileModel(g, { planner: "linear" }).layout!);
    expect(planPortableArena(g, { wideWeights: true }).total).toBe(compileModel(g, { wideWeights: true }).arenaBytes);
  });

  it("a shape-only graph plans exactly like its weighted twin", () => {
    for (const f of fixtures) sameLayout(planPortableArena(shapeOnly(f)), planPortableArena(weighted(f)));
    for (const d of OPS_DOCS) sameLayout(planPortableArena(loadArchitecture(JSON.stringify(d), { weights: "none" })), compileModel(opsGraph(d, false)).layout!);
    // A .tflite stripped of all constant data too.
    const g = loadFixtureModel("person_detect");
    const stripped: Graph = { ...g, tensors: g.tensors.map((t) => (t.constant ? { ...t, data: null } : t)) };
    sameLayout(planPortableArena(stripped), compileModel(g).layout!);
    expect(() => compileModel(stripped)).toThrow(/shape-only/);
  });

  it("planCmsisNnArena is the CMSIS-NN backend's arena, per core", () => {
    for (const g of [...GOLDEN_MODELS.map(loadFixtureModel), weighted("micronet-vww-2"), weighted("ds-cnn-s")]) {
      for (const core of ["cortex-m4", "host"] as const) {
        expect(planCmsisNnArena(g, { core }).total).toBe(compileModel(g, { backend: "cmsis-nn", core }).arenaBytes);
      }
    }
    expect(cmsisCoreOf("cortex-m7")).toBe("cortex-m7");
    expect(cmsisCoreOf("cortex-m33")).toBe("cortex-m4");
    expect(cmsisCoreOf("cortex-m0plus")).toBe("host");
  });

  it("arenaPlanOfLayout: every buffer at the layout's offset, in-place layers listed, a lower bound the total meets", () => {
    const g = loadFixtureModel("person_detect");
    const layout = planPortableArena(g);
    const plan = arenaPlanOfLayout(layout);
    expect(plan.total).toBe(layout.total);
    const scratch = plan.buffers.filter((b) => b.kind === "scratch").map((b) => b.offset);
    expect(scratch).toEqual(layout.scratchOffset);
    for (const b of plan.buffers) if (b.tensor !== null) expect(b.offset).toBe(layout.tensorOffset.get(b.tensor));
    expect(plan.inPlace!.map((l) => l.op)).toEqual(layout.aliases.map((a) => a.op));
    expect(plan.lowerBound).toBeLessThanOrEqual(plan.total);
    // Without in-place layers the bound is the plain one (the max over scopes of live bytes).
    const plain = arenaPlanOfLayout(planPortableArena(g, { inPlace: false }));
    expect(plain.inPlace).toBeUndefined();
    const scopes = g.operators.length + 1;
    let peak = 0;
    for (let s = 0; s < scopes; s++) peak = Math.max(peak, plain.buffers.filter((b) => b.firstUse <= s && s <= b.lastUse).reduce((a, b) => a + b.size, 0));
    expect(plain.lowerBound).toBe(peak);
  });

  it("analysis with the deployed plan: the arena, fit and flash are the portable code's", () => {
    const g = loadFixtureModel("ad01_int8");
    const c = compileModel(g);
    const a = analyzeGraph(g, { backend: "portable", arenaPlan: arenaPlanOfLayout(planPortableArena(g)), target: loadTarget("nrf52840") });
    expect(a.totals.peakSramBytes).toBe(c.arenaBytes);
    expect(a.target!.fit.sram.used).toBe(c.arenaBytes);
    expect(a.totals.flashBytes).toBe(estimateFlash(g, { backend: "portable" }).total);
    // ad01's TFLM head (golden): the portable code adds its kernels' column buffers to it.
    expect(a.deployment).toMatchObject({ backend: "portable", flashModel: "portable", tflmArenaBytes: tflmArena("ad01_int8").head });
    expect(a.deployment.scratchBytes).toBeGreaterThan(0);
  });
});
