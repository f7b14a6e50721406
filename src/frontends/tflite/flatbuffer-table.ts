/**
 * Bounds-checked access to FlatBuffers tables on top of the `flatbuffers` package's ByteBuffer.
 * The package's own accessors trust the file; a .tflite from elsewhere may be truncated or corrupted,
 * so every offset is checked here before it is followed, and a failure names the path of the field
 * ("subgraphs[0].tensors[12].shape") and the byte position.
 */
import { ByteBuffer } from "flatbuffers";
import { inputError, limitError } from "../../errors.js";

/**
 * How much a reader may materialise (arrays, copies, decoded strings) from one file. FlatBuffers let many
 * offsets point at the same vector, so a small crafted file could otherwise make the reader copy one large
 * vector once per reference (a 1 MB file asking for hundreds of GB). Every vector read is charged here; a
 * well-formed model reads each vector once, which costs at most a few times the file size.
 */
export class ReadBudget {
  remaining: number;
  constructor(readonly limit: number) {
    this.remaining = limit;
  }
  /** The budget for a file of `fileBytes` bytes: generous for legitimate sharing, bounded for abuse. */
  static forFile(fileBytes: number): ReadBudget {
    return new ReadBudget(16 * fileBytes + 64 * 1024 * 1024);
  }
}

export class FbTable {
  private constructor(
    readonly bb: ByteBuffer,
    /** Position of the table (its soffset to the vtable). */
    readonly pos: number,
    private readonly vtable: number,
    private readonly vtableLen: number,
    /** Field path of this table for error messages. */
    readonly path: string,
    private readonly budget: ReadBudget,
  ) {}

  static root(bytes: Uint8Array, path: string): FbTable {
    const bb = new ByteBuffer(bytes);
    if (bytes.length < 8) throw inputError(`file is ${bytes.length} bytes, too short for a FlatBuffer header`, "byte 0");
    const rootPos = bb.readUint32(0);
    return FbTable.at(bb, rootPos, path, ReadBudget.forFile(bytes.length));
  }

  static at(bb: ByteBuffer, pos: number, path: string, budget: ReadBudget = ReadBudget.forFile(bb.capacity())): FbTable {
    const cap = bb.capacity();
    if (pos < 0 || pos + 4 > cap) throw inputError(`table at byte ${pos} lies outside the file (${cap} bytes)`, path);
    const vtable = pos - bb.readInt32(pos);
    if (vtable < 0 || vtable + 4 > cap) throw inputError(`vtable at byte ${vtable} lies outside the file (${cap} bytes)`, path);
    const vtableLen = bb.readUint16(vtable);
    if (vtableLen < 4 || vtableLen % 2 !== 0 || vtable + vtableLen > cap) throw inputError(`vtable at byte ${vtable} has an invalid length ${vtableLen}`, path);
    const inlineSize = bb.readUint16(vtable + 2);
    if (pos + inlineSize > cap) throw inputError(`table at byte ${pos} (${inlineSize} bytes) extends past the end of the file`, path);
    return new FbTable(bb, pos, vtable, vtableLen, path, budget);
  }

  private fail(slot: number, name: string, msg: string): never {
    throw inputError(msg, `${this.path}.${name}`);
  }

  /** Absolute position of field `slot`, or 0 when absent; checks `width` bytes are inside the file. */
  private field(slot: number, name: string, width: number): number {
    const entry = 4 + 2 * slot;
    if (entry >= this.vtableLen) return 0;
    const off = this.bb.readUint16(this.vtable + entry);
    if (off === 0) return 0;
    const p = this.pos + off;
    if (p + width > this.bb.capacity()) this.fail(slot, name, `field at byte ${p} lies outside the file (${this.bb.capacity()} bytes)`);
    return p;
  }

  has(slot: number): boolean {
    const entry = 4 + 2 * slot;
    return entry < this.vtableLen && this.bb.readUint16(this.vtable + entry) !== 0;
  }

  uint8(slot: number, name: string, def = 0): number {
    const p = this.field(slot, name, 1);
    return p ? this.bb.readUint8(p) : def;
  }
  int8(slot: number, name: string, def = 0): number {
    const p = this.field(slot, name, 1);
    return p ? this.bb.readInt8(p) : def;
  }
  bool(slot: number, name: string, def = false): boolean {
    const p = this.field(slot, name, 1);
    return p ? this.bb.readUint8(p) !== 0 : def;
  }
  int32(slot: number, name: string, def = 0): number {
    const p = this.field(slot, name, 4);
    return p ? this.bb.readInt32(p) : def;
  }
  uint32(slot: number, name: string, def = 0): number {
    const p = this.field(slot, name, 4);
    return p ? this.bb.readUint32(p) : def;
  }
  float32(slot: number, name: string, def = 0): number {
    const p = this.field(slot, name, 4);
    return p ? this.bb.readFloat32(p) : def;
  }
  uint64(slot: number, name: string): bigint {
    const p = this.field(slot, name, 8);
    return p ? this.bb.readUint64(p) : 0n;
  }

  /** Follows the uoffset stored in field `slot`; returns the target position or 0 when absent. */
  private indirect(slot: number, name: string): number {
    const p = this.field(slot, name, 4);
    if (!p) return 0;
    const target = p + this.bb.readUint32(p);
    if (target + 4 > this.bb.capacity()) this.fail(slot, name, `offset at byte ${p} points to byte ${target}, outside the file (${this.bb.capacity()} bytes)`);
    return target;
  }

  table(slot: number, name: string): FbTable | null {
    const p = this.indirect(slot, name);
    return p ? FbTable.at(this.bb, p, `${this.path}.${name}`, this.budget) : null;
  }

  /**
   * Start and length of a vector of `elemSize`-byte elements, bounds-checked. `cost` is what reading one
   * element materialises in memory (a JS number is 8 bytes, a table object more), charged to the budget.
   */
  private vector(slot: number, name: string, elemSize: number, cost: number): { start: number; length: number } | null {
    const p = this.indirect(slot, name);
    if (!p) return null;
    const length = this.bb.readUint32(p);
    const start = p + 4;
    if (start + length * elemSize > this.bb.capacity()) {
      this.fail(slot, name, `vector at byte ${p} of ${length} elements extends past the end of the file (${this.bb.capacity()} bytes)`);
    }
    this.budget.remaining -= length * cost;
    if (this.budget.remaining < 0) {
      this.fail(slot, name, `vector at byte ${p} takes the data read from the file past ${this.budget.limit} bytes; its vectors are shared or overlap far beyond what a model needs`);
    }
    return { start, length };
  }

  /**
   * The tables of a vector field. `max` bounds the count before anything is materialised: one shared table
   * offset repeated millions of times is a small file but millions of objects (a 20 MB file took 1.3 GB).
   */
  tables(slot: number, name: string, max = Infinity): FbTable[] {
    const v = this.vector(slot, name, 4, 64);
    if (!v) return [];
    if (v.length > max) throw limitError(`${v.length} ${name.replace(/_/g, " ")} exceeds the limit of ${max}`, `${this.path}.${name}`);
    const out: FbTable[] = [];
    for (let i = 0; i < v.length; i++) {
      const ep = v.start + 4 * i;
      out.push(FbTable.at(this.bb, ep + this.bb.readUint32(ep), `${this.path}.${name}[${i}]`, this.budget));
    }
    return out;
  }

  int32s(slot: number, name: string): number[] {
    const v = this.vector(slot, name, 4, 8);
    if (!v) return [];
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.bb.readInt32(v.start + 4 * i);
    return out;
  }

  float32s(slot: number, name: string): number[] {
    const v = this.vector(slot, name, 4, 8);
    if (!v) return [];
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.bb.readFloat32(v.start + 4 * i);
    return out;
  }

  /** int64 vector as numbers; values beyond ±2^53 are an error. */
  int64s(slot: number, name: string): number[] {
    const v = this.vector(slot, name, 8, 8);
    if (!v) return [];
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = this.bb.readInt64(v.start + 8 * i);
      if (x > BigInt(Number.MAX_SAFE_INTEGER) || x < -BigInt(Number.MAX_SAFE_INTEGER)) this.fail(slot, `${name}[${i}]`, `value ${x} is out of range`);
      out[i] = Number(x);
    }
    return out;
  }

  /** A [ubyte] vector as a view into the file (no copy; charged in full, as callers copy it out). */
  bytes(slot: number, name: string): Uint8Array | null {
    const v = this.vector(slot, name, 1, 1);
    if (!v) return null;
    return this.bb.bytes().subarray(v.start, v.start + v.length);
  }

  string(slot: number, name: string): string {
    const v = this.vector(slot, name, 1, 2);
    if (!v) return "";
    return new TextDecoder("utf-8", { fatal: false }).decode(this.bb.bytes().subarray(v.start, v.start + v.length));
  }
}
