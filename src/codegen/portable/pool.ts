/**
 * AVERAGE_POOL_2D and MAX_POOL_2D, four channels per 32-bit word: the maximum is SSUB8 + SEL per tap, the
 * average accumulates two 16-bit lanes per SXTAB16 (exact while a window holds at most 255 taps) and divides
 * with TFLM's rounding (halves away from zero, padding excluded from the count). Window bounds are clamped
 * once per output pixel, so the tap loops carry no checks.
 */
import type { Graph } from "../../ir/types.js";
import type { AveragePoolParams, MaxPoolParams } from "../../quant/op-params.js";
import { inputError } from "../../errors.js";
import { cInt32 } from "../c-format.js";
import { ScheduleBuilder } from "../schedule.js";
import type { EmitContext, KernelArena, KernelCode, PortableKernel } from "./kernel.js";
import type { PoolShape } from "./shape-params.js";

function rep4(v: number): number {
  const b = v & 0xff;
  return (b | (b << 8) | (b << 16) | (b << 24)) | 0;
}

/**
 * Pooling's arena needs: no scratch; the input it may overwrite: each group of up to four channels of an
 * output pixel reads its window before writing.
 */
export function poolArena(p: PoolShape): KernelArena {
  const { input_dims: id, filter_dims: fd, output_dims: od } = p;
  const C = id.c;
  const c4 = Math.floor(C / 4);
  // Groups per pixel: the SIMD groups, then each remaining channel on its own.
  const groupsPerPixel = c4 + (C % 4);
  const schedule = () => {
    const sb = new ScheduleBuilder(id.n * id.h * id.w * C, od.n * od.h * od.w * C);
    let px = 0;
    for (let b = 0; b < id.n; b++) {
      for (let oy = 0; oy < od.h; oy++) {
        const iy0 = oy * p.stride.h - p.padding.h;
        for (let ox = 0; ox < od.w; ox++, px++) {
          const ix0 = ox * p.stride.w - p.padding.w;
          for (let gidx = 0; gidx < groupsPerPixel; gidx++) {
            const c0 = gidx < c4 ? 4 * gidx : 4 * c4 + (gidx - c4);
            const n = gidx < c4 ? 4 : 1;
            const t = 2 * (px * groupsPerPixel + gidx);
            for (let ky = Math.max(0, -iy0); ky < Math.min(fd.h, id.h - iy0); ky++) {
              for (let kx = Math.max(0, -ix0); kx < Math.min(fd.w, id.w - ix0); kx++) {
                sb.read(((b * id.h + iy0 + ky) * id.w + ix0 + kx) * C + c0, n, t);
              }
            }
            sb.write(px * C + c0, n, t + 1);
          }
        }
      }
    }
    return sb.build();
  };
  return { scratch: [], alias: { slot: 0, schedule } };
}

export function poolKernel(_graph: Graph, p: AveragePoolParams | MaxPoolParams): PortableKernel {
  const { input_dims: id, filter_dims: fd, output_dims: od } = p;
  const C = id.c;
  const isMax = p.type === "MAX_POOL_2D";
  const simdAvg = fd.h * fd.w <= 255;
  const c4 = Math.floor(C / 4);
  const cRest = C % 4;

  // Every window must cover at least one input element (TFLM fails the op otherwise).
  for (let oy = 0; oy < od.h; oy++) {
    const iy0 = oy * p.stride.h - p.padding.h;
    const rows = Math.min(fd.h, id.h - iy0) - Math.max(0, -iy0);
    for (let ox = 0; ox < od.w; ox++) {
      const ix0 = ox * p.stride.w - p.padding.w;
      const cols = Math.min(fd.w, id.w - ix0) - Math.max(0, -ix0);
      if (rows <= 0 || cols <= 0) throw inputError(`pooling window at output (${oy}, ${ox}) covers no input element`, `op ${p.op_index} (${p.type})`);
    }
  }

  return {
    kind: isMax ? "maxpool" : "avgpool",
    ...poolArena(p),
    emit(ctx: EmitContext): KernelCode {
      const { fn } = ctx;
      const act = p.activation;
      const L: string[] = [];
      L.push(`/* ${p.type} ${fd.h}x${fd.w}/${p.stride.h}x${p.stride.w}, ${C} ch, out ${od.h}x${od.w} */`);
      L.push(`MN_LAYER void ${fn}(void) {`);
      L.push(`  const int8_t *const in = ${ctx.input(0)};`);
      L.push(`  int8_t *const out = ${ctx.output()};`);
      L.push("  int32_t b, oy, ox;");
      L.push(`  for (b = 0; b < ${id.n}; b++) {`);
      L.push(`    for (oy = 0; oy < ${od.h}; oy++) {`);
      L.push(`      const int32_t iy0 = oy * ${p.stride.h} - ${p.padding.h};`);
      L.push("      const int32_t y0 = iy0 < 0 ? -iy0 : 0;");
      L.push(`      const int32_t y1 = ${id.h} - iy0 < ${fd.h} ? ${id.h} - iy0 : ${fd.h};`);
      L.push(`      for (ox = 0; ox < ${od.w}; ox++) {`);
      L.push(`        const int32_t ix0 = ox * ${p.stride.w} - ${p.padding.w};`);
      L.push("        const int32_t x0 = ix0 < 0 ? -ix0 : 0;");
      L.push(`        const int32_t x1 = ${id.w} - ix0 < ${fd.w} ? ${id.w} - ix0 : ${fd.w};`);
      L.push(`        const int8_t *const win = in + ((b * ${id.h} + iy0 + y0) * ${id.w} + ix0 + x0) * ${C};`);
      L.push(`        int8_t *const o = out + ((b * ${od.h} + oy) * ${od.w} + ox) * ${C};`);
      L.push("        const int32_t nh = y1 - y0, nw = x1 - x0;");
      L.push("        int32_t c, dy, dx;");
      if (!isMax) L.push("        const int32_t count = nh * nw, half = count / 2;");
      const clampScalar = (v: string): string[] => {
        const r: string[] = [];
        if (act.min > -128) r.push(`${v} = ${v} < ${cInt32(act.min)} ? ${cInt32(act.min)} : ${v};`);
        if (act.max < 127) r.push(`${v} = ${v} > ${cInt32(act.max)} ? ${cInt32(act.max)} : ${v};`);
        return r;
      };
      const avgOut = (sum: string, dst: string): string[] => [
        `{ int32_t v = (${sum} > 0 ? ${sum} + half : ${sum} - half) / count;`,
        ...clampScalar("v").map((l) => `  ${l}`),
        `  ${dst} = (int8_t)mn_ssat8(v); }`,
      ];
      if (c4 > 0) {
        L.push(`        for (c = 0; c < ${4 * c4}; c += 4) {`);
        if (isMax) {
          L.push(`          int32_t m = ${cInt32(rep4(-128))};`);
          L.push(`          for (dy = 0; dy < nh; dy++) for (dx = 0; dx < nw; dx++) m = mn_max8x4(m, mn_ld32(win + (dy * ${id.w} + dx) * ${C} + c));`);
          if (act.min > -128) L.push(`          m = mn_max8x4(m, ${cInt32(rep4(act.min))});`);
          if (act.max < 127) L.push(`          m = mn_min8x4(m, ${cInt32(rep4(act.max))});`);
          L.push("          mn_st32(o + c, m);");
        } else if (simdAvg) {
          L.push("          int32_t s02 = 0, s13 = 0;");
          L.push(`          for (dy = 0; dy < nh; dy++) for (dx = 0; dx < nw; dx++) { const int32_t v = mn_ld32(win + (dy * ${id.w} + dx) * ${C} + c); s02 = mn_sxtab16(s02, v); s13 = mn_sxtab16_ror8(s13, v); }`);
          L.push("          {");
          L.push("            const int32_t t0 = mn_lo16(s02), t1 = mn_lo16(s13), t2 = mn_hi16(s02), t3 = mn_hi16(s13);");
          for (const [k, t] of [[0, "t0"], [1, "t1"], [2, "t2"], [3, "t3"]] as const) L.push(...avgOut(t, `o[c + ${k}]`).map((l) => `            ${l}`));
          L.push("          }");
        } else {
          L.push("          int32_t k;");
          L.push("          for (k = 0; k < 4; k++) {");
          L.push("            int32_t s = 0;");
          L.push(`            for (dy = 0; dy < nh; dy++) for (dx = 0; dx < nw; dx++) s += win[(dy * ${id.w} + dx) * ${C} + c + k];`);
          L.push(...avgOut("s", "o[c + k]").map((l) => `            ${l}`));
          L.push("          }");
        }
        L.push("        }");
      }
      if (cRest > 0) {
        L.push(`        for (c = ${4 * c4}; c < ${C}; c++) {`);
        if (isMax) {
          L.push("          int32_t m = -128;");
          L.push(`          for (dy = 0; dy < nh; dy++) for (dx = 0; dx < nw; dx++) { const int32_t v = win[(dy * ${id.w} + dx) * ${C} + c]; m = v > m ? v : m; }`);
          L.push(...clampScalar("m").map((l) => `          ${l}`));
          L.push("          o[c] = (int8_t)m;");
        } else {
          L.push("          int32_t s = 0;");
          L.push(`          for (dy = 0; dy < nh; dy++) for (dx = 0; dx < nw; dx++) s += win[(dy * ${id.w} + dx) * ${C} + c];`);
          L.push(...avgOut("s", "o[c]").map((l) => `          ${l}`));
        }
        L.push("        }");
      }
      L.push("      }");
      L.push("    }");
      L.push("  }");
      L.push("}");
      return { data: "", code: L.join("\n"), call: `${fn}();` };
    },
  };
}
