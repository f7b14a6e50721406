/**
 * The constant region of the simulator's memory: weights (repacked where a kernel wants it), channel tables,
 * parameter blocks and constant operands, appended after the arena. Its base address is known before the
 * memory exists (it follows the planned arena), so parameter blocks can name final addresses while the
 * region is still being built; the bytes are copied in once the memory is created. Kernels only read it.
 */
import { limitError } from "../errors.js";
import { LIMITS } from "../ir/limits.js";
import { int32Bytes } from "../ir/tensor-data.js";

export function alignTo(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

export class ConstRegion {
  private readonly parts: { at: number; bytes: Uint8Array }[] = [];
  private end: number;

  constructor(readonly base: number) {
    this.end = base;
  }

  /** Appends `bytes` at the next `alignment`-aligned address and returns that address. */
  place(bytes: Uint8Array, alignment = 16): number {
    const at = alignTo(this.end, alignment);
    this.end = at + bytes.byteLength;
    if (this.end - this.base > LIMITS.maxBytes) throw limitError(`the simulator's constant region exceeds ${LIMITS.maxBytes} bytes`, "simulator memory");
    this.parts.push({ at, bytes });
    return at;
  }

  /** Appends int32 values (little-endian, as WebAssembly reads them). */
  placeInt32(values: ArrayLike<number>): number {
    return this.place(int32Bytes(values));
  }

  /** First address past the region. */
  get endAddress(): number {
    return this.end;
  }

  /** Writes every placed part into the memory bytes. */
  copyInto(memory: Uint8Array): void {
    for (const p of this.parts) memory.set(p.bytes, p.at);
  }
}
