/**
 * Code-size terms for the flash estimate: which CMSIS-NN kernel each operator dispatches to, and how many
 * bytes of Thumb-2 code each kernel kind brings in.
 *
 * ALL BYTE VALUES BELOW ARE INITIAL ESTIMATES (educated guesses for GCC -Os, Cortex-M4/M7 with the DSP
 * extension), not measurements. They are to be calibrated against `arm-none-eabi-size` of the generated
 * code; until then the flash estimate's code terms carry that uncertainty (the data terms are exact).
 */
import { axisPadding } from "../ir/padding.js";
import { activationRangeInt8 } from "../quant/activation-range.js";
import { elementCount } from "../ir/tensor-data.js";
import { dtypeSize, type Activation, type Graph, type Operator, type Tensor } from "../ir/types.js";

/** The kernel an operator runs: CMSIS-NN's dispatch (spec §5.3, DSP build without MVE), or the op itself. */
export type KernelKind =
  | "conv_1x1_fast" | "conv_1x1" | "conv_1xn" | "conv_generic"
  | "depthwise_3x3" | "depthwise_opt" | "depthwise_generic"
  | "fully_connected" | "avgpool" | "maxpool" | "add" | "mul" | "softmax"
  | "pad" | "mean" | "concatenation" | "reshape" | "quantize" | "dequantize";

export interface CodeSizeTable {
  /** Bytes of code per kernel kind, counted once however many layers use it. */
  kernels: Record<KernelKind, number>;
  /** Bytes per layer for the generated call: argument structs, dims, pointers into the arena. */
  perLayerCall: number;
  /** Fixed bytes of the generated runtime: init, invoke, arena and quantise/dequantise glue. */
  runtime: number;
}

/** INITIAL ESTIMATES, to be calibrated against arm-none-eabi-size (see the file comment). */
export const DEFAULT_CODE_SIZES: CodeSizeTable = {
  kernels: {
    conv_1x1_fast: 1600, // arm_convolve_1x1_s8_fast + arm_nn_mat_mult_nt_t_s8
    conv_1x1: 1600, // arm_convolve_1x1_s8 + arm_nn_mat_mult_nt_t_s8
    conv_1xn: 2400, // arm_convolve_1_x_n_s8 → arm_convolve_s8 on non-MVE cores
    conv_generic: 2400, // arm_convolve_s8: im2col + arm_nn_mat_mult_kernel_s8_s16 + requantise
    depthwise_3x3: 1400, // arm_depthwise_conv_3x3_s8
    depthwise_opt: 1800, // arm_depthwise_conv_s8_opt + its im2col
    depthwise_generic: 1000, // arm_depthwise_conv_s8
    fully_connected: 900, // arm_fully_connected_s8 + arm_nn_vec_mat_mult_t_s8
    avgpool: 700,
    maxpool: 500,
    add: 500,
    mul: 400,
    softmax: 900, // exp and 1/(1+x) fixed-point helpers
    pad: 300,
    mean: 500, // portable C (no CMSIS-NN kernel)
    concatenation: 200,
    reshape: 50, // a copy, or nothing when aliased
    quantize: 300,
    dequantize: 300,
  },
  perLayerCall: 80,
  runtime: 1536,
};

/** The kernel kind `op` runs (Cortex-M4/M7 with DSP, no MVE). */
export function kernelKind(graph: Graph, op: Operator): KernelKind {
  const input = graph.tensors[op.inputs[0]!]!;
  switch (op.type) {
    case "CONV_2D": {
      const filter = graph.tensors[op.inputs[1]!]!;
      const [, kh, kw, cf] = filter.shape as [number, number, number, number];
      const [, h, w, cin] = input.shape as [number, number, number, number];
      const a = op.attrs;
      const padH = axisPadding(a.padding, h, kh, a.strideH, a.dilationH).before;
      const padW = axisPadding(a.padding, w, kw, a.strideW, a.dilationW).before;
      const grouped = cin !== cf;
      if (padH === 0 && padW === 0 && kh === 1 && kw === 1 && a.dilationH === 1 && a.dilationW === 1 && !grouped) {
        return a.strideH === 1 && a.strideW === 1 ? "conv_1x1_fast" : "conv_1x1";
      }
      if (h === 1 && a.dilationW === 1 && kh === 1 && (a.strideW * cin) % 4 === 0 && !grouped) return "conv_1xn";
      return "conv_generic";
    }
    case "DEPTHWISE_CONV_2D": {
      const filter = graph.tensors[op.inputs[1]!]!;
      const [, kh, kw] = filter.shape as [number, number, number, number];
      const [n, h, w] = input.shape as [number, number, number, number];
      const a = op.attrs;
      if (a.depthMultiplier === 1 && n === 1 && a.dilationH === 1 && a.dilationW === 1) {
        const padH = axisPadding(a.padding, h, kh, a.strideH).before;
        const padW = axisPadding(a.padding, w, kw, a.strideW).before;
        return kh === 3 && kw === 3 && padH <= 1 && padW <= 1 ? "depthwise_3x3" : "depthwise_opt";
      }
      return "depthwise_generic";
    }
    case "FULLY_CONNECTED": return "fully_connected";
    case "AVERAGE_POOL_2D": return "avgpool";
    case "MAX_POOL_2D": return "maxpool";
    case "ADD": return "add";
    case "MUL": return "mul";
    case "SOFTMAX": return "softmax";
    case "PAD": return "pad";
    case "MEAN": return "mean";
    case "CONCATENATION": return "concatenation";
    case "RESHAPE": return "reshape";
    case "QUANTIZE": return "quantize";
    case "DEQUANTIZE": return "dequantize";
  }
}

// ---- the portable backend (src/codegen/portable) --------------------------------------------------------
//
// The portable backend generates one specialised function per layer, so its code grows with the layers and
// their shapes instead of being one kernel per kind. The generator's unrolling decisions live here (the code
// generator imports them), and the byte figures below were fitted by least squares to arm-none-eabi-nm sizes
// of the layer functions in Cortex-M4 builds (arm-none-eabi-gcc 12.2, -O2) of 18 models — the shared models,
// the architecture fixtures with seeded weights and synthetic fully-connected chains, 333 layers — then
// corrected on whole linked images. Mean absolute error per layer: about 55 B (matrix kernels), 8 B
// (depthwise); whole images of 13 models within 0.7 %.

/** Steps (4 K-elements each) of a matrix kernel's inner product emitted straight-line up to this many. */
export const PORTABLE_MAX_FULL_UNROLL = 24;
/** Beyond it, steps per loop body. */
export const PORTABLE_BLOCK_STEPS = 8;
/** Column fills unroll up to this many 4-byte groups, loop beyond. */
export const PORTABLE_MAX_UNPACK_UNROLL = 16;
/** Depthwise window rows are filled by straight-line code up to this many columns. */
export const PORTABLE_MAX_ROW_UNROLL = 48;

/** Steps emitted per block (straight-line, or one loop body plus the rest). */
export function portableEmittedSteps(steps: number): number {
  return steps <= PORTABLE_MAX_FULL_UNROLL ? steps : PORTABLE_BLOCK_STEPS + (steps % PORTABLE_BLOCK_STEPS);
}

/** Fitted code bytes of the portable backend (see above). */
export const PORTABLE_CODE = {
  /** Pixel-pair matrix kernels (conv, FC with ≥ 2 rows); step2/step1 per unrolled step. */
  pairs: { base: -390, mm2: 513, step2: 55.5, mm1: 262, step1: 43.3, blocked: -18, unpack: 65.4, unpackLoop: 291, kRest: 62.5, generalFill: 475, tailRow: 233, uniform: -131.5 },
  /** The same with wide (int16) weights. */
  pairsWide: { base: -386, mm2: 500, step2: 44.7, mm1: 265, step1: 30.8, blocked: -17.5, unpack: 66.2, unpackLoop: 283, kRest: 67.7, generalFill: 465, tailRow: 235, uniform: -139.3 },
  /** Single-row fully connected (4-row blocks). */
  rows: { base: 69, step4: 80.2, blocked: 69, unpack: 24.1, unpackLoop: 57, kRest: 91, tailRows: 68 },
  rowsWide: { base: 74, step4: 57.4, blocked: 76, unpack: 22.8, unpackLoop: 28.5, kRest: 78, tailRows: 81 },
  /** Depthwise with the DSP pixel sequence (3×3-sized kernels, plain int8 clamp), per tap and output of a chunk. */
  depthwise: { base: 253, tapOutput: 8.8, rowColumn: 6.9, rowLoop: 12, multiplier: -62, rewind: 180 },
  /** Depthwise in C (larger kernels, other clamps). */
  depthwiseC: { base: 3, tap: 30.6, rowColumn: 12.3, rowLoop: 231, multiplier: -62 },
  avgpool: 176,
  maxpool: 176,
  add: 95,
  mul: 95,
  softmax: 994,
  pad: 81,
  mean: 200,
  concatenation: 60,
  /** RESHAPE is normally aliased (no code); a copy is a memcpy call. */
  reshape: 0,
  quantize: 150,
  dequantize: 80,
  /** invoke(): the copies and one call per layer. */
  invokeBase: 40,
  invokePerLayer: 4,
  /**
   * Layer functions were measured out of line (profiling builds); in the linked image invoke() inlines them.
   * Fitted on whole-image sizes (13 models × both weight layouts, relative least squares): per layer.
   */
  inlined: { layer: -18, depthwise: -162 },
  /** The C library's memset (window and padding fills) and memmove (PAD, CONCATENATION, window rewinds). */
  memset: 162,
  memmove: 254,
};

export interface PortableLayerBytes {
  /** Weights as stored (rows zero-padded to a multiple of 4 for the matrix kernels). */
  weightBytes: number;
  /** Per-channel tables: starting accumulator (bias), and multiplier + shift unless uniform. */
  biasBytes: number;
  quantBytes: number;
  /** Constant activations stored as arrays (e.g. a constant ADD operand). */
  otherBytes: number;
  codeBytes: number;
  /** Library routines the layer pulls in. */
  uses: ("memset" | "memmove")[];
}

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function uniformScales(t: Tensor | undefined): boolean {
  const s = t?.quant?.scale ?? [1];
  return s.every((v) => v === s[0]);
}

/**
 * Flash bytes the portable backend emits for `op`: its constant data (exact, with the 16-byte alignment of
 * the arrays) and its code (the fitted model).
 */
export function portableLayerBytes(graph: Graph, op: Operator, opts: { wideWeights?: boolean } = {}): PortableLayerBytes {
  const wide = opts.wideWeights === true;
  const out: PortableLayerBytes = { weightBytes: 0, biasBytes: 0, quantBytes: 0, otherBytes: 0, codeBytes: 0, uses: [] };
  const input = graph.tensors[op.inputs[0]!]!;
  const output = graph.tensors[op.outputs[0]!]!;
  const C = PORTABLE_CODE;
  const table = (channels: number, uniform: boolean): void => {
    const words = uniform ? 1 : 3;
    out.biasBytes = align(channels * 4, 16);
    out.quantBytes = align(channels * words * 4, 16) - out.biasBytes;
  };
  switch (op.type) {
    case "CONV_2D": case "FULLY_CONNECTED": {
      const filter = graph.tensors[op.inputs[1]!]!;
      const fc = op.type === "FULLY_CONNECTED";
      const [units] = filter.shape as [number];
      const k = filter.shape.slice(1).reduce((a, b) => a * b, 1);
      const k4 = align(k, 4);
      const steps = k4 / 4;
      out.weightBytes = align(units * k4 * (wide ? 2 : 1), 16);
      const uniform = uniformScales(filter);
      table(units, uniform);
      const npix = fc ? output.shape.slice(0, -1).reduce((a, b) => a * b, 1) : output.shape.slice(0, 3).reduce((a, b) => a * b, 1);
      const emitted = portableEmittedSteps(steps);
      const blocked = steps > PORTABLE_MAX_FULL_UNROLL ? 1 : 0;
      const n4 = Math.floor(k / 4);
      let pointwise = fc;
      let groups = 1;
      if (!fc) {
        const [, kh, kw, cf] = filter.shape as [number, number, number, number];
        const [, h, w, cin] = input.shape as [number, number, number, number];
        const a = op.attrs as Conv2DLike;
        const padH = axisPadding(a.padding, h, kh, a.strideH, a.dilationH).before;
        const padW = axisPadding(a.padding, w, kw, a.strideW, a.dilationW).before;
        groups = cin / cf;
        pointwise = kh === 1 && kw === 1 && padH === 0 && padW === 0 && groups === 1;
      }
      const unpack = pointwise && n4 <= PORTABLE_MAX_UNPACK_UNROLL ? n4 : 0;
      const unpackLoop = pointwise && n4 > PORTABLE_MAX_UNPACK_UNROLL ? 1 : 0;
      const ocn = units / groups;
      if (fc && npix < 2) {
        const m = wide ? C.rowsWide : C.rows;
        // The 4-row block loop exists only when there are 4 rows; left-over rows use one small loop.
        const blocks = ocn >= 4 ? 1 : 0;
        out.codeBytes = m.base + blocks * (m.step4 * emitted + m.blocked * blocked) + m.unpack * unpack + m.unpackLoop * unpackLoop + m.kRest * (k % 4 ? 1 : 0) + m.tailRows * (ocn % 4 ? 1 : 0);
      } else {
        const m = wide ? C.pairsWide : C.pairs;
        const blocks = ocn >= 2 ? 1 : 0;
        const mm2 = npix >= 2 ? 1 : 0;
        const mm1 = npix % 2;
        out.codeBytes = m.base + m.mm2 * mm2 + (m.step2 * emitted * mm2 + m.step1 * emitted * mm1 + m.blocked * blocked * (mm2 + mm1)) * blocks + m.mm1 * mm1 +
          m.unpack * unpack + m.unpackLoop * unpackLoop + m.kRest * (k % 4 ? 1 : 0) + m.generalFill * (pointwise ? 0 : 1) + m.tailRow * (ocn % 2) + m.uniform * (uniform ? 1 : 0);
      }
      break;
    }
    case "DEPTHWISE_CONV_2D": {
      const filter = graph.tensors[op.inputs[1]!]!;
      const [, kh, kw, cout] = filter.shape as [number, number, number, number];
      out.weightBytes = align(kh * kw * cout, 4);
      // The depthwise kernel keeps multiplier and shift per channel in its table, uniform or not.
      table(cout, false);
      const a = op.attrs as Conv2DLike & { depthMultiplier: number; activation: Activation };
      const [, , w] = input.shape as [number, number, number, number];
      const [, oh, ow] = output.shape as [number, number, number, number];
      const padW = axisPadding(a.padding, w, kw, a.strideW, a.dilationW).before;
      const wp = (ow - 1) * a.strideW + (kw - 1) * a.dilationW + 1;
      const copyW = Math.max(0, Math.min(w, wp - padW));
      const unrolled = copyW <= PORTABLE_MAX_ROW_UNROLL;
      const pairs = a.dilationW === 1 ? kh * Math.floor(kw / 2) : 0;
      const singles = kh * kw - 2 * pairs;
      const q = output.quant;
      const act = q ? activationRangeInt8(a.activation, q.scale[0]!, q.zeroPoint[0]!) : { min: -128, max: 127 };
      // The DSP pixel sequence applies to kernels whose weights fit 5 registers, with the plain int8 clamp.
      if (pairs + Math.ceil(singles / 2) <= 5 && act.min === -128 && act.max === 127) {
        const m = C.depthwise;
        const chunk = Math.min(ow, 8);
        const outs = chunk + (ow > 8 ? ow % chunk : 0);
        const rr = (kh - 1) * a.dilationH + 1;
        const vr = (oh - 1) * a.strideH + rr;
        const rb = wp * 2;
        const nb = Math.min(vr, Math.max(rr + a.strideH, Math.floor(Math.max(2048, 2 * rr * rb) / rb)));
        out.codeBytes = m.base + m.tapOutput * kh * kw * outs + (unrolled ? m.rowColumn * copyW : m.rowLoop) + (a.depthMultiplier > 1 ? m.multiplier : 0) + (nb < vr ? m.rewind : 0);
        if (nb < vr) out.uses.push("memmove");
      } else {
        const m = C.depthwiseC;
        out.codeBytes = m.base + m.tap * kh * kw + (unrolled ? m.rowColumn * copyW : m.rowLoop) + (a.depthMultiplier > 1 ? m.multiplier : 0);
      }
      out.uses.push("memset");
      break;
    }
    case "AVERAGE_POOL_2D": out.codeBytes = C.avgpool; break;
    case "MAX_POOL_2D": out.codeBytes = C.maxpool; break;
    case "ADD": out.codeBytes = C.add; break;
    case "MUL": out.codeBytes = C.mul; break;
    case "SOFTMAX": out.codeBytes = C.softmax; break;
    case "PAD": out.codeBytes = C.pad; out.uses.push("memset", "memmove"); break;
    case "MEAN": out.codeBytes = C.mean; break;
    case "CONCATENATION": out.codeBytes = C.concatenation; out.uses.push("memmove"); break;
    case "RESHAPE": out.codeBytes = C.reshape; break;
    case "QUANTIZE": out.codeBytes = C.quantize; break;
    case "DEQUANTIZE": out.codeBytes = C.dequantize; break;
  }
  // Constant activation operands (not weights, biases or index tensors) are stored as byte arrays.
  if (op.type === "ADD" || op.type === "MUL" || op.type === "CONCATENATION") {
    for (const id of op.inputs) {
      const t = id >= 0 ? graph.tensors[id] : undefined;
      if (t?.constant) out.otherBytes += align(elementCount(t.shape) * dtypeSize(t.dtype), 16);
    }
  }
  if (out.codeBytes > 0) out.codeBytes += op.type === "DEPTHWISE_CONV_2D" ? C.inlined.depthwise : C.inlined.layer;
  out.codeBytes = Math.max(0, Math.round(out.codeBytes));
  return out;
}

interface Conv2DLike {
  padding: "same" | "valid";
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
}
