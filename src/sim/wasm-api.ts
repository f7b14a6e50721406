/**
 * The slice of the WebAssembly JS API the simulator uses, typed locally: the project compiles against
 * ES2022 + Node types, which do not declare the WebAssembly global (it lives in the DOM lib). Reading it
 * through this module keeps the declarations private instead of adding globals to every compilation unit.
 */

/** A compiled module (opaque here). */
export interface WasmModule {
  readonly __wasmModule: unique symbol;
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
}

export const wasmApi: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Bytes per WebAssembly memory page. */
export const WASM_PAGE = 65536;
