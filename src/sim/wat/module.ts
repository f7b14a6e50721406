/**
 * The whole kernel module in WebAssembly text: one imported linear memory ("env" "memory", laid out by
 * sim/memory-layout.ts) and one exported function per kernel, each taking the address of its parameter block.
 */
import { CONV_WAT } from "./conv.js";
import { DEPTHWISE_WAT } from "./depthwise.js";
import { ELEMENTWISE_WAT } from "./elementwise.js";
import { POOL_WAT } from "./pool.js";
import { REQUANT_FUNCS, REQUANT_KERNEL } from "./requant.js";

/** Exported kernel names; each has the signature (param_block_address: i32) → (). */
export const KERNEL_EXPORTS = ["conv_s8", "depthwise_s8", "avgpool_s8", "maxpool_s8", "add_s8", "mul_s8", "requant_s32"] as const;
export type KernelName = (typeof KERNEL_EXPORTS)[number];

export function kernelModuleWat(): string {
  return `(module
  (import "env" "memory" (memory 1))
  ${REQUANT_FUNCS}
  ${CONV_WAT}
  ${DEPTHWISE_WAT}
  ${POOL_WAT}
  ${ELEMENTWISE_WAT}
  ${REQUANT_KERNEL}
)`;
}
