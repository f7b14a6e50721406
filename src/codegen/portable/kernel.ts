/**
 * The contract between the portable backend's driver (portable/index.ts) and its per-op kernel emitters.
 * An emitter is built from the op's parameters before the arena is planned: it states the scratch buffers it
 * needs and which input it may overwrite (with its access schedule) — its KernelArena, which each kernel
 * file also computes on its own from the op's structure (`…Arena` functions) — and after planning it emits C.
 */
import type { Graph } from "../../ir/types.js";
import type { OpParams } from "../../quant/op-params.js";
import type { AccessSchedule } from "../schedule.js";

export interface EmitContext {
  graph: Graph;
  /** Model prefix (validated). */
  prefix: string;
  /** Operator index. */
  index: number;
  /** The layer's function name; also the stem of its other symbols (`<fn>_w`, `<fn>_rq`, …). */
  fn: string;
  /** C expression (of type `int8_t *`, or `const int8_t *` for constants) for op input `slot`'s data. */
  input(slot: number): string;
  /** C expression (of type `int8_t *`) for the op's output data. */
  output(): string;
  /** C expression (of type `int8_t *`) for this op's scratch buffer k (16-byte aligned). */
  scratch(k: number): string;
  /** Output offset minus the aliased input's offset when the op writes over an input, else null. */
  aliasRel: number | null;
  /** Renders a template of codegen-templates/portable/ops/. */
  render(template: string, view: object): string;
}

export interface KernelCode {
  /** Constant data (flash): weights, biases, requantisation tables. */
  data: string;
  /** Function definitions. */
  code: string;
  /** The statement(s) that run the layer inside invoke(). Empty when the op needs no code. */
  call: string;
}

/**
 * What a kernel needs from the arena: its scratch buffers and the input it may overwrite. Computed from the
 * op's structure alone (shape-params.ts), so the arena can be planned without weights and without emitting.
 */
export interface KernelArena {
  /** Scratch buffer sizes in bytes (planned in the arena, live while the op runs). */
  scratch: number[];
  /** The input this kernel may overwrite, with its schedule (or elision: no code at all when aliased). */
  alias?: { slot: number; elide?: boolean; schedule?: () => AccessSchedule };
}

export interface PortableKernel extends KernelArena {
  /** A short name of the kernel variant, for comments and reports. */
  kind: string;
  emit(ctx: EmitContext): KernelCode;
}

export type KernelFactory<P extends OpParams = OpParams> = (graph: Graph, params: P) => PortableKernel;

/** Row-major strides of a shape. */
export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Indents every line of a block. */
export function indent(block: string, by: string): string {
  return block
    .split("\n")
    .map((l) => (l.length > 0 ? by + l : l))
    .join("\n");
}
