/**
 * `micronets compile --emit ts`: the generated TypeScript modules for the four shared models are written
 * inside the repo (so `import … from "micronets"` resolves by package self-reference to the built dist/),
 * type-checked by the TypeScript compiler under strict settings, imported, and run: infer must match the
 * TFLM goldens and the reference interpreter bit for bit; quantize/dequantize are checked against values
 * derived by hand from the models' quantisation.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { emitTypeScriptBinding } from "../src/codegen/typescript/index.js";
import { TS_HEADER } from "../src/codegen/typescript/header.js";
import type { Graph, Tensor } from "../src/ir/types.js";
import { runReference } from "../src/reference/interpreter.js";
import { runCli } from "./helpers/cli.js";
import { firstMismatch, GOLDEN_MODELS, loadFixtureModel, loadGolden, type GoldenModel } from "./helpers/golden.js";

const OUT = "tests/.output/ts-binding";

/** What every generated single-input, single-output module exports (the test's view of it). */
interface Binding {
  MODEL_NAME: string;
  INPUT_NAME: string;
  INPUT_SHAPE: readonly number[];
  INPUT_DTYPE: string;
  INPUT_LENGTH: number;
  INPUT_SCALE: number;
  INPUT_ZERO_POINT: number;
  OUTPUT_NAME: string;
  OUTPUT_SHAPE: readonly number[];
  OUTPUT_DTYPE: string;
  OUTPUT_LENGTH: number;
  OUTPUT_SCALE: number;
  OUTPUT_ZERO_POINT: number;
  infer(input: Int8Array): Int8Array;
  quantize(x: Float32Array | readonly number[]): Int8Array;
  dequantize(q: Int8Array): Float32Array;
}

/** TFLM's golden input: byte i = ((i·7 + 3) mod 256) − 128 (written out here, not taken from the project). */
function fill(n: number): Int8Array {
  return Int8Array.from({ length: n }, (_, i) => ((i * 7 + 3) % 256) - 128);
}

function modulePath(model: string): string {
  return join(OUT, model, `${model}.ts`);
}

async function importBinding<T = Binding>(file: string): Promise<T> {
  return (await import(pathToFileURL(resolve(file)).href)) as T;
}

/**
 * A two-input, two-output graph with hostile names: ADD of two int8 tensors, its int8 sum and the sum
 * DEQUANTIZEd to float32 as outputs. The names try to end comments, strings and template literals.
 */
const EVIL = "x */ \"q\" 'a' `t` ${process.exit(1)} \\ @param \n\u2028 é 😀";
function edgeGraph(): Graph {
  const t = (id: number, name: string, dtype: Tensor["dtype"], scale: number | null, zp = 0): Tensor => ({
    id, name, dtype, shape: [1, 4], quant: scale === null ? null : { scale: [scale], zeroPoint: [zp], axis: 0 },
    constant: false, data: null, isVariable: false,
  });
  return {
    name: EVIL,
    description: "",
    tensors: [t(0, `a ${EVIL}`, "int8", 0.5, 3), t(1, `b ${EVIL}`, "int8", 0.25, -2), t(2, `sum ${EVIL}`, "int8", 1, 1), t(3, `real ${EVIL}`, "float32", null)],
    operators: [
      { type: "ADD", attrs: { activation: "none" }, inputs: [0, 1], outputs: [2], version: 1 },
      { type: "DEQUANTIZE", attrs: {}, inputs: [2], outputs: [3], version: 2 },
    ],
    inputs: [0, 1],
    outputs: [2, 3],
    metadata: [],
  };
}

describe("micronets compile --emit ts", () => {
  beforeAll(async () => {
    if (!existsSync("dist/src/api/index.js")) throw new Error("dist/ is missing: the generated modules import the built library (run `npx tsc -p .`)");
    rmSync(OUT, { recursive: true, force: true });
    for (const m of GOLDEN_MODELS) {
      // One model through --emit c,ts: both outputs land in the same folder.
      const emit = m === "kws_ref_model" ? "c,ts" : "ts";
      const r = await runCli("compile", `fixtures/models/${m}.tflite`, "-o", join(OUT, m), "--emit", emit);
      if (r.code !== 0) throw new Error(`compile ${m}: ${r.stderr}`);
    }
    const edge = await emitTypeScriptBinding(edgeGraph(), { prefix: "edge", modelName: EVIL });
    mkdirSync(join(OUT, "edge"), { recursive: true });
    writeFileSync(join(OUT, "edge", edge.file.name), edge.file.contents);
  });

  it("writes <prefix>.ts (and the C files too with --emit c,ts), and prints what it wrote", async () => {
    expect(readdirSync(join(OUT, "hello_world_int8"))).toEqual(["hello_world_int8.ts"]);
    expect(readdirSync(join(OUT, "kws_ref_model")).sort()).toEqual(["kws_ref_model.ts", "kws_ref_model_model.c", "kws_ref_model_model.h"]);
    const again = await runCli("compile", "fixtures/models/hello_world_int8.tflite", "-o", join(OUT, "hello_world_int8"), "--emit", "ts");
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("wrote tests/.output/ts-binding/hello_world_int8/: hello_world_int8.ts");
    expect(again.stdout).toContain("TypeScript binding hello_world_int8.ts: infer(int8 [1, 1]) → int8 [1, 1]");
    expect(again.stdout).not.toContain("backend");
  });

  it("the modules type-check under strict settings, with exact types (tuples, literals, typed arrays)", () => {
    // A consumer: what must compile and what must not (@ts-expect-error fails the check if it compiles).
    writeFileSync(join(OUT, "consumer.ts"), [
      `import { INPUT_SHAPE, INPUT_DTYPE, infer, quantize, dequantize } from "./kws_ref_model/kws_ref_model.js";`,
      `import { infer as inferEdge, quantizeInput1, dequantizeOutput0 } from "./edge/edge.js";`,
      `const shape: readonly [1, 49, 10, 1] = INPUT_SHAPE;`,
      `const dtype: "int8" = INPUT_DTYPE;`,
      `const scores: Float32Array = dequantize(infer(quantize(new Float32Array(490))));`,
      `const pair: [Int8Array, Float32Array] = inferEdge(new Int8Array(4), quantizeInput1([1, 2, 3, 4]));`,
      `const real: Float32Array = dequantizeOutput0(pair[0]);`,
      `// @ts-expect-error the shape is readonly`,
      `INPUT_SHAPE[0] = 2;`,
      `// @ts-expect-error a Float32Array is not an Int8Array`,
      `infer(new Float32Array(490));`,
      `// @ts-expect-error the float32 output has no dequantize helper`,
      `import { dequantizeOutput1 } from "./edge/edge.js";`,
      `export { shape, dtype, scores, real };`,
      "",
    ].join("\n"));
    const files = [...GOLDEN_MODELS.map((m) => `${m}/${m}.ts`), "edge/edge.ts", "consumer.ts"];
    writeFileSync(join(OUT, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", types: ["node"], noEmit: true,
        noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, noUnusedLocals: true, noUnusedParameters: true,
        noImplicitReturns: true, verbatimModuleSyntax: true, isolatedModules: true, skipLibCheck: true,
      },
      files,
    }, null, 2));
    const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", join(OUT, "tsconfig.json")], { encoding: "utf8" });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });

  describe.each(GOLDEN_MODELS)("%s", (m: GoldenModel) => {
    const graph = loadFixtureModel(m);
    const golden = loadGolden(m);
    const main = JSON.parse(readFileSync(`../shared/golden/tflm/${m}.reference.json`, "utf8")) as {
      inputs: { quant: { scale: number; zero_point: number } }[];
      outputs: { quant: { scale: number; zero_point: number } }[];
    };

    it("constants describe the model's input and output (checked against TFLM's golden)", async () => {
      const b = await importBinding(modulePath(m));
      const [gi, go] = [golden.inputs[0]!, golden.outputs[0]!];
      expect(b.MODEL_NAME).toBe(`${m}.tflite`);
      expect([b.INPUT_NAME, b.OUTPUT_NAME]).toEqual([gi.name, go.name]);
      expect([b.INPUT_SHAPE, b.OUTPUT_SHAPE]).toEqual([gi.shape, go.shape]);
      expect([b.INPUT_LENGTH, b.OUTPUT_LENGTH]).toEqual([gi.data.length, go.data.length]);
      expect([b.INPUT_DTYPE, b.OUTPUT_DTYPE]).toEqual(["int8", "int8"]);
      // The goldens print scales to 9 significant digits: enough to name the float32 exactly.
      expect(b.INPUT_SCALE).toBe(Math.fround(main.inputs[0]!.quant.scale));
      expect(b.OUTPUT_SCALE).toBe(Math.fround(main.outputs[0]!.quant.scale));
      expect([b.INPUT_ZERO_POINT, b.OUTPUT_ZERO_POINT]).toEqual([main.inputs[0]!.quant.zero_point, main.outputs[0]!.quant.zero_point]);
    });

    it("infer is bit-exact with TFLM's golden output and the reference interpreter", async () => {
      const b = await importBinding(modulePath(m));
      const input = fill(b.INPUT_LENGTH);
      expect(firstMismatch(golden.inputs[0]!.data, input)).toBeNull();
      const before = Int8Array.from(input);
      const out = b.infer(input);
      expect(out).toBeInstanceOf(Int8Array);
      expect(firstMismatch(golden.outputs[0]!.data, out)).toBeNull();
      expect(firstMismatch(runReference(graph, [input]).outputs[0] as Int8Array, out)).toBeNull();
      expect(input).toEqual(before);
      // Repeated calls reuse the simulator and give fresh, equal results.
      const again = b.infer(input);
      expect(again).not.toBe(out);
      expect(again).toEqual(out);
    });

    it("a wrong length or type throws a MicronetsError naming the input", async () => {
      const b = await importBinding(modulePath(m));
      for (const bad of [new Int8Array(b.INPUT_LENGTH + 1), new Int8Array(b.INPUT_LENGTH - 1), new Int8Array(0)]) {
        expect(() => b.infer(bad)).toThrow(expect.objectContaining({
          name: "MicronetsError",
          kind: "input",
          message: `expected ${b.INPUT_LENGTH} element${b.INPUT_LENGTH === 1 ? "" : "s"} (shape [${golden.inputs[0]!.shape.join(", ")}]), got ${bad.length}`,
          where: `graph input 0 (tensor ${golden.inputs[0]!.tensor} '${golden.inputs[0]!.name}')`,
        }));
      }
      expect(() => b.infer(new Uint8Array(b.INPUT_LENGTH) as unknown as Int8Array)).toThrow("expected Int8Array data, got Uint8Array");
      expect(() => b.infer(Array.from(fill(b.INPUT_LENGTH)) as unknown as Int8Array)).toThrow("expected Int8Array data, got Array");
    });
  });

  describe("quantize and dequantize follow TFLite's arithmetic (values derived by hand)", () => {
    it("kws_ref_model input: scale 0.584702909, zero point 83", async () => {
      const b = await importBinding(modulePath("kws_ref_model"));
      const s = b.INPUT_SCALE;
      // 1/s = 1.7103 → 2; 100/s = 171.03 → 171, +83 = 254 → 127; −100/s → −171, +83 = −88; −200/s → −342 → −128.
      // ±0.5·s divides to exactly ±0.5 (a power-of-two multiple of s): half away from zero gives ±1 (Math.round
      // would give −0 for −0.5, round-half-even 0 for both); 4·s → 4. NaN → 0 + zero point; ±Infinity clamps.
      expect(Array.from(b.quantize([0, 1, -1, 100, -100, -200, 0.5 * s, -0.5 * s, 4 * s, NaN, Infinity, -Infinity])))
        .toEqual([83, 85, 81, 127, -88, -128, 84, 82, 87, 83, 127, -128]);
      expect(b.quantize(new Float32Array(3))).toBeInstanceOf(Int8Array);
    });

    it("kws_ref_model output: scale 2^-8, zero point −128 (exact values)", async () => {
      const b = await importBinding(modulePath("kws_ref_model"));
      const x = b.dequantize(Int8Array.from([-128, 127, 0, -1]));
      expect(x).toBeInstanceOf(Float32Array);
      expect(Array.from(x)).toEqual([0, 255 / 256, 128 / 256, 127 / 256]);
    });

    it("hello_world output: scale 0.00829095673, zero point 5; the golden output 12 is ≈ 0.058037 (rounded to float32)", async () => {
      const b = await importBinding(modulePath("hello_world_int8"));
      const [x] = b.dequantize(Int8Array.from([12]));
      // 7 · 0.00829095673 = 0.0580366971, rounded once to float32: within half a float32 ulp (2^-28 in
      // [2^-5, 2^-4)), plus the golden's 9-digit printing of the scale.
      expect(Math.abs(x! - 7 * 0.00829095673)).toBeLessThanOrEqual(2 ** -28 + 7 * 5e-12);
      expect(Math.fround(x!)).toBe(x);
    });

    it("hello_world round trip: sin(π/2): π/2 quantises to 64 steps above −128 and the model answers near 1", async () => {
      const b = await importBinding(modulePath("hello_world_int8"));
      // π/2 / 0.0244801156 = 64.166 → 64, −128 + 64 = −64.
      const q = b.quantize([Math.PI / 2]);
      expect(Array.from(q)).toEqual([-64]);
      const [y] = b.dequantize(b.infer(q));
      expect(Math.abs(y! - 1)).toBeLessThan(0.1);
    });
  });

  describe("several inputs and outputs, hostile names", () => {
    it("infer takes the inputs in order and returns the outputs as a tuple", async () => {
      type Edge = {
        MODEL_NAME: string; INPUT0_NAME: string; OUTPUT1_NAME: string; OUTPUT1_DTYPE: string;
        infer(a: Int8Array, b: Int8Array): [Int8Array, Float32Array];
        quantizeInput0(x: readonly number[]): Int8Array;
        quantizeInput1(x: readonly number[]): Int8Array;
        dequantizeOutput0(q: Int8Array): Float32Array;
      };
      const e = await importBinding<Edge>(join(OUT, "edge", "edge.ts"));
      expect(e.MODEL_NAME).toBe(EVIL);
      expect(e.INPUT0_NAME).toBe(`a ${EVIL}`);
      expect(e.OUTPUT1_NAME).toBe(`real ${EVIL}`);
      expect(e.OUTPUT1_DTYPE).toBe("float32");
      expect("dequantizeOutput1" in e).toBe(false);
      // a = 0.5·(qa − 3), b = 0.25·(qb + 2): 1 → 5, −1 → 1, 10 → 23, 0 → 3; 0.75 → 1, 0.25 → −1, 100 → 398 → 127, 0 → −2.
      const qa = e.quantizeInput0([1, -1, 10, 0]);
      const qb = e.quantizeInput1([0.75, 0.25, 100, 0]);
      expect(Array.from(qa)).toEqual([5, 1, 23, 3]);
      expect(Array.from(qb)).toEqual([1, -1, 127, -2]);
      const [sum, real] = e.infer(qa, qb);
      const ref = runReference(edgeGraph(), [qa, qb]);
      expect(sum).toEqual(ref.outputs[0]);
      expect(real).toEqual(ref.outputs[1]);
      // sum = 1·(q − 1), read back as reals: 1 + 0.75 = 1.75 → 2; −1 + 0.25 = −0.75 → −1; 10 + 0.25·129 = 42.25 → 42; 0.
      expect(Array.from(e.dequantizeOutput0(sum))).toEqual([2, -1, 42, 0]);
      expect(Array.from(real)).toEqual([2, -1, 42, 0]);
      expect(() => e.infer(qa, new Int8Array(5))).toThrow(/expected 4 elements .*got 5/);
    });

    it("model text appears only inside string literals and comments; the file is ASCII", () => {
      const text = readFileSync(join(OUT, "edge", "edge.ts"), "utf8");
      expect(text).toMatch(/^[\x00-\x7f]*$/);
      // Strip comments and string/template literals (the generator's own templates hold no model text):
      // nothing of the hostile name may remain in code.
      const code = text
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/"(?:[^"\\\n]|\\.)*"/g, "\"\"")
        .replace(/`(?:[^`\\]|\\.)*`/g, "``");
      for (const piece of ["process.exit", "@param", "*/", "'a'", "é"]) expect(code).not.toContain(piece);
      // Inside the doc comments the name can neither end the comment nor start a JSDoc tag.
      expect(text).toContain("x * / \"q\"");
      expect(text).toContain("(at)param");
    });
  });

  it("is deterministic, formatted, and the CLI writes what the API returns", async () => {
    const graph = loadFixtureModel("hello_world_int8");
    const a = await emitTypeScriptBinding(graph, { prefix: "hello_world_int8", modelName: "hello_world_int8.tflite" });
    const b = await emitTypeScriptBinding(loadFixtureModel("hello_world_int8"), { prefix: "hello_world_int8", modelName: "hello_world_int8.tflite" });
    expect(a.file.contents).toBe(b.file.contents);
    expect(readFileSync(modulePath("hello_world_int8"), "utf8")).toBe(a.file.contents);
    expect(a.file.contents.startsWith(TS_HEADER)).toBe(true);
    expect(a.file.contents).not.toMatch(/\t|\r| +\n/);
    expect(a.file.contents.endsWith("}\n")).toBe(true);
  });

  it("bad options and foreign folders exit 2 and write nothing", async () => {
    const never = join(OUT, "never");
    for (const args of [["--emit", "js"], ["--emit", "c,"], ["--emit", "ts", "--kernels", "cmsis-nn"], ["--emit", "ts", "--core", "cortex-m7"], ["--emit", "ts", "--prefix", "a-b"]]) {
      const r = await runCli("compile", "fixtures/models/hello_world_int8.tflite", "-o", never, ...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(existsSync(never)).toBe(false);
    }
    // A folder of TypeScript sources is not an earlier binding, even when the names fit.
    const sources = join(OUT, "sources");
    mkdirSync(sources, { recursive: true });
    writeFileSync(join(sources, "prng.ts"), "export const x = 1;\n");
    const r = await runCli("compile", "fixtures/models/hello_world_int8.tflite", "-o", sources, "--emit", "ts");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("holds files other than an earlier `micronets compile` output (e.g. 'prng.ts')");
    expect(readdirSync(sources)).toEqual(["prng.ts"]);
  });
});
