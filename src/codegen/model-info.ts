/**
 * What both backends need to know about a graph before emitting anything: that it can be compiled at all
 * (every constant has data), and its inputs and outputs as the generated header describes them.
 */
import { inputError, limitError } from "../errors.js";
import { LIMITS } from "../ir/limits.js";
import { elementCount, opLabel, tensorBytes, tensorLabel } from "../ir/tensor-data.js";
import type { Graph, Tensor } from "../ir/types.js";
import { cFloat32 } from "./c-format.js";
import { commentText } from "./names.js";

/** Refuses graphs generated code cannot run: shape-only constants, variable tensors, unsupported I/O types. */
export function checkCompilable(graph: Graph): void {
  graph.operators.forEach((op, i) => {
    op.inputs.forEach((id, k) => {
      if (id < 0) return;
      const t = graph.tensors[id]!;
      if (t.constant && !t.data) {
        throw inputError(`input ${k} (${tensorLabel(t)}) is a constant without data (a shape-only model): compiling to C needs weights`, opLabel(op, i));
      }
    });
    // Variable tensors are persistent state outside the arena plan; no supported kernel keeps state, so the
    // generated code has no storage for them.
    for (const id of [...op.inputs, ...op.outputs]) {
      const t = id >= 0 ? graph.tensors[id] : undefined;
      if (t?.isVariable) throw inputError(`${tensorLabel(t)} is a variable (persistent state) tensor, which generated code does not support`, opLabel(op, i));
    }
  });
  for (const [list, what] of [[graph.inputs, "graph input"], [graph.outputs, "graph output"]] as const) {
    list.forEach((id, k) => {
      const t = graph.tensors[id]!;
      if (!["int8", "float32", "int16", "int32"].includes(t.dtype)) throw inputError(`${tensorLabel(t)} has dtype ${t.dtype}; generated code handles int8, int16, int32 and float32 I/O`, `${what} ${k}`);
    });
  }
  checkMcuSize(graph);
}

/** Refuses, before anything is emitted, models whose constants or single activations no MCU could hold. */
function checkMcuSize(graph: Graph): void {
  let flash = 0;
  for (const t of graph.tensors) {
    if (t.constant && t.data) flash += t.data.length;
    else if (!t.constant && !t.isVariable && tensorBytes(t) > LIMITS.maxMcuArenaBytes) {
      throw limitError(`needs ${tensorBytes(t)} bytes of arena, above the limit of ${LIMITS.maxMcuArenaBytes} for generated code (more SRAM than any microcontroller has)`, tensorLabel(t));
    }
  }
  if (flash > LIMITS.maxMcuFlashBytes) {
    throw limitError(`the model's constants need ${flash} bytes of flash, above the limit of ${LIMITS.maxMcuFlashBytes} for generated code (more than any microcontroller's flash)`, "model constants");
  }
}

/** The arena a backend planned, against the same limit (in-place planning may need less than the sum). */
export function checkMcuArena(arenaBytes: number): void {
  if (arenaBytes > LIMITS.maxMcuArenaBytes) {
    throw limitError(`the arena needs ${arenaBytes} bytes, above the limit of ${LIMITS.maxMcuArenaBytes} for generated code (more SRAM than any microcontroller has)`, "arena plan");
  }
}

export interface IoInfo {
  tensor: number;
  comment: string;
  /** Byte position in the concatenated in/out buffer. */
  offset: number;
  bytes: number;
  elements: number;
  ctype: string;
  rank: number;
  shape: number[];
  dims: number[];
  quantized: boolean;
  scale: string;
  zeroPoint: number;
}

function ctypeOf(t: Tensor): string {
  switch (t.dtype) {
    case "int8": return "int8_t";
    case "int16": return "int16_t";
    case "int32": return "int32_t";
    case "float32": return "float";
    default: return "uint8_t";
  }
}

export function ioInfo(graph: Graph, ids: readonly number[]): IoInfo[] {
  let offset = 0;
  return ids.map((id) => {
    const t = graph.tensors[id]!;
    const bytes = tensorBytes(t);
    const q = t.quant && t.quant.scale.length === 1 ? t.quant : null;
    const info: IoInfo = {
      tensor: id,
      comment: commentText(`tensor ${id} '${t.name}' ${t.dtype} [${t.shape.join(", ")}]`),
      offset,
      bytes,
      elements: elementCount(t.shape),
      ctype: ctypeOf(t),
      rank: t.shape.length,
      shape: t.shape.length > 0 ? [...t.shape] : [1],
      dims: [...t.shape],
      quantized: q !== null,
      scale: q ? cFloat32(q.scale[0]!) : "",
      zeroPoint: q ? q.zeroPoint[0]! : 0,
    };
    offset += bytes;
    return info;
  });
}

/** The pointer type of invoke's in/out parameter: int8_t when every tensor is int8, else void. */
export function ioPointerType(infos: readonly IoInfo[]): string {
  return infos.every((i) => i.ctype === "int8_t") ? "int8_t" : "void";
}
