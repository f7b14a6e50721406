/**
 * CONV_2D and FULLY_CONNECTED as matrix products over im2col columns: for each pair of output pixels (rows of
 * the FC input), the pixels' receptive fields are unpacked once into two int16 columns (offset added,
 * padding taps zero) in a small arena scratch buffer, then every pair of output channels is computed with
 * 2×2 register blocking (dot.ts) and requantised in place (requant.ts). Weights are stored as packed words in
 * the order the inner loop reads them (each row zero-padded to a multiple of 4).
 *
 * Columns are filled by specialised code: a plain unpack for 1×1 convolutions and fully-connected rows (no
 * im2col copy of bytes, just the int8→int16 widening the SMLAD path needs), a row-wise unpack for interior
 * pixels of larger kernels, and checked per-tap code only where a receptive field crosses the padding.
 */
import { int32Data, int8Data } from "../../ir/tensor-data.js";
import type { Graph, Tensor } from "../../ir/types.js";
import type { ConvParams, FullyConnectedParams } from "../../quant/op-params.js";
import { cArrayBody, cInt32, cUint32, packInt8Words } from "../c-format.js";
import { ScheduleBuilder } from "../schedule.js";
import { dotBlock, unrollPlan } from "./dot.js";
import { indent, type EmitContext, type KernelCode, type PortableKernel } from "./kernel.js";
import { maxAbsOffsetInput, planRequant, requantCode } from "./requant.js";

interface MatmulGeometry {
  /** Output pixels (conv) or rows (FC). */
  npix: number;
  cout: number;
  /** Groups (conv); output channels per group. */
  groups: number;
  ocn: number;
  /** Elements per column (per group) and rounded up to 4. */
  k: number;
  k4: number;
  inputOffset: number;
  filterOffset: number;
}

function weightWords(filter: Tensor, rowsOut: number, k: number, k4: number): number[] {
  const w = int8Data(filter);
  const padded = new Int8Array(rowsOut * k4);
  for (let o = 0; o < rowsOut; o++) padded.set(w.subarray(o * k, (o + 1) * k), o * k4);
  return packInt8Words(padded);
}

/** |acc| bound per output channel: |bias| + Σ|w|·max|x + input_offset| (+ the filter-offset term). */
function accBounds(filter: Tensor, bias: Int32Array | null, rowsOut: number, k: number, inputOffset: number, filterOffset: number): number[] {
  const w = int8Data(filter);
  const xMax = maxAbsOffsetInput(inputOffset);
  const out: number[] = [];
  for (let o = 0; o < rowsOut; o++) {
    let s = 0;
    for (let i = 0; i < k; i++) s += Math.abs(w[o * k + i]! + filterOffset);
    out.push(Math.abs(bias ? bias[o]! : 0) + s * xMax);
  }
  return out;
}

/** The shared emitter: `fill` is the C of `<fn>_fill(uint32_t *col, const int8_t *in, int32_t p, int32_t g)`. */
function emitMatmul(ctx: EmitContext, geo: MatmulGeometry, filter: Tensor, biasT: Tensor | null, rq: ReturnType<typeof planRequant>, fill: string, comment: string): KernelCode {
  const { fn } = ctx;
  const kw4 = geo.k4 / 4;
  const colw = geo.k4 / 2;
  const words = weightWords(filter, geo.cout, geo.k, geo.k4);
  const data: string[] = [];
  data.push(`/* ${comment} */`);
  data.push(`static const uint32_t ${fn}_w[${words.length}] = {\n${cArrayBody(words, cUint32, 8)}\n};`);
  const bias = biasT ? int32Data(biasT) : null;
  if (bias) data.push(`static const int32_t ${fn}_b[${bias.length}] = {\n${cArrayBody(bias, cInt32, 8)}\n};`);
  const rqc = requantCode(fn, rq);
  if (rqc.data) data.push(rqc.data);
  const biasOf = (oc: string): string => (bias ? `${fn}_b[${oc}]` : "0");
  const fo = geo.filterOffset;

  // Column sums for a nonzero filter offset: Σ_k (w + fo)(x + io) = Σ w(x + io) + fo·Σ(x + io).
  const colsum = fo !== 0
    ? `MN_INLINE int32_t ${fn}_colsum(const uint32_t *c) {\n  int32_t s = 0, i;\n  for (i = 0; i < ${colw}; i++) s += mn_lo16((int32_t)c[i]) + mn_hi16((int32_t)c[i]);\n  return s;\n}\n`
    : "";
  const init = (p: number, oc: string): string => (fo !== 0 ? `${biasOf(oc)} + ${cInt32(fo)} * s${p}` : biasOf(oc));

  const mm = (P: 1 | 2): string => {
    const cols = P === 2 ? ["c0", "c1"] : ["c0"];
    const lines: string[] = [];
    lines.push(`MN_INLINE void ${fn}_mm${P}(const uint32_t *c0, int8_t *o0, int32_t oc0) {`);
    if (P === 2) lines.push(`  const uint32_t *const c1 = c0 + ${colw};`, `  int8_t *const o1 = o0 + ${geo.cout};`);
    if (fo !== 0) for (let p = 0; p < P; p++) lines.push(`  const int32_t s${p} = ${fn}_colsum(c${p});`);
    lines.push(`  const uint32_t *w = ${fn}_w + oc0 * ${kw4};`, "  int32_t oc = oc0;");
    const O = P === 2 ? 2 : 4;
    const block = (rows: number): string => {
      const accs: string[] = [];
      for (let o = 0; o < rows; o++) {
        for (let p = 0; p < P; p++) accs.push(`a${p}${o} = ${init(p, o === 0 ? "oc" : `oc + ${o}`)}`);
      }
      const body = dotBlock({ cols, w: "w", rows, rowWords: kw4, acc: (p, o) => `a${p}${o}` });
      const stores: string[] = [];
      for (let p = 0; p < P; p++) {
        for (let o = 0; o < rows; o++) stores.push(`o${p}[oc${o ? ` + ${o}` : ""}] = (int8_t)${fn}_rq(a${p}${o}, oc${o ? ` + ${o}` : ""});`);
      }
      return [`int32_t ${accs.join(", ")};`, body, ...stores].join("\n");
    };
    if (geo.ocn >= O) {
      lines.push(`  for (; oc + ${O - 1} < oc0 + ${geo.ocn}; oc += ${O}, w += ${O * kw4}) {`);
      lines.push(indent(block(O), "    "));
      lines.push("  }");
    }
    if (geo.ocn % O !== 0) {
      lines.push(`  for (; oc < oc0 + ${geo.ocn}; oc++, w += ${kw4}) {`);
      lines.push(indent(block(1), "    "));
      lines.push("  }");
    }
    lines.push("}");
    return lines.join("\n");
  };

  const pairs = Math.floor(geo.npix / 2);
  const body: string[] = [];
  body.push(`  const int8_t *const in = ${ctx.input(0)};`);
  body.push(`  int8_t *const out = ${ctx.output()};`);
  body.push(`  uint32_t *const col = (uint32_t *)(void *)(${ctx.scratch(0)});`);
  const groupLoop = geo.groups > 1;
  const g = groupLoop ? "g" : "0";
  const oc0 = groupLoop ? `g * ${geo.ocn}` : "0";
  if (pairs > 0 || groupLoop) body.push(`  int32_t p${groupLoop ? ", g" : ""};`);
  if (pairs > 0) {
    body.push(`  for (p = 0; p < ${2 * pairs}; p += 2) {`);
    if (groupLoop) body.push(`    for (g = 0; g < ${geo.groups}; g++) {`);
    const ind = groupLoop ? "      " : "    ";
    body.push(`${ind}${fn}_fill(col, in, p, ${g});`);
    body.push(`${ind}${fn}_fill(col + ${colw}, in, p + 1, ${g});`);
    body.push(`${ind}${fn}_mm2(col, out + p * ${geo.cout}, ${oc0});`);
    if (groupLoop) body.push("    }");
    body.push("  }");
  }
  if (geo.npix % 2 === 1) {
    const last = geo.npix - 1;
    if (groupLoop) {
      body.push(`  p = ${last};`);
      body.push(`  for (g = 0; g < ${geo.groups}; g++) {`);
      body.push(`    ${fn}_fill(col, in, p, g);`);
      body.push(`    ${fn}_mm1(col, out + p * ${geo.cout}, ${oc0});`);
      body.push("  }");
    } else {
      body.push(`  ${fn}_fill(col, in, ${last}, 0);`);
      body.push(`  ${fn}_mm1(col, out + ${last} * ${geo.cout}, 0);`);
    }
  }
  const code = [
    rqc.code,
    colsum,
    fill,
    pairs > 0 ? mm(2) : "",
    geo.npix % 2 === 1 ? mm(1) : "",
    `MN_LAYER void ${fn}(void) {\n${body.join("\n")}\n}`,
  ]
    .filter((s) => s !== "")
    .join("\n\n");
  return { data: data.join("\n"), code, call: `${fn}();` };
}

/** Unpack code for `n` contiguous int8 values from `src` into column elements from k0 (k0 % 4 == 0). */
function unpackRun(col: string, k0: number, src: string, n: number, off: number, ind: string): string {
  const lines: string[] = [];
  const n4 = Math.floor(n / 4);
  const off2 = `${cInt32(((off & 0xffff) << 16 | (off & 0xffff)) | 0)}`;
  if (n4 > 0) {
    if (n4 <= 16) {
      for (let i = 0; i < n4; i++) {
        lines.push(`{ const int32_t v = mn_ld32(${src} + ${4 * i}); ${col}[${k0 / 2 + 2 * i}] = (uint32_t)mn_sxtab16(${off2}, v); ${col}[${k0 / 2 + 2 * i + 1}] = (uint32_t)mn_sxtab16_ror8(${off2}, v); }`);
      }
    } else {
      lines.push(`mn_col_unpack(${col} + ${k0 / 2}, ${src}, ${n4}, ${off2});`);
    }
  }
  if (n % 4 !== 0) lines.push(`mn_col_seg(${col}, ${k0 + 4 * n4}, ${src} + ${4 * n4}, ${n % 4}, ${cInt32(off)});`);
  return lines.map((l) => ind + l).join("\n");
}

/** Zero-fill code for `n` column elements from k0. */
function zeroRun(col: string, k0: string | number, n: number, wordsOk: boolean, ind: string): string {
  if (wordsOk && n % 4 === 0) {
    return `${ind}{ int32_t i; for (i = 0; i < ${n / 2}; i++) ${col}[(${k0}) / 2 + i] = 0u; }`;
  }
  return `${ind}mn_col_zero(${col}, ${k0}, ${n});`;
}

export function convKernel(graph: Graph, p: ConvParams): PortableKernel {
  const { input_dims: id, filter_dims: fd, output_dims: od } = p;
  const filter = graph.tensors[p.tensors.filter]!;
  const biasT = p.tensors.bias >= 0 ? graph.tensors[p.tensors.bias]! : null;
  const groups = id.c / fd.c;
  const k = fd.h * fd.w * fd.c;
  const k4 = Math.ceil(k / 4) * 4;
  const geo: MatmulGeometry = {
    npix: od.n * od.h * od.w,
    cout: od.c,
    groups,
    ocn: od.c / groups,
    k,
    k4,
    inputOffset: p.input_offset,
    filterOffset: 0,
  };
  const pointwise = fd.h === 1 && fd.w === 1 && p.padding.h === 0 && p.padding.w === 0 && groups === 1;
  const contiguous = pointwise && p.stride.h === 1 && p.stride.w === 1;
  const kind = contiguous ? "conv_1x1" : pointwise ? "conv_1x1_strided" : "conv";

  const schedule = () => {
    const inBytes = id.n * id.h * id.w * id.c;
    const outBytes = od.n * od.h * od.w * od.c;
    const sb = new ScheduleBuilder(inBytes, outBytes);
    for (let px = 0; px < geo.npix; px++) {
      const unit = Math.floor(px / 2);
      const ox = px % od.w;
      const r = Math.floor(px / od.w);
      const oy = r % od.h;
      const b = Math.floor(r / od.h);
      const iy0 = oy * p.stride.h - p.padding.h;
      const ix0 = ox * p.stride.w - p.padding.w;
      for (let g = 0; g < groups; g++) {
        const t = 2 * (unit * groups + g);
        for (let ky = 0; ky < fd.h; ky++) {
          const iy = iy0 + ky * p.dilation.h;
          if (iy < 0 || iy >= id.h) continue;
          for (let kx = 0; kx < fd.w; kx++) {
            const ix = ix0 + kx * p.dilation.w;
            if (ix < 0 || ix >= id.w) continue;
            sb.read(((b * id.h + iy) * id.w + ix) * id.c + g * fd.c, fd.c, t);
          }
        }
        sb.write(px * od.c + g * geo.ocn, geo.ocn, t + 1);
      }
    }
    return sb.build();
  };

  return {
    kind,
    scratch: [geo.k4 * 2 * Math.min(2, geo.npix)],
    alias: { slot: 0, schedule },
    emit(ctx: EmitContext): KernelCode {
      const { fn } = ctx;
      const bias = biasT ? int32Data(biasT) : null;
      const bounds = accBounds(filter, bias, od.c, k, p.input_offset, 0);
      const rq = planRequant(p.multiplier, p.shift, bounds, p.output_offset, p.activation);
      const off = p.input_offset;
      const L: string[] = [];
      L.push(`MN_INLINE void ${fn}_fill(uint32_t *col, const int8_t *in, int32_t p, int32_t g) {`);
      if (pointwise) {
        L.push("  (void)g;");
        const src = contiguous
          ? `in + p * ${id.c}`
          : `in + ((p / ${od.w * od.h} * ${id.h} + (p / ${od.w}) % ${od.h} * ${p.stride.h}) * ${id.w} + (p % ${od.w}) * ${p.stride.w}) * ${id.c}`;
        L.push(`  const int8_t *const src = ${src};`);
        L.push(unpackRun("col", 0, "src", k, off, "  "));
      } else {
        const ewk = (fd.w - 1) * p.dilation.w;
        const rowL = fd.w * fd.c;
        const rowContig = p.dilation.w === 1 && groups === 1;
        const segWords = fd.c % 4 === 0;
        L.push(`  const int32_t ox = p % ${od.w}, r = p / ${od.w};`);
        L.push(`  const int32_t oy = r % ${od.h}, b = r / ${od.h};`);
        L.push(`  const int32_t iy0 = oy * ${p.stride.h} - ${p.padding.h}, ix0 = ox * ${p.stride.w} - ${p.padding.w};`);
        L.push(`  const int8_t *const img = in + b * ${id.h * id.w * id.c} + g * ${fd.c};`);
        L.push("  int32_t ky;");
        L.push(`  const int32_t colsIn = ix0 >= 0 && ix0 <= ${id.w - 1 - ewk};`);
        L.push(`  for (ky = 0; ky < ${fd.h}; ky++) {`);
        L.push(`    const int32_t iy = iy0 + ky * ${p.dilation.h};`);
        L.push(`    const int32_t k0 = ky * ${rowL};`);
        L.push(`    if (iy < 0 || iy >= ${id.h}) {`);
        L.push(zeroRun("col", "k0", rowL, rowL % 4 === 0, "      "));
        L.push("    } else if (colsIn) {");
        if (rowContig && rowL % 4 === 0) {
          L.push(`      const int8_t *const src = img + (iy * ${id.w} + ix0) * ${id.c};`);
          const n4 = rowL / 4;
          const off2 = cInt32(((off & 0xffff) << 16 | (off & 0xffff)) | 0);
          if (n4 <= 16) {
            for (let i = 0; i < n4; i++) {
              L.push(`      { const int32_t v = mn_ld32(src + ${4 * i}); col[k0 / 2 + ${2 * i}] = (uint32_t)mn_sxtab16(${off2}, v); col[k0 / 2 + ${2 * i + 1}] = (uint32_t)mn_sxtab16_ror8(${off2}, v); }`);
            }
          } else {
            L.push(`      mn_col_unpack(col + k0 / 2, src, ${n4}, ${off2});`);
          }
        } else if (rowContig) {
          L.push(`      mn_col_seg(col, k0, img + (iy * ${id.w} + ix0) * ${id.c}, ${rowL}, ${cInt32(off)});`);
        } else {
          L.push("      int32_t kx;");
          L.push(`      for (kx = 0; kx < ${fd.w}; kx++) {`);
          const src = `img + (iy * ${id.w} + ix0 + kx * ${p.dilation.w}) * ${id.c}`;
          if (segWords) L.push(`        mn_col_unpack(col + (k0 + kx * ${fd.c}) / 2, ${src}, ${fd.c / 4}, ${cInt32(((off & 0xffff) << 16 | (off & 0xffff)) | 0)});`);
          else L.push(`        mn_col_seg(col, k0 + kx * ${fd.c}, ${src}, ${fd.c}, ${cInt32(off)});`);
          L.push("      }");
        }
        L.push("    } else {");
        L.push("      int32_t kx;");
        L.push(`      for (kx = 0; kx < ${fd.w}; kx++) {`);
        L.push(`        const int32_t ix = ix0 + kx * ${p.dilation.w};`);
        L.push(`        if (ix >= 0 && ix < ${id.w}) mn_col_seg(col, k0 + kx * ${fd.c}, img + (iy * ${id.w} + ix) * ${id.c}, ${fd.c}, ${cInt32(off)});`);
        L.push(`        else mn_col_zero(col, k0 + kx * ${fd.c}, ${fd.c});`);
        L.push("      }");
        L.push("    }");
        L.push("  }");
      }
      if (k4 > k) L.push(`  mn_col_zero(col, ${k}, ${k4 - k});`);
      L.push("}");
      const comment = `CONV_2D ${fd.h}x${fd.w}/${p.stride.h}x${p.stride.w}, ${id.c}->${od.c} ch${groups > 1 ? `, ${groups} groups` : ""}; kernel ${kind}; K=${k} (${unrollPlan(k4 / 4).full ? "fully unrolled" : "blocked"}); requant ${rq.mode}`;
      return emitMatmul(ctx, geo, filter, biasT, rq, L.join("\n"), comment);
    },
  };
}

export function fullyConnectedKernel(graph: Graph, p: FullyConnectedParams): PortableKernel {
  const filter = graph.tensors[p.tensors.filter]!;
  const biasT = p.tensors.bias >= 0 ? graph.tensors[p.tensors.bias]! : null;
  const k = p.accum_depth;
  const k4 = Math.ceil(k / 4) * 4;
  const filterOffset = p.per_channel ? 0 : p.filter_offset;
  const geo: MatmulGeometry = {
    npix: p.batches,
    cout: p.output_depth,
    groups: 1,
    ocn: p.output_depth,
    k,
    k4,
    inputOffset: p.input_offset,
    filterOffset,
  };
  const schedule = () => {
    const sb = new ScheduleBuilder(p.batches * k, p.batches * p.output_depth);
    for (let b = 0; b < p.batches; b++) {
      const t = 2 * Math.floor(b / 2);
      sb.read(b * k, k, t);
      sb.write(b * p.output_depth, p.output_depth, t + 1);
    }
    return sb.build();
  };
  return {
    kind: "fully_connected",
    scratch: [geo.k4 * 2 * Math.min(2, geo.npix)],
    alias: { slot: 0, schedule },
    emit(ctx: EmitContext): KernelCode {
      const { fn } = ctx;
      const bias = biasT ? int32Data(biasT) : null;
      const bounds = accBounds(filter, bias, p.output_depth, k, p.input_offset, filterOffset);
      const nq = p.per_channel ? p.output_depth : 1;
      const mult = Array.from({ length: p.output_depth }, (_, u) => p.multiplier[nq === 1 ? 0 : u]!);
      const shift = Array.from({ length: p.output_depth }, (_, u) => p.shift[nq === 1 ? 0 : u]!);
      const rq = planRequant(mult, shift, bounds, p.output_offset, p.activation);
      const L: string[] = [];
      L.push(`MN_INLINE void ${fn}_fill(uint32_t *col, const int8_t *in, int32_t p, int32_t g) {`);
      L.push("  (void)g;");
      L.push(`  const int8_t *const src = in + p * ${k};`);
      L.push(unpackRun("col", 0, "src", k, p.input_offset, "  "));
      if (k4 > k) L.push(`  mn_col_zero(col, ${k}, ${k4 - k});`);
      L.push("}");
      const comment = `FULLY_CONNECTED ${k}->${p.output_depth}, ${p.batches} row(s); requant ${rq.mode}${p.per_channel ? ", per channel" : ""}`;
      return emitMatmul(ctx, geo, filter, biasT, rq, L.join("\n"), comment);
    },
  };
}
