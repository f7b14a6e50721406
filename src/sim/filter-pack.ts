/**
 * Repacks CONV_2D / FULLY_CONNECTED filters for the WebAssembly conv kernel (wat/conv.ts). Within each
 * group, output channels are taken in blocks of 4; for every tap of a block the four filters' input channels
 * are interleaved 8 at a time ([f0: 8 bytes][f1][f2][f3] per step), then each filter's leftover channels
 * (depth mod 8) follow in filter order. A block keeps its byte range (it starts at oc·KH·KW·Cf as before),
 * and channels outside full blocks keep the original [oc][ky][kx][c] layout.
 */

export function packConvFilter(filter: Int8Array, cout: number, taps: number, cf: number, filtersPerGroup: number): Int8Array {
  const out = Int8Array.from(filter);
  const kstride = taps * cf;
  const cf8 = cf & ~7;
  const r = cf - cf8;
  for (let g0 = 0; g0 < cout; g0 += filtersPerGroup) {
    const end = g0 + filtersPerGroup;
    for (let oc = g0; oc + 4 <= end; oc += 4) {
      const block = oc * kstride;
      for (let t = 0; t < taps; t++) {
        const dst = block + t * 4 * cf;
        for (let j = 0; j < 4; j++) {
          const src = (oc + j) * kstride + t * cf;
          for (let k = 0; k < cf8; k += 8) {
            for (let e = 0; e < 8; e++) out[dst + k * 4 + j * 8 + e] = filter[src + k + e]!;
          }
          for (let e = 0; e < r; e++) out[dst + cf8 * 4 + j * r + e] = filter[src + cf8 + e]!;
        }
      }
    }
  }
  return out;
}
