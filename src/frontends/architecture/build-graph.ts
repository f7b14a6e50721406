/**
 * Lowers a schema-valid architecture document into graph IR structure: tensors, operators, shapes. It makes
 * the semantic checks the schema cannot (names, references, shapes, windows, limits) and names the JSON path
 * of the offending layer. Quantization and constant data are filled in later (quant-plan.ts, weight-fill.ts);
 * only the small index tensors (RESHAPE shape, PAD paddings, MEAN axes) get their data here.
 */
import { inputError, isMicronetsError, limitError } from "../../errors.js";
import { LIMITS } from "../../ir/limits.js";
import { outputSize } from "../../ir/padding.js";
import { broadcastShapes, inferOutputShape, meanAxes, resolveReshape } from "../../ir/shape-inference.js";
import { checkShape, elementCount, int32Bytes } from "../../ir/tensor-data.js";
import type { Activation, DType, Graph, Operator, Padding, Tensor } from "../../ir/types.js";
import { closestName } from "./schema-errors.js";
import { GRAPH_INPUT_NAME, type ArchitectureDoc, type LayerSpec, type Size2 } from "./types.js";

/** What later passes need to know about one lowered layer. */
export interface LayerRecord {
  /** Index in `layers`. */
  index: number;
  /** JSON Pointer of the layer, e.g. "/layers/3". */
  path: string;
  name: string;
  spec: LayerSpec;
  /** Index of its operator in Graph.operators (one operator per layer). */
  opIndex: number;
  /** Activation tensors it reads. */
  inputs: number[];
  output: number;
  /** Convolution family only: filter and bias tensor ids (bias -1 when useBias is false). */
  filter?: number;
  bias?: number;
  /** Convolution family only: products summed per output value (KH·KW·Cin/groups, KH·KW, or depth). */
  fanIn?: number;
  /** Convolution family only: output channels, and the filter dimension that indexes them. */
  channels?: number;
  channelAxis?: 0 | 3;
  /** The fused activation (none for ops without one). */
  activation: Activation;
}

export interface BuiltGraph {
  graph: Graph;
  records: LayerRecord[];
  /** Layer index that created each tensor (-1 for the graph input). */
  tensorLayer: number[];
}

/** Versions a TFLite converter records for the int8 kernels of these ops. */
const OP_VERSION: Record<Operator["type"], number> = {
  CONV_2D: 3, DEPTHWISE_CONV_2D: 3, FULLY_CONNECTED: 4, AVERAGE_POOL_2D: 2, MAX_POOL_2D: 2, ADD: 2, MUL: 2,
  RESHAPE: 1, SOFTMAX: 2, PAD: 2, MEAN: 2, CONCATENATION: 2, QUANTIZE: 2, DEQUANTIZE: 2,
};

function pair(v: Size2 | undefined, dflt: number): [number, number] {
  if (v === undefined) return [dflt, dflt];
  return typeof v === "number" ? [v, v] : [v[0], v[1]];
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

class Builder {
  readonly tensors: Tensor[] = [];
  readonly operators: Operator[] = [];
  readonly records: LayerRecord[] = [];
  readonly tensorLayer: number[] = [];
  /** Layer name → output tensor id, for the layers seen so far. */
  private readonly byName = new Map<string, number>();
  private readonly allNames: string[];

  constructor(readonly doc: ArchitectureDoc) {
    this.allNames = doc.layers.map((l, i) => l.name ?? `${l.type}_${i}`);
  }

  addTensor(name: string, dtype: DType, shape: number[], layer: number, data: Uint8Array | null = null, constant = false): number {
    const id = this.tensors.length;
    this.tensors.push({ id, name, dtype, shape, quant: null, constant: constant || data !== null, data, isVariable: false });
    this.tensorLayer.push(layer);
    return id;
  }

  build(): BuiltGraph {
    const { doc } = this;
    this.addTensor(GRAPH_INPUT_NAME, "int8", [...doc.input.shape], -1);
    checkShape(doc.input.shape, "/input/shape");
    this.byName.set(GRAPH_INPUT_NAME, 0);
    doc.layers.forEach((spec, i) => this.layer(spec, i));
    const outputs = (doc.outputs ?? [this.allNames[this.allNames.length - 1]!]).map((name, k) => {
      const where = doc.outputs ? `/outputs/${k}` : "/layers";
      if (name === GRAPH_INPUT_NAME) throw inputError(`'${name}' is the graph input; outputs must name layers`, where);
      const id = this.byName.get(name);
      if (id === undefined) throw inputError(`no layer is named '${name}'${this.hint(name)}`, where);
      return id;
    });
    const graph: Graph = {
      name: doc.name,
      description: [doc.description, doc.source ? `Source: ${doc.source}` : undefined].filter((s) => s).join("\n"),
      tensors: this.tensors,
      operators: this.operators,
      inputs: [0],
      outputs,
      metadata: [],
    };
    return { graph, records: this.records, tensorLayer: this.tensorLayer };
  }

  private hint(name: string): string {
    const h = closestName(name, [...this.byName.keys()]);
    return h ? ` (did you mean '${h}'?)` : "";
  }

  /** Resolves a layer's input names to tensor ids. */
  private resolveInputs(spec: LayerSpec, index: number, path: string): number[] {
    const names = spec.inputs ?? [index === 0 ? GRAPH_INPUT_NAME : this.allNames[index - 1]!];
    return names.map((name, k) => {
      const where = spec.inputs ? `${path}/inputs/${k}` : path;
      const id = this.byName.get(name);
      if (id !== undefined) return id;
      const later = this.allNames.indexOf(name);
      if (later >= index) {
        throw inputError(later === index ? `a layer cannot read its own output ('${name}')` : `'${name}' is layer ${later}, which comes later; a layer can only read earlier layers' outputs`, where);
      }
      throw inputError(`no earlier layer is named '${name}'${this.hint(name)}`, where);
    });
  }

  private layer(spec: LayerSpec, index: number): void {
    const path = `/layers/${index}`;
    const name = this.allNames[index]!;
    const nameWhere = spec.name !== undefined ? `${path}/name` : path;
    if (name === GRAPH_INPUT_NAME) throw inputError(`the name '${GRAPH_INPUT_NAME}' is reserved for the graph input`, nameWhere);
    const first = this.allNames.indexOf(name);
    if (first !== index) throw inputError(`layer name '${name}' is already used by layer ${first}; names must be unique`, nameWhere);
    const inputs = this.resolveInputs(spec, index, path);
    const inWhere = (k: number): string => (spec.inputs ? `${path}/inputs/${k}` : path);
    inputs.forEach((id, k) => {
      const t = this.tensors[id]!;
      if (t.dtype === "float32" && spec.type !== "quantize") {
        throw inputError(`'${t.name}' is a float32 tensor (a dequantize output); only a quantize layer or the graph outputs may read it`, inWhere(k));
      }
    });
    if (spec.type === "dequantize" && this.tensors[inputs[0]!]!.dtype !== "int8") throw inputError("dequantize needs an int8 input", inWhere(0));
    const x = this.tensors[inputs[0]!]!;
    const ctx = new LayerContext(this, spec, index, path, name, inputs, inWhere);
    const { op, extra } = ctx.lower(x);
    const opIndex = this.operators.length;
    const outId = this.tensors.length;
    op.outputs = [outId];
    this.operators.push(op);
    let shape: number[];
    try {
      shape = inferOutputShape({ ...this.emptyGraph(), tensors: this.tensors, operators: this.operators }, op, opIndex);
    } catch (e) {
      if (isMicronetsError(e)) throw inputError(e.message, path);
      throw e;
    }
    checkShape(shape, path);
    this.addTensor(name, spec.type === "dequantize" ? "float32" : "int8", shape, index);
    if (extra.fanIn !== undefined) {
      const macs = elementCount(shape) * extra.fanIn;
      if (macs > LIMITS.maxMacs) throw limitError(`${macs} multiply-accumulates exceed the limit of ${LIMITS.maxMacs}`, path);
    }
    this.byName.set(name, outId);
    this.records.push({ index, path, name, spec, opIndex, inputs, output: outId, activation: activationOf(spec), ...extra });
  }

  private emptyGraph(): Graph {
    return { name: "", description: "", tensors: [], operators: [], inputs: [0], outputs: [], metadata: [] };
  }
}

function activationOf(spec: LayerSpec): Activation {
  return "activation" in spec && spec.activation ? spec.activation : "none";
}

type Extra = Pick<LayerRecord, "filter" | "bias" | "fanIn" | "channels" | "channelAxis">;

/** Lowers one layer: checks its fields against its input's shape and creates its operator and constants. */
class LayerContext {
  constructor(
    readonly b: Builder,
    readonly spec: LayerSpec,
    readonly index: number,
    readonly path: string,
    readonly name: string,
    readonly inputs: number[],
    readonly inWhere: (k: number) => string,
  ) {}

  fail(field: string | null, message: string): never {
    throw inputError(message, field === null ? this.path : `${this.path}/${field}`);
  }

  t(k: number): Tensor {
    return this.b.tensors[this.inputs[k]!]!;
  }

  rank4(x: Tensor): [number, number, number, number] {
    if (x.shape.length !== 4) {
      throw inputError(`${this.spec.type} needs a 4-D [1, H, W, C] input, but '${x.name}' has shape ${shapeText(x.shape)}`, this.inWhere(0));
    }
    return x.shape as [number, number, number, number];
  }

  /** Checks that a window fits the input on both axes; the error names `field`. */
  window(field: string, padding: Padding, h: number, w: number, k: [number, number], s: [number, number], d: [number, number]): void {
    const oh = outputSize(padding, h, k[0], s[0], d[0]);
    const ow = outputSize(padding, w, k[1], s[1], d[1]);
    if (oh < 1 || ow < 1) {
      const dil = d[0] !== 1 || d[1] !== 1 ? ` with dilation ${d[0]}×${d[1]}` : "";
      this.fail(field, `the ${k[0]}×${k[1]} window${dil} does not fit the ${h}×${w} input with "${padding}" padding`);
    }
  }

  constTensor(suffix: string, dtype: DType, shape: number[], data: Uint8Array | null = null): number {
    checkShape(shape, this.path);
    return this.b.addTensor(`${this.name}/${suffix}`, dtype, shape, this.index, data, true);
  }

  base<K extends Operator["type"]>(type: K): { type: K; version: number; outputs: number[] } {
    return { type, version: OP_VERSION[type], outputs: [] };
  }

  lower(x: Tensor): { op: Operator; extra: Extra } {
    const spec = this.spec;
    const act = activationOf(spec);
    switch (spec.type) {
      case "conv2d": {
        const [, h, w, cin] = this.rank4(x);
        const k = pair(spec.kernel, 1);
        const s = pair(spec.stride, 1);
        const d = pair(spec.dilation, 1);
        const padding = spec.padding ?? "same";
        const groups = spec.groups ?? 1;
        if (cin % groups !== 0) this.fail("groups", `the input's ${cin} channels do not divide into ${groups} groups`);
        if (spec.filters % groups !== 0) this.fail("groups", `the ${spec.filters} filters do not divide into ${groups} groups`);
        this.window("kernel", padding, h, w, k, s, d);
        const filter = this.constTensor("filter", "int8", [spec.filters, k[0], k[1], cin / groups]);
        const bias = spec.useBias === false ? -1 : this.constTensor("bias", "int32", [spec.filters]);
        const op: Operator = { ...this.base("CONV_2D"), attrs: { padding, strideH: s[0], strideW: s[1], dilationH: d[0], dilationW: d[1], activation: act }, inputs: bias >= 0 ? [x.id, filter, bias] : [x.id, filter] };
        return { op, extra: { filter, bias, fanIn: k[0] * k[1] * (cin / groups), channels: spec.filters, channelAxis: 0 } };
      }
      case "depthwise_conv2d": {
        const [, h, w, cin] = this.rank4(x);
        const k = pair(spec.kernel, 1);
        const s = pair(spec.stride, 1);
        const d = pair(spec.dilation, 1);
        const padding = spec.padding ?? "same";
        const mult = spec.depthMultiplier ?? 1;
        const cout = cin * mult;
        this.window("kernel", padding, h, w, k, s, d);
        const filter = this.constTensor("filter", "int8", [1, k[0], k[1], cout]);
        const bias = spec.useBias === false ? -1 : this.constTensor("bias", "int32", [cout]);
        const op: Operator = { ...this.base("DEPTHWISE_CONV_2D"), attrs: { padding, strideH: s[0], strideW: s[1], dilationH: d[0], dilationW: d[1], depthMultiplier: mult, activation: act }, inputs: bias >= 0 ? [x.id, filter, bias] : [x.id, filter] };
        return { op, extra: { filter, bias, fanIn: k[0] * k[1], channels: cout, channelAxis: 3 } };
      }
      case "fully_connected": {
        const keep = spec.keepNumDims ?? false;
        // Without keepNumDims every dimension but the batch (the first) is flattened into the depth.
        const depth = keep ? x.shape[x.shape.length - 1]! : elementCount(x.shape.slice(1));
        const filter = this.constTensor("filter", "int8", [spec.units, depth]);
        const bias = spec.useBias === false ? -1 : this.constTensor("bias", "int32", [spec.units]);
        const op: Operator = { ...this.base("FULLY_CONNECTED"), attrs: { activation: act, keepNumDims: keep }, inputs: bias >= 0 ? [x.id, filter, bias] : [x.id, filter] };
        return { op, extra: { filter, bias, fanIn: depth, channels: spec.units, channelAxis: 0 } };
      }
      case "avgpool":
      case "maxpool": {
        const [, h, w] = this.rank4(x);
        const k: [number, number] = spec.kernel === "global" ? [h, w] : pair(spec.kernel, 1);
        const s = spec.stride === undefined ? k : pair(spec.stride, 1);
        const padding = spec.padding ?? "valid";
        this.window("kernel", padding, h, w, k, s, [1, 1]);
        const attrs = { padding, strideH: s[0], strideW: s[1], filterH: k[0], filterW: k[1], activation: act };
        const op: Operator = spec.type === "avgpool" ? { ...this.base("AVERAGE_POOL_2D"), attrs, inputs: [x.id] } : { ...this.base("MAX_POOL_2D"), attrs, inputs: [x.id] };
        return { op, extra: {} };
      }
      case "add":
      case "mul": {
        const a = this.t(0);
        const bT = this.t(1);
        if (!broadcastShapes(a.shape, bT.shape)) {
          this.fail("inputs", `'${a.name}' ${shapeText(a.shape)} and '${bT.name}' ${shapeText(bT.shape)} cannot be combined element-wise (each dimension must be equal, or 1 in one of them)`);
        }
        const attrs = { activation: act };
        const op: Operator = spec.type === "add" ? { ...this.base("ADD"), attrs, inputs: [a.id, bT.id] } : { ...this.base("MUL"), attrs, inputs: [a.id, bT.id] };
        return { op, extra: {} };
      }
      case "reshape": {
        spec.shape.forEach((d, k) => {
          if (d === 0) this.fail(`shape/${k}`, "0 is not a valid dimension (use a positive size, or -1 for the inferred one)");
        });
        const resolved = resolveReshape(spec.shape, elementCount(x.shape));
        if (typeof resolved === "string") this.fail("shape", `${resolved} (input '${x.name}' has shape ${shapeText(x.shape)})`);
        const shapeT = this.constTensor("shape", "int32", [spec.shape.length], int32Bytes(spec.shape));
        return { op: { ...this.base("RESHAPE"), attrs: { newShape: null }, inputs: [x.id, shapeT] }, extra: {} };
      }
      case "softmax":
        return { op: { ...this.base("SOFTMAX"), attrs: { beta: Math.fround(spec.beta ?? 1) }, inputs: [x.id] }, extra: {} };
      case "pad": {
        const rank = x.shape.length;
        if (spec.paddings.length !== rank) {
          this.fail("paddings", `has ${spec.paddings.length} [before, after] pairs, but the input '${x.name}' has ${rank} dimensions ${shapeText(x.shape)}`);
        }
        if (rank > 5) this.fail(null, `pad supports at most 5 dimensions; '${x.name}' has ${rank}`);
        const flat = spec.paddings.flatMap((p) => [p[0], p[1]]);
        const paddings = this.constTensor("paddings", "int32", [rank, 2], int32Bytes(flat));
        return { op: { ...this.base("PAD"), attrs: {}, inputs: [x.id, paddings] }, extra: {} };
      }
      case "mean": {
        const axes = meanAxes(spec.axes, x.shape.length);
        if (typeof axes === "string") this.fail("axes", `${axes} (input '${x.name}' has shape ${shapeText(x.shape)})`);
        const axisT = this.constTensor("axes", "int32", [spec.axes.length], int32Bytes(spec.axes));
        return { op: { ...this.base("MEAN"), attrs: { keepDims: spec.keepDims ?? false }, inputs: [x.id, axisT] }, extra: {} };
      }
      case "concat": {
        const rank = x.shape.length;
        const given = spec.axis ?? -1;
        const axis = given < 0 ? given + rank : given;
        if (axis < 0 || axis >= rank) this.fail("axis", `axis ${given} is out of range for '${x.name}' with ${rank} dimensions`);
        this.inputs.forEach((_, k) => {
          const t = this.t(k);
          const same = t.shape.length === rank && t.shape.every((d, i) => i === axis || d === x.shape[i]);
          if (!same) this.fail(`inputs/${k}`, `'${t.name}' ${shapeText(t.shape)} does not match '${x.name}' ${shapeText(x.shape)} outside the concatenation axis ${axis}`);
        });
        return { op: { ...this.base("CONCATENATION"), attrs: { axis, activation: "none" }, inputs: [...this.inputs] }, extra: {} };
      }
      case "quantize":
        return { op: { ...this.base("QUANTIZE"), attrs: {}, inputs: [x.id] }, extra: {} };
      case "dequantize":
        return { op: { ...this.base("DEQUANTIZE"), attrs: {}, inputs: [x.id] }, extra: {} };
    }
  }
}

/** Builds the graph structure of a schema-valid document. Throws a MicronetsError naming a JSON path. */
export function buildGraph(doc: ArchitectureDoc): BuiltGraph {
  return new Builder(doc).build();
}
