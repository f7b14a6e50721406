/**
 * Two architectures (seeded weights) that together use every op of the IR in shapes the shared models do
 * not: for the generated-C op tests on the host and on the emulated Cortex-M4.
 */
import { loadArchitecture } from "../../src/frontends/architecture/index.js";
import { dtypeSize } from "../../src/ir/types.js";
import type { runReference } from "../../src/reference/interpreter.js";
import { firstMismatch } from "./golden.js";

export const VISION = {
  name: "ops-vision",
  input: { shape: [1, 17, 13, 6] },
  layers: [
    { name: "dil", type: "conv2d", filters: 10, kernel: 3, stride: 1, dilation: 2, padding: "same", activation: "relu" },
    { name: "valid", type: "conv2d", filters: 9, kernel: [3, 2], stride: 2, padding: "valid", activation: "relu6" },
    { name: "grouped", type: "conv2d", inputs: ["dil"], filters: 10, kernel: 3, groups: 2, padding: "same" },
    { name: "pw_s2", type: "conv2d", filters: 7, kernel: 1, stride: 2, padding: "valid" },
    { name: "dw5", type: "depthwise_conv2d", inputs: ["dil"], kernel: 5, depthMultiplier: 2, padding: "same", activation: "relu" },
    { name: "dw3", type: "depthwise_conv2d", kernel: 3, stride: 2, dilation: 1, padding: "same", activation: "relu6" },
    { name: "maxp", type: "maxpool", inputs: ["dw5"], kernel: 3, stride: 2, padding: "same" },
    { name: "avgp", type: "avgpool", inputs: ["dw5"], kernel: [3, 3], stride: 2, padding: "same" },
    { name: "gap", type: "mean", inputs: ["avgp"], axes: [1, 2], keepDims: true },
    { name: "scaled", type: "mul", inputs: ["avgp", "gap"] },
    { name: "sum", type: "add", inputs: ["scaled", "maxp"], activation: "relu" },
    { name: "cat", type: "concat", inputs: ["sum", "dw3"], axis: -1 },
    { name: "padded", type: "pad", paddings: [[0, 0], [1, 0], [0, 2], [3, 1]] },
    { name: "f", type: "dequantize" },
    { name: "q", type: "quantize", quantization: { scale: 0.05, zeroPoint: -3 } },
    { name: "flat", type: "reshape", shape: [4, -1] },
    { name: "fc", type: "fully_connected", units: 6, activation: "relu" },
    { name: "probs", type: "softmax" },
  ],
};

export const AUDIO = {
  name: "ops-audio",
  input: { shape: [1, 37] },
  layers: [
    { name: "fc1", type: "fully_connected", units: 23, activation: "relu6" },
    { name: "fc2", type: "fully_connected", units: 5 },
    { name: "fc3", type: "fully_connected", inputs: ["fc1"], units: 3 },
    { name: "both", type: "concat", inputs: ["fc2", "fc3"], axis: 1 },
    { name: "out", type: "softmax", beta: 0.7 },
  ],
};

/** The graph of an architecture with seeded weights; with `all`, every computed tensor is a graph output. */
export function opsGraph(doc: object, all: boolean) {
  const graph = loadArchitecture(JSON.stringify(doc), { file: "ops.json", weights: "generate", seed: 11 });
  if (all) graph.outputs = graph.operators.map((op) => op.outputs[0]!);
  return graph;
}

/** Compares the concatenated output bytes with the reference interpreter's outputs; returns a message or null. */
export function compareOutputs(graph: ReturnType<typeof opsGraph>, expected: ReturnType<typeof runReference>["outputs"], out: Uint8Array): string | null {
  let pos = 0;
  for (const [k, e] of expected.entries()) {
    const t = graph.tensors[graph.outputs[k]!]!;
    const bytes = e.length * dtypeSize(t.dtype);
    const m = firstMismatch(new Uint8Array(e.buffer, e.byteOffset, e.byteLength), out.subarray(pos, pos + bytes));
    if (m) return `${t.name} (output ${k}): byte ${m.element} expected ${m.expected}, got ${m.actual}`;
    pos += bytes;
  }
  return pos === out.length ? null : `${out.length} output bytes, expected ${pos}`;
}

export const OPS_DOCS = [VISION, AUDIO];

