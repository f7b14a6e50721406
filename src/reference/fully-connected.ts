/**
 * FULLY_CONNECTED int8 (TFLM reference_integer_ops::FullyConnected and FullyConnectedPerChannel, int8 spec
 * §4.4): out[b, u] = clamp(MBQM(Σ_d (w[u, d] + filter_offset)·(x[b, d] + input_offset) + bias[u]) + zp).
 */
import type { FullyConnectedKernelParams } from "../quant/op-params.js";
import { mbqmDouble, mbqmSingle } from "../quant/fixed-point.js";

export function fullyConnectedS8(p: FullyConnectedKernelParams, input: Int8Array, filter: Int8Array, bias: Int32Array | null, output: Int8Array): void {
  const D = p.accum_depth;
  const U = p.output_depth;
  const inOff = p.input_offset;
  // The per-channel TFLM kernel has no filter offset.
  const fOff = p.per_channel ? 0 : p.filter_offset;
  const outOff = p.output_offset;
  const actMin = p.activation.min;
  const actMax = p.activation.max;
  const requant = p.rounding === "single" ? mbqmSingle : mbqmDouble;
  for (let b = 0; b < p.batches; b++) {
    const iBase = b * D;
    for (let u = 0; u < U; u++) {
      const fBase = u * D;
      let acc = 0; // exact in a double; wrapped to int32 once below
      for (let d = 0; d < D; d++) acc += (filter[fBase + d]! + fOff) * (input[iBase + d]! + inOff);
      let v = acc | 0;
      if (bias) v = (v + bias[u]!) | 0;
      const c = p.per_channel ? u : 0;
      v = (requant(v, p.multiplier[c]!, p.shift[c]!) + outOff) | 0; // int32 add, as in C
      output[b * U + u] = v < actMin ? actMin : v > actMax ? actMax : v;
    }
  }
}
