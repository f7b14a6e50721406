/**
 * Every CMSIS-NN int8 unit-test vector set (expected outputs from the TensorFlow Lite interpreter) run
 * through the reference kernels with the set's own multipliers, shifts and offsets: bit-exact or fail.
 */
import { describe, expect, it } from "vitest";
import { addS8 } from "../src/reference/add.js";
import { averagePoolS8 } from "../src/reference/average-pool.js";
import { convS8 } from "../src/reference/conv.js";
import { depthwiseConvS8 } from "../src/reference/depthwise-conv.js";
import { fullyConnectedS8 } from "../src/reference/fully-connected.js";
import { maxPoolS8 } from "../src/reference/max-pool.js";
import { mulS8 } from "../src/reference/mul.js";
import { padS8 } from "../src/reference/pad.js";
import { softmaxS8 } from "../src/reference/softmax.js";
import { listCmsisVectorSets, loadCmsisCase, type CmsisCase } from "./helpers/cmsis-vectors.js";
import { countMismatches, firstMismatch } from "./helpers/golden.js";

function run(c: CmsisCase): Int8Array {
  const out = new Int8Array(c.expected.length);
  switch (c.kind) {
    case "conv": convS8(c.params, c.input, c.filter, c.bias, out); break;
    case "depthwise": depthwiseConvS8(c.params, c.input, c.filter, c.bias, out); break;
    case "fully_connected": fullyConnectedS8(c.params, c.input, c.filter, c.bias, out); break;
    case "avgpool": averagePoolS8(c.params, c.input, out); break;
    case "maxpool": maxPoolS8(c.params, c.input, out); break;
    case "add": addS8(c.params, c.input1, c.input2, out); break;
    case "mul": mulS8(c.params, c.input1, c.input2, out); break;
    case "softmax": softmaxS8(c.params, c.input, out); break;
    case "pad": padS8(c.params, c.input, out); break;
  }
  return out;
}

const SETS = listCmsisVectorSets();

describe("CMSIS-NN test vectors through the reference kernels", () => {
  it("finds all 33 vector sets", () => {
    expect(SETS.length).toBe(33);
  });

  for (const name of SETS) {
    it(`${name} is bit-exact`, () => {
      const c = loadCmsisCase(name);
      const out = run(c);
      const m = firstMismatch(c.expected, out);
      const detail = m && `${countMismatches(c.expected, out)} of ${c.expected.length} elements differ; first at ${m.element}: expected ${m.expected}, got ${m.actual}`;
      expect(detail).toBeNull();
    });
  }

  it("single rounding (TFLITE_SINGLE_ROUNDING) departs from the TFLite-generated outputs by at most 1", () => {
    // The vectors came from TFLite builds with double rounding (spec §3.4); the single-rounding build must
    // show the difference somewhere among the requantising kernels, and only as ±1 steps.
    let differing = 0;
    for (const name of SETS) {
      const c = loadCmsisCase(name, "single");
      const out = run(c);
      for (let i = 0; i < out.length; i++) {
        if (out[i] === c.expected[i]) continue;
        differing++;
        expect(Math.abs(out[i]! - c.expected[i]!)).toBe(1);
      }
    }
    expect(differing).toBeGreaterThan(0);
  });
});
