/**
 * SOFTMAX int8 → int8: TFLM's gemmlowp fixed-point method, per row of the last dimension (int8 spec §4.9).
 * The exponentials are recomputed in the second pass instead of kept in a scratch buffer. The fixed-point
 * helpers (mn_exp_on_negative_values, mn_one_over_one_plus_x) are in the runtime part of the model file.
 */
import type { Graph } from "../../ir/types.js";
import type { SoftmaxParams } from "../../quant/op-params.js";
import { cInt32 } from "../c-format.js";
import { ScheduleBuilder } from "../schedule.js";
import type { EmitContext, KernelArena, KernelCode, PortableKernel } from "./kernel.js";
import type { SoftmaxShape } from "./shape-params.js";

/** SOFTMAX's arena needs: no scratch; the input it may overwrite: each element is read before it is written. */
export function softmaxArena(p: SoftmaxShape): KernelArena {
  const D = p.row_size;
  const schedule = () => {
    const sb = new ScheduleBuilder(p.num_rows * D, p.num_rows * D);
    for (let r = 0; r < p.num_rows; r++) {
      // Pass 1 and 2 read the whole row (time 3r); pass 3 reads x[c] then writes y[c] (times 3r+1+…).
      const base = 3 * r * (D + 1);
      sb.read(r * D, D, base);
      for (let c = 0; c < D; c++) {
        sb.read(r * D + c, 1, base + 1 + c);
        sb.write(r * D + c, 1, base + 2 + c);
      }
    }
    return sb.build();
  };
  return { scratch: [], alias: { slot: 0, schedule } };
}

export function softmaxKernel(_graph: Graph, p: SoftmaxParams): PortableKernel {
  const D = p.row_size;
  return {
    kind: "softmax",
    ...softmaxArena(p),
    emit(ctx: EmitContext): KernelCode {
      const { fn } = ctx;
      const ls = p.input_left_shift;
      const L = [
        `/* SOFTMAX ${p.num_rows} row(s) of ${D}; input multiplier ${p.input_multiplier} << ${ls}, diff_min ${p.diff_min} */`,
        `MN_INLINE int32_t ${fn}_scaled(int32_t diff) {`,
        `  return mn_srdhm((int32_t)((uint32_t)diff << ${ls}), ${cInt32(p.input_multiplier)});`,
        "}",
        `MN_LAYER void ${fn}(void) {`,
        `  const int8_t *const in = ${ctx.input(0)};`,
        `  int8_t *const out = ${ctx.output()};`,
        "  int32_t r;",
        `  for (r = 0; r < ${p.num_rows}; r++) {`,
        `    const int8_t *const x = in + r * ${D};`,
        `    int8_t *const y = out + r * ${D};`,
        "    int32_t mx = -128, sum = 0, c, headroom, nbou, scale, exponent;",
        `    for (c = 0; c < ${D}; c++) mx = x[c] > mx ? x[c] : mx;`,
        `    for (c = 0; c < ${D}; c++) {`,
        "      const int32_t diff = x[c] - mx;",
        `      if (diff >= ${cInt32(p.diff_min)}) sum = (int32_t)((uint32_t)sum + (uint32_t)mn_rdbpot(mn_exp_on_negative_values(${fn}_scaled(diff)), 12));`,
        "    }",
        "    headroom = mn_clz32((uint32_t)sum);",
        "    nbou = 12 - headroom;",
        "    scale = mn_one_over_one_plus_x((int32_t)(((uint32_t)sum << headroom) - 0x80000000u));",
        "    exponent = nbou + 31 - 8;",
        `    for (c = 0; c < ${D}; c++) {`,
        "      const int32_t diff = x[c] - mx;",
        "      int32_t v = -128;",
        `      if (diff >= ${cInt32(p.diff_min)}) {`,
        `        const int32_t prob = mn_srdhm(scale, mn_exp_on_negative_values(${fn}_scaled(diff)));`,
        "        v = (exponent > 31 ? 0 : mn_rdbpot(prob, exponent)) - 128;",
        "      }",
        "      y[c] = (int8_t)mn_ssat8(v);",
        "    }",
        "  }",
        "}",
      ];
      return { data: "", code: L.join("\n"), call: `${fn}();` };
    },
  };
}
