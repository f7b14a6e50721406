/**
 * DEPTHWISE_CONV_2D, one input channel at a time (the TinyEngine scheme): the channel's input rows are
 * widened into a window of zero-padded int16 rows as the output rows advance, so every input byte is read
 * once and the tap loops carry no bounds checks. The window holds NB consecutive rows at a fixed stride (when
 * it is full, the rows still needed move back to its start), so one pointer plus constant offsets reaches
 * every tap. Horizontally adjacent taps are one unaligned 32-bit load and one SMLAD; the remaining taps are
 * packed two per weight register (SMLABB / SMLATB). A channel's weights are packed once. The window stores
 * 2·(x + offset) when the "right" requantisation applies, which hands SMMULR its doubled accumulator free.
 *
 * A channel's input rows are consumed into the window before that channel's outputs are written, so the
 * output may overwrite the input in place (same-shape layers need no extra bytes).
 */
import { PORTABLE_MAX_ROW_UNROLL } from "../../analysis/code-size.js";
import { limitError } from "../../errors.js";
import { int32Data, int8Data, opLabel } from "../../ir/tensor-data.js";
import type { Graph } from "../../ir/types.js";
import type { DepthwiseConvParams } from "../../quant/op-params.js";
import { cArrayBody, cInt32 } from "../c-format.js";
import { ScheduleBuilder } from "../schedule.js";
import { indent, type EmitContext, type KernelArena, type KernelCode, type PortableKernel } from "./kernel.js";
import type { DepthwiseShape } from "./shape-params.js";
import { channelTable, channelWords, planRequant, requantCode, type RequantPlan } from "./requant.js";

/** Bytes the row window may take beyond the rows one output row needs. */
const WINDOW_BUDGET = 2048;

interface DwGeometry {
  /** Rows one output row reads (dilated kernel height). */
  rr: number;
  /** Padded row width in elements, and in bytes. */
  wp: number;
  rb: number;
  /** Input columns copied per row. */
  copyW: number;
  /** Virtual rows (input rows plus padding) the whole plane needs. */
  vr: number;
  /** Rows in the window. */
  nb: number;
}

function geometry(p: DepthwiseShape): DwGeometry {
  const { input_dims: id, filter_dims: fd, output_dims: od } = p;
  const rr = (fd.h - 1) * p.dilation.h + 1;
  const wp = (od.w - 1) * p.stride.w + (fd.w - 1) * p.dilation.w + 1;
  const rb = wp * 2;
  const copyW = Math.max(0, Math.min(id.w, wp - p.padding.w));
  const vr = (od.h - 1) * p.stride.h + rr;
  const fit = Math.max(rr + p.stride.h, Math.floor(Math.max(WINDOW_BUDGET, 2 * rr * rb) / rb));
  return { rr, wp, rb, copyW, vr, nb: Math.min(vr, fit) };
}

interface Tap {
  /** Byte offset in the window from the output's first tap. */
  off: number;
  ky: number;
  kx: number;
}

/**
 * DEPTHWISE_CONV_2D's arena needs: the row window (scratch), and the input it may overwrite: a channel's
 * input rows are consumed into the window before the output rows that need them are written.
 */
export function depthwiseArena(p: DepthwiseShape): KernelArena {
  const { input_dims: id, output_dims: od } = p;
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
          // With the whole plane in the window, every row is loaded before the channel's first output row.
          const v0 = g.nb < g.vr ? oy * p.stride.h : oy === 0 ? 0 : g.vr;
          const v1 = g.nb < g.vr ? v0 + g.rr - 1 : oy === 0 ? g.vr - 1 : g.vr - 1;
          // Only rows that exist in the input are read: the padding rows around them (millions with a huge
          // dilation) are skipped without a loop.
          for (let v = Math.max(next, v0, p.padding.h); v <= Math.min(v1, p.padding.h + id.h - 1); v++) {
            const iy = v - p.padding.h;
            sb.readStrided(((b * id.h + iy) * id.w) * C + c, C, g.copyW, t);
          }
          next = Math.max(next, v1 + 1);
          for (let m = 0; m < M; m++) sb.writeStrided(((b * od.h + oy) * od.w) * cout + c * M + m, cout, od.w, t + 1);
        }
      }
    }
    return sb.build();
  };
  return { scratch: [g.nb * g.rb], alias: { slot: 0, schedule } };
}

/**
 * Largest kernel window (taps) the depthwise kernel unrolls. Its inner loop is one statement per tap, so a
 * 1000×1000 window became 100 MB of C; real depthwise kernels are 3×3 to 7×7.
 */
export const MAX_DEPTHWISE_TAPS = 4096;

export function depthwiseKernel(graph: Graph, p: DepthwiseConvParams): PortableKernel {
  const { input_dims: id, filter_dims: fd, output_dims: od } = p;
  if (fd.h * fd.w > MAX_DEPTHWISE_TAPS) {
    throw limitError(`a ${fd.h}x${fd.w} depthwise kernel has ${fd.h * fd.w} taps, above the ${MAX_DEPTHWISE_TAPS} the portable backend unrolls`, opLabel(graph.operators[p.op_index]!, p.op_index));
  }
  const filter = graph.tensors[p.tensors.filter]!;
  const biasT = p.tensors.bias >= 0 ? graph.tensors[p.tensors.bias]! : null;
  const M = p.ch_mult;
  const C = id.c;
  const cout = od.c;
  const g = geometry(p);

  return {
    kind: "depthwise_rows",
    ...depthwiseArena(p),
    emit(ctx: EmitContext): KernelCode {
      const { fn } = ctx;
      const w = int8Data(filter);
      const bias = biasT ? int32Data(biasT) : null;
      const off = p.input_offset;
      const taps = fd.h * fd.w;
      // The window holds raw x (the padding as x = −offset, i.e. the zero point), so Σ w·(x + off) + bias
      // = Σ w·x + (bias + off·Σw): the offset term is folded into the bias at generation time.
      const biasF: number[] = [];
      const bounds: number[] = [];
      for (let oc = 0; oc < cout; oc++) {
        let sw = 0;
        let sa = 0;
        for (let t = 0; t < taps; t++) {
          sw += w[t * cout + oc]!;
          sa += Math.abs(w[t * cout + oc]!);
        }
        const b0 = bias ? bias[oc]! : 0;
        biasF.push((b0 + off * sw) | 0);
        // Every partial sum starts from the folded bias: bound it by |bias| + |off|·Σ|w| + 128·Σ|w|.
        bounds.push(Math.abs(b0) + Math.abs(off) * sa + 128 * sa);
      }
      // Multipliers and shifts always per channel in the table: the DSP pixel loop reads them from there.
      const rq = planRequant(p.multiplier, p.shift, bounds, p.output_offset, p.activation, true);
      const rqc = requantCode(fn, rq);
      const data: string[] = [`/* DEPTHWISE_CONV_2D ${fd.h}x${fd.w}/${p.stride.h}x${p.stride.w}, ${C} ch x${M}; window of ${g.nb} rows x ${g.wp}; requant ${rq.mode} */`];
      data.push(`static const int8_t ${fn}_w[${w.length}] = {\n${cArrayBody(w, cInt32, 16)}\n};`);
      data.push(`/* per output channel: bias + input_offset * sum(w) (the window holds raw x), then requantisation */`);
      data.push(channelTable(fn, rq, biasF));

      // Taps: horizontal pairs (dilation 1) and singles; singles are packed two per weight register.
      const pairs: Tap[] = [];
      const singles: Tap[] = [];
      for (let ky = 0; ky < fd.h; ky++) {
        let kx = 0;
        while (kx < fd.w) {
          const o = ky * p.dilation.h * g.rb + kx * p.dilation.w * 2;
          if (p.dilation.w === 1 && kx + 1 < fd.w) {
            pairs.push({ off: o, ky, kx });
            kx += 2;
          } else {
            singles.push({ off: o, ky, kx });
            kx += 1;
          }
        }
      }
      const wAt = (t: Tap, dkx = 0): string => `${fn}_w[${(t.ky * fd.w + t.kx + dkx) * cout} + oc]`;
      const wDecl: string[] = [];
      pairs.forEach((t, i) => wDecl.push(`const int32_t wp${i} = mn_pkhbt(${wAt(t)}, ${wAt(t, 1)});`));
      for (let i = 0; i < singles.length; i += 2) {
        const a = singles[i]!;
        const b = singles[i + 1];
        wDecl.push(`const int32_t ws${i / 2} = ${b ? `mn_pkhbt(${wAt(a)}, ${wAt(b)})` : wAt(a)};`);
      }
      // Outputs per iteration (2 share loads), and the loads and MACs of one iteration.
      // One output per iteration: two would share loads but need more registers than a Cortex-M has.
      const U = 1;
      const step = p.stride.w * 2;
      const outCode = (nOut: number): string[] => {
        const words = new Map<number, string>();
        const halves = new Map<number, string>();
        const word = (o: number): string => {
          let v = words.get(o);
          if (!v) words.set(o, (v = `x${words.size}`));
          return v;
        };
        const macs: string[][] = Array.from({ length: nOut }, () => []);
        // By position, not pairs.indexOf(t): that search made large kernels quadratic (minutes at 1000×1000).
        for (let j = 0; j < nOut; j++) pairs.forEach((t, i) => macs[j]!.push(`a${j} = mn_smlad(wp${i}, ${word(t.off + j * step)}, a${j});`));
        for (let j = 0; j < nOut; j++) {
          singles.forEach((t, i) => {
            const o = t.off + j * step;
            const wh = i % 2 === 0 ? "b" : "t"; // weight half: bottom for the first of a packed pair
            let src: string;
            let xh: string;
            if (words.has(o)) {
              src = words.get(o)!;
              xh = "b";
            } else if (words.has(o - 2)) {
              src = words.get(o - 2)!;
              xh = "t";
            } else {
              let h = halves.get(o);
              if (!h) halves.set(o, (h = `h${halves.size}`));
              src = h;
              xh = "b";
            }
            macs[j]!.push(`a${j} = mn_smla${wh}${xh}(ws${Math.floor(i / 2)}, ${src}, a${j});`);
          });
        }
        const loads = [...[...words.entries()].map(([o, v]) => `const int32_t ${v} = mn_ld32(q + ${o});`), ...[...halves.entries()].map(([o, v]) => `const int32_t ${v} = mn_ld16(q + ${o});`)];
        const lines = [`int32_t ${Array.from({ length: nOut }, (_, j) => `a${j} = b0`).join(", ")};`, ...loads, ...macs.flat()];
        for (let j = 0; j < nOut; j++) lines.push(`o[${j * cout}] = (int8_t)${fn}_rq(a${j}, cq);`);
        return lines;
      };
      const fillLines: string[] = [];
      if (g.copyW <= PORTABLE_MAX_ROW_UNROLL) {
        for (let ix = 0; ix < g.copyW; ix++) fillLines.push(`mn_st16(row + ${2 * (p.padding.w + ix)}, s[${ix * C}]);`);
      } else {
        fillLines.push("int32_t ix;");
        fillLines.push(`for (ix = 0; ix < ${g.copyW}; ix++) mn_st16(row + ${2 * p.padding.w} + 2 * ix, s[ix * ${C}]);`);
      }
      const channelSetup = (ocExpr: string): string[] => [`const int32_t oc = ${ocExpr};`, `const int32_t *const cq = ${fn}_q + oc * ${channelWords(rq)};`, ...wDecl, "const int32_t b0 = cq[0];"];
      const iters = Math.floor(od.w / U);
      const pixelLoop = [
        `int8_t *o = out + ((b * ${od.h} + oy) * ${od.w}) * ${cout} + oc;`,
        "const int8_t *q = base;",
        `const int8_t *const qend = base + ${iters * U * step};`,
        `for (; q != qend; q += ${U * step}, o += ${U * cout}) {`,
        ...outCode(U).map((l) => `  ${l}`),
        "}",
      ];
      if (od.w % U !== 0) pixelLoop.push("{", ...outCode(1).map((l) => `  ${l}`), "}");
      // With the DSP extension (GCC-compatible compilers), the pixel loop as one instruction sequence with
      // every weight and requantisation constant in a register: 21 instructions per output for a 3×3
      // kernel, where compiled C spills (the loop needs 13 registers). Same arithmetic as the C loop.
      const asm = dspPixelLoop(fn, pairs, singles, rq, step, cout, od.w);
      if (asm) {
        const wk = [...pairs.map((_, i) => `wp${i}`), ...Array.from({ length: Math.ceil(singles.length / 2) }, (_, i) => `ws${i}`)];
        pixelLoop.splice(
          0,
          pixelLoop.length,
          `int8_t *o = out + ((b * ${od.h} + oy) * ${od.w}) * ${cout} + oc;`,
          "#if MN_ASM",
          `{ const int32_t wk[${wk.length}] = { ${wk.join(", ")} }; ${fn}_row(base, o, cq, wk); (void)b0; }`,
          "#else",
          ...pixelLoop.slice(1),
          "#endif",
        );
      }
      const rewind = g.nb < g.vr;
      const zp = cInt32(-off);
      const loadRow = (vExpr: string, ind: string): string[] => {
        const r: string[] = [];
        r.push(`${ind}{`);
        r.push(`${ind}  int8_t *const row = win + (${vExpr} - bv) * ${g.rb};`);
        r.push(`${ind}  const int32_t iy = ${vExpr} - ${p.padding.h};`);
        r.push(`${ind}  if (iy < 0 || iy >= ${id.h}) {`);
        r.push(`${ind}    mn_fill16(row, ${zp}, ${g.wp});`);
        r.push(`${ind}  } else {`);
        if (g.copyW > 0) {
          r.push(`${ind}    const int8_t *const s = src + iy * ${id.w * C};`);
          r.push(indent(fillLines.join("\n"), `${ind}    `));
        }
        r.push(`${ind}  }`);
        r.push(`${ind}}`);
        return r;
      };
      const L: string[] = [];
      L.push(`MN_LAYER void ${fn}(void) {`);
      L.push(`  const int8_t *const in = ${ctx.input(0)};`);
      L.push(`  int8_t *const out = ${ctx.output()};`);
      L.push(`  int8_t *const win = ${ctx.scratch(0)};`);
      L.push("  int32_t b, c;");
      L.push(`  mn_fill16(win, ${zp}, ${g.nb * g.wp});`);
      L.push(`  for (b = 0; b < ${id.n}; b++) {`);
      L.push(`    for (c = 0; c < ${C}; c++) {`);
      L.push(`      const int8_t *const src = in + b * ${id.h * id.w * C} + c;`);
      if (g.copyW === 0) L.push("      (void)src;");
      L.push("      int32_t oy;");
      if (!rewind) {
        // The window holds the channel's whole padded plane: load it, then compute every output.
        L.push("      const int32_t bv = 0;");
        L.push("      int32_t v;");
        L.push(`      for (v = 0; v < ${g.vr}; v++)`);
        L.push(...loadRow("v", "      "));
        if (M === 1) L.push(indent(channelSetup("c").join("\n"), "      "));
        L.push(`      for (oy = 0; oy < ${od.h}; oy++) {`);
        L.push(`        const int8_t *const base = win + oy * ${p.stride.h * g.rb};`);
      } else {
        // bv: the virtual row held by window row 0; next: the first virtual row not loaded yet.
        L.push("      int32_t next = 0, bv = 0;");
        if (M === 1) L.push(indent(channelSetup("c").join("\n"), "      "));
        L.push(`      for (oy = 0; oy < ${od.h}; oy++) {`);
        L.push(`        const int32_t v0 = oy * ${p.stride.h}, v1 = v0 + ${g.rr - 1};`);
        L.push("        int32_t v;");
        L.push(`        if (v1 - bv >= ${g.nb}) {`);
        L.push(`          if (next > v0) memmove(win, win + (v0 - bv) * ${g.rb}, (size_t)(next - v0) * ${g.rb});`);
        L.push("          bv = v0;");
        L.push("        }");
        L.push("        for (v = next > v0 ? next : v0; v <= v1; v++)");
        L.push(...loadRow("v", "        "));
        L.push("        if (next < v1 + 1) next = v1 + 1;");
        L.push(`        const int8_t *const base = win + (v0 - bv) * ${g.rb};`);
      }
      L.push("        {");
      if (M === 1) {
        L.push(indent(pixelLoop.join("\n"), "          "));
      } else {
        L.push("          int32_t m;");
        L.push(`          for (m = 0; m < ${M}; m++) {`);
        L.push(indent([...channelSetup(`c * ${M} + m`), ...pixelLoop].join("\n"), "            "));
        L.push("          }");
      }
      L.push("        }");
      L.push("      }");
      L.push("    }");
      L.push("  }");
      L.push("}");
      const rowFn = asm ? `#if MN_ASM\n${asm.join("\n")}\n#endif\n\n` : "";
      return { data: data.join("\n"), code: `${rqc}\n\n${rowFn}${L.join("\n")}`, call: `${fn}();` };
    },
  };
}

/**
 * The DSP pixel loop of a depthwise layer as GCC extended asm (lines of C), or null when it does not apply:
 * the "right" requantisation with the plain int8 clamp, at most 5 weight registers (a 3×3 kernel), and
 * offsets the addressing modes reach.
 */
function dspPixelLoop(fn: string, pairs: readonly Tap[], singles: readonly Tap[], rq: RequantPlan, step: number, cout: number, ow: number): string[] | null {
  const wRegs = pairs.length + Math.ceil(singles.length / 2);
  if (rq.mode !== "right" || rq.act.min !== -128 || rq.act.max !== 127 || wRegs > 5) return null;
  const maxOff = Math.max(0, ...pairs.map((t) => t.off), ...singles.map((t) => t.off));
  const round = 1 + 2 * rq.zp;
  // Runs of up to CHUNK outputs are straight-line code; a loop steps over the chunks. The channel's
  // multiplier and shift are read from its table row; the statement needs 11 registers. It lives in a
  // function of its own (not inlined) so nothing else competes for registers wherever the layer is inlined.
  const CHUNK = 8;
  const chunk = Math.min(ow, CHUNK);
  if (maxOff + (chunk - 1) * step > 4095 || (chunk - 1) * cout > 4095 || Math.abs(round) > 4095) return null;
  const block = (n: number): string[] => {
    const ins: string[] = [];
    for (let x = 0; x < n; x++) {
      const base = x * step;
      let first = true;
      const acc = (): string => (first ? "%[b0]" : "%[acc]");
      pairs.forEach((t, i) => {
        ins.push(`ldr %[t], [%[q], #${base + t.off}]`, `smlad %[acc], %[wp${i}], %[t], ${acc()}`);
        first = false;
      });
      singles.forEach((t, i) => {
        const half = i % 2 === 0 ? "b" : "t";
        ins.push(`ldrsh %[t], [%[q], #${base + t.off}]`, `smla${half}b %[acc], %[ws${Math.floor(i / 2)}], %[t], ${acc()}`);
        first = false;
      });
      ins.push("lsl %[acc], %[acc], #1", "ldr %[t], [%[cq], #4]", "smmulr %[acc], %[acc], %[t]");
      if (!rq.negClamps) ins.push("add %[acc], %[acc], %[acc], asr #31");
      ins.push("ldr %[t], [%[cq], #8]", "asr %[acc], %[acc], %[t]");
      ins.push(round >= 0 ? `add %[acc], %[acc], #${round}` : `sub %[acc], %[acc], #${-round}`);
      ins.push("ssat %[acc], #8, %[acc], asr #1", `strb %[acc], [%[o], #${x * cout}]`);
    }
    const weights = [...pairs.map((_, i) => `[wp${i}] "r"(wp${i})`), ...Array.from({ length: Math.ceil(singles.length / 2) }, (_, i) => `[ws${i}] "r"(ws${i})`)];
    return [
      "__asm__ volatile(",
      ...ins.map((l) => `  "${l}\\n\\t"`),
      `  : [acc] "=&r"(acc_), [t] "=&r"(t_)`,
      `  : [q] "r"(q), [o] "r"(o), [cq] "r"(cq), [b0] "r"(b0), ${weights.join(", ")}`,
      '  : "cc", "memory");',
    ];
  };
  const full = Math.floor(ow / chunk);
  const rest = ow - full * chunk;
  const wNames = [...pairs.map((_, i) => `wp${i}`), ...Array.from({ length: Math.ceil(singles.length / 2) }, (_, i) => `ws${i}`)];
  const L: string[] = [
    `/* One output row of one channel: ${ow} outputs, window row pointer q, weights wk, channel table row cq. */`,
    `static __attribute__((noinline)) void ${fn}_row(const int8_t *q, int8_t *o, const int32_t *cq, const int32_t *wk) {`,
    `  const int32_t ${wNames.map((n, i) => `${n} = wk[${i}]`).join(", ")};`,
    "  const int32_t b0 = cq[0];",
    "  int32_t acc_, t_, k_;",
    `  for (k_ = 0; k_ < ${full}; k_++, q += ${chunk * step}, o += ${chunk * cout}) {`,
    ...block(chunk).map((l) => `    ${l}`),
    "  }",
  ];
  if (rest > 0) L.push(...block(rest).map((l) => `  ${l}`));
  L.push("}");
  return L;
}
