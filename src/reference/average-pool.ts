/**
 * AVERAGE_POOL_2D int8 (TFLM reference_integer_ops::AveragePool, int8 spec §4.5): the mean of the in-image
 * taps (padding excluded from the count), rounded half away from zero. No zero-point arithmetic: input and
 * output share their quantisation.
 */
import { inputError } from "../errors.js";
import type { PoolKernelParams } from "../quant/op-params.js";

export function averagePoolS8(p: PoolKernelParams, input: Int8Array, output: Int8Array): void {
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
        const count = Math.max(0, y1 - y0) * Math.max(0, x1 - x0);
        if (count === 0) throw inputError(`average pool window at output (${oy}, ${ox}) covers no input element`);
        for (let c = 0; c < C; c++) {
          let sum = 0;
          for (let ky = y0; ky < y1; ky++) {
            for (let kx = x0; kx < x1; kx++) sum += input[((b * H + iy0 + ky) * W + ix0 + kx) * C + c]!;
          }
          // (sum ± count/2) / count with C's truncating division.
          const half = Math.floor(count / 2);
          let v = Math.trunc((sum > 0 ? sum + half : sum - half) / count);
          v = v < actMin ? actMin : v > actMax ? actMax : v;
          output[((b * od.h + oy) * od.w + ox) * C + c] = v;
        }
      }
    }
  }
}
