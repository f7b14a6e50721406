/**
 * Fast lowering of sampled architectures to the graph IR, for the sampler's hot loop. The architecture
 * frontend (schema check with ajv, semantic checks, activation quantization) costs 0.5–2 ms per network; a
 * sampled document is valid by construction, so this lowers the few layer types the sampler emits directly,
 * creating tensors and operators in exactly the frontend's order and naming (tests compare the two graphs
 * and check every written JSON with the full frontend). Constants are shape-only and activations carry no
 * quantization: enough for costs, flash and the arena plan.
 */
import { outputSize } from "../ir/padding.js";
import { int32Bytes } from "../ir/tensor-data.js";
import type { Activation, DType, Graph, Operator, Padding, Tensor } from "../ir/types.js";
import type { ArchitectureDoc, Size2 } from "../frontends/architecture/types.js";

function pair(v: Size2 | undefined, dflt: number): [number, number] {
  if (v === undefined) return [dflt, dflt];
  return typeof v === "number" ? [v, v] : [v[0], v[1]];
}

/** Versions the architecture frontend records (build-graph.ts OP_VERSION) for the ops used here. */
const VERSION = { CONV_2D: 3, DEPTHWISE_CONV_2D: 3, AVERAGE_POOL_2D: 2, ADD: 2, RESHAPE: 1 } as const;

/**
 * Lowers a sampler-made document (conv2d, depthwise_conv2d, avgpool, add, reshape layers; every layer reads
 * the previous one unless it names `inputs`). Throws a plain Error for anything else: that would be a bug in
 * the sampler, not user input.
 */
export function lowerSampledDoc(doc: ArchitectureDoc): Graph {
  const tensors: Tensor[] = [];
  const operators: Operator[] = [];
  const add = (name: string, dtype: DType, shape: number[], data: Uint8Array | null = null, constant = false): number => {
    const id = tensors.length;
    tensors.push({ id, name, dtype, shape, quant: null, constant: constant || data !== null, data, isVariable: false });
    return id;
  };
  // Hot loop notes (profiled): no Map of names (hashing fresh strings dominated), no array destructuring
  // of shapes (iterator protocol), a plain for loop. Named inputs are found by scanning back from the
  // newest tensor: they are a few tensors back in the sampler's blocks.
  const byName = (wanted: string, i: number): number => {
    for (let id = tensors.length - 1; id >= 0; id--) if (!tensors[id]!.constant && tensors[id]!.name === wanted) return id;
    throw new Error(`sampler bug: layer ${i} reads unknown '${wanted}'`);
  };
  add("input", "int8", doc.input.shape.slice());
  let prev = 0;
  const layers = doc.layers;
  for (let i = 0; i < layers.length; i++) {
    const spec = layers[i]!;
    const name = spec.name ?? `${spec.type}_${i}`;
    const x = spec.inputs ? byName(spec.inputs[0]!, i) : prev;
    const xs = tensors[x]!.shape;
    let op: Operator;
    let shape: number[];
    switch (spec.type) {
      case "conv2d":
      case "depthwise_conv2d": {
        const h = xs[1]!;
        const w = xs[2]!;
        const cin = xs[3]!;
        const k = pair(spec.kernel, 1);
        const s = pair(spec.stride, 1);
        const d = pair(spec.dilation, 1);
        const padding: Padding = spec.padding ?? "same";
        const act: Activation = spec.activation ?? "none";
        const oh = outputSize(padding, h, k[0], s[0], d[0]);
        const ow = outputSize(padding, w, k[1], s[1], d[1]);
        if (spec.type === "conv2d") {
          const groups = spec.groups ?? 1;
          const filter = add(`${name}/filter`, "int8", [spec.filters, k[0], k[1], cin / groups], null, true);
          const bias = spec.useBias === false ? -1 : add(`${name}/bias`, "int32", [spec.filters], null, true);
          op = { type: "CONV_2D", version: VERSION.CONV_2D, outputs: [], attrs: { padding, strideH: s[0], strideW: s[1], dilationH: d[0], dilationW: d[1], activation: act }, inputs: bias >= 0 ? [x, filter, bias] : [x, filter] };
          shape = [1, oh, ow, spec.filters];
        } else {
          const mult = spec.depthMultiplier ?? 1;
          const cout = cin * mult;
          const filter = add(`${name}/filter`, "int8", [1, k[0], k[1], cout], null, true);
          const bias = spec.useBias === false ? -1 : add(`${name}/bias`, "int32", [cout], null, true);
          op = { type: "DEPTHWISE_CONV_2D", version: VERSION.DEPTHWISE_CONV_2D, outputs: [], attrs: { padding, strideH: s[0], strideW: s[1], dilationH: d[0], dilationW: d[1], depthMultiplier: mult, activation: act }, inputs: bias >= 0 ? [x, filter, bias] : [x, filter] };
          shape = [1, oh, ow, cout];
        }
        break;
      }
      case "avgpool": {
        const h = xs[1]!;
        const w = xs[2]!;
        const k: [number, number] = spec.kernel === "global" ? [h, w] : pair(spec.kernel, 1);
        const s = spec.stride === undefined ? k : pair(spec.stride, 1);
        const padding: Padding = spec.padding ?? "valid";
        op = { type: "AVERAGE_POOL_2D", version: VERSION.AVERAGE_POOL_2D, outputs: [], attrs: { padding, strideH: s[0], strideW: s[1], filterH: k[0], filterW: k[1], activation: spec.activation ?? "none" }, inputs: [x] };
        shape = [1, outputSize(padding, h, k[0], s[0]), outputSize(padding, w, k[1], s[1]), xs[3]!];
        break;
      }
      case "add": {
        const y = byName(spec.inputs[1]!, i);
        op = { type: "ADD", version: VERSION.ADD, outputs: [], attrs: { activation: spec.activation ?? "none" }, inputs: [x, y] };
        shape = xs.slice();
        break;
      }
      case "reshape": {
        const shapeT = add(`${name}/shape`, "int32", [spec.shape.length], int32Bytes(spec.shape), true);
        op = { type: "RESHAPE", version: VERSION.RESHAPE, outputs: [], attrs: { newShape: null }, inputs: [x, shapeT] };
        shape = spec.shape.slice();
        break;
      }
      default:
        throw new Error(`sampler bug: layer type '${spec.type}' is not lowered here`);
    }
    const out = add(name, "int8", shape);
    op.outputs = [out];
    operators.push(op);
    prev = out;
  }
  let description = doc.description ?? "";
  if (doc.source) description = description ? `${description}\nSource: ${doc.source}` : `Source: ${doc.source}`;
  return { name: doc.name, description, tensors, operators, inputs: [0], outputs: [prev], metadata: [] };
}
