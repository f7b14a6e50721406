/** Input values for runs and verification: the TFLM golden fill, a seeded random fill, or files. */
import { inputError } from "../errors.js";
import { elementCount, tensorLabel } from "../ir/tensor-data.js";
import type { Graph, Tensor } from "../ir/types.js";
import type { TensorValue } from "../io/tensor-files.js";
import { SplitMix32, streamSeed } from "../util/prng.js";

/** byte i = ((i·7 + 3) mod 256) − 128: the fill the TFLM goldens in ../shared were produced with. */
export function goldenFill(n: number): Int8Array {
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) out[i] = ((i * 7 + 3) % 256) - 128;
  return out;
}

export type FillSpec = { kind: "golden" } | { kind: "seed"; seed: number };

export function parseFill(text: string): FillSpec {
  if (text === "golden") return { kind: "golden" };
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw inputError(`--fill must be 'golden' or a seed from 0 to 4294967295, got '${text}'`);
  return { kind: "seed", seed: n };
}

function fillTensor(t: Tensor, spec: FillSpec, index: number): TensorValue {
  const n = elementCount(t.shape);
  if (spec.kind === "golden") {
    const pattern = goldenFill(n);
    if (t.dtype === "int8") return pattern;
    // Float inputs (a model starting with QUANTIZE): the same pattern scaled into [-1, 1).
    if (t.dtype === "float32") return Float32Array.from(pattern, (v) => v / 128);
  } else {
    const rng = new SplitMix32(streamSeed(spec.seed, index));
    if (t.dtype === "int8") return Int8Array.from({ length: n }, () => rng.int(-128, 127));
    if (t.dtype === "float32") return Float32Array.from({ length: n }, () => Math.fround(rng.uniform(-1, 1)));
  }
  throw inputError(`cannot fill an input of dtype ${t.dtype}`, tensorLabel(t));
}

/** One value per graph input, filled per `spec`. */
export function fillInputs(graph: Graph, spec: FillSpec): TensorValue[] {
  return graph.inputs.map((id, k) => fillTensor(graph.tensors[id]!, spec, k));
}
