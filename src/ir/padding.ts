import type { Padding } from "./types.js";

/** Output size and leading padding along one spatial axis (TFLite `padding.h`). */
export interface AxisPadding {
  out: number;
  /** Padding before (top/left); the kernels only use this one. */
  before: number;
  /** Padding after (bottom/right) = before + (total % 2). */
  after: number;
}

export function effectiveKernel(k: number, dilation: number): number {
  return (k - 1) * dilation + 1;
}

/** Output size for SAME / VALID padding, or a negative number when the window does not fit. */
export function outputSize(padding: Padding, inSize: number, k: number, stride: number, dilation = 1): number {
  const effK = effectiveKernel(k, dilation);
  if (padding === "same") return Math.floor((inSize + stride - 1) / stride);
  return Math.floor((inSize + stride - effK) / stride);
}

export function axisPadding(padding: Padding, inSize: number, k: number, stride: number, dilation = 1): AxisPadding {
  const out = outputSize(padding, inSize, k, stride, dilation);
  const total = Math.max(0, (out - 1) * stride + effectiveKernel(k, dilation) - inSize);
  const before = Math.floor(total / 2);
  return { out, before, after: before + (total % 2) };
}
