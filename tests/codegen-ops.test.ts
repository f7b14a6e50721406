/**
 * Every op of the IR through the generated C (host gcc, sanitisers on), against the reference interpreter on
 * seeded weights — including the shapes the shared models never exercise: dilated, strided-valid and grouped
 * convolutions, 1×1 strided, 5×5 and depth-multiplier depthwise (the C paths), max and padded average
 * pooling, broadcast MUL, MEAN, CONCATENATION, PAD, DEQUANTIZE → float → QUANTIZE, batched FC and softmax.
 * Every intermediate tensor is also made a graph output and compared, with and without in-place layers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildHost, compileModel, findHostCc, runHost } from "../src/codegen/index.js";
import { fillInput, runReference } from "../src/reference/interpreter.js";
import { compareOutputs, OPS_DOCS, opsGraph } from "./helpers/codegen-ops.js";

const cc = findHostCc();
const work = mkdtempSync(join(tmpdir(), "micronets-codegen-ops-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!cc)("every op through the generated C", () => {
  for (const doc of OPS_DOCS) {
    it(`${doc.name}: every tensor equals the reference interpreter's; in place, the output too (sanitised builds)`, () => {
      for (const all of [true, false]) {
        const graph = opsGraph(doc, all);
        const n = graph.tensors[graph.inputs[0]!]!.shape.reduce((a, b) => a * b, 1);
        const input = fillInput(n);
        const expected = runReference(graph, [input]).outputs;
        const r = compileModel(graph, { prefix: "ops" });
        // With only the final output, layers work in place; with every tensor an output, none can.
        if (!all) expect(r.layout!.aliases.length).toBeGreaterThan(3);
        const program = buildHost(r, { outDir: join(work, `${doc.name}-${all}`), sanitize: true, optimize: "O1" });
        expect(compareOutputs(graph, expected, runHost(program, new Uint8Array(input.buffer))), `all tensors ${all}`).toBeNull();
      }
    });
  }
});
