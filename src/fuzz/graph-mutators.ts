/**
 * Structure-aware mutations at the IR level: a seed model is read once, each case deep-copies its Graph,
 * changes something a byte flip would rarely reach intact (an attribute, a scale, a dimension, a reference,
 * the op order), optionally repairs the output shapes downstream so the graph stays consistent enough to get
 * past validation, and the result is written with writeTflite and read back — or, when the writer's own
 * validation refuses it, fed to validateGraph directly (the same checks the reader ends with).
 */
import { inferOutputShape } from "../ir/shape-inference.js";
import { elementCount } from "../ir/tensor-data.js";
import { ACTIVATIONS, DTYPES, OP_TYPES, dtypeSize, type Graph, type Operator, type OpType, type Tensor } from "../ir/types.js";
import { DIM_EDGES, FLOAT_EDGES, INT32_EDGES, interestingFloat } from "./interesting.js";
import type { Rng } from "./rng.js";

/** A deep copy (constant data copied too, so a mutation never touches the seed). */
export function cloneGraph(g: Graph): Graph {
  return {
    name: g.name,
    description: g.description,
    tensors: g.tensors.map((t) => ({
      ...t,
      shape: [...t.shape],
      quant: t.quant ? { scale: [...t.quant.scale], zeroPoint: [...t.quant.zeroPoint], axis: t.quant.axis } : null,
      data: t.data ? t.data.slice() : null,
    })),
    operators: g.operators.map((op) => ({ ...op, attrs: cloneAttrs(op.attrs), inputs: [...op.inputs], outputs: [...op.outputs] }) as Operator),
    inputs: [...g.inputs],
    outputs: [...g.outputs],
    metadata: g.metadata.map((m) => ({ name: m.name, data: m.data.slice() })),
  };
}

function cloneAttrs<T extends object>(a: T): T {
  const out = { ...a } as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) if (Array.isArray(v)) out[k] = [...v];
  return out as T;
}

/** Default attributes per op type, for type changes. */
function defaultAttrs(type: OpType): Operator["attrs"] {
  switch (type) {
    case "CONV_2D": return { padding: "same", strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: "none" };
    case "DEPTHWISE_CONV_2D": return { padding: "same", strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, depthMultiplier: 1, activation: "none" };
    case "FULLY_CONNECTED": return { activation: "none", keepNumDims: false };
    case "AVERAGE_POOL_2D": case "MAX_POOL_2D": return { padding: "valid", strideH: 1, strideW: 1, filterH: 2, filterW: 2, activation: "none" };
    case "ADD": case "MUL": return { activation: "none" };
    case "RESHAPE": return { newShape: null };
    case "SOFTMAX": return { beta: 1 };
    case "MEAN": return { keepDims: false };
    case "CONCATENATION": return { axis: -1, activation: "none" };
    default: return {};
  }
}

/** Rewrites every op's output shape from its inputs, in order, where the rule accepts the inputs. */
export function repairShapes(g: Graph): void {
  g.operators.forEach((op, i) => {
    const out = g.tensors[op.outputs[0] ?? -1];
    if (!out || out.constant) return;
    try {
      const s = inferOutputShape(g, op, i);
      if (s.every((d) => Number.isInteger(d) && d >= 1 && d <= 1 << 16) && elementCount(s) <= 1 << 22) out.shape = s;
    } catch {
      // The rule refuses these inputs; leave the stored shape for validation to judge.
    }
  });
}

/** Deterministic filler bytes for resized constant data. */
function fill(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = rng.u32();
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function writeInt32(t: Tensor, k: number, v: number): void {
  if (!t.data || t.data.length < 4 * (k + 1)) return;
  new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength).setInt32(4 * k, v | 0, true);
}

type Mut = (rng: Rng, g: Graph) => string | null;

const tensorMutations: [number, string, (rng: Rng, g: Graph, t: Tensor) => string | null][] = [
  [10, "dim", (rng, _g, t) => {
    if (t.shape.length === 0) return null;
    const i = rng.below(t.shape.length);
    const v = rng.chance(0.5) ? rng.pick(DIM_EDGES) : t.shape[i]! * rng.pick([2, 3, 0.5]) + rng.pick([0, 1, -1]);
    const before = t.shape[i];
    t.shape[i] = v;
    return `tensor ${t.id} shape[${i}] ${before} → ${v}`;
  }],
  [4, "rank", (rng, _g, t) => {
    const r = rng.int(0, 3);
    if (r === 0) t.shape = [];
    else if (r === 1) t.shape.push(rng.pick([1, 2, 3]));
    else if (r === 2) t.shape.shift();
    else t.shape = Array.from({ length: rng.int(7, 12) }, () => 1);
    return `tensor ${t.id} shape → [${t.shape.join(", ")}]`;
  }],
  [4, "dtype", (rng, _g, t) => {
    const d = rng.chance(0.6) ? rng.pick(["int8", "uint8", "int16", "int32", "float32", "int64"] as const) : rng.pick(DTYPES);
    const before = t.dtype;
    t.dtype = d;
    return `tensor ${t.id} dtype ${before} → ${d}`;
  }],
  [10, "scale", (rng, _g, t) => {
    if (!t.quant) return null;
    const i = rng.below(t.quant.scale.length);
    const v = rng.chance(0.5) ? rng.pick(FLOAT_EDGES) : Math.fround(interestingFloat(rng, t.quant.scale[i]!));
    t.quant.scale[i] = v;
    return `tensor ${t.id} scale[${i}] → ${v}`;
  }],
  [7, "zero-point", (rng, _g, t) => {
    if (!t.quant) return null;
    const i = rng.below(t.quant.zeroPoint.length);
    const v = rng.pick([...INT32_EDGES, 0.5, -0.5, 1e20, -1e20, 2 ** 53]);
    t.quant.zeroPoint[i] = v;
    return `tensor ${t.id} zero_point[${i}] → ${v}`;
  }],
  [4, "quant-shape", (rng, _g, t) => {
    const r = rng.int(0, 4);
    if (r === 0) t.quant = null;
    else if (r === 1) t.quant = { scale: [], zeroPoint: [], axis: 0 };
    else if (r === 2 && t.quant) t.quant.axis = rng.pick([-1, 1, 3, 4, 7, 0x7fffffff]);
    else if (r === 3 && t.quant) t.quant.zeroPoint.push(0);
    else {
      const n = rng.pick([2, 3, t.shape[0] ?? 1, (t.shape[t.shape.length - 1] ?? 1) + 1]);
      t.quant = { scale: Array.from({ length: n }, () => Math.fround(0.01 + rng.next())), zeroPoint: new Array<number>(n).fill(0), axis: rng.int(0, Math.max(0, t.shape.length - 1)) };
    }
    return `tensor ${t.id} quantization → ${JSON.stringify(t.quant)}`;
  }],
  [5, "data", (rng, _g, t) => {
    if (!t.constant) return null;
    const r = rng.int(0, 4);
    if (r === 0 && t.data) t.data = t.data.slice(0, rng.below(t.data.length));
    else if (r === 1 && t.data) {
      const d = new Uint8Array(t.data.length + rng.pick([1, 4, 64]));
      d.set(t.data);
      t.data = d;
    } else if (r === 2) t.data = null;
    else if (t.dtype === "int32" && t.data) {
      const k = rng.below(t.data.length >> 2);
      writeInt32(t, k, rng.pick(INT32_EDGES));
      return `tensor ${t.id} int32 data[${k}] → edge`;
    } else if (t.data) t.data.set(fill(rng, t.data.length));
    return `tensor ${t.id} data → ${t.data ? `${t.data.length} bytes` : "null"}`;
  }],
  [3, "flags", (rng, _g, t) => {
    if (rng.chance(0.5)) t.constant = !t.constant;
    else t.isVariable = !t.isVariable;
    return `tensor ${t.id} constant=${t.constant} variable=${t.isVariable}`;
  }],
  [2, "name", (rng, _g, t) => {
    t.name = rng.pick(["", "*/ int x; /*", "<script>alert(1)</script>", "\u0000\u0007\n\r\\", "a".repeat(100_000), "名前🙂", "\ud800", "??=??/", "${x}`"]);
    return `tensor ${t.id} name → ${JSON.stringify(t.name.slice(0, 40))}`;
  }],
  [6, "resize-constant", (rng, g, t) => {
    // A consistent change of a weight's geometry: new dim, data and per-axis scales resized to match.
    if (!t.constant || t.shape.length === 0) return null;
    const i = rng.below(t.shape.length);
    const v = rng.pick([1, 2, 3, 5, 7, t.shape[i]! * 2, Math.max(1, t.shape[i]! - 1)]);
    t.shape[i] = v;
    const size = dtypeSize(t.dtype) || 1;
    t.data = fill(rng, elementCount(t.shape) * size);
    if (t.quant && t.quant.scale.length > 1 && t.quant.axis === i) {
      t.quant.scale = Array.from({ length: v }, (_, k) => t.quant!.scale[k % t.quant!.scale.length]!);
      t.quant.zeroPoint = new Array<number>(v).fill(0);
    }
    // Keep the bias of a consumer the right length when the channel count changed.
    for (const op of g.operators) {
      if (op.inputs[1] !== t.id || op.inputs.length < 3 || op.inputs[2]! < 0) continue;
      // An earlier mutation may have pointed the bias reference outside the tensor table.
      const bias = g.tensors[op.inputs[2]!];
      const channels = op.type === "DEPTHWISE_CONV_2D" ? t.shape[3] : t.shape[0];
      if (bias && channels && bias.dtype === "int32" && bias.shape.length === 1) {
        bias.shape = [channels];
        bias.data = fill(rng, 4 * channels).map((b, k) => (k % 4 >= 2 ? 0 : b));
        if (bias.quant && bias.quant.scale.length > 1) {
          bias.quant.scale = Array.from({ length: channels }, (_, k) => bias.quant!.scale[k % bias.quant!.scale.length]!);
          bias.quant.zeroPoint = new Array<number>(channels).fill(0);
        }
      }
    }
    return `constant tensor ${t.id} shape[${i}] → ${v} (data resized)`;
  }],
];

function intAttr(rng: Rng): number {
  return rng.weighted<number>([[6, rng.int(1, 4)], [2, rng.pick([0, -1, -2])], [2, rng.pick(INT32_EDGES)], [1, 0.5], [1, Number.NaN]]);
}

const opMutations: [number, string, (rng: Rng, g: Graph, op: Operator, index: number) => string | null][] = [
  [12, "attr", (rng, _g, op, i) => {
    const attrs = op.attrs as unknown as Record<string, unknown>;
    const keys = Object.keys(attrs);
    if (keys.length === 0) return null;
    const k = rng.pick(keys);
    const cur = attrs[k];
    let v: unknown;
    if (k === "padding") v = rng.pick(["same", "valid", "SAME", "bogus"]);
    else if (k === "activation") v = rng.chance(0.8) ? rng.pick(ACTIVATIONS) : "bogus";
    else if (typeof cur === "boolean") v = !cur;
    else if (k === "beta") v = rng.pick([...FLOAT_EDGES, 1e-10, 100]);
    else if (k === "newShape") v = rng.pick([null, [], [-1], [1, -1], [0], [-1, -1], [2 ** 31 - 1, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9]]);
    else if (k === "axis") v = rng.pick([0, 1, 2, 3, -1, -4, -5, 4, 5, 0x7fffffff, -0x80000000]);
    else v = intAttr(rng);
    attrs[k] = v;
    return `op ${i} ${op.type} ${k} ${JSON.stringify(cur)} → ${JSON.stringify(v)}`;
  }],
  [8, "input-ref", (rng, g, op, i) => {
    if (op.inputs.length === 0) return null;
    const k = rng.below(op.inputs.length);
    const v = rng.weighted<number>([[3, -1], [3, op.outputs[0] ?? 0], [3, rng.below(g.tensors.length)], [1, g.tensors.length], [1, 0x7fffffff], [1, -5], [2, g.operators[Math.min(g.operators.length - 1, i + 1)]?.outputs[0] ?? 0]]);
    const before = op.inputs[k];
    op.inputs[k] = v;
    return `op ${i} ${op.type} input ${k} ${before} → ${v}`;
  }],
  [5, "output-ref", (rng, g, op, i) => {
    const v = rng.weighted<number>([[3, rng.below(g.tensors.length)], [2, g.inputs[0] ?? 0], [2, op.inputs[0] ?? 0], [1, -1], [1, g.tensors.length]]);
    const before = op.outputs[0];
    op.outputs[0] = v;
    return `op ${i} ${op.type} output ${before} → ${v}`;
  }],
  [4, "arity", (rng, g, op, i) => {
    const r = rng.int(0, 3);
    if (r === 0) op.inputs.pop();
    else if (r === 1) op.inputs.push(rng.below(g.tensors.length));
    else if (r === 2) op.outputs.push(rng.below(g.tensors.length));
    else op.outputs = [];
    return `op ${i} ${op.type} inputs [${op.inputs.join(",")}] outputs [${op.outputs.join(",")}]`;
  }],
  [5, "type", (rng, _g, op, i) => {
    const before = op.type;
    const type = rng.pick(OP_TYPES);
    const keep = rng.chance(0.3);
    (op as { type: OpType }).type = type;
    if (!keep) (op as { attrs: unknown }).attrs = defaultAttrs(type);
    return `op ${i} type ${before} → ${type}${keep ? " (attrs kept)" : ""}`;
  }],
  [2, "version", (rng, _g, op, i) => {
    op.version = rng.pick([0, -1, 2, 7, 1000, 0x7fffffff]);
    return `op ${i} version → ${op.version}`;
  }],
];

const graphMutations: [number, string, Mut][] = [
  [4, "swap-ops", (rng, g) => {
    if (g.operators.length < 2) return null;
    const a = rng.below(g.operators.length - 1);
    const b = rng.chance(0.7) ? a + 1 : rng.below(g.operators.length);
    [g.operators[a], g.operators[b]] = [g.operators[b]!, g.operators[a]!];
    return `swap ops ${a} and ${b}`;
  }],
  [3, "delete-op", (rng, g) => {
    if (g.operators.length === 0) return null;
    const i = rng.below(g.operators.length);
    g.operators.splice(i, 1);
    return `delete op ${i}`;
  }],
  [3, "duplicate-op", (rng, g) => {
    if (g.operators.length === 0) return null;
    const i = rng.below(g.operators.length);
    const op = g.operators[i]!;
    g.operators.splice(i + 1, 0, { ...op, attrs: cloneAttrs(op.attrs), inputs: [...op.inputs], outputs: [...op.outputs] } as Operator);
    return `duplicate op ${i}`;
  }],
  [3, "cycle", (rng, g) => {
    // op i reads the output of op j ≥ i (itself or a later op).
    if (g.operators.length === 0) return null;
    const i = rng.below(g.operators.length);
    const j = rng.int(i, g.operators.length - 1);
    g.operators[i]!.inputs[0] = g.operators[j]!.outputs[0] ?? 0;
    return `op ${i} input 0 ← output of op ${j}`;
  }],
  [4, "graph-io", (rng, g) => {
    const list = rng.chance(0.5) ? g.inputs : g.outputs;
    const r = rng.int(0, 4);
    if (r === 0) list.length = 0;
    else if (r === 1) list.push(list[0] ?? 0);
    else if (r === 2) list.push(rng.below(g.tensors.length));
    else if (r === 3) list[0] = rng.pick([-1, g.tensors.length, 0x7fffffff]);
    else list.push(g.operators[rng.below(Math.max(1, g.operators.length))]?.outputs[0] ?? 0);
    return `graph ${list === g.inputs ? "inputs" : "outputs"} → [${list.join(", ")}]`;
  }],
  [1, "names", (rng, g) => {
    g.name = rng.pick(["", "*/", "\u0000", "x".repeat(1 << 16), "<b>&amp;</b>"]);
    g.description = rng.pick(["", "\ud800\udfff", "d".repeat(1 << 16)]);
    return "graph name/description hostile";
  }],
  [1, "metadata", (rng, g) => {
    g.metadata.push({ name: rng.pick(["min_runtime_version", "", "\u0000"]), data: fill(rng, rng.pick([0, 1, 16, 1000])) });
    return "metadata entry added";
  }],
];

export interface GraphMutation {
  graph: Graph;
  description: string[];
}

/** Applies 1–3 IR mutations to a copy of `seed` (and, half the time, repairs output shapes after them). */
export function mutateGraph(rng: Rng, seed: Graph): GraphMutation {
  const g = cloneGraph(seed);
  const description: string[] = [];
  const n = rng.weighted<number>([[6, 1], [3, 2], [1, 3]]);
  for (let k = 0; k < n * 4 && description.length < n; k++) {
    const scope = rng.weighted<string>([[10, "tensor"], [8, "op"], [3, "graph"]]);
    let d: string | null = null;
    if (scope === "tensor" && g.tensors.length > 0) {
      const [, , f] = rng.weighted(tensorMutations.map((m) => [m[0], m] as const));
      d = f(rng, g, rng.pick(g.tensors));
    } else if (scope === "op" && g.operators.length > 0) {
      const i = rng.below(g.operators.length);
      const [, , f] = rng.weighted(opMutations.map((m) => [m[0], m] as const));
      d = f(rng, g, g.operators[i]!, i);
    } else if (scope === "graph") {
      const [, , f] = rng.weighted(graphMutations.map((m) => [m[0], m] as const));
      d = f(rng, g);
    }
    if (d) description.push(d);
  }
  if (rng.chance(0.5)) {
    repairShapes(g);
    description.push("repair output shapes");
  }
  return { graph: g, description };
}
