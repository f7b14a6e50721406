/**
 * Generated C on the host (gcc, -std=c99 -Wall -Wextra -Werror -Wconversion -pedantic): the four shared
 * models bit-exact with TFLite Micro's own outputs and with the reference interpreter, also under
 * AddressSanitizer + UndefinedBehaviorSanitizer; seeded architectures with residual ADD/PAD checked on
 * intermediate tensors; every CMSIS-NN test vector (TFLite-generated expected outputs) through the generated
 * kernels; and the requantisation forms against TFLM's double-rounding arithmetic on random operands.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildHost, compileModel, compileWithParams, findHostCc, HOST_WARNING_FLAGS, runHost } from "../src/codegen/index.js";
import { channelTable, planRequant, requantCode } from "../src/codegen/portable/requant.js";
import { templateText } from "../src/codegen/templates.js";
import { loadArchitecture } from "../src/frontends/architecture/index.js";
import { int32Bytes } from "../src/ir/tensor-data.js";
import type { Graph, OpType, Tensor } from "../src/ir/types.js";
import type { OpParams } from "../src/quant/op-params.js";
import { mbqmDouble } from "../src/quant/fixed-point.js";
import { fillInput, runReference } from "../src/reference/interpreter.js";
import { listCmsisVectorSets, loadCmsisCase, type CmsisCase } from "./helpers/cmsis-vectors.js";
import { firstMismatch, GOLDEN_MODELS, loadFixtureModel, loadGolden } from "./helpers/golden.js";

const cc = findHostCc();
const work = mkdtempSync(join(tmpdir(), "micronets-codegen-host-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function bytesOf(a: Int8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function int8(b: Uint8Array): Int8Array {
  return new Int8Array(b.buffer, b.byteOffset, b.byteLength);
}

function describeMismatch(expected: ArrayLike<number>, actual: ArrayLike<number>): string | null {
  const m = firstMismatch(expected, actual);
  return m && `first difference at ${m.element}: expected ${m.expected}, got ${m.actual}`;
}

describe.skipIf(!cc)("generated C on the host", () => {
  for (const model of GOLDEN_MODELS) {
    it(`${model}: bit-exact with TFLM's golden output and the reference interpreter, plain and sanitised`, () => {
      const graph = loadFixtureModel(model);
      const golden = loadGolden(model);
      const input = golden.inputs[0]!.data;
      // The golden input is the standard fill.
      expect(describeMismatch(fillInput(input.length), input)).toBeNull();
      const r = compileModel(graph, { prefix: "m" });
      const reference = runReference(graph, [input]).outputs[0] as Int8Array;
      for (const sanitize of [false, true]) {
        // Sanitised builds at -O0: they compile in a fraction of the time and check the same code paths.
        const program = buildHost(r, { outDir: join(work, `${model}-${sanitize ? "san" : "plain"}`), sanitize, optimize: sanitize ? "O0" : "O2" });
        const out = int8(runHost(program, bytesOf(input)));
        expect(describeMismatch(golden.outputs[0]!.data, out), `${model} vs TFLM (sanitize ${sanitize})`).toBeNull();
        expect(describeMismatch(reference, out), `${model} vs reference (sanitize ${sanitize})`).toBeNull();
      }
    });
  }

  it("kws without in-place layers, and with wide weights, is bit-exact too", () => {
    const graph = loadFixtureModel("kws_ref_model");
    const golden = loadGolden("kws_ref_model");
    for (const [name, opts] of [["plain-plan", { inPlace: false }], ["wide", { wideWeights: true }]] as const) {
      const r = compileModel(graph, { prefix: "kws", ...opts });
      const out = int8(runHost(buildHost(r, { outDir: join(work, `kws-${name}`) }), bytesOf(golden.inputs[0]!.data)));
      expect(describeMismatch(golden.outputs[0]!.data, out), name).toBeNull();
    }
  });

  it("a model with hostile tensor and model names compiles warning-free and computes the same output", () => {
    const graph = loadFixtureModel("hello_world_int8");
    const evil = "*/ int evil = 1; /*\n#error boom\n??/";
    graph.name = evil;
    graph.tensors.forEach((t) => { t.name = evil; });
    const golden = loadGolden("hello_world_int8");
    const out = int8(runHost(buildHost(compileModel(graph, { prefix: "Hostile_1" }), { outDir: join(work, "hostile") }), bytesOf(golden.inputs[0]!.data)));
    expect(describeMismatch(golden.outputs[0]!.data, out)).toBeNull();
  });

  // Seeded weights through the architecture frontend; a few mid-network tensors are made graph outputs so
  // intermediate values are compared too (which also changes the in-place plan around them).
  for (const [arch, extra, plans] of [["micronet-vww-2", [10, 11, 30], [true]], ["micronet-ad-s", [1, 9], [true, false]]] as const) {
    it(`${arch} (seeded weights): every compared tensor equals the reference interpreter's`, () => {
      const graph = loadArchitecture(readFileSync(`fixtures/architectures/${arch}.json`, "utf8"), { file: arch, weights: "generate", seed: 7 });
      graph.outputs = [...graph.outputs, ...extra.map((k) => graph.operators[k]!.outputs[0]!)];
      const n = graph.tensors[graph.inputs[0]!]!.shape.reduce((a, b) => a * b, 1);
      const input = fillInput(n);
      const expected = runReference(graph, [input]).outputs.map((o) => o as Int8Array);
      for (const inPlace of plans) {
        const r = compileModel(graph, { prefix: "a", inPlace });
        const out = int8(runHost(buildHost(r, { outDir: join(work, `${arch}-${inPlace}`) }), bytesOf(input)));
        let pos = 0;
        expected.forEach((e, k) => {
          expect(describeMismatch(e, out.subarray(pos, pos + e.length)), `${arch} output ${k} (in place ${inPlace})`).toBeNull();
          pos += e.length;
        });
      }
    });
  }
});

// ---- CMSIS-NN test vectors through the generated kernels --------------------------------------------------

function tensor(id: number, shape: number[], dtype: "int8" | "int32", data: Uint8Array | null): Tensor {
  return { id, name: `t${id}`, dtype, shape, quant: { scale: [1], zeroPoint: [0], axis: 0 }, constant: data !== null, data, isVariable: false };
}

/** A one-operator graph and its parameters (the vector's own multipliers and offsets) for a vector case. */
function caseGraph(c: CmsisCase): { graph: Graph; params: OpParams; input: Uint8Array } {
  const base = { op_index: 0, rounding: "double" as const };
  const tensors: Tensor[] = [];
  const add = (shape: number[], dtype: "int8" | "int32", data: Uint8Array | null = null): number => {
    tensors.push(tensor(tensors.length, shape, dtype, data));
    return tensors.length - 1;
  };
  let type: OpType;
  let inputs: number[];
  let params: OpParams;
  let input: Uint8Array;
  switch (c.kind) {
    case "conv": case "depthwise": {
      const p = c.params;
      const i = add([p.input_dims.n, p.input_dims.h, p.input_dims.w, p.input_dims.c], "int8");
      const fShape = c.kind === "conv" ? [p.filter_dims.n, p.filter_dims.h, p.filter_dims.w, p.filter_dims.c] : [1, p.filter_dims.h, p.filter_dims.w, p.filter_dims.c];
      const f = add(fShape, "int8", bytesOf(c.filter));
      const b = c.bias ? add([c.bias.length], "int32", int32Bytes(c.bias)) : -1;
      const o = add([p.output_dims.n, p.output_dims.h, p.output_dims.w, p.output_dims.c], "int8");
      inputs = [i, f, b];
      const t = { input: i, filter: f, bias: b, output: o };
      if (c.kind === "conv") {
        type = "CONV_2D";
        params = { ...c.params, ...base, type, tensors: t, groups: p.input_dims.c / p.filter_dims.c };
      } else {
        type = "DEPTHWISE_CONV_2D";
        params = { ...c.params, ...base, type, tensors: t };
      }
      input = bytesOf(c.input);
      break;
    }
    case "fully_connected": {
      const p = c.params;
      const i = add([p.batches, p.accum_depth], "int8");
      const f = add([p.output_depth, p.accum_depth], "int8", bytesOf(c.filter));
      const b = c.bias ? add([c.bias.length], "int32", int32Bytes(c.bias)) : -1;
      const o = add([p.batches, p.output_depth], "int8");
      inputs = [i, f, b];
      type = "FULLY_CONNECTED";
      params = { ...c.params, ...base, type, tensors: { input: i, filter: f, bias: b, output: o } };
      input = bytesOf(c.input);
      break;
    }
    case "avgpool": case "maxpool": {
      const p = c.params;
      const i = add([p.input_dims.n, p.input_dims.h, p.input_dims.w, p.input_dims.c], "int8");
      const o = add([p.output_dims.n, p.output_dims.h, p.output_dims.w, p.output_dims.c], "int8");
      inputs = [i];
      type = c.kind === "avgpool" ? "AVERAGE_POOL_2D" : "MAX_POOL_2D";
      params = { ...c.params, ...base, type, tensors: { input: i, output: o } } as OpParams;
      input = bytesOf(c.input);
      break;
    }
    case "add": case "mul": {
      const p = c.params;
      const a = add([...p.input1_shape], "int8");
      const b = add([...p.input2_shape], "int8");
      const o = add([...p.output_shape], "int8");
      inputs = [a, b];
      type = c.kind === "add" ? "ADD" : "MUL";
      params = { ...c.params, ...base, type, tensors: { input1: a, input2: b, output: o } } as OpParams;
      input = new Uint8Array([...bytesOf(c.input1), ...bytesOf(c.input2)]);
      break;
    }
    case "softmax": {
      const p = c.params;
      const i = add([p.num_rows, p.row_size], "int8");
      const o = add([p.num_rows, p.row_size], "int8");
      inputs = [i];
      type = "SOFTMAX";
      params = { ...c.params, ...base, type, tensors: { input: i, output: o } };
      input = bytesOf(c.input);
      break;
    }
    case "pad": {
      const p = c.params;
      const i = add([...p.input_shape], "int8");
      const pads = add([p.input_shape.length, 2], "int32", int32Bytes(p.pre_pad.flatMap((v, d) => [v, p.post_pad[d]!])));
      const o = add([...p.output_shape], "int8");
      inputs = [i, pads];
      type = "PAD";
      params = { ...c.params, ...base, type, tensors: { input: i, paddings: pads, output: o } };
      input = bytesOf(c.input);
      break;
    }
  }
  const outId = tensors.length - 1;
  const graphInputs = inputs.filter((id) => id >= 0 && !tensors[id]!.constant);
  const graph: Graph = {
    name: c.name,
    description: "",
    tensors,
    operators: [{ type, attrs: {}, inputs, outputs: [outId], version: 1 } as unknown as Graph["operators"][number]],
    inputs: graphInputs,
    outputs: [outId],
    metadata: [],
  };
  return { graph, params, input };
}

describe.skipIf(!cc)("CMSIS-NN test vectors through the generated portable kernels", () => {
  const sets = listCmsisVectorSets();
  const results = new Map<string, { expected: Int8Array; actual: Int8Array }>();

  it("builds every vector set as one program (warning-free) and runs it", () => {
    const dir = join(work, "vectors");
    const sources: string[] = [];
    const mains: string[] = [];
    const cases = sets.map((name) => loadCmsisCase(name));
    cases.forEach((c, k) => {
      const { graph, params, input } = caseGraph(c);
      const r = compileWithParams(graph, [params], { prefix: `v${k}` });
      buildFiles(dir, r.files);
      sources.push(join(dir, r.sourceFile));
      mains.push(`  { static const int8_t in[${Math.max(1, input.length)}] = { ${Array.from(int8(input)).join(", ") || "0"} };`);
      mains.push(`    static int8_t out[${c.expected.length}];`);
      mains.push(`    if (v${k}_invoke(in, out) != 0) return 1;`);
      mains.push(`    dump(out, ${c.expected.length}); }`);
    });
    const main = [
      "#include <stdio.h>",
      "#include <stdint.h>",
      ...cases.map((_, k) => `#include "v${k}_model.h"`),
      "static void dump(const int8_t *p, int n) { int i; for (i = 0; i < n; i++) printf(\"%d \", p[i]); printf(\"\\n\"); }",
      "int main(void) {",
      ...mains,
      "  return 0;",
      "}",
    ].join("\n");
    writeFileSync(join(dir, "main.c"), main);
    const exe = join(dir, "vectors");
    execFileSync(cc!, ["-std=c99", "-O0", ...HOST_WARNING_FLAGS.filter((f) => f !== "-Wmissing-prototypes"), "-fsanitize=address,undefined", "-fno-sanitize-recover=all", `-I${dir}`, ...sources, join(dir, "main.c"), "-o", exe], { stdio: "pipe" });
    const lines = execFileSync(exe, { encoding: "utf8" }).trim().split("\n");
    expect(lines.length).toBe(cases.length);
    cases.forEach((c, k) => results.set(c.name, { expected: c.expected, actual: Int8Array.from(lines[k]!.trim().split(/\s+/).map(Number)) }));
  });

  for (const name of sets) {
    it(`${name} is bit-exact`, () => {
      const r = results.get(name);
      expect(r, "the combined program did not run").toBeDefined();
      expect(describeMismatch(r!.expected, r!.actual)).toBeNull();
    });
  }
});

function buildFiles(dir: string, files: readonly { name: string; contents: string }[]): void {
  execFileSync("mkdir", ["-p", dir]);
  for (const f of files) writeFileSync(join(dir, f.name), f.contents);
}

// ---- requantisation forms against TFLM's arithmetic ------------------------------------------------------

/** A small deterministic PRNG (xorshift32). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

describe.skipIf(!cc)("requantisation code", () => {
  it("every form the generator picks equals clamp(MultiplyByQuantizedMultiplier(acc) + zp) on random operands", () => {
    const rand = rng(12345);
    const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
    const layers: { mult: number[]; shift: number[]; bound: number[]; zp: number; act: { min: number; max: number }; accs: number[]; want: string }[] = [
      // right shifts, a clamp at or above the zero point (the sign correction dropped)
      { mult: [], shift: [], bound: [], zp: -128, act: { min: -128, max: 127 }, accs: [], want: "right" },
      // right shifts, a clamp below the zero point (the sign correction kept)
      { mult: [], shift: [], bound: [], zp: 5, act: { min: -128, max: 100 }, accs: [], want: "right" },
      // left shifts
      { mult: [], shift: [], bound: [], zp: -3, act: { min: -128, max: 127 }, accs: [], want: "left" },
      // mixed shifts and huge accumulators: the exact form
      { mult: [], shift: [], bound: [], zp: 17, act: { min: -20, max: 90 }, accs: [], want: "exact" },
    ];
    layers.forEach((l, k) => {
      for (let c = 0; c < 8; c++) {
        l.mult.push(int(2 ** 30, 2 ** 31 - 1));
        const s = k === 2 ? int(0, 6) : k === 3 ? int(-12, 3) : int(-31, -1);
        l.shift.push(s);
        const b = k === 3 ? 2 ** 31 - 1 : k === 2 ? Math.floor(2 ** 30 / 2 ** (s + 1)) - 1 : 2 ** 30 - 1;
        l.bound.push(b);
      }
      for (let i = 0; i < 4000; i++) {
        const c = i % 8;
        const b = l.bound[c]!;
        // Mostly small accumulators (where rounding ties matter), some up to the bound.
        const acc = i % 3 === 0 ? int(-b, b) : int(-5000, 5000) * (i % 7 === 0 ? 2 ** int(0, 10) : 1);
        l.accs.push(Math.max(-b, Math.min(b, acc)) | 0);
      }
    });
    const parts: string[] = ["#include <stdint.h>", "#include <stdio.h>", "#include <string.h>", "#include <float.h>", "#include <stddef.h>", templateText("portable/runtime.c.hbs")];
    const mains: string[] = [];
    const expected: number[] = [];
    layers.forEach((l, k) => {
      const plan = planRequant(l.mult, l.shift, l.bound, l.zp, l.act);
      expect(plan.mode, `layer ${k}`).toBe(l.want);
      parts.push(channelTable(`t${k}`, plan, l.mult.map(() => 0)), requantCode(`t${k}`, plan));
      parts.push(`static const int32_t t${k}_acc[${l.accs.length}] = { ${l.accs.join(", ")} };`);
      mains.push(`  for (i = 0; i < ${l.accs.length}; i++) printf("%d\\n", (int)t${k}_rq(t${k}_acc[i], t${k}_q + (i % 8) * ${plan.uniform ? 1 : 3}));`);
      l.accs.forEach((acc, i) => {
        const v = mbqmDouble(acc, l.mult[i % 8]!, l.shift[i % 8]!) + l.zp;
        expected.push(Math.max(l.act.min, Math.min(l.act.max, v)));
      });
    });
    parts.push("int main(void) {", "  int i;", ...mains, "  return 0;", "}");
    const dir = join(work, "requant");
    execFileSync("mkdir", ["-p", dir]);
    writeFileSync(join(dir, "rq.c"), parts.join("\n"));
    execFileSync(cc!, ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-fsanitize=undefined", "-fno-sanitize-recover=all", join(dir, "rq.c"), "-o", join(dir, "rq")], { stdio: "pipe" });
    const got = execFileSync(join(dir, "rq"), { encoding: "utf8" }).trim().split("\n").map(Number);
    expect(got.length).toBe(expected.length);
    expect(describeMismatch(expected, got)).toBeNull();
  });
});
