/**
 * Constant tensors that generated code reads as they are in the model (both backends): each becomes one
 * `static const` int8 array, emitted once however many layers read it, in first-use order.
 */
import { tensorLabel } from "../ir/tensor-data.js";
import type { Graph } from "../ir/types.js";
import { cArrayBody } from "./c-format.js";
import { commentText } from "./names.js";

export interface CConstant {
  name: string;
  comment: string;
  length: number;
  body: string;
}

export class ConstantTensors {
  readonly list: CConstant[] = [];
  private readonly names = new Map<number, string>();

  constructor(private readonly graph: Graph, private readonly prefix: string) {}

  /** A C expression for constant tensor `id`'s bytes (declaring its array on first use). */
  expr(id: number): string {
    let name = this.names.get(id);
    if (!name) {
      const t = this.graph.tensors[id]!;
      name = `${this.prefix}_t${id}`;
      this.names.set(id, name);
      this.list.push({ name, comment: commentText(tensorLabel(t)), length: Math.max(1, t.data!.length), body: cArrayBody(t.data!, (v) => String(v), 24) });
    }
    return `((const int8_t *)${name})`;
  }
}
