/**
 * The CMSIS-NN backend: one call into the CMSIS-NN API per layer (spec §5: arm_convolve_wrapper_s8,
 * arm_depthwise_conv_wrapper_s8, arm_fully_connected_s8 / _per_channel_s8, arm_avgpool_s8, arm_max_pool_s8,
 * arm_elementwise_add_s8 / _mul_s8, arm_softmax_s8, arm_pad_s8, arm_reshape_s8, arm_concatenation_s8_*),
 * with every parameter struct and dims as const data, per-channel multipliers and shifts in flash, and the
 * kernels' scratch buffers in the arena at their get_buffer_size sizes for the chosen core, planned with
 * the tensors exactly as TFLM plans them. Ops CMSIS-NN has no kernel for (MEAN, QUANTIZE, DEQUANTIZE,
 * broadcasting ADD/MUL, PAD/CONCATENATION beyond 4-D) use the portable backend's kernels.
 */
import { planArena } from "../../analysis/arena-plan.js";
import type { ScratchRequest } from "../../analysis/lifetimes.js";
import { dtypeSize, type Graph } from "../../ir/types.js";
import { elementCount, int32Data, int8Data, tensorLabel } from "../../ir/tensor-data.js";
import type { OpParams } from "../../quant/op-params.js";
import { cArrayBody, cInt32 } from "../c-format.js";
import { ConstantTensors } from "../constant-tensors.js";
import type { IoInfo } from "../model-info.js";
import { commentText } from "../names.js";
import type { EmitContext } from "../portable/kernel.js";
import { portableKernel } from "../portable/index.js";
import { render, usePartial } from "../templates.js";
import { cmsisScratch, convPath, depthwisePath, type CmsisCore } from "./dispatch.js";

export type { CmsisCore } from "./dispatch.js";

export interface CmsisOptions {
  prefix: string;
  version: string;
  modelComment: string;
  inputs: IoInfo[];
  outputs: IoInfo[];
  inType: string;
  outType: string;
  core: CmsisCore;
  planner?: string;
}

export interface CmsisLayer {
  index: number;
  type: string;
  kernel: string;
  scratchBytes: number;
}

interface LayerCode {
  index: number;
  type: string;
  kind: string;
  comment: string;
  data: string;
  code: string;
  call: string;
}

const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** A shape right-aligned to 4-D (leading 1s), or null when it has more than 4 dimensions. */
function as4d(shape: readonly number[]): [number, number, number, number] | null {
  if (shape.length > 4) return null;
  const s = [1, 1, 1, 1];
  shape.forEach((d, i) => { s[4 - shape.length + i] = d; });
  return s as [number, number, number, number];
}

function dims(n: number, h: number, w: number, c: number): string {
  return `{ ${n}, ${h}, ${w}, ${c} }`;
}

/** Does CMSIS-NN have a kernel for this op (as parameterised)? */
function cmsisSupports(graph: Graph, p: OpParams): boolean {
  switch (p.type) {
    case "CONV_2D": case "DEPTHWISE_CONV_2D": case "FULLY_CONNECTED": case "AVERAGE_POOL_2D": case "MAX_POOL_2D":
    case "SOFTMAX": case "RESHAPE":
      return true;
    case "ADD": case "MUL":
      return same(p.input1_shape, p.output_shape) && same(p.input2_shape, p.output_shape);
    case "PAD":
      return as4d(p.input_shape) !== null;
    case "CONCATENATION":
      return as4d(p.output_shape) !== null && p.output_shape.every((d) => d <= 65535);
    default:
      void graph;
      return false;
  }
}

export function emitCmsisNn(graph: Graph, params: readonly OpParams[], opts: CmsisOptions): { source: string; arenaBytes: number; layers: CmsisLayer[] } {
  const scratch: ScratchRequest[] = [];
  const scratchOf: (number | null)[] = params.map((p, op) => {
    const size = cmsisSupports(graph, p) ? cmsisScratch(p, opts.core) : 0;
    if (size === 0) return null;
    scratch.push({ op, size });
    return scratch.length - 1;
  });
  const plan = planArena(graph, { algorithm: opts.planner, scratch });
  const offset = (id: number): number => {
    const b = plan.buffers.find((x) => x.tensor === id);
    if (!b) throw new Error(`tensor ${id} has no arena offset`);
    return b.offset;
  };
  const scratchOffset = (k: number): number => plan.buffers.filter((b) => b.kind === "scratch")[k]!.offset;

  const constants = new ConstantTensors(graph, opts.prefix);
  const tensorExpr = (id: number): string => {
    if (graph.tensors[id]!.constant) return constants.expr(id);
    return `(MN_ARENA + ${offset(id)})`;
  };

  usePartial("runtime", "portable/runtime.c.hbs");
  const layers: LayerCode[] = [];
  const summaries: CmsisLayer[] = [];
  params.forEach((p, i) => {
    const op = graph.operators[i]!;
    const fn = `${opts.prefix}_l${i}`;
    const out = graph.tensors[op.outputs[0]!]!;
    const comment = commentText(`${tensorLabel(out)} [${out.shape.join(", ")}]`);
    const input = (slot: number): string => tensorExpr(op.inputs[slot]!);
    const output = tensorExpr(op.outputs[0]!);
    const k = scratchOf[i];
    const ctxInit = k !== null && k !== undefined ? `{ MN_ARENA + ${scratchOffset(k)}, ${scratch[k]!.size} }` : "{ NULL, 0 }";
    if (!cmsisSupports(graph, p)) {
      const kernel = portableKernel(graph, p);
      const ctx: EmitContext = {
        graph,
        prefix: opts.prefix,
        index: i,
        fn,
        input,
        output: () => output,
        scratch: () => {
          throw new Error(`portable fallback for op ${i} needs scratch`);
        },
        aliasRel: null,
        render,
      };
      const c = kernel.emit(ctx);
      layers.push({ index: i, type: p.type, kind: `portable ${kernel.kind}`, comment, data: c.data, code: c.code, call: c.call ? `${c.call}` : "" });
      summaries.push({ index: i, type: p.type, kernel: `portable ${kernel.kind}`, scratchBytes: 0 });
      return;
    }
    const data: string[] = [];
    const body: string[] = [];
    let kernel = "";
    const status = (call: string): void => {
      body.push(`  return ${call} == ARM_CMSIS_NN_SUCCESS ? 0 : -1;`);
    };
    const perChannel = (mult: readonly number[], shift: readonly number[]): void => {
      data.push(`static const int32_t ${fn}_mult[${mult.length}] = {\n${cArrayBody(mult, cInt32, 8)}\n};`);
      data.push(`static const int32_t ${fn}_shift[${shift.length}] = {\n${cArrayBody(shift, cInt32, 16)}\n};`);
      // CMSIS-NN's quant structs hold non-const pointers; the library only reads them.
      data.push(`static const cmsis_nn_per_channel_quant_params ${fn}_quant = { (int32_t *)${fn}_mult, (int32_t *)${fn}_shift };`);
    };
    const weights = (id: number): void => {
      const w = int8Data(graph.tensors[id]!);
      data.push(`static const int8_t ${fn}_w[${w.length}] = {\n${cArrayBody(w, cInt32, 16)}\n};`);
    };
    const bias = (id: number): string => {
      if (id < 0) return "NULL";
      const b = int32Data(graph.tensors[id]!);
      data.push(`static const int32_t ${fn}_b[${b.length}] = {\n${cArrayBody(b, cInt32, 8)}\n};`);
      return `${fn}_b`;
    };
    const act = (a: { min: number; max: number }): string => `{ ${cInt32(a.min)}, ${cInt32(a.max)} }`;
    const ctx = `  const cmsis_nn_context ctx = ${ctxInit};`;
    switch (p.type) {
      case "CONV_2D": {
        kernel = `arm_convolve_wrapper_s8 (${convPath(p)})`;
        weights(p.tensors.filter);
        const b = bias(p.tensors.bias);
        perChannel(p.multiplier, p.shift);
        const { input_dims: id, filter_dims: fd, output_dims: od } = p;
        data.push(`static const cmsis_nn_conv_params ${fn}_params = { ${p.input_offset}, ${p.output_offset}, { ${p.stride.w}, ${p.stride.h} }, { ${p.padding.w}, ${p.padding.h} }, { ${p.dilation.w}, ${p.dilation.h} }, ${act(p.activation)} };`);
        data.push(`static const cmsis_nn_dims ${fn}_dims[4] = { ${dims(id.n, id.h, id.w, id.c)}, ${dims(fd.n, fd.h, fd.w, fd.c)}, ${dims(1, 1, 1, od.c)}, ${dims(od.n, od.h, od.w, od.c)} };`);
        body.push(ctx);
        status(`arm_convolve_wrapper_s8(&ctx, &${fn}_params, &${fn}_quant, &${fn}_dims[0], ${input(0)}, &${fn}_dims[1], ${fn}_w, &${fn}_dims[2], ${b}, &${fn}_dims[3], ${output})`);
        break;
      }
      case "DEPTHWISE_CONV_2D": {
        kernel = `arm_depthwise_conv_wrapper_s8 (${depthwisePath(p)})`;
        weights(p.tensors.filter);
        const b = bias(p.tensors.bias);
        perChannel(p.multiplier, p.shift);
        const { input_dims: id, filter_dims: fd, output_dims: od } = p;
        data.push(`static const cmsis_nn_dw_conv_params ${fn}_params = { ${p.input_offset}, ${p.output_offset}, ${p.ch_mult}, { ${p.stride.w}, ${p.stride.h} }, { ${p.padding.w}, ${p.padding.h} }, { ${p.dilation.w}, ${p.dilation.h} }, ${act(p.activation)} };`);
        data.push(`static const cmsis_nn_dims ${fn}_dims[4] = { ${dims(id.n, id.h, id.w, id.c)}, ${dims(1, fd.h, fd.w, fd.c)}, ${dims(1, 1, 1, od.c)}, ${dims(od.n, od.h, od.w, od.c)} };`);
        body.push(ctx);
        status(`arm_depthwise_conv_wrapper_s8(&ctx, &${fn}_params, &${fn}_quant, &${fn}_dims[0], ${input(0)}, &${fn}_dims[1], ${fn}_w, &${fn}_dims[2], ${b}, &${fn}_dims[3], ${output})`);
        break;
      }
      case "FULLY_CONNECTED": {
        weights(p.tensors.filter);
        const b = bias(p.tensors.bias);
        data.push(`static const cmsis_nn_fc_params ${fn}_params = { ${p.input_offset}, ${p.filter_offset}, ${p.output_offset}, ${act(p.activation)} };`);
        data.push(`static const cmsis_nn_dims ${fn}_dims[4] = { ${dims(p.batches, 1, 1, p.accum_depth)}, ${dims(p.accum_depth, 1, 1, p.output_depth)}, ${dims(1, 1, 1, p.output_depth)}, ${dims(p.batches, 1, 1, p.output_depth)} };`);
        body.push(ctx);
        if (p.per_channel) {
          kernel = "arm_fully_connected_per_channel_s8";
          perChannel(p.multiplier, p.shift);
          status(`arm_fully_connected_per_channel_s8(&ctx, &${fn}_params, &${fn}_quant, &${fn}_dims[0], ${input(0)}, &${fn}_dims[1], ${fn}_w, &${fn}_dims[2], ${b}, &${fn}_dims[3], ${output})`);
        } else {
          kernel = "arm_fully_connected_s8";
          data.push(`static const cmsis_nn_per_tensor_quant_params ${fn}_quant = { ${cInt32(p.multiplier[0]!)}, ${cInt32(p.shift[0]!)} };`);
          status(`arm_fully_connected_s8(&ctx, &${fn}_params, &${fn}_quant, &${fn}_dims[0], ${input(0)}, &${fn}_dims[1], ${fn}_w, &${fn}_dims[2], ${b}, &${fn}_dims[3], ${output})`);
        }
        break;
      }
      case "AVERAGE_POOL_2D": case "MAX_POOL_2D": {
        const f = p.type === "AVERAGE_POOL_2D" ? "arm_avgpool_s8" : "arm_max_pool_s8";
        kernel = f;
        const { input_dims: id, filter_dims: fd, output_dims: od } = p;
        data.push(`static const cmsis_nn_pool_params ${fn}_params = { { ${p.stride.w}, ${p.stride.h} }, { ${p.padding.w}, ${p.padding.h} }, ${act(p.activation)} };`);
        data.push(`static const cmsis_nn_dims ${fn}_dims[3] = { ${dims(id.n, id.h, id.w, id.c)}, ${dims(1, fd.h, fd.w, 1)}, ${dims(od.n, od.h, od.w, od.c)} };`);
        body.push(ctx);
        status(`${f}(&ctx, &${fn}_params, &${fn}_dims[0], ${input(0)}, &${fn}_dims[1], &${fn}_dims[2], ${output})`);
        break;
      }
      case "ADD": {
        kernel = "arm_elementwise_add_s8";
        status(`arm_elementwise_add_s8(${input(0)}, ${input(1)}, ${p.input1_offset}, ${cInt32(p.input1_multiplier)}, ${p.input1_shift}, ${p.input2_offset}, ${cInt32(p.input2_multiplier)}, ${p.input2_shift}, ${p.left_shift}, ${output}, ${p.output_offset}, ${cInt32(p.output_multiplier)}, ${p.output_shift}, ${p.activation.min}, ${p.activation.max}, ${elementCount(p.output_shape)})`);
        break;
      }
      case "MUL": {
        kernel = "arm_elementwise_mul_s8";
        status(`arm_elementwise_mul_s8(${input(0)}, ${input(1)}, ${p.input1_offset}, ${p.input2_offset}, ${output}, ${p.output_offset}, ${cInt32(p.output_multiplier)}, ${p.output_shift}, ${p.activation.min}, ${p.activation.max}, ${elementCount(p.output_shape)})`);
        break;
      }
      case "SOFTMAX": {
        kernel = "arm_softmax_s8";
        body.push(`  arm_softmax_s8(${input(0)}, ${p.num_rows}, ${p.row_size}, ${cInt32(p.input_multiplier)}, ${p.input_left_shift}, ${cInt32(p.diff_min)}, ${output});`);
        body.push("  return 0;");
        break;
      }
      case "RESHAPE": {
        kernel = "arm_reshape_s8";
        const bytes = p.size * dtypeSize(out.dtype);
        body.push(`  arm_reshape_s8(${input(0)}, ${output}, ${bytes}u);`);
        body.push("  return 0;");
        break;
      }
      case "PAD": {
        kernel = "arm_pad_s8";
        const s = as4d(p.input_shape)!;
        const r = p.input_shape.length;
        const pre = [0, 0, 0, 0];
        const post = [0, 0, 0, 0];
        p.pre_pad.forEach((v, d) => { pre[4 - r + d] = v; });
        p.post_pad.forEach((v, d) => { post[4 - r + d] = v; });
        data.push(`static const cmsis_nn_dims ${fn}_dims[3] = { ${dims(...s)}, ${dims(pre[0]!, pre[1]!, pre[2]!, pre[3]!)}, ${dims(post[0]!, post[1]!, post[2]!, post[3]!)} };`);
        status(`arm_pad_s8(${input(0)}, ${output}, ${p.pad_value}, &${fn}_dims[0], &${fn}_dims[1], &${fn}_dims[2])`);
        break;
      }
      case "CONCATENATION": {
        const R = p.output_shape.length;
        const axis4 = 4 - R + p.axis; // 0 = N (w), 1 = H (z), 2 = W (y), 3 = C (x)
        const f = ["arm_concatenation_s8_w", "arm_concatenation_s8_z", "arm_concatenation_s8_y", "arm_concatenation_s8_x"][axis4]!;
        kernel = f;
        const o = as4d(p.output_shape)!;
        let running = 0;
        p.input_shapes.forEach((shape, k) => {
          const s = as4d(shape)!;
          const [w4, z4, y4, x4] = s;
          const outArg = axis4 === 0 ? "" : `${o[axis4]}, `;
          body.push(`  ${f}(${input(k)}, ${x4}, ${y4}, ${z4}, ${w4}, ${output}, ${outArg}${running}u);`);
          running += s[axis4]!;
        });
        body.push("  return 0;");
        break;
      }
      default:
        throw new Error(`unreachable: ${p.type}`);
    }
    const code = `/* ${kernel} */\nMN_LAYER int ${fn}(void) {\n${body.join("\n")}\n}`;
    layers.push({ index: i, type: p.type, kind: kernel, comment, data: data.join("\n"), code, call: `if (${fn}() != 0) return -2;` });
    summaries.push({ index: i, type: p.type, kernel, scratchBytes: k !== null && k !== undefined ? scratch[k]!.size : 0 });
  });

  const copies = (infos: readonly IoInfo[]) => infos.map((io) => ({ arena: offset(io.tensor), pos: io.offset, bytes: io.bytes }));
  const source = render("cmsis-nn/model.c.hbs", {
    prefix: opts.prefix,
    version: opts.version,
    modelComment: opts.modelComment,
    core: opts.core,
    arenaBytes: plan.total,
    arenaWords: Math.max(1, Math.ceil(plan.total / 4)),
    constants: constants.list,
    layers,
    inType: opts.inType,
    outType: opts.outType,
    inputCopies: copies(opts.inputs),
    outputCopies: copies(opts.outputs),
  });
  return { source, arenaBytes: plan.total, layers: summaries };
}
