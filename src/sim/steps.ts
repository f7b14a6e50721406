/**
 * One executable step per operator: either a WebAssembly kernel call on a parameter block in the constant
 * region, or a TypeScript kernel working on views of the same linear memory.
 */
import type { KernelName } from "./wat/module.js";

export type Step =
  | { kind: "wasm"; kernel: KernelName; paramBlock: number }
  | { kind: "ts"; run: (buffer: ArrayBuffer) => void };

/** Addresses of a unary kernel's tensors. */
export interface UnaryIo {
  input: number;
  output: number;
}

/** Addresses of a binary kernel's tensors. */
export interface BinaryIo {
  input1: number;
  input2: number;
  output: number;
}
