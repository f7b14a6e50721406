/**
 * PAD int8 (TFLM reference_ops::Pad, int8 spec §4.11): copies the input into the middle of an output filled
 * with `pad_value` (the output zero point for PAD).
 */
import type { PadKernelParams } from "../quant/op-params.js";

export function padS8(p: PadKernelParams, input: Int8Array, output: Int8Array): void {
  const rank = p.input_shape.length;
  output.fill(p.pad_value);
  if (input.length === 0) return;
  // Output strides, and the output offset of input element 0.
  const outStrides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    outStrides[d] = s;
    s *= p.output_shape[d]!;
  }
  let base = 0;
  for (let d = 0; d < rank; d++) base += p.pre_pad[d]! * outStrides[d]!;
  // Copy innermost rows; walk the outer input dims like an odometer.
  const inner = rank > 0 ? p.input_shape[rank - 1]! : 1;
  const rows = input.length / inner;
  const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  let o = base;
  for (let r = 0; r < rows; r++) {
    output.set(input.subarray(r * inner, (r + 1) * inner), o);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      o += outStrides[d]!;
      if (idx[d]! < p.input_shape[d]!) break;
      o -= outStrides[d]! * p.input_shape[d]!;
      idx[d] = 0;
    }
  }
}
