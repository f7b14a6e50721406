/**
 * The bit-exact reference interpreter: runs a graph op by op with the kernels of this folder and the
 * integer parameters of `deriveOpParams`, reproducing TFLite Micro's reference kernels (TFLM's default
 * double rounding, or TFLITE_SINGLE_ROUNDING on request).
 */
import { inputError, isMicronetsError, MicronetsError } from "../errors.js";
import { elementCount, int32Data, opLabel, tensorLabel } from "../ir/tensor-data.js";
import type { Graph, Tensor } from "../ir/types.js";
import { deriveOpParams, type OpParams } from "../quant/op-params.js";
import type { Rounding } from "../quant/rounding.js";
import { addS8 } from "./add.js";
import { averagePoolS8 } from "./average-pool.js";
import { concatenationS8 } from "./concatenation.js";
import { convS8 } from "./conv.js";
import { depthwiseConvS8 } from "./depthwise-conv.js";
import { dequantizeS8 } from "./dequantize.js";
import { fullyConnectedS8 } from "./fully-connected.js";
import { maxPoolS8 } from "./max-pool.js";
import { meanS8 } from "./mean.js";
import { mulS8 } from "./mul.js";
import { padS8 } from "./pad.js";
import { quantizeFloatToS8, requantizeToS8 } from "./quantize.js";
import { reshape } from "./reshape.js";
import { softmaxS8 } from "./softmax.js";
import { checkGraphInputs, type TensorValue } from "./tensor-value.js";

export type { TensorValue } from "./tensor-value.js";

export interface RunOptions {
  /** "double" (default; TFLM and CMSIS-NN) or "single" (TFLITE_SINGLE_ROUNDING). */
  rounding?: Rounding;
  /** Also return every non-constant tensor's value (inputs, intermediates, outputs) by tensor index. */
  keepIntermediates?: boolean;
  /** Parameters already derived with `deriveOpParams(graph, { rounding })`, to skip deriving them again. */
  params?: OpParams[];
}

export interface RunResult {
  /** One value per graph output, in graph.outputs order. */
  outputs: TensorValue[];
  /** With keepIntermediates: every non-constant tensor computed or fed in, by tensor index. */
  intermediates?: Map<number, TensorValue>;
}

/** The golden input fill used by the TFLM goldens: byte i = ((i·7 + 3) mod 256) − 128. */
export function fillInput(size: number): Int8Array {
  const out = new Int8Array(size);
  for (let i = 0; i < size; i++) out[i] = ((i * 7 + 3) % 256) - 128;
  return out;
}

function allocate(t: Tensor): TensorValue {
  const n = elementCount(t.shape);
  switch (t.dtype) {
    case "int8": return new Int8Array(n);
    case "int16": return new Int16Array(n);
    case "int32": return new Int32Array(n);
    case "float32": return new Float32Array(n);
    default: throw inputError(`dtype ${t.dtype} is not supported by the reference interpreter`, tensorLabel(t));
  }
}

/** A constant tensor's data as a typed array of its dtype (int8 without copying). */
function constantValue(t: Tensor): TensorValue {
  if (!t.data) throw inputError("constant tensor has no data (shape-only model); it cannot be run", tensorLabel(t));
  const d = t.data;
  switch (t.dtype) {
    case "int8": return new Int8Array(d.buffer, d.byteOffset, d.byteLength);
    case "int32": return int32Data(t);
    case "int16": {
      const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
      return Int16Array.from({ length: d.byteLength >> 1 }, (_, i) => dv.getInt16(2 * i, true));
    }
    case "float32": {
      const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
      return Float32Array.from({ length: d.byteLength >> 2 }, (_, i) => dv.getFloat32(4 * i, true));
    }
    default: throw inputError(`dtype ${t.dtype} is not supported by the reference interpreter`, tensorLabel(t));
  }
}

class Values {
  private readonly values: (TensorValue | undefined)[];
  private readonly constants = new Map<number, TensorValue>();
  constructor(readonly graph: Graph) {
    this.values = new Array<TensorValue | undefined>(graph.tensors.length);
  }
  set(id: number, v: TensorValue): void {
    this.values[id] = v;
  }
  get(id: number): TensorValue {
    const t = this.graph.tensors[id];
    if (!t) throw inputError(`tensor ${id} does not exist`);
    if (t.constant) {
      let c = this.constants.get(id);
      if (!c) this.constants.set(id, (c = constantValue(t)));
      return c;
    }
    const v = this.values[id];
    if (!v) throw inputError("is read before any operator produced it", tensorLabel(t));
    return v;
  }
  int8(id: number): Int8Array {
    const v = this.get(id);
    if (!(v instanceof Int8Array)) throw inputError(`expected int8 data, found ${this.graph.tensors[id]!.dtype}`, tensorLabel(this.graph.tensors[id]!));
    return v;
  }
  bias(id: number): Int32Array | null {
    if (id < 0) return null;
    const v = this.get(id);
    if (!(v instanceof Int32Array)) throw inputError(`bias must be int32, found ${this.graph.tensors[id]!.dtype}`, tensorLabel(this.graph.tensors[id]!));
    return v;
  }
  release(id: number): void {
    this.values[id] = undefined;
  }
  output(id: number): TensorValue {
    const v = allocate(this.graph.tensors[id]!);
    this.values[id] = v;
    return v;
  }
  entries(): Map<number, TensorValue> {
    const m = new Map<number, TensorValue>();
    this.values.forEach((v, i) => { if (v) m.set(i, v); });
    return m;
  }
}

function runOp(p: OpParams, v: Values): void {
  switch (p.type) {
    case "CONV_2D": {
      const t = p.tensors;
      convS8(p, v.int8(t.input), v.int8(t.filter), v.bias(t.bias), v.output(t.output) as Int8Array);
      return;
    }
    case "DEPTHWISE_CONV_2D": {
      const t = p.tensors;
      depthwiseConvS8(p, v.int8(t.input), v.int8(t.filter), v.bias(t.bias), v.output(t.output) as Int8Array);
      return;
    }
    case "FULLY_CONNECTED": {
      const t = p.tensors;
      fullyConnectedS8(p, v.int8(t.input), v.int8(t.filter), v.bias(t.bias), v.output(t.output) as Int8Array);
      return;
    }
    case "AVERAGE_POOL_2D": averagePoolS8(p, v.int8(p.tensors.input), v.output(p.tensors.output) as Int8Array); return;
    case "MAX_POOL_2D": maxPoolS8(p, v.int8(p.tensors.input), v.output(p.tensors.output) as Int8Array); return;
    case "ADD": addS8(p, v.int8(p.tensors.input1), v.int8(p.tensors.input2), v.output(p.tensors.output) as Int8Array); return;
    case "MUL": mulS8(p, v.int8(p.tensors.input1), v.int8(p.tensors.input2), v.output(p.tensors.output) as Int8Array); return;
    case "SOFTMAX": softmaxS8(p, v.int8(p.tensors.input), v.output(p.tensors.output) as Int8Array); return;
    case "PAD": padS8(p, v.int8(p.tensors.input), v.output(p.tensors.output) as Int8Array); return;
    case "MEAN": meanS8(p, v.int8(p.tensors.input), v.output(p.tensors.output) as Int8Array); return;
    case "CONCATENATION":
      concatenationS8(p, p.tensors.inputs.map((id) => v.int8(id)), v.output(p.tensors.output) as Int8Array);
      return;
    case "RESHAPE": reshape(p, v.get(p.tensors.input), v.output(p.tensors.output)); return;
    case "QUANTIZE": {
      const input = v.get(p.tensors.input);
      const out = v.output(p.tensors.output) as Int8Array;
      if (p.mode === "float") {
        if (!(input instanceof Float32Array)) throw inputError("float QUANTIZE expects a float32 input");
        quantizeFloatToS8(p, input, out);
      } else {
        if (input instanceof Float32Array) throw inputError("requantize expects an integer input");
        requantizeToS8(p, input, out);
      }
      return;
    }
    case "DEQUANTIZE": dequantizeS8(p, v.int8(p.tensors.input), v.output(p.tensors.output) as Float32Array); return;
  }
}

/**
 * Runs `graph` (validated) on `inputs` (one typed array per graph input, of the input's dtype and element
 * count). Bad inputs or unrunnable graphs give a MicronetsError naming the place.
 */
/** Last operator index reading each non-constant tensor that is not a graph output. */
function lastReaders(graph: Graph): Map<number, number> {
  const last = new Map<number, number>();
  graph.operators.forEach((op, i) => {
    for (const id of op.inputs) {
      const t = graph.tensors[id];
      if (t && !t.constant) last.set(id, i);
    }
  });
  for (const id of graph.outputs) last.delete(id);
  return last;
}

export function runReference(graph: Graph, inputs: readonly TensorValue[], opts: RunOptions = {}): RunResult {
  const params = opts.params ?? deriveOpParams(graph, { rounding: opts.rounding ?? "double" });
  if (params.length !== graph.operators.length) throw inputError(`${params.length} op parameter sets for ${graph.operators.length} operators`);
  checkGraphInputs(graph, inputs);
  const values = new Values(graph);
  graph.inputs.forEach((id, k) => values.set(id, inputs[k]!));
  // Without intermediates, an activation is dropped after its last reader: big graphs then hold about the
  // live set (as the arena does) instead of every activation at once.
  const lastUse = opts.keepIntermediates ? null : lastReaders(graph);
  params.forEach((p, i) => {
    try {
      runOp(p, values);
      if (lastUse) for (const id of graph.operators[i]!.inputs) if (lastUse.get(id) === i) values.release(id);
    } catch (e) {
      if (isMicronetsError(e) && !e.where) throw new MicronetsError(e.kind, e.message, { where: opLabel(graph.operators[i]!, i) });
      if (isMicronetsError(e)) throw new MicronetsError(e.kind, `${opLabel(graph.operators[i]!, i)}: ${e.message}`, { where: e.where });
      throw e;
    }
  });
  const outputs = graph.outputs.map((id) => values.get(id));
  return opts.keepIntermediates ? { outputs, intermediates: values.entries() } : { outputs };
}
