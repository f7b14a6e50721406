/**
 * Code-size terms for the flash estimate: which CMSIS-NN kernel each operator dispatches to, and how many
 * bytes of Thumb-2 code each kernel kind brings in.
 *
 * ALL BYTE VALUES BELOW ARE INITIAL ESTIMATES (educated guesses for GCC -Os, Cortex-M4/M7 with the DSP
 * extension), not measurements. They are to be calibrated against `arm-none-eabi-size` of the generated
 * code; until then the flash estimate's code terms carry that uncertainty (the data terms are exact).
 */
import { axisPadding } from "../ir/padding.js";
import type { Graph, Operator } from "../ir/types.js";

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
