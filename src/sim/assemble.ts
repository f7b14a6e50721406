/**
 * Assembles the kernel module's WebAssembly text with wabt (SIMD enabled) and compiles it, once per process:
 * every simulator instance shares the cached WasmModule and only brings its own memory.
 */
import wabtInit from "wabt";
import { wasmApi, type WasmMemory, type WasmModule } from "./wasm-api.js";
import { KERNEL_EXPORTS, kernelModuleWat, type KernelName } from "./wat/module.js";

let compiled: Promise<WasmModule> | undefined;
let ready: WasmModule | undefined;

async function build(): Promise<WasmModule> {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat("micronets-kernels.wat", kernelModuleWat(), { simd: true });
  try {
    parsed.resolveNames();
    parsed.validate();
    const { buffer } = parsed.toBinary({});
    // Copy into a fresh ArrayBuffer: the result may be a view into wabt's own heap.
    return await wasmApi.compile(new Uint8Array(buffer));
  } finally {
    parsed.destroy();
  }
}

/** The compiled kernel module (assembled on first call; later calls return the same module). */
export function loadKernelModule(): Promise<WasmModule> {
  if (!compiled) {
    compiled = build().then((m) => (ready = m));
    // A failed build is a bug in the kernel text; let a later call retry rather than cache the failure.
    compiled.catch(() => { compiled = undefined; });
  }
  return compiled;
}

/** The module if loadKernelModule has already completed, else undefined (for synchronous callers). */
export function kernelModuleIfLoaded(): WasmModule | undefined {
  return ready;
}

export type KernelExports = Record<KernelName, (paramBlock: number) => void>;

/** Instantiates the module over `memory` (synchronous: the module is small and already compiled). */
export function instantiateKernels(module: WasmModule, memory: WasmMemory): KernelExports {
  const instance = new wasmApi.Instance(module, { env: { memory } });
  const out = {} as KernelExports;
  for (const name of KERNEL_EXPORTS) out[name] = instance.exports[name] as (pb: number) => void;
  return out;
}
