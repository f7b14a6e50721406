/**
 * One simulator memory with its kernel instance: creates the WebAssembly.Memory (sized up front, never
 * grown, so typed-array views stay valid) and executes steps on it.
 */
import { limitError } from "../errors.js";
import { instantiateKernels, type KernelExports } from "./assemble.js";
import type { Step } from "./steps.js";
import { WASM_PAGE, wasmApi, type WasmMemory, type WasmModule } from "./wasm-api.js";

/**
 * Largest simulator memory: the arena and the constants (each at most LIMITS.maxBytes) fit, and every
 * address stays below 2^31, so the kernels' signed i32 arithmetic on addresses cannot wrap.
 */
export const MAX_MEMORY_BYTES = 2 ** 31 - 65536;

export class Machine {
  readonly memory: WasmMemory;
  readonly bytes: Uint8Array;
  private readonly kernels: KernelExports;

  constructor(module: WasmModule, byteSize: number) {
    if (byteSize > MAX_MEMORY_BYTES) throw limitError(`the simulator needs ${byteSize} bytes of memory, above the limit of ${MAX_MEMORY_BYTES}`, "simulator memory");
    const pages = Math.max(1, Math.ceil(byteSize / WASM_PAGE));
    this.memory = new wasmApi.Memory({ initial: pages, maximum: pages });
    this.bytes = new Uint8Array(this.memory.buffer);
    this.kernels = instantiateKernels(module, this.memory);
  }

  exec(step: Step): void {
    if (step.kind === "wasm") this.kernels[step.kernel](step.paramBlock);
    else step.run(this.memory.buffer);
  }
}
