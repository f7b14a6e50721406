/**
 * CONCATENATION int8 (TFLM reference_ops::Concatenation, int8 spec §4.12): inputs share the output's
 * quantisation, so their blocks are copied along `axis` in input order.
 */
import type { ConcatenationKernelParams } from "../quant/op-params.js";

export function concatenationS8(p: ConcatenationKernelParams, inputs: readonly Int8Array[], output: Int8Array): void {
  const shape = p.output_shape;
  let outer = 1;
  for (let d = 0; d < p.axis; d++) outer *= shape[d]!;
  let innerOut = 1;
  for (let d = p.axis; d < shape.length; d++) innerOut *= shape[d]!;
  // Block of input k per outer index: its dims from the axis inwards.
  const blocks = p.input_shapes.map((s) => s.slice(p.axis).reduce((a, b) => a * b, 1));
  let start = 0;
  inputs.forEach((input, k) => {
    const block = blocks[k]!;
    for (let o = 0; o < outer; o++) output.set(input.subarray(o * block, (o + 1) * block), o * innerOut + start);
    start += block;
  });
}
