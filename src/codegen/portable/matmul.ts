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
import { PORTABLE_MAX_UNPACK_UNROLL } from "../../analysis/code-size.js";
import { int32Data, int8Data } from "../../ir/tensor-data.js";
import type { Graph, Tensor } from "../../ir/types.js";
import type { ConvParams, FullyConnectedParams } from "../../quant/op-params.js";
import { cArrayBody, cInt32, cUint32 } from "../c-format.js";
import { ScheduleBuilder } from "../schedule.js";
import { blockSteps, unrollPlan, weightLayout } from "./dot.js";
import { indent, type EmitContext, type KernelArena, type KernelCode, type PortableKernel } from "./kernel.js";
import type { ConvShape, FullyConnectedShape } from "./shape-params.js";
import { channelTable, channelWords, maxAbsOffsetInput, planRequant, requantCode, type RequantPlan } from "./requant.js";

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
  /** Pixels per main block (2: pairs of pixels, interleaved columns; 1: single rows, 4-row weight blocks). */
  P: 1 | 2;
  /** Weights stored as int16 pairs (twice the flash, fewer instructions). */
  wide: boolean;
}

/** Rows per weight block and column interleave for a main-block width P. */
function blockShape(P: 1 | 2): { G: number; CI: number } {
  return P === 2 ? { G: 2, CI: 2 } : { G: 4, CI: 1 };
}

function weightWords(filter: Tensor, geo: MatmulGeometry): number[] {
  const w = int8Data(filter);
  const padded = new Int8Array(geo.cout * geo.k4);
  for (let o = 0; o < geo.cout; o++) padded.set(w.subarray(o * geo.k, (o + 1) * geo.k), o * geo.k4);
  return weightLayout(padded, geo.cout, geo.k4, blockShape(geo.P).G, geo.ocn, geo.wide);
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
function emitMatmul(ctx: EmitContext, geo: MatmulGeometry, filter: Tensor, biasT: Tensor | null, rq: RequantPlan, fill: string, comment: string): KernelCode {
  const { fn } = ctx;
  const steps = geo.k4 / 4;
  const per = geo.wide ? 2 : 1; // weight words per row and step
  const kw4 = steps * per; // words per weight row
  const dot = geo.wide ? "mn_wdot" : "mn_dot";
  const { G, CI } = blockShape(geo.P);
  const dbl = rq.mode === "right";
  const words = weightWords(filter, geo);
  const bias = biasT ? int32Data(biasT) : null;
  const W = channelWords(rq);
  const data: string[] = [];
  data.push(`/* ${comment} */`);
  data.push(`static const uint32_t ${fn}_w[${words.length}] MN_ALIGN16 = {\n${cArrayBody(words, cUint32, 8)}\n};`);
  data.push(channelTable(fn, rq, Array.from({ length: geo.cout }, (_, c) => (bias ? bias[c]! : 0) * (dbl ? 2 : 1))));
  const rqc = requantCode(fn, rq, dbl);
  const fo = geo.filterOffset;
  // Column sums for a nonzero filter offset: Σ_k (w + fo)(x + io) = Σ w(x + io) + fo·Σ(x + io).
  const colsum = fo !== 0
    ? `MN_INLINE int32_t ${fn}_colsum(const uint32_t *c) {\n  int32_t s = 0, i;\n  for (i = 0; i < ${steps}; i++) s += mn_lo16((int32_t)c[${2 * CI} * i]) + mn_hi16((int32_t)c[${2 * CI} * i]) + mn_lo16((int32_t)c[${2 * CI} * i + 1]) + mn_hi16((int32_t)c[${2 * CI} * i + 1]);\n  return s;\n}\n`
    : "";
  // The starting value of row r's accumulator for pixel p: its table entry (+ the filter-offset term).
  const init = (p: number, r: number): string => `q[${r * W}]${fo !== 0 ? ` + ${cInt32(fo)} * s${p}` : ""}`;
  const store = (o: string, r: number, acc: string): string => `${o}[oc${r ? ` + ${r}` : ""}] = (int8_t)${fn}_rq(${acc}, q${r ? ` + ${r * W}` : ""});`;
  const nb = Math.floor(geo.ocn / G) * G;
  const tail = geo.ocn - nb;
  const head = (P: number): string[] => {
    const L = [`  const uint32_t *w = ${fn}_w + oc0 * ${kw4};`, `  const int32_t *q = ${fn}_q + oc0 * ${W};`, "  int32_t oc = oc0;"];
    if (fo !== 0) L.unshift(`  const int32_t ${Array.from({ length: P }, (_, p) => `s${p} = ${fn}_colsum(col${p ? ` + ${2 * p}` : ""})`).join(", ")};`);
    return L;
  };

  // Pixel pairs (P = 2): 2×2 blocks, then a left-over row.
  const mm2 = (): string => {
    const L: string[] = [`MN_INLINE void ${fn}_mm2(const uint32_t *col, int8_t *o0, int32_t oc0) {`, `  int8_t *const o1 = o0 + ${geo.cout};`, ...head(2)];
    if (nb > 0) {
      L.push(`  for (; oc < oc0 + ${nb}; oc += 2, w += ${2 * kw4}, q += ${2 * W}) {`);
      L.push(`    int32_t a00 = ${init(0, 0)}, a01 = ${init(0, 1)}, a10 = ${init(1, 0)}, a11 = ${init(1, 1)};`);
      L.push(indent(blockSteps("2x2", steps, "col", "w", ["a00", "a01", "a10", "a11"], geo.wide), "    "));
      L.push(`    ${store("o0", 0, "a00")} ${store("o0", 1, "a01")}`);
      L.push(`    ${store("o1", 0, "a10")} ${store("o1", 1, "a11")}`);
      L.push("  }");
    }
    if (tail > 0) {
      L.push(`  ${store("o0", 0, `${dot}(col, 4, w, ${per}, ${steps}, ${init(0, 0)})`)}`);
      L.push(`  ${store("o1", 0, `${dot}(col + 2, 4, w, ${per}, ${steps}, ${init(1, 0)})`)}`);
    }
    L.push("}");
    return L.join("\n");
  };
  // One pixel of paired columns over the pair layout (the odd last pixel of a conv, or of a batched FC).
  const mm1pairs = (): string => {
    const L: string[] = [`MN_INLINE void ${fn}_mm1(const uint32_t *col, int8_t *o0, int32_t oc0) {`, ...head(1)];
    if (nb > 0) {
      L.push(`  for (; oc < oc0 + ${nb}; oc += 2, w += ${2 * kw4}, q += ${2 * W}) {`);
      L.push(`    int32_t a0 = ${init(0, 0)}, a1 = ${init(0, 1)};`);
      L.push(indent(blockSteps("1x2", steps, "col", "w", ["a0", "a1"], geo.wide), "    "));
      L.push(`    ${store("o0", 0, "a0")} ${store("o0", 1, "a1")}`);
      L.push("  }");
    }
    if (tail > 0) L.push(`  ${store("o0", 0, `${dot}(col, 4, w, ${per}, ${steps}, ${init(0, 0)})`)}`);
    L.push("}");
    return L.join("\n");
  };
  // Single rows (P = 1): 4-row blocks, then left-over rows.
  const mm1quads = (): string => {
    const L: string[] = [`MN_INLINE void ${fn}_mm1(const uint32_t *col, int8_t *o0, int32_t oc0) {`, ...head(1)];
    if (nb > 0) {
      L.push(`  for (; oc < oc0 + ${nb}; oc += 4, w += ${4 * kw4}, q += ${4 * W}) {`);
      L.push(`    int32_t a0 = ${init(0, 0)}, a1 = ${init(0, 1)}, a2 = ${init(0, 2)}, a3 = ${init(0, 3)};`);
      L.push(indent(blockSteps("1x4", steps, "col", "w", ["a0", "a1", "a2", "a3"], geo.wide), "    "));
      L.push(`    ${store("o0", 0, "a0")} ${store("o0", 1, "a1")} ${store("o0", 2, "a2")} ${store("o0", 3, "a3")}`);
      L.push("  }");
    }
    if (tail > 0) {
      L.push(`  for (; oc < oc0 + ${geo.ocn}; oc++, w += ${kw4}, q += ${W}) ${store("o0", 0, `${dot}(col, 2, w, ${per}, ${steps}, ${init(0, 0)})`)}`);
    }
    L.push("}");
    return L.join("\n");
  };

  const body: string[] = [];
  body.push(`  const int8_t *const in = ${ctx.input(0)};`);
  body.push(`  int8_t *const out = ${ctx.output()};`);
  body.push(`  uint32_t *const col = (uint32_t *)(void *)(${ctx.scratch(0)});`);
  const groupLoop = geo.groups > 1;
  const oc0 = groupLoop ? `g * ${geo.ocn}` : "0";
  const gArg = groupLoop ? "g" : "0";
  const fns: string[] = [];
  if (geo.P === 2) {
    const pairs = Math.floor(geo.npix / 2);
    body.push(`  int32_t p${groupLoop ? ", g" : ""};`);
    if (pairs > 0) {
      body.push(`  for (p = 0; p < ${2 * pairs}; p += 2) {`);
      if (groupLoop) body.push(`    for (g = 0; g < ${geo.groups}; g++) {`);
      const ind = groupLoop ? "      " : "    ";
      body.push(`${ind}${fn}_fill(col, in, p, ${gArg});`);
      body.push(`${ind}${fn}_fill(col + 2, in, p + 1, ${gArg});`);
      body.push(`${ind}${fn}_mm2(col, out + p * ${geo.cout}, ${oc0});`);
      if (groupLoop) body.push("    }");
      body.push("  }");
      fns.push(mm2());
    }
    if (geo.npix % 2 === 1) {
      body.push(`  p = ${geo.npix - 1};`);
      if (groupLoop) body.push(`  for (g = 0; g < ${geo.groups}; g++) {`);
      const ind = groupLoop ? "    " : "  ";
      body.push(`${ind}${fn}_fill(col, in, p, ${gArg});`);
      body.push(`${ind}${fn}_mm1(col, out + p * ${geo.cout}, ${oc0});`);
      if (groupLoop) body.push("  }");
      fns.push(mm1pairs());
    }
  } else {
    body.push("  int32_t p;");
    body.push(`  for (p = 0; p < ${geo.npix}; p++) {`);
    body.push(`    ${fn}_fill(col, in, p, 0);`);
    body.push(`    ${fn}_mm1(col, out + p * ${geo.cout}, 0);`);
    body.push("  }");
    fns.push(mm1quads());
  }
  const code = [rqc, colsum, fill, ...fns, `MN_LAYER void ${fn}(void) {\n${body.join("\n")}\n}`]
    .filter((x) => x !== "")
    .join("\n\n");
  return { data: data.join("\n"), code, call: `${fn}();` };
}

function off2Of(off: number): string {
  return cInt32((((off & 0xffff) << 16) | (off & 0xffff)) | 0);
}

/**
 * Unpack code for `n` contiguous int8 values from `src` into column elements k0… (k0 % 4 == 0; `k0` may be a
 * C expression), for a column interleave of `ci`.
 */
function unpackRun(col: string, ci: number, k0: string, src: string, n: number, off: number, dbl: boolean, ind: string): string {
  const lines: string[] = [];
  const n4 = Math.floor(n / 4);
  const base = (i: number): string => `(${k0}) / 4 * ${2 * ci} + ${2 * ci * i}`;
  if (n4 > 0) {
    if (n4 <= PORTABLE_MAX_UNPACK_UNROLL) {
      for (let i = 0; i < n4; i++) {
        const a = dbl ? `mn_dbl16(mn_sxtab16(${off2Of(off)}, v))` : `mn_sxtab16(${off2Of(off)}, v)`;
        const b = dbl ? `mn_dbl16(mn_sxtab16_ror8(${off2Of(off)}, v))` : `mn_sxtab16_ror8(${off2Of(off)}, v)`;
        lines.push(`{ const int32_t v = mn_ld32(${src} + ${4 * i}); ${col}[${base(i)}] = (uint32_t)${a}; ${col}[${base(i)} + 1] = (uint32_t)${b}; }`);
      }
    } else {
      lines.push(`mn_col_unpack(${col} + ${base(0)}, ${ci}, ${src}, ${n4}, ${off2Of(off)}, ${dbl ? 1 : 0});`);
    }
  }
  if (n % 4 !== 0) lines.push(`mn_col_seg(${col}, ${ci}, (${k0}) + ${4 * n4}, ${src} + ${4 * n4}, ${n % 4}, ${cInt32(off)}, ${dbl ? 2 : 1});`);
  return lines.map((l) => ind + l).join("\n");
}

/** Zero-fill code for `n` column elements from k0 (a C expression). */
function zeroRun(col: string, ci: number, k0: string, n: number, ind: string, aligned: boolean): string {
  if (aligned && n % 4 === 0) {
    return `${ind}{ int32_t i; for (i = 0; i < ${n / 4}; i++) { ${col}[(${k0}) / 4 * ${2 * ci} + ${2 * ci} * i] = 0u; ${col}[(${k0}) / 4 * ${2 * ci} + ${2 * ci} * i + 1] = 0u; } }`;
  }
  return `${ind}mn_col_zero(${col}, ${ci}, ${k0}, ${n});`;
}

/**
 * CONV_2D's arena needs: one im2col scratch buffer (a column of k4 int16 values, or two interleaved — CI = 2,
 * also for a single pixel: the layout is the same), and the input it may overwrite: pixels are computed in
 * pairs, each pair's receptive fields read (time 2u) before its outputs are written (2u + 1).
 */
export function convArena(p: ConvShape): KernelArena {
  const { input_dims: id, filter_dims: fd, output_dims: od } = p;
  const groups = id.c / fd.c;
  const ocn = od.c / groups;
  const npix = od.n * od.h * od.w;
  const k4 = Math.ceil((fd.h * fd.w * fd.c) / 4) * 4;
  const schedule = () => {
    const inBytes = id.n * id.h * id.w * id.c;
    const outBytes = od.n * od.h * od.w * od.c;
    const sb = new ScheduleBuilder(inBytes, outBytes);
    for (let px = 0; px < npix; px++) {
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
        sb.write(px * od.c + g * ocn, ocn, t + 1);
      }
    }
    return sb.build();
  };
  return { scratch: [k4 * 2 * blockShape(2).CI], alias: { slot: 0, schedule } };
}

export function convKernel(graph: Graph, p: ConvParams, opts: { wide?: boolean } = {}): PortableKernel {
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
    P: 2,
    wide: opts.wide === true,
  };
  const pointwise = fd.h === 1 && fd.w === 1 && p.padding.h === 0 && p.padding.w === 0 && groups === 1;
  const contiguous = pointwise && p.stride.h === 1 && p.stride.w === 1;
  const kind = contiguous ? "conv_1x1" : pointwise ? "conv_1x1_strided" : "conv";

  return {
    kind,
    ...convArena(p),
    emit(ctx: EmitContext): KernelCode {
      const { fn } = ctx;
      const bias = biasT ? int32Data(biasT) : null;
      const bounds = accBounds(filter, bias, od.c, k, p.input_offset, 0);
      const rq = planRequant(p.multiplier, p.shift, bounds, p.output_offset, p.activation);
      const off = p.input_offset;
      const L: string[] = [];
      const ci = 2;
      // Columns hold 2·(x + offset) for the "right" requantisation (see requant.ts).
      const dbl = rq.mode === "right";
      const scale = dbl ? 2 : 1;
      L.push(`MN_INLINE void ${fn}_fill(uint32_t *col, const int8_t *in, int32_t p, int32_t g) {`);
      if (pointwise) {
        L.push("  (void)g;");
        const src = contiguous
          ? `in + p * ${id.c}`
          : `in + ((p / ${od.w * od.h} * ${id.h} + (p / ${od.w}) % ${od.h} * ${p.stride.h}) * ${id.w} + (p % ${od.w}) * ${p.stride.w}) * ${id.c}`;
        L.push(`  const int8_t *const src = ${src};`);
        L.push(unpackRun("col", ci, "0", "src", k, off, dbl, "  "));
      } else {
        const ewk = (fd.w - 1) * p.dilation.w;
        const rowL = fd.w * fd.c;
        const rowContig = p.dilation.w === 1 && groups === 1;
        const rowAligned = rowL % 4 === 0;
        const segAligned = fd.c % 4 === 0;
        L.push(`  const int32_t ox = p % ${od.w}, r = p / ${od.w};`);
        L.push(`  const int32_t oy = r % ${od.h}, b = r / ${od.h};`);
        L.push(`  const int32_t iy0 = oy * ${p.stride.h} - ${p.padding.h}, ix0 = ox * ${p.stride.w} - ${p.padding.w};`);
        L.push(`  const int8_t *const img = in + b * ${id.h * id.w * id.c} + g * ${fd.c};`);
        L.push(`  const int32_t colsIn = ix0 >= 0 && ix0 <= ${id.w - 1 - ewk};`);
        L.push("  int32_t ky;");
        L.push(`  for (ky = 0; ky < ${fd.h}; ky++) {`);
        L.push(`    const int32_t iy = iy0 + ky * ${p.dilation.h};`);
        L.push(`    const int32_t k0 = ky * ${rowL};`);
        L.push(`    if (iy < 0 || iy >= ${id.h}) {`);
        L.push(zeroRun("col", ci, "k0", rowL, "      ", rowAligned));
        L.push("    } else if (colsIn) {");
        if (rowContig) {
          L.push(`      const int8_t *const src = img + (iy * ${id.w} + ix0) * ${id.c};`);
          if (rowAligned) L.push(unpackRun("col", ci, "k0", "src", rowL, off, dbl, "      "));
          else L.push(`      mn_col_seg(col, ${ci}, k0, src, ${rowL}, ${cInt32(off)}, ${scale});`);
        } else {
          L.push("      int32_t kx;");
          L.push(`      for (kx = 0; kx < ${fd.w}; kx++) {`);
          const src = `img + (iy * ${id.w} + ix0 + kx * ${p.dilation.w}) * ${id.c}`;
          if (segAligned) L.push(`        mn_col_unpack(col + (k0 + kx * ${fd.c}) / 4 * ${2 * ci}, ${ci}, ${src}, ${fd.c / 4}, ${off2Of(off)}, ${dbl ? 1 : 0});`);
          else L.push(`        mn_col_seg(col, ${ci}, k0 + kx * ${fd.c}, ${src}, ${fd.c}, ${cInt32(off)}, ${scale});`);
          L.push("      }");
        }
        L.push("    } else {");
        L.push("      int32_t kx;");
        L.push(`      for (kx = 0; kx < ${fd.w}; kx++) {`);
        L.push(`        const int32_t ix = ix0 + kx * ${p.dilation.w};`);
        L.push(`        if (ix >= 0 && ix < ${id.w}) mn_col_seg(col, ${ci}, k0 + kx * ${fd.c}, img + (iy * ${id.w} + ix) * ${id.c}, ${fd.c}, ${cInt32(off)}, ${scale});`);
        L.push(`        else mn_col_zero(col, ${ci}, k0 + kx * ${fd.c}, ${fd.c});`);
        L.push("      }");
        L.push("    }");
        L.push("  }");
      }
      if (k4 > k) L.push(`  mn_col_zero(col, ${ci}, ${k}, ${k4 - k});`);
      L.push("}");
      const comment = `CONV_2D ${fd.h}x${fd.w}/${p.stride.h}x${p.stride.w}, ${id.c}->${od.c} ch${groups > 1 ? `, ${groups} groups` : ""}; kernel ${kind}; K=${k} (${unrollPlan(k4 / 4).full ? "fully unrolled" : "blocked"}); requant ${rq.mode}`;
      return emitMatmul(ctx, geo, filter, biasT, rq, L.join("\n"), comment);
    },
  };
}

/**
 * FULLY_CONNECTED's arena needs: one column scratch buffer (k4 int16 values; two interleaved when rows are
 * computed in pairs), and the input it may overwrite: each row (or pair of rows) is read before its outputs
 * are written.
 */
export function fullyConnectedArena(p: FullyConnectedShape): KernelArena {
  const k = p.accum_depth;
  const k4 = Math.ceil(k / 4) * 4;
  const P: 1 | 2 = p.batches >= 2 ? 2 : 1;
  const schedule = () => {
    const sb = new ScheduleBuilder(p.batches * k, p.batches * p.output_depth);
    for (let b = 0; b < p.batches; b++) {
      const t = 2 * (P === 2 ? Math.floor(b / 2) : b);
      sb.read(b * k, k, t);
      sb.write(b * p.output_depth, p.output_depth, t + 1);
    }
    return sb.build();
  };
  return { scratch: [k4 * 2 * blockShape(P).CI], alias: { slot: 0, schedule } };
}

export function fullyConnectedKernel(graph: Graph, p: FullyConnectedParams, opts: { wide?: boolean } = {}): PortableKernel {
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
    P: p.batches >= 2 ? 2 : 1,
    wide: opts.wide === true,
  };
  return {
    kind: "fully_connected",
    ...fullyConnectedArena(p),
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
      const ci = geo.P === 2 ? 2 : 1;
      L.push(`  const int8_t *const src = in + p * ${k};`);
      L.push(unpackRun("col", ci, "0", "src", k, p.input_offset, rq.mode === "right", "  "));
      if (k4 > k) L.push(`  mn_col_zero(col, ${ci}, ${k}, ${k4 - k});`);
      L.push("}");
      const comment = `FULLY_CONNECTED ${k}->${p.output_depth}, ${p.batches} row(s); requant ${rq.mode}${p.per_channel ? ", per channel" : ""}`;
      return emitMatmul(ctx, geo, filter, biasT, rq, L.join("\n"), comment);
    },
  };
}
