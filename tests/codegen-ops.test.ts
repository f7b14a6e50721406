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
import type { Graph, Tensor } from "../src/ir/types.js";
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

describe.skipIf(!cc)("float input and output", () => {
  it("QUANTIZE from float32, DEQUANTIZE to float32 and a requantising QUANTIZE match the reference exactly", () => {
    const q = (s: number, zp: number) => ({ scale: [Math.fround(s)], zeroPoint: [zp], axis: 0 });
    const t = (id: number, shape: number[], dtype: Tensor["dtype"], quant: Tensor["quant"], data: Uint8Array | null = null): Tensor =>
      ({ id, name: `t${id}`, dtype, shape, quant, constant: data !== null, data, isVariable: false });
    const w = new Uint8Array(12).map((_, i) => (i * 37 + 5) & 0xff);
    const b = new Uint8Array(12);
    new DataView(b.buffer).setInt32(0, 100, true);
    new DataView(b.buffer).setInt32(4, -50, true);
    const graph: Graph = {
      name: "float-io",
      description: "",
      metadata: [],
      tensors: [
        t(0, [1, 4], "float32", null), t(1, [1, 4], "int8", q(0.02, 3)), t(2, [3, 4], "int8", q(0.01, 0), w), t(3, [3], "int32", null, b),
        t(4, [1, 3], "int8", q(0.05, -7)), t(5, [1, 3], "float32", null), t(6, [1, 3], "int8", q(0.1, 2)),
      ],
      inputs: [0],
      outputs: [5, 6],
      operators: [
        { type: "QUANTIZE", attrs: {}, inputs: [0], outputs: [1], version: 1 },
        { type: "FULLY_CONNECTED", attrs: { activation: "none", keepNumDims: false }, inputs: [1, 2, 3], outputs: [4], version: 1 },
        { type: "DEQUANTIZE", attrs: {}, inputs: [4], outputs: [5], version: 1 },
        { type: "QUANTIZE", attrs: {}, inputs: [4], outputs: [6], version: 1 },
      ],
    };
    const r = compileModel(graph, { prefix: "fio" });
    expect(r.files[0]!.contents).toContain("int fio_invoke(const void *in, void *out);");
    const program = buildHost(r, { outDir: join(work, "float-io"), sanitize: true, optimize: "O1" });
    // Values around rounding ties and the int8 limits.
    for (const xs of [[0.5, -1.25, 2.0, 0.013], [0.01, 0.03, -0.05, 100], [-3.33, 2.55, 0.0, -0.0]]) {
      const input = new Float32Array(xs);
      const expected = runReference(graph, [input]).outputs;
      expect(compareOutputs(graph, expected, runHost(program, new Uint8Array(input.buffer))), xs.join(", ")).toBeNull();
    }
  });
});
