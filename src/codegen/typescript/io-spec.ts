/**
 * What the TypeScript binding says about each graph input and output: its typed-array type, shape, element
 * count and per-tensor quantisation. Model text (tensor names) is carried as data here and only ever reaches
 * the generated module inside string literals and sanitised comments.
 */
import { inputError } from "../../errors.js";
import { elementCount, tensorLabel } from "../../ir/tensor-data.js";
import type { Graph } from "../../ir/types.js";

/** The element types the simulator exchanges with its caller, and the typed array for each. */
export const TS_ARRAY_TYPES = {
  int8: "Int8Array",
  int16: "Int16Array",
  int32: "Int32Array",
  float32: "Float32Array",
} as const;
export type TsDtype = keyof typeof TS_ARRAY_TYPES;
export type TsArrayType = (typeof TS_ARRAY_TYPES)[TsDtype];

/** The integer range a quantize helper clamps to, for the dtypes TFLite quantises float32 into. */
const QUANT_RANGE: Partial<Record<TsDtype, readonly [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
};

export interface TsQuant {
  /** float32 value (exactly representable), > 0 and finite. */
  scale: number;
  zeroPoint: number;
  /** The clamp range of quantize(). */
  min: number;
  max: number;
}

export interface TsTensorSpec {
  /** Position in graph.inputs / graph.outputs. */
  position: number;
  /** Tensor index in the graph. */
  tensor: number;
  /** The tensor's name from the model (string literals and sanitised comments only). */
  name: string;
  dtype: TsDtype;
  arrayType: TsArrayType;
  shape: number[];
  length: number;
  /** Per-tensor quantisation of an int8/int16 tensor; null when there is none (or it is per-axis). */
  quant: TsQuant | null;
}

function isTsDtype(d: string): d is TsDtype {
  return Object.hasOwn(TS_ARRAY_TYPES, d);
}

/** The binding's view of the graph inputs or outputs; refuses dtypes the simulator cannot exchange. */
export function tensorSpecs(graph: Graph, which: "input" | "output"): TsTensorSpec[] {
  const ids = which === "input" ? graph.inputs : graph.outputs;
  return ids.map((id, position) => {
    const t = graph.tensors[id];
    if (!t) throw inputError(`tensor ${id} does not exist`, `graph ${which} ${position}`);
    if (!isTsDtype(t.dtype)) {
      throw inputError(`${tensorLabel(t)} has dtype ${t.dtype}; the TypeScript binding handles int8, int16, int32 and float32 ${which}s`, `graph ${which} ${position}`);
    }
    const range = QUANT_RANGE[t.dtype];
    const q = t.quant;
    const perTensor = q !== null && q.scale.length === 1 && q.zeroPoint.length === 1;
    const scale = perTensor ? q.scale[0]! : NaN;
    // A zero, negative or non-finite scale cannot quantise anything; such a tensor gets no helper.
    const quant: TsQuant | null = range && perTensor && Number.isFinite(scale) && scale > 0
      ? { scale, zeroPoint: q.zeroPoint[0]!, min: range[0], max: range[1] }
      : null;
    return {
      position,
      tensor: id,
      name: t.name,
      dtype: t.dtype,
      arrayType: TS_ARRAY_TYPES[t.dtype],
      shape: [...t.shape],
      length: elementCount(t.shape),
      quant,
    };
  });
}
