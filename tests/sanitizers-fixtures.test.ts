/**
 * Every architecture fixture, compiled with the portable backend (seeded weights, the default in-place plan)
 * and built with -fsanitize=address,undefined -fno-sanitize-recover=all: the program must run clean (any
 * sanitizer report aborts it, and runHost throws on a non-zero exit) and print the reference interpreter's
 * output bit for bit. The four shared .tflite models get the same treatment against TFLM's goldens in
 * codegen-host.test.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildHost, compileModel, findHostCc, runHost } from "../src/codegen/index.js";
import { loadArchitecture } from "../src/frontends/architecture/index.js";
import { fillInput, runReference } from "../src/reference/interpreter.js";
import { firstMismatch } from "./helpers/golden.js";

const cc = findHostCc();
const work = mkdtempSync(join(tmpdir(), "micronets-sanitize-fixtures-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const fixtures = readdirSync("fixtures/architectures").filter((f) => f.endsWith(".json")).sort();

describe.skipIf(!cc)("architecture fixtures under AddressSanitizer + UndefinedBehaviorSanitizer", () => {
  it("covers every fixture", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(14);
  });

  for (const file of fixtures) {
    it(`${file}: sanitised build runs clean and equals the reference interpreter`, () => {
      const graph = loadArchitecture(readFileSync(join("fixtures/architectures", file), "utf8"), { file, weights: "generate", seed: 7 });
      const n = graph.tensors[graph.inputs[0]!]!.shape.reduce((a, b) => a * b, 1);
      const input = fillInput(n);
      const expected = runReference(graph, [input]).outputs[0] as Int8Array;
      const program = buildHost(compileModel(graph, { prefix: "m" }), { outDir: join(work, file.replace(/\.json$/, "")), sanitize: true, optimize: "O0" });
      const out = runHost(program, new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
      const m = firstMismatch(expected, new Int8Array(out.buffer, out.byteOffset, out.byteLength));
      expect(out.length).toBe(expected.length);
      expect(m, m ? `element ${m.element}: expected ${m.expected}, got ${m.actual}` : "").toBeNull();
    }, 120_000);
  }
});
