/**
 * CONV_2D int8 (TFLM reference_integer_ops::ConvPerChannel, int8 spec §4.2), with groups and dilation.
 * Taps outside the image are skipped (implicit zero padding of the offset input).
 */
import type { ConvKernelParams } from "../quant/op-params.js";
import { mbqmDouble, mbqmSingle } from "../quant/fixed-point.js";

export function convS8(p: ConvKernelParams, input: Int8Array, filter: Int8Array, bias: Int32Array | null, output: Int8Array): void {
  const { input_dims: id, filter_dims: fd, output_dims: od } = p;
  const [H, W, Cin] = [id.h, id.w, id.c];
  const [KH, KW, Cf] = [fd.h, fd.w, fd.c];
  const [OH, OW, Cout] = [od.h, od.w, od.c];
  const groups = Cin / Cf;
  const filtersPerGroup = Cout / groups;
  const inOff = p.input_offset;
  const outOff = p.output_offset;
  const actMin = p.activation.min;
  const actMax = p.activation.max;
  const requant = p.rounding === "single" ? mbqmSingle : mbqmDouble;
  let o = 0;
  for (let b = 0; b < id.n; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const iy0 = oy * p.stride.h - p.padding.h;
      for (let ox = 0; ox < OW; ox++) {
        const ix0 = ox * p.stride.w - p.padding.w;
        for (let oc = 0; oc < Cout; oc++) {
          const g = Math.floor(oc / filtersPerGroup);
          // Accumulate in a double: exact far beyond int32, and wrapping once at the end equals wrapping
          // after every add (the sum is taken modulo 2^32 either way).
          let acc = 0;
          for (let ky = 0; ky < KH; ky++) {
            const iy = iy0 + ky * p.dilation.h;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ix = ix0 + kx * p.dilation.w;
              if (ix < 0 || ix >= W) continue;
              const iBase = ((b * H + iy) * W + ix) * Cin + g * Cf;
              const fBase = ((oc * KH + ky) * KW + kx) * Cf;
              for (let ic = 0; ic < Cf; ic++) acc += filter[fBase + ic]! * (input[iBase + ic]! + inOff);
            }
          }
          let v = acc | 0;
          if (bias) v = (v + bias[oc]!) | 0;
          v = (requant(v, p.multiplier[oc]!, p.shift[oc]!) + outOff) | 0; // int32 add, as in C
          output[o++] = v < actMin ? actMin : v > actMax ? actMax : v;
        }
      }
    }
  }
}
