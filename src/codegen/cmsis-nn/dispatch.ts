/**
 * Which CMSIS-NN kernel an operator reaches and how many scratch bytes it needs on a given core, from the
 * dispatch rules and buffer-size formulas of int8-and-tflite-spec.md §5.3 (GCC builds: the DSP 1×1 fast
 * path needs no buffer; MVE is not modelled). The generated code places these buffers in the arena, planned
 * with the tensors (planArena's scratch requests), as TFLM does for the get_buffer_size results.
 */
import type { ConvParams, DepthwiseConvParams, OpParams } from "../../quant/op-params.js";

export type CmsisCore = "cortex-m4" | "cortex-m7" | "host";

/** True for cores whose CMSIS-NN build takes the DSP paths (ARM_MATH_DSP). */
export function hasDsp(core: CmsisCore): boolean {
  return core === "cortex-m4" || core === "cortex-m7";
}

function roundUp4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** The function arm_convolve_wrapper_s8 dispatches to. */
export function convPath(p: ConvParams): "arm_convolve_1x1_s8_fast" | "arm_convolve_1x1_s8" | "arm_convolve_1_x_n_s8" | "arm_convolve_s8" {
  const { input_dims: id, filter_dims: fd } = p;
  if (p.padding.w === 0 && p.padding.h === 0 && fd.h === 1 && fd.w === 1 && p.dilation.w === 1 && p.dilation.h === 1 && id.c === fd.c) {
    return p.stride.w === 1 && p.stride.h === 1 ? "arm_convolve_1x1_s8_fast" : "arm_convolve_1x1_s8";
  }
  if (id.h === 1 && p.dilation.w === 1 && fd.h === 1 && (p.stride.w * id.c) % 4 === 0 && id.c === fd.c) return "arm_convolve_1_x_n_s8";
  return "arm_convolve_s8";
}

/** Scratch bytes of arm_convolve_wrapper_s8 (GCC, no MVE): 2·aligned4(KH·KW·Cin)·sizeof(int16) off the 1×1 paths. */
export function convScratch(p: ConvParams, _core: CmsisCore): number {
  const path = convPath(p);
  if (path === "arm_convolve_1x1_s8_fast" || path === "arm_convolve_1x1_s8") return 0;
  return 4 * roundUp4(p.filter_dims.h * p.filter_dims.w * p.input_dims.c);
}

/** The function arm_depthwise_conv_wrapper_s8 dispatches to (no MVE). */
export function depthwisePath(p: DepthwiseConvParams): "arm_depthwise_conv_3x3_s8" | "arm_depthwise_conv_s8_opt" | "arm_depthwise_conv_s8" {
  if (p.ch_mult === 1 && p.input_dims.n === 1 && p.dilation.w === 1 && p.dilation.h === 1) {
    if (p.filter_dims.h === 3 && p.filter_dims.w === 3 && p.padding.h <= 1 && p.padding.w <= 1) return "arm_depthwise_conv_3x3_s8";
    return "arm_depthwise_conv_s8_opt";
  }
  return "arm_depthwise_conv_s8";
}

/** Scratch bytes of arm_depthwise_conv_wrapper_s8: only the _s8_opt path, Cin·KH·KW·2 with DSP, 0 in pure C. */
export function depthwiseScratch(p: DepthwiseConvParams, core: CmsisCore): number {
  if (depthwisePath(p) !== "arm_depthwise_conv_s8_opt" || !hasDsp(core)) return 0;
  return p.input_dims.c * p.filter_dims.h * p.filter_dims.w * 2;
}

/** arm_avgpool_s8_get_buffer_size: C·4 bytes with DSP (no MVE), 0 otherwise. */
export function avgpoolScratch(channels: number, core: CmsisCore): number {
  return hasDsp(core) ? 4 * channels : 0;
}

/** Scratch bytes an op needs in the CMSIS-NN backend (0 for ops without a CMSIS-NN kernel). */
export function cmsisScratch(p: OpParams, core: CmsisCore): number {
  switch (p.type) {
    case "CONV_2D": return convScratch(p, core);
    case "DEPTHWISE_CONV_2D": return depthwiseScratch(p, core);
    case "AVERAGE_POOL_2D": return avgpoolScratch(p.input_dims.c, core);
    default: return 0;
  }
}
