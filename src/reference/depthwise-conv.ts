/**
 * DEPTHWISE_CONV_2D int8 (TFLM reference_integer_ops::DepthwiseConvPerChannel, int8 spec §4.3): output
 * channel oc = ic · ch_mult + m reads input channel ic only.
 */
import type { DepthwiseConvKernelParams } from "../quant/op-params.js";
import { mbqmDouble, mbqmSingle } from "../quant/fixed-point.js";

export function depthwiseConvS8(p: DepthwiseConvKernelParams, input: Int8Array, filter: Int8Array, bias: Int32Array | null, output: Int8Array): void {
  const { input_dims: id, filter_dims: fd, output_dims: od } = p;
  const [H, W, Cin] = [id.h, id.w, id.c];
  const [KH, KW] = [fd.h, fd.w];
  const [OH, OW, Cout] = [od.h, od.w, od.c];
  const mult = p.ch_mult;
  const inOff = p.input_offset;
  const outOff = p.output_offset;
  const actMin = p.activation.min;
  const actMax = p.activation.max;
  const requant = p.rounding === "single" ? mbqmSingle : mbqmDouble;
  for (let b = 0; b < id.n; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const iy0 = oy * p.stride.h - p.padding.h;
      for (let ox = 0; ox < OW; ox++) {
        const ix0 = ox * p.stride.w - p.padding.w;
        const oBase = ((b * OH + oy) * OW + ox) * Cout;
        for (let ic = 0; ic < Cin; ic++) {
          for (let m = 0; m < mult; m++) {
            const oc = ic * mult + m;
            let acc = 0; // exact in a double; wrapped to int32 once below (same result modulo 2^32)
            for (let ky = 0; ky < KH; ky++) {
              const iy = iy0 + ky * p.dilation.h;
              if (iy < 0 || iy >= H) continue;
              for (let kx = 0; kx < KW; kx++) {
                const ix = ix0 + kx * p.dilation.w;
                if (ix < 0 || ix >= W) continue;
                acc += filter[(ky * KW + kx) * Cout + oc]! * (input[((b * H + iy) * W + ix) * Cin + ic]! + inOff);
              }
            }
            let v = acc | 0;
            if (bias) v = (v + bias[oc]!) | 0;
            v = (requant(v, p.multiplier[oc]!, p.shift[oc]!) + outOff) | 0; // int32 add, as in C
            output[oBase + oc] = v < actMin ? actMin : v > actMax ? actMax : v;
          }
        }
      }
    }
  }
}
