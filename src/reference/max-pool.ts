/**
 * MAX_POOL_2D int8 (TFLM reference_integer_ops::MaxPool, int8 spec §4.6): the maximum of the in-image taps
 * (starting from −128), clamped to the activation range.
 */
import type { PoolKernelParams } from "../quant/op-params.js";

export function maxPoolS8(p: PoolKernelParams, input: Int8Array, output: Int8Array): void {
  const { input_dims: id, filter_dims: fd, output_dims: od } = p;
  const [H, W, C] = [id.h, id.w, id.c];
  const actMin = p.activation.min;
  const actMax = p.activation.max;
  for (let b = 0; b < id.n; b++) {
    for (let oy = 0; oy < od.h; oy++) {
      const iy0 = oy * p.stride.h - p.padding.h;
      const y0 = Math.max(0, -iy0);
      const y1 = Math.min(fd.h, H - iy0);
      for (let ox = 0; ox < od.w; ox++) {
        const ix0 = ox * p.stride.w - p.padding.w;
        const x0 = Math.max(0, -ix0);
        const x1 = Math.min(fd.w, W - ix0);
        for (let c = 0; c < C; c++) {
          let max = -128;
          for (let ky = y0; ky < y1; ky++) {
            for (let kx = x0; kx < x1; kx++) {
              const v = input[((b * H + iy0 + ky) * W + ix0 + kx) * C + c]!;
              if (v > max) max = v;
            }
          }
          output[((b * od.h + oy) * od.w + ox) * C + c] = max < actMin ? actMin : max > actMax ? actMax : max;
        }
      }
    }
  }
}
