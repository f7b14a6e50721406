/**
 * Graph validation: references, execution order, limits, dtypes, quantisation and shapes. Both frontends
 * call it on the IR they produce, so every later stage may assume a valid graph.
 */
import { inputError, limitError } from "../errors.js";
import { LIMITS } from "./limits.js";
import { inferOutputShape } from "./shape-inference.js";
import { checkShape, elementCount, opLabel, tensorLabel } from "./tensor-data.js";
import { ACTIVATIONS, dtypeSize, type DType, type Graph, type Operator, type Tensor } from "./types.js";

/** Which inputs an op may omit (index -1 or absent). */
function optionalInputs(op: Operator): number[] {
  switch (op.type) {
    case "CONV_2D": case "DEPTHWISE_CONV_2D": case "FULLY_CONNECTED": return [2];
    case "RESHAPE": return [1];
    default: return [];
  }
}

function arity(op: Operator): [number, number] {
  switch (op.type) {
    case "CONV_2D": case "DEPTHWISE_CONV_2D": case "FULLY_CONNECTED": return [2, 3];
    case "ADD": case "MUL": case "PAD": case "MEAN": return [2, 2];
    case "RESHAPE": return [1, 2];
    case "CONCATENATION": return [1, 64];
    default: return [1, 1];
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function checkTensor(t: Tensor): void {
  const where = tensorLabel(t);
  checkShape(t.shape, where);
  const size = dtypeSize(t.dtype);
  if (t.data) {
    if (!t.constant) throw inputError("has data but is not marked constant", where);
    if (size > 0 && t.data.byteLength !== elementCount(t.shape) * size) {
      throw inputError(`data has ${t.data.byteLength} bytes, shape [${t.shape.join(", ")}] of ${t.dtype} needs ${elementCount(t.shape) * size}`, where);
    }
  }
  if (size > 0 && elementCount(t.shape) * size > LIMITS.maxBytes) throw limitError(`${elementCount(t.shape) * size} bytes exceeds the limit of ${LIMITS.maxBytes}`, where);
  const q = t.quant;
  if (q) {
    if (q.scale.length === 0) throw inputError("quantization has no scale", where);
    if (q.scale.length > LIMITS.maxChannels) throw limitError(`${q.scale.length} per-axis scales exceed the limit of ${LIMITS.maxChannels}`, where);
    if (q.zeroPoint.length !== q.scale.length) throw inputError(`quantization has ${q.scale.length} scales but ${q.zeroPoint.length} zero points`, where);
    for (let i = 0; i < q.scale.length; i++) {
      const s = q.scale[i]!;
      if (!Number.isFinite(s) || s <= 0) throw inputError(`quantization scale[${i}] is ${s}; scales must be finite and positive`, where);
      const zp = q.zeroPoint[i]!;
      if (!Number.isInteger(zp)) throw inputError(`zero point[${i}] is ${zp}, not an integer`, where);
      const [lo, hi] = t.dtype === "int8" ? [-128, 127] : t.dtype === "uint8" ? [0, 255] : t.dtype === "int16" ? [-32768, 32767] : [-(2 ** 31), 2 ** 31 - 1];
      if (zp < lo || zp > hi) throw inputError(`zero point[${i}] = ${zp} is outside the ${t.dtype} range`, where);
    }
    if (q.scale.length > 1) {
      if (q.axis < 0 || q.axis >= t.shape.length) throw inputError(`quantized dimension ${q.axis} is out of range for rank ${t.shape.length}`, where);
      if (t.shape[q.axis] !== q.scale.length) throw inputError(`${q.scale.length} per-axis scales, but dimension ${q.axis} is ${t.shape[q.axis]}`, where);
    }
  }
}

class OpChecker {
  constructor(readonly graph: Graph, readonly op: Operator, readonly index: number) {}
  fail(msg: string): never {
    throw inputError(msg, opLabel(this.op, this.index));
  }
  t(i: number): Tensor | undefined {
    const id = i < this.op.inputs.length ? this.op.inputs[i]! : -1;
    return id >= 0 ? this.graph.tensors[id] : undefined;
  }
  out(): Tensor {
    return this.graph.tensors[this.op.outputs[0]!]!;
  }
  dtype(t: Tensor | undefined, role: string, allowed: DType[]): void {
    if (t && !allowed.includes(t.dtype)) {
      this.fail(`${role} (${tensorLabel(t)}) has dtype ${t.dtype}; expected ${allowed.join(" or ")} (micronets compiles int8 models)`);
    }
  }
  quantized(t: Tensor | undefined, role: string): void {
    if (t && !t.quant) this.fail(`${role} (${tensorLabel(t)}) has no quantization parameters`);
  }
  perTensor(t: Tensor | undefined, role: string): void {
    if (t?.quant && t.quant.scale.length !== 1) this.fail(`${role} (${tensorLabel(t)}) must be quantized per tensor, has ${t.quant.scale.length} scales`);
  }
  constant(t: Tensor | undefined, role: string): void {
    if (t && !t.constant) this.fail(`${role} (${tensorLabel(t)}) must be constant`);
  }
  sameQuant(a: Tensor, b: Tensor, role: string, tol: number): void {
    const qa = a.quant!;
    const qb = b.quant!;
    if (Math.abs(qa.scale[0]! - qb.scale[0]!) > tol || qa.zeroPoint[0] !== qb.zeroPoint[0]) {
      this.fail(`${role} must share scale and zero point with the output (${qa.scale[0]}/${qa.zeroPoint[0]} vs ${qb.scale[0]}/${qb.zeroPoint[0]})`);
    }
  }
  /** Shared checks of the int8 convolution family: activations int8/quantized, filter int8 with 1 or C scales. */
  convFamily(channelAxis: number): void {
    const [input, filter, bias, out] = [this.t(0), this.t(1), this.t(2), this.out()];
    this.dtype(input, "input", ["int8"]);
    this.dtype(filter, "filter", ["int8"]);
    this.dtype(bias, "bias", ["int32"]);
    this.dtype(out, "output", ["int8"]);
    this.quantized(input, "input");
    this.quantized(filter, "filter");
    this.quantized(out, "output");
    this.perTensor(input, "input");
    this.perTensor(out, "output");
    const channels = filter!.shape[channelAxis]!;
    const n = filter!.quant!.scale.length;
    if (n !== 1 && n !== channels) this.fail(`filter has ${n} scales; expected 1 or ${channels}`);
    if (n > 1 && filter!.quant!.axis !== channelAxis) this.fail(`filter is quantized along dimension ${filter!.quant!.axis}; expected ${channelAxis}`);
  }
}

/** Enum-valued attributes: the frontends only produce known values, but a Graph built by hand may not. */
function checkAttrEnums(c: OpChecker): void {
  const attrs = c.op.attrs as Record<string, unknown>;
  if ("activation" in attrs && !(ACTIVATIONS as readonly unknown[]).includes(attrs.activation)) c.fail(`unknown fused activation '${String(attrs.activation)}'`);
  if ("padding" in attrs && attrs.padding !== "same" && attrs.padding !== "valid") c.fail(`unknown padding '${String(attrs.padding)}'`);
  if (c.op.type === "CONCATENATION" && !Number.isInteger(c.op.attrs.axis)) c.fail(`axis ${c.op.attrs.axis} is not an integer`);
}

function checkOpTypes(c: OpChecker): void {
  const op = c.op;
  const out = c.out();
  checkAttrEnums(c);
  switch (op.type) {
    case "CONV_2D": c.convFamily(0); break;
    case "DEPTHWISE_CONV_2D": c.convFamily(3); break;
    case "FULLY_CONNECTED": c.convFamily(0); break;
    case "AVERAGE_POOL_2D": case "MAX_POOL_2D": {
      c.dtype(c.t(0), "input", ["int8"]);
      c.dtype(out, "output", ["int8"]);
      c.quantized(c.t(0), "input");
      c.quantized(out, "output");
      c.sameQuant(c.t(0)!, out, "input", 1e-6);
      break;
    }
    case "ADD": case "MUL": {
      for (const [i, role] of [[0, "first input"], [1, "second input"]] as const) {
        c.dtype(c.t(i), role, ["int8"]);
        c.quantized(c.t(i), role);
        c.perTensor(c.t(i), role);
      }
      c.dtype(out, "output", ["int8"]);
      c.quantized(out, "output");
      break;
    }
    case "RESHAPE": {
      const input = c.t(0)!;
      if (out.dtype !== input.dtype) c.fail(`output dtype ${out.dtype} differs from input dtype ${input.dtype}`);
      c.dtype(c.t(1), "shape", ["int32", "int64"]);
      break;
    }
    case "SOFTMAX": {
      c.dtype(c.t(0), "input", ["int8"]);
      c.dtype(out, "output", ["int8"]);
      c.quantized(c.t(0), "input");
      c.quantized(out, "output");
      const q = out.quant!;
      if (q.scale[0] !== 1 / 256 || q.zeroPoint[0] !== -128) c.fail(`int8 output must have scale 1/256 and zero point -128, has ${q.scale[0]}/${q.zeroPoint[0]}`);
      if (!Number.isFinite(op.attrs.beta) || op.attrs.beta <= 0) c.fail(`beta is ${op.attrs.beta}; it must be positive`);
      break;
    }
    case "PAD": {
      c.dtype(c.t(0), "input", ["int8"]);
      c.dtype(out, "output", ["int8"]);
      c.dtype(c.t(1), "paddings", ["int32", "int64"]);
      c.constant(c.t(1), "paddings");
      c.quantized(out, "output");
      break;
    }
    case "MEAN": {
      c.dtype(c.t(0), "input", ["int8"]);
      c.dtype(out, "output", ["int8"]);
      c.dtype(c.t(1), "axis", ["int32"]);
      c.constant(c.t(1), "axis");
      c.quantized(c.t(0), "input");
      c.quantized(out, "output");
      break;
    }
    case "CONCATENATION": {
      if (op.attrs.activation !== "none") c.fail(`fused activation ${op.attrs.activation} is not supported (TFLM accepts none)`);
      c.dtype(out, "output", ["int8"]);
      c.quantized(out, "output");
      op.inputs.forEach((_, i) => {
        const t = c.t(i)!;
        c.dtype(t, `input ${i}`, ["int8"]);
        c.quantized(t, `input ${i}`);
        c.sameQuant(t, out, `input ${i}`, 0);
      });
      break;
    }
    case "QUANTIZE": {
      c.dtype(c.t(0), "input", ["float32", "int8", "int16", "int32"]);
      c.dtype(out, "output", ["int8"]);
      if (c.t(0)!.dtype !== "float32") c.quantized(c.t(0), "input");
      c.quantized(out, "output");
      c.perTensor(out, "output");
      break;
    }
    case "DEQUANTIZE": {
      c.dtype(c.t(0), "input", ["int8"]);
      c.dtype(out, "output", ["float32"]);
      c.quantized(c.t(0), "input");
      break;
    }
  }
}

/**
 * Validates the graph and returns it. Throws a MicronetsError naming the first problem's place.
 * `checkShapes` compares each op's inferred output shape with the stored one.
 */
export function validateGraph(graph: Graph): Graph {
  const nT = graph.tensors.length;
  if (nT > LIMITS.maxTensors) throw limitError(`${nT} tensors exceeds the limit of ${LIMITS.maxTensors}`);
  if (graph.operators.length > LIMITS.maxOperators) throw limitError(`${graph.operators.length} operators exceeds the limit of ${LIMITS.maxOperators}`);
  graph.tensors.forEach((t, i) => {
    if (t.id !== i) throw inputError(`has id ${t.id} at position ${i}`, `tensor ${i}`);
    checkTensor(t);
  });
  if (graph.inputs.length === 0) throw inputError("the graph has no inputs", "graph inputs");
  if (graph.outputs.length === 0) throw inputError("the graph has no outputs", "graph outputs");

  const available = new Uint8Array(nT); // 1 = value exists at this point of the execution order
  const produced = new Uint8Array(nT);
  for (const [list, what] of [[graph.inputs, "graph input"], [graph.outputs, "graph output"]] as const) {
    list.forEach((id, k) => {
      if (!Number.isInteger(id) || id < 0 || id >= nT) throw inputError(`refers to tensor ${id}, which does not exist`, `${what} ${k}`);
      if (graph.tensors[id]!.constant) throw inputError(`${tensorLabel(graph.tensors[id]!)} is constant`, `${what} ${k}`);
    });
  }
  for (const id of graph.inputs) available[id] = 1;
  graph.tensors.forEach((t, i) => { if (t.constant || t.isVariable) available[i] = 1; });

  graph.operators.forEach((op, index) => {
    const where = opLabel(op, index);
    const [minIn, maxIn] = arity(op);
    const optional = optionalInputs(op);
    // Trailing omitted optional inputs count as absent.
    let nIn = op.inputs.length;
    while (nIn > minIn && op.inputs[nIn - 1] === -1) nIn--;
    if (nIn < minIn || nIn > maxIn) throw inputError(`has ${op.inputs.length} inputs; expected ${minIn === maxIn ? minIn : `${minIn} to ${maxIn}`}`, where);
    if (op.outputs.length !== 1) throw inputError(`has ${op.outputs.length} outputs; expected 1`, where);
    op.inputs.forEach((id, k) => {
      if (id === -1 && optional.includes(k)) return;
      if (!Number.isInteger(id) || id < 0 || id >= nT) throw inputError(`input ${k} refers to tensor ${id}, which does not exist`, where);
      if (!available[id]) {
        throw inputError(`input ${k} (${tensorLabel(graph.tensors[id]!)}) is not produced by any earlier operator (dangling or cyclic reference)`, where);
      }
    });
    const outId = op.outputs[0]!;
    if (!Number.isInteger(outId) || outId < 0 || outId >= nT) throw inputError(`output refers to tensor ${outId}, which does not exist`, where);
    const out = graph.tensors[outId]!;
    if (out.constant) throw inputError(`output ${tensorLabel(out)} is a constant tensor`, where);
    if (produced[outId] || graph.inputs.includes(outId)) throw inputError(`output ${tensorLabel(out)} is written more than once`, where);
    checkOpTypes(new OpChecker(graph, op, index));
    const inferred = inferOutputShape(graph, op, index);
    checkShape(inferred, `${where} output`);
    if (!sameShape(inferred, out.shape)) {
      throw inputError(`output ${tensorLabel(out)} has shape [${out.shape.join(", ")}], but the op's inputs give [${inferred.join(", ")}]`, where);
    }
    produced[outId] = 1;
    available[outId] = 1;
  });
  graph.outputs.forEach((id, k) => {
    if (!available[id]) throw inputError(`${tensorLabel(graph.tensors[id]!)} is never produced`, `graph output ${k}`);
  });
  return graph;
}
