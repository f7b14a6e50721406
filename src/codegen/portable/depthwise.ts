/**
 * DEPTHWISE_CONV_2D, one input channel at a time (the TinyEngine scheme): the channel's input rows are
 * widened into a small ring of zero-padded int16 rows (KH·dilation rows of the padded width) as the output
 * rows advance, so every input byte is read exactly once and the tap loops have no bounds checks at all.
 * Horizontal tap pairs are one unaligned 32-bit load and one SMLAD; the weights of a channel are packed
 * into registers once. The ring stores 2·(x + offset) when the "right" requantisation applies, which feeds
 * SMMULR its doubled accumulator for free.
 *
 * Because a channel's input rows are consumed through the ring before that channel's outputs are written,
 * the output may overwrite the input in place (same-shape layers need no extra bytes at all).
 */
import { int32Data, int8Data } from "../../ir/tensor-data.js";
import type { Graph } from "../../ir/types.js";
import type { DepthwiseConvParams } from "../../quant/op-params.js";
import { cArrayBody, cInt32 } from "../c-format.js";
import { ScheduleBuilder } from "../schedule.js";
import { indent, type EmitContext, type KernelCode, type PortableKernel } from "./kernel.js";
import { maxAbsOffsetInput, planRequant, requantCode } from "./requant.js";

interface DwGeometry {
  rr: number;
  wp: number;
  copyW: number;
}

function geometry(p: DepthwiseConvParams): DwGeometry {
  const { input_dims: id, filter_dims: fd, output_dims: od } = p;
  const rr = (fd.h - 1) * p.dilation.h + 1;
  const wp = (od.w - 1) * p.stride.w + (fd.w - 1) * p.dilation.w + 1;
  const copyW = Math.max(0, Math.min(id.w, wp - p.padding.w));
  return { rr, wp, copyW };
}

export function depthwiseKernel(graph: Graph, p: DepthwiseConvParams): PortableKernel {
  const { input_dims: id, filter_dims: fd, output_dims: od } = p;
  const filter = graph.tensors[p.tensors.filter]!;
  const biasT = p.tensors.bias >= 0 ? graph.tensors[p.tensors.bias]! : null;
  const M = p.ch_mult;
  const C = id.c;
  const cout = od.c;
  const g = geometry(p);

  const schedule = () => {
    const sb = new ScheduleBuilder(id.n * id.h * id.w * C, od.n * od.h * od.w * cout);
    for (let b = 0; b < id.n; b++) {
      for (let c = 0; c < C; c++) {
        let next = 0;
        for (let oy = 0; oy < od.h; oy++) {
          const t = 2 * ((b * C + c) * od.h + oy);
          const v0 = oy * p.stride.h;
          const v1 = v0 + (fd.h - 1) * p.dilation.h;
          for (let v = Math.max(next, v0); v <= v1; v++) {
            const iy = v - p.padding.h;
            if (iy >= 0 && iy < id.h) sb.readStrided(((b * id.h + iy) * id.w) * C + c, C, g.copyW, t);
          }
          next = v1 + 1;
          for (let m = 0; m < M; m++) sb.writeStrided(((b * od.h + oy) * od.w) * cout + c * M + m, cout, od.w, t + 1);
        }
      }
    }
    return sb.build();
  };

  return {
    kind: "depthwise_ring",
    scratch: [g.rr * g.wp * 2],
    alias: { slot: 0, schedule },
    emit(ctx: EmitContext): KernelCode {
      const { fn } = ctx;
      const w = int8Data(filter);
      const bias = biasT ? int32Data(biasT) : null;
      const xMax = maxAbsOffsetInput(p.input_offset);
      const bounds: number[] = [];
      for (let oc = 0; oc < cout; oc++) {
        let s = 0;
        for (let t = 0; t < fd.h * fd.w; t++) s += Math.abs(w[t * cout + oc]!);
        bounds.push(Math.abs(bias ? bias[oc]! : 0) + s * xMax);
      }
      const rq = planRequant(p.multiplier, p.shift, bounds, p.output_offset, p.activation);
      const doubled = rq.mode === "right";
      const rqc = requantCode(fn, rq, doubled);
      const data: string[] = [`/* DEPTHWISE_CONV_2D ${fd.h}x${fd.w}/${p.stride.h}x${p.stride.w}, ${C} ch x${M}; ring of ${g.rr} rows x ${g.wp}; requant ${rq.mode} */`];
      data.push(`static const int8_t ${fn}_w[${w.length}] = {\n${cArrayBody(w, cInt32, 16)}\n};`);
      if (bias) data.push(`static const int32_t ${fn}_b[${bias.length}] = {\n${cArrayBody(bias, cInt32, 8)}\n};`);
      if (rqc.data) data.push(rqc.data);

      const off = p.input_offset;
      const rowBytes = g.wp * 2;
      // Ring row fill: copy the channel's input row, widened (and doubled when the requant is "right").
      const fillLines: string[] = [];
      const conv = (x: string): string => (doubled ? `${x} * 2 + ${cInt32(2 * off)}` : `${x} + ${cInt32(off)}`);
      if (g.copyW <= 32) {
        for (let ix = 0; ix < g.copyW; ix++) fillLines.push(`mn_st16(row + ${2 * (p.padding.w + ix)}, ${conv(`s[${ix * C}]`)});`);
      } else {
        fillLines.push("int32_t ix;");
        fillLines.push(`for (ix = 0; ix < ${g.copyW}; ix++) mn_st16(row + ${2 * p.padding.w} + 2 * ix, ${conv(`s[ix * ${C}]`)});`);
      }

      // Weights of one output channel, packed: pairs along kx (dilation 1), singles otherwise.
      const wDecl: string[] = [];
      const taps: string[] = [];
      for (let ky = 0; ky < fd.h; ky++) {
        let kx = 0;
        while (kx < fd.w) {
          const xoff = `xo + ${2 * kx * p.dilation.w}`;
          const wi = (kk: number): string => `${fn}_w[${(ky * fd.w + kk) * cout} + oc]`;
          if (p.dilation.w === 1 && kx + 1 < fd.w) {
            wDecl.push(`const int32_t w${ky}_${kx} = mn_pkhbt(${wi(kx)}, ${wi(kx + 1)});`);
            taps.push(`acc = mn_smlad(w${ky}_${kx}, mn_ld32(r${ky} + ${xoff}), acc);`);
            kx += 2;
          } else {
            wDecl.push(`const int32_t w${ky}_${kx} = ${wi(kx)};`);
            taps.push(`acc = mn_smlabb(w${ky}_${kx}, mn_ld16(r${ky} + ${xoff}), acc);`);
            kx += 1;
          }
        }
      }
      const rowPtrs: string[] = [];
      for (let ky = 0; ky < fd.h; ky++) {
        rowPtrs.push(`const int8_t *const r${ky} = ring + ((v0 + ${ky * p.dilation.h}) % ${g.rr}) * ${rowBytes};`);
      }
      const biasExpr = bias ? (doubled ? `${fn}_b[oc] * 2` : `${fn}_b[oc]`) : "0";
      const channelBody = (ocExpr: string): string[] => [
        `const int32_t oc = ${ocExpr};`,
        ...wDecl,
        `const int32_t b0 = ${biasExpr};`,
      ];
      const pixelLoop = [
        `int8_t *o = out + ((b * ${od.h} + oy) * ${od.w}) * ${cout} + oc;`,
        "int32_t ox;",
        `for (ox = 0; ox < ${od.w}; ox++, o += ${cout}) {`,
        `  const int32_t xo = ox * ${2 * p.stride.w};`,
        "  int32_t acc = b0;",
        ...taps.map((t) => `  ${t}`),
        `  *o = (int8_t)${fn}_rq(acc, oc);`,
        "}",
      ];

      const L: string[] = [];
      L.push(`MN_LAYER void ${fn}(void) {`);
      L.push(`  const int8_t *const in = ${ctx.input(0)};`);
      L.push(`  int8_t *const out = ${ctx.output()};`);
      L.push(`  int8_t *const ring = ${ctx.scratch(0)};`);
      L.push("  int32_t b, c;");
      L.push(`  memset(ring, 0, ${g.rr * rowBytes});`);
      L.push(`  for (b = 0; b < ${id.n}; b++) {`);
      L.push(`    for (c = 0; c < ${C}; c++) {`);
      L.push(`      const int8_t *const src = in + b * ${id.h * id.w * C} + c;`);
      if (g.copyW === 0) L.push("      (void)src;");
      L.push("      int32_t next = 0, oy;");
      if (M === 1) L.push(indent(channelBody("c").join("\n"), "      "));
      L.push(`      for (oy = 0; oy < ${od.h}; oy++) {`);
      L.push(`        const int32_t v0 = oy * ${p.stride.h}, v1 = v0 + ${(fd.h - 1) * p.dilation.h};`);
      L.push("        int32_t v = next > v0 ? next : v0;");
      L.push("        for (; v <= v1; v++) {");
      L.push(`          int8_t *const row = ring + (v % ${g.rr}) * ${rowBytes};`);
      L.push(`          const int32_t iy = v - ${p.padding.h};`);
      L.push(`          if (iy < 0 || iy >= ${id.h}) {`);
      L.push(`            memset(row + ${2 * p.padding.w}, 0, ${2 * g.copyW});`);
      L.push("          } else {");
      if (g.copyW > 0) {
        L.push(`            const int8_t *const s = src + iy * ${id.w * C};`);
        L.push(indent(fillLines.join("\n"), "            "));
      }
      L.push("          }");
      L.push("        }");
      L.push("        next = v1 + 1;");
      L.push("        {");
      L.push(indent(rowPtrs.join("\n"), "          "));
      if (M === 1) {
        L.push(indent(pixelLoop.join("\n"), "          "));
      } else {
        L.push("          int32_t m;");
        L.push(`          for (m = 0; m < ${M}; m++) {`);
        L.push(indent([...channelBody(`c * ${M} + m`), ...pixelLoop].join("\n"), "            "));
        L.push("          }");
      }
      L.push("        }");
      L.push("      }");
      L.push("    }");
      L.push("  }");
      L.push("}");
      return { data: data.join("\n"), code: `${rqc.code}\n\n${L.join("\n")}`, call: `${fn}();` };
    },
  };
}
