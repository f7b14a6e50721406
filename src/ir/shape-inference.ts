/**
 * Output-shape rules, one function per op (TFLite semantics; see the op notes in the int8 spec).
 * Each rule reads only the op's input tensors and attributes and throws a MicronetsError naming the op
 * when the inputs break the op's rules.
 */
import { inputError } from "../errors.js";
import { outputSize } from "./padding.js";
import { elementCount, integerData, opLabel } from "./tensor-data.js";
import type { Graph, Operator, OperatorOfType, OpType, Tensor } from "./types.js";

type Rule<K extends OpType> = (ctx: RuleContext, op: OperatorOfType<K>) => number[];

class RuleContext {
  constructor(readonly graph: Graph, readonly op: Operator, readonly index: number) {}

  get where(): string {
    return opLabel(this.op, this.index);
  }

  fail(message: string): never {
    throw inputError(message, this.where);
  }

  /** Input `i`, which must be present. */
  input(i: number, role: string): Tensor {
    const id = this.op.inputs[i];
    if (id === undefined || id < 0) this.fail(`missing ${role} (input ${i})`);
    const t = this.graph.tensors[id];
    if (!t) this.fail(`${role} (input ${i}) refers to tensor ${id}, which does not exist`);
    return t;
  }

  optionalInput(i: number): Tensor | undefined {
    const id = this.op.inputs[i];
    if (id === undefined || id < 0) return undefined;
    const t = this.graph.tensors[id];
    if (!t) this.fail(`input ${i} refers to tensor ${id}, which does not exist`);
    return t;
  }

  rank(t: Tensor, role: string, rank: number): void {
    if (t.shape.length !== rank) this.fail(`${role} must have ${rank} dimensions, found [${t.shape.join(", ")}]`);
  }

  constantValues(t: Tensor, role: string): number[] {
    if (!t.constant || !t.data) this.fail(`${role} must be a constant tensor with data`);
    return integerData(t);
  }

  positive(value: number, what: string): void {
    if (!Number.isInteger(value) || value < 1) this.fail(`${what} is ${value}; it must be a positive integer`);
  }
}

function spatialOut(ctx: RuleContext, what: string, padding: "same" | "valid", inSize: number, k: number, stride: number, dilation: number): number {
  ctx.positive(stride, `${what} stride`);
  ctx.positive(dilation, `${what} dilation`);
  ctx.positive(k, `${what} kernel size`);
  const out = outputSize(padding, inSize, k, stride, dilation);
  if (out < 1) ctx.fail(`${what}: a ${k}-wide window (dilation ${dilation}) does not fit an input of ${inSize} with ${padding.toUpperCase()} padding`);
  return out;
}

const conv2d: Rule<"CONV_2D"> = (ctx, op) => {
  const input = ctx.input(0, "input");
  const filter = ctx.input(1, "filter");
  ctx.rank(input, "input", 4);
  ctx.rank(filter, "filter", 4);
  const [n, h, w, cin] = input.shape as [number, number, number, number];
  const [cout, kh, kw, cf] = filter.shape as [number, number, number, number];
  if (cin % cf !== 0) ctx.fail(`input channels ${cin} are not a multiple of the filter's input channels ${cf}`);
  const groups = cin / cf;
  if (cout % groups !== 0) ctx.fail(`output channels ${cout} are not divisible by the ${groups} groups`);
  const bias = ctx.optionalInput(2);
  if (bias && elementCount(bias.shape) !== cout) ctx.fail(`bias has ${elementCount(bias.shape)} elements, expected ${cout}`);
  const a = op.attrs;
  const oh = spatialOut(ctx, "height", a.padding, h, kh, a.strideH, a.dilationH);
  const ow = spatialOut(ctx, "width", a.padding, w, kw, a.strideW, a.dilationW);
  return [n, oh, ow, cout];
};

const depthwise: Rule<"DEPTHWISE_CONV_2D"> = (ctx, op) => {
  const input = ctx.input(0, "input");
  const filter = ctx.input(1, "filter");
  ctx.rank(input, "input", 4);
  ctx.rank(filter, "filter", 4);
  const [n, h, w, cin] = input.shape as [number, number, number, number];
  const [one, kh, kw, cout] = filter.shape as [number, number, number, number];
  if (one !== 1) ctx.fail(`filter must have shape [1, KH, KW, Cout], found [${filter.shape.join(", ")}]`);
  if (cout % cin !== 0) ctx.fail(`output channels ${cout} are not a multiple of input channels ${cin}`);
  const a = op.attrs;
  if (a.depthMultiplier !== cout / cin) ctx.fail(`depth_multiplier is ${a.depthMultiplier}, but the filter gives ${cout}/${cin} = ${cout / cin}`);
  const bias = ctx.optionalInput(2);
  if (bias && elementCount(bias.shape) !== cout) ctx.fail(`bias has ${elementCount(bias.shape)} elements, expected ${cout}`);
  const oh = spatialOut(ctx, "height", a.padding, h, kh, a.strideH, a.dilationH);
  const ow = spatialOut(ctx, "width", a.padding, w, kw, a.strideW, a.dilationW);
  return [n, oh, ow, cout];
};

const fullyConnected: Rule<"FULLY_CONNECTED"> = (ctx, op) => {
  const input = ctx.input(0, "input");
  const filter = ctx.input(1, "filter");
  ctx.rank(filter, "filter", 2);
  const [units, depth] = filter.shape as [number, number];
  const bias = ctx.optionalInput(2);
  if (bias && elementCount(bias.shape) !== units) ctx.fail(`bias has ${elementCount(bias.shape)} elements, expected ${units}`);
  const total = elementCount(input.shape);
  if (op.attrs.keepNumDims) {
    const last = input.shape[input.shape.length - 1];
    if (last !== depth) ctx.fail(`with keep_num_dims the input's last dimension (${last}) must equal the filter depth ${depth}`);
    return [...input.shape.slice(0, -1), units];
  }
  if (total % depth !== 0) ctx.fail(`input has ${total} elements, not a multiple of the filter depth ${depth}`);
  return [total / depth, units];
};

const pool: Rule<"AVERAGE_POOL_2D" | "MAX_POOL_2D"> = (ctx, op) => {
  const input = ctx.input(0, "input");
  ctx.rank(input, "input", 4);
  const [n, h, w, c] = input.shape as [number, number, number, number];
  const a = op.attrs;
  const oh = spatialOut(ctx, "height", a.padding, h, a.filterH, a.strideH, 1);
  const ow = spatialOut(ctx, "width", a.padding, w, a.filterW, a.strideW, 1);
  return [n, oh, ow, c];
};

/** NumPy broadcasting of two shapes (right-aligned; each dim equal or 1). */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(Math.max(da, db));
  }
  return out;
}

const elementwise: Rule<"ADD" | "MUL"> = (ctx) => {
  const a = ctx.input(0, "first input");
  const b = ctx.input(1, "second input");
  if (a.shape.length > 6 || b.shape.length > 6) ctx.fail("broadcasting supports at most 6 dimensions");
  const out = broadcastShapes(a.shape, b.shape);
  if (!out) return ctx.fail(`shapes [${a.shape.join(", ")}] and [${b.shape.join(", ")}] cannot be broadcast together`);
  return out;
};

/** Resolves a target shape with at most one -1 against an element count. */
export function resolveReshape(target: readonly number[], total: number): number[] | string {
  let unknown = -1;
  let known = 1;
  for (let i = 0; i < target.length; i++) {
    const d = target[i]!;
    if (d === -1) {
      if (unknown >= 0) return "more than one -1 in the new shape";
      unknown = i;
    } else if (!Number.isInteger(d) || d < 1) {
      return `new shape has dimension ${d}`;
    } else {
      known *= d;
    }
  }
  const out = [...target];
  if (unknown >= 0) {
    if (known === 0 || total % known !== 0) return `cannot infer -1: ${total} elements do not divide by ${known}`;
    out[unknown] = total / known;
  }
  if (elementCount(out) !== total) return `new shape [${out.join(", ")}] has ${elementCount(out)} elements, the input has ${total}`;
  return out;
}

const reshape: Rule<"RESHAPE"> = (ctx, op) => {
  const input = ctx.input(0, "input");
  const total = elementCount(input.shape);
  const shapeTensor = ctx.optionalInput(1);
  let target: number[] | null = null;
  if (shapeTensor && shapeTensor.constant && shapeTensor.data) target = ctx.constantValues(shapeTensor, "shape");
  else if (op.attrs.newShape && op.attrs.newShape.length > 0) target = op.attrs.newShape;
  // TFLM uses the output tensor's stored dims; without a target the stored shape is the rule.
  if (target === null) {
    const out = ctx.graph.tensors[op.outputs[0] ?? -1];
    if (!out) return ctx.fail("RESHAPE needs a shape input, new_shape, or a shaped output tensor");
    target = out.shape;
  }
  const resolved = resolveReshape(target, total);
  if (typeof resolved === "string") return ctx.fail(resolved);
  return resolved;
};

const sameShape: Rule<"SOFTMAX" | "QUANTIZE" | "DEQUANTIZE"> = (ctx) => [...ctx.input(0, "input").shape];

const pad: Rule<"PAD"> = (ctx) => {
  const input = ctx.input(0, "input");
  const paddings = ctx.input(1, "paddings");
  const rank = input.shape.length;
  if (rank > 5) ctx.fail(`PAD supports at most 5 dimensions, input has ${rank}`);
  if (paddings.shape.length !== 2 || paddings.shape[0] !== rank || paddings.shape[1] !== 2) {
    ctx.fail(`paddings must have shape [${rank}, 2], found [${paddings.shape.join(", ")}]`);
  }
  const p = ctx.constantValues(paddings, "paddings");
  return input.shape.map((d, i) => {
    const before = p[2 * i]!;
    const after = p[2 * i + 1]!;
    if (before < 0 || after < 0) ctx.fail(`negative padding (${before}, ${after}) on dimension ${i}`);
    return d + before + after;
  });
};

/** Normalised, de-duplicated MEAN axes. */
export function meanAxes(axes: readonly number[], rank: number): number[] | string {
  const out: number[] = [];
  for (const a of axes) {
    const n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank) return `axis ${a} is out of range for rank ${rank}`;
    if (!out.includes(n)) out.push(n);
  }
  return out.sort((x, y) => x - y);
}

const mean: Rule<"MEAN"> = (ctx, op) => {
  const input = ctx.input(0, "input");
  const axesT = ctx.input(1, "axis");
  const axes = meanAxes(ctx.constantValues(axesT, "axis"), input.shape.length);
  if (typeof axes === "string") return ctx.fail(axes);
  const out: number[] = [];
  input.shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (op.attrs.keepDims) out.push(1);
  });
  return out;
};

const concatenation: Rule<"CONCATENATION"> = (ctx, op) => {
  if (op.inputs.length < 1) ctx.fail("needs at least one input");
  const first = ctx.input(0, "input 0");
  const rank = first.shape.length;
  const axis = op.attrs.axis < 0 ? op.attrs.axis + rank : op.attrs.axis;
  if (axis < 0 || axis >= rank) ctx.fail(`axis ${op.attrs.axis} is out of range for rank ${rank}`);
  const out = [...first.shape];
  for (let i = 1; i < op.inputs.length; i++) {
    const t = ctx.input(i, `input ${i}`);
    if (t.shape.length !== rank) ctx.fail(`input ${i} has rank ${t.shape.length}, input 0 has rank ${rank}`);
    for (let d = 0; d < rank; d++) {
      if (d === axis) continue;
      if (t.shape[d] !== first.shape[d]) ctx.fail(`input ${i} has dimension ${d} = ${t.shape[d]}, input 0 has ${first.shape[d]}`);
    }
    out[axis] = out[axis]! + t.shape[axis]!;
  }
  return out;
};

const RULES: { [K in OpType]: Rule<K> } = {
  CONV_2D: conv2d,
  DEPTHWISE_CONV_2D: depthwise,
  FULLY_CONNECTED: fullyConnected,
  AVERAGE_POOL_2D: pool,
  MAX_POOL_2D: pool,
  ADD: elementwise,
  MUL: elementwise,
  RESHAPE: reshape,
  SOFTMAX: sameShape,
  PAD: pad,
  MEAN: mean,
  CONCATENATION: concatenation,
  QUANTIZE: sameShape,
  DEQUANTIZE: sameShape,
};

/** The output shape `op` (at execution index `index`) produces from its inputs. */
export function inferOutputShape(graph: Graph, op: Operator, index: number): number[] {
  const rule = RULES[op.type] as Rule<OpType>;
  return rule(new RuleContext(graph, op, index), op as OperatorOfType<OpType>);
}
