/**
 * The portable backend: one specialised C kernel per layer (constants baked in, loops with constant bounds,
 * unrolled inner products, fused requantisation), an arena planned with in-place aliasing, and the invoke
 * function. Output: `<prefix>_model.c` (the header is shared with the other backend, see compile.ts).
 */
import { dtypeSize, type Graph } from "../../ir/types.js";
import { tensorLabel } from "../../ir/tensor-data.js";
import type { OpParams } from "../../quant/op-params.js";
import { ConstantTensors } from "../constant-tensors.js";
import type { IoInfo } from "../model-info.js";
import { commentText } from "../names.js";
import type { ArenaLayout } from "../plan.js";
import { planPortableLayout } from "./arena.js";
import { render, usePartial } from "../templates.js";
import { depthwiseKernel } from "./depthwise.js";
import { concatenationKernel, dequantizeKernel, meanKernel, padKernel, quantizeKernel, reshapeKernel } from "./data-movement.js";
import { addKernel, mulKernel } from "./elementwise.js";
import type { EmitContext, KernelCode, PortableKernel } from "./kernel.js";
import { convKernel, fullyConnectedKernel } from "./matmul.js";
import { poolKernel } from "./pool.js";
import { softmaxKernel } from "./softmax.js";

export interface KernelOptions {
  /** Matrix kernels store weights as int16 pairs: twice the weight flash, about a fifth fewer instructions. */
  wide?: boolean;
}

export function portableKernel(graph: Graph, p: OpParams, opts: KernelOptions = {}): PortableKernel {
  switch (p.type) {
    case "CONV_2D": return convKernel(graph, p, opts);
    case "DEPTHWISE_CONV_2D": return depthwiseKernel(graph, p);
    case "FULLY_CONNECTED": return fullyConnectedKernel(graph, p, opts);
    case "AVERAGE_POOL_2D": return poolKernel(graph, p);
    case "MAX_POOL_2D": return poolKernel(graph, p);
    case "ADD": return addKernel(graph, p);
    case "MUL": return mulKernel(graph, p);
    case "SOFTMAX": return softmaxKernel(graph, p);
    case "PAD": return padKernel(graph, p);
    case "MEAN": return meanKernel(graph, p);
    case "CONCATENATION": return concatenationKernel(graph, p);
    case "RESHAPE": return reshapeKernel(graph, p);
    case "QUANTIZE": return quantizeKernel(graph, p);
    case "DEQUANTIZE": return dequantizeKernel(graph, p);
  }
}

export interface PortableOptions {
  prefix: string;
  /** Let layers write over dying inputs (default true). */
  inPlace: boolean;
  /** Wide (int16) weights in the matrix kernels. */
  wideWeights?: boolean;
  planner?: string;
  version: string;
  modelComment: string;
  inputs: IoInfo[];
  outputs: IoInfo[];
  inType: string;
  outType: string;
}

export interface PortableLayer {
  index: number;
  type: string;
  kernel: string;
  scratchBytes: number;
  /** Output offset minus input offset when the layer works in place, else null. */
  inPlaceRel: number | null;
  /** True when the layer needs no code (an aliased RESHAPE). */
  elided: boolean;
}

export interface PortableResult {
  source: string;
  layout: ArenaLayout;
  layers: PortableLayer[];
}

export function emitPortable(graph: Graph, params: readonly OpParams[], opts: PortableOptions): PortableResult {
  const kernels = params.map((p) => portableKernel(graph, p, { wide: opts.wideWeights === true }));
  // The same planning as planPortableArena (deployed-arena.ts): the kernels' needs come from the same
  // per-op functions, here fed the full parameters.
  const { layout, scratchIndex } = planPortableLayout(graph, kernels, { inPlace: opts.inPlace, planner: opts.planner });

  const constants = new ConstantTensors(graph, opts.prefix);
  const tensorExpr = (id: number): string => {
    if (graph.tensors[id]!.constant) return constants.expr(id);
    const off = layout.tensorOffset.get(id);
    if (off === undefined) throw new Error(`tensor ${id} has no arena offset`);
    return `(MN_ARENA + ${off})`;
  };

  usePartial("runtime", "portable/runtime.c.hbs");
  const layers: (KernelCode & { index: number; type: string; kind: string; comment: string })[] = [];
  const summaries: PortableLayer[] = [];
  params.forEach((p, i) => {
    const op = graph.operators[i]!;
    const k = kernels[i]!;
    const alias = layout.aliases.find((a) => a.op === i);
    const ctx: EmitContext = {
      graph,
      prefix: opts.prefix,
      index: i,
      fn: `${opts.prefix}_l${i}`,
      input: (slot) => tensorExpr(op.inputs[slot]!),
      output: () => tensorExpr(op.outputs[0]!),
      scratch: (s) => `(MN_ARENA + ${layout.scratchOffset[scratchIndex[i]![s]!]!})`,
      aliasRel: alias ? alias.rel : null,
      render,
    };
    const code = k.emit(ctx);
    const out = graph.tensors[op.outputs[0]!]!;
    layers.push({ ...code, index: i, type: p.type, kind: k.kind, comment: commentText(`${tensorLabel(out)} [${out.shape.join(", ")}]`) });
    summaries.push({
      index: i,
      type: p.type,
      kernel: k.kind,
      scratchBytes: k.scratch.reduce((a, b) => a + b, 0),
      inPlaceRel: alias ? alias.rel : null,
      elided: code.code === "" && alias !== undefined,
    });
  });

  const copies = (infos: readonly IoInfo[]) =>
    infos.map((io) => ({ arena: layout.tensorOffset.get(io.tensor)!, pos: io.offset, bytes: io.bytes }));
  const source = render("portable/model.c.hbs", {
    prefix: opts.prefix,
    version: opts.version,
    modelComment: opts.modelComment,
    arenaBytes: layout.total,
    plainArenaBytes: layout.plainTotal,
    aliasCount: layout.aliases.length,
    arenaWords: Math.max(1, Math.ceil(layout.total / 4)),
    constants: constants.list,
    layers,
    inType: opts.inType,
    outType: opts.outType,
    inputCopies: copies(opts.inputs),
    outputCopies: copies(opts.outputs),
  });
  void dtypeSize;
  return { source, layout, layers: summaries };
}
