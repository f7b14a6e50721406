/** RESHAPE (int8 spec §4.13): the data is unchanged; only the shape differs, so this is a copy. */
import { inputError } from "../errors.js";
import type { ReshapeKernelParams } from "../quant/op-params.js";
import type { TensorValue } from "./tensor-value.js";

export function reshape(p: ReshapeKernelParams, input: TensorValue, output: TensorValue): void {
  if (input.constructor !== output.constructor) throw inputError(`RESHAPE input (${input.constructor.name}) and output (${output.constructor.name}) types differ`);
  if (input.length < p.size || output.length < p.size) throw inputError(`RESHAPE of ${p.size} elements given ${input.length} → ${output.length}`);
  // Same constructor, so the cast only satisfies the type checker.
  (output as Int8Array).set((input as Int8Array).subarray(0, p.size));
}
