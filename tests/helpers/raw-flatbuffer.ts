/**
 * A minimal FlatBuffer walker for tests, written straight from the wire format (spec §1.1) on a DataView and
 * independent of the reader's FbTable: it locates fields so tests can check the writer's layout and patch
 * real models at exact byte positions. It trusts its input (tests point it at well-formed files only).
 */
export class RawFlatBuffer {
  readonly dv: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u8(p: number): number { return this.dv.getUint8(p); }
  i8(p: number): number { return this.dv.getInt8(p); }
  u16(p: number): number { return this.dv.getUint16(p, true); }
  u32(p: number): number { return this.dv.getUint32(p, true); }
  i32(p: number): number { return this.dv.getInt32(p, true); }

  /** Position of the root table. */
  root(): number { return this.u32(0); }
  /** Absolute position of field `slot` of the table at `table`, or 0 when the field is absent. */
  field(table: number, slot: number): number {
    const vt = table - this.i32(table);
    const entry = 4 + 2 * slot;
    if (entry >= this.u16(vt)) return 0;
    const off = this.u16(vt + entry);
    return off ? table + off : 0;
  }
  /** Follows the uoffset stored at `p`. */
  deref(p: number): number { return p + this.u32(p); }
  /** The table referenced by field `slot`, or 0. */
  table(table: number, slot: number): number {
    const p = this.field(table, slot);
    return p ? this.deref(p) : 0;
  }
  /** Vector of field `slot`: the position of its length word, its length and its first element. */
  vector(table: number, slot: number): { at: number; length: number; start: number } | null {
    const p = this.field(table, slot);
    if (!p) return null;
    const at = this.deref(p);
    return { at, length: this.u32(at), start: at + 4 };
  }
  /** Positions of the tables in a [Table] vector field. */
  tables(table: number, slot: number): number[] {
    const v = this.vector(table, slot);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => this.deref(v.start + 4 * i));
  }
  string(table: number, slot: number): string {
    const v = this.vector(table, slot);
    return v ? new TextDecoder().decode(this.bytes.subarray(v.start, v.start + v.length)) : "";
  }
}

/** Model slots used by the tests (spec §1.2), spelled out here rather than imported from the code under test. */
export const MODEL = { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4, metadata: 6 } as const;

/** Byte ranges [start, end) of every Buffer.data payload: the weights, where corruption is usually harmless. */
export function bufferDataRanges(fb: RawFlatBuffer): [number, number][] {
  const out: [number, number][] = [];
  for (const buf of fb.tables(fb.root(), MODEL.buffers)) {
    const v = fb.vector(buf, 0);
    if (v && v.length > 0) out.push([v.start, v.start + v.length]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}
