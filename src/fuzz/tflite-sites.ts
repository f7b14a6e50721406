/**
 * A map of a well-formed .tflite file: where every structural word (root offset, table soffsets, vtable
 * lengths and entries, reference offsets, vector lengths) and every meaningful field (shape dims, tensor types,
 * buffer indices, scales, zero points, opcodes, operator inputs/outputs, option fields, int32 constant data)
 * lies, so mutations can hit the bytes the reader actually interprets instead of mostly weights.
 *
 * Written from the wire format (int8 spec §1.1–1.2) on a DataView, independent of the reader under test. It
 * walks a trusted seed file once; a position it cannot follow is simply not mapped.
 */

export type SiteKind =
  | "root-offset" | "soffset" | "vtable-length" | "vtable-inline-size" | "vtable-entry" | "uoffset" | "vector-length"
  | "string-length" | "model-version" | "shape-dim" | "tensor-type" | "buffer-index" | "is-variable" | "scale" | "zero-point"
  | "quant-dim" | "quant-details-type" | "opcode-builtin" | "opcode-deprecated" | "opcode-version" | "opcode-index" | "op-input"
  | "op-output" | "graph-io" | "options-type" | "option-int32" | "option-int8" | "option-bool" | "option-float" | "const-int32"
  | "metadata-buffer";

export interface Site {
  pos: number;
  /** Bytes the value occupies. */
  width: 1 | 2 | 4 | 8;
  kind: SiteKind;
  /** Field path for mutation descriptions, e.g. "subgraphs[0].tensors[3].shape[1]". */
  label: string;
}

export interface TfliteMap {
  sites: Site[];
  /** Sites grouped by kind. */
  byKind: Map<SiteKind, Site[]>;
  /** Positions of every table (for overlapping-copy mutations). */
  tables: number[];
  /** Byte ranges of buffer data (weights). */
  dataRanges: [number, number][];
}

/** Scalar field widths of each options table, by union tag (schema slots; unknown slots are skipped). */
const OPTION_FIELDS: Record<number, { slot: number; kind: SiteKind; width: 1 | 4; name: string }[]> = {
  1: [ // Conv2DOptions
    { slot: 0, kind: "option-int8", width: 1, name: "padding" }, { slot: 1, kind: "option-int32", width: 4, name: "stride_w" },
    { slot: 2, kind: "option-int32", width: 4, name: "stride_h" }, { slot: 3, kind: "option-int8", width: 1, name: "fused_activation_function" },
    { slot: 4, kind: "option-int32", width: 4, name: "dilation_w_factor" }, { slot: 5, kind: "option-int32", width: 4, name: "dilation_h_factor" },
  ],
  2: [ // DepthwiseConv2DOptions
    { slot: 0, kind: "option-int8", width: 1, name: "padding" }, { slot: 1, kind: "option-int32", width: 4, name: "stride_w" },
    { slot: 2, kind: "option-int32", width: 4, name: "stride_h" }, { slot: 3, kind: "option-int32", width: 4, name: "depth_multiplier" },
    { slot: 4, kind: "option-int8", width: 1, name: "fused_activation_function" }, { slot: 5, kind: "option-int32", width: 4, name: "dilation_w_factor" },
    { slot: 6, kind: "option-int32", width: 4, name: "dilation_h_factor" },
  ],
  5: [ // Pool2DOptions
    { slot: 0, kind: "option-int8", width: 1, name: "padding" }, { slot: 1, kind: "option-int32", width: 4, name: "stride_w" },
    { slot: 2, kind: "option-int32", width: 4, name: "stride_h" }, { slot: 3, kind: "option-int32", width: 4, name: "filter_width" },
    { slot: 4, kind: "option-int32", width: 4, name: "filter_height" }, { slot: 5, kind: "option-int8", width: 1, name: "fused_activation_function" },
  ],
  8: [ // FullyConnectedOptions
    { slot: 0, kind: "option-int8", width: 1, name: "fused_activation_function" }, { slot: 1, kind: "option-int8", width: 1, name: "weights_format" },
    { slot: 2, kind: "option-bool", width: 1, name: "keep_num_dims" },
  ],
  9: [{ slot: 0, kind: "option-float", width: 4, name: "beta" }], // SoftmaxOptions
  10: [{ slot: 0, kind: "option-int32", width: 4, name: "axis" }, { slot: 1, kind: "option-int8", width: 1, name: "fused_activation_function" }],
  11: [{ slot: 0, kind: "option-int8", width: 1, name: "fused_activation_function" }], // AddOptions
  21: [{ slot: 0, kind: "option-int8", width: 1, name: "fused_activation_function" }], // MulOptions
  27: [{ slot: 0, kind: "option-bool", width: 1, name: "keep_dims" }], // ReducerOptions
};

class Walker {
  readonly dv: DataView;
  readonly sites: Site[] = [];
  readonly tables: number[] = [];
  readonly dataRanges: [number, number][] = [];
  private readonly vtables = new Set<number>();

  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  ok(p: number, n: number): boolean {
    return p >= 0 && p + n <= this.bytes.length;
  }
  add(pos: number, width: Site["width"], kind: SiteKind, label: string): void {
    if (this.ok(pos, width)) this.sites.push({ pos, width, kind, label });
  }

  /** Registers a table's structural words; returns false when it cannot be followed. */
  table(t: number, label: string): boolean {
    if (!this.ok(t, 4)) return false;
    const vt = t - this.dv.getInt32(t, true);
    if (!this.ok(vt, 4)) return false;
    const len = this.dv.getUint16(vt, true);
    if (len < 4 || !this.ok(vt, len)) return false;
    this.tables.push(t);
    this.add(t, 4, "soffset", `${label}<soffset>`);
    if (!this.vtables.has(vt)) {
      this.vtables.add(vt);
      this.add(vt, 2, "vtable-length", `${label}<vtable length>`);
      this.add(vt + 2, 2, "vtable-inline-size", `${label}<vtable inline size>`);
      for (let e = 4; e + 2 <= len; e += 2) this.add(vt + e, 2, "vtable-entry", `${label}<vtable slot ${(e - 4) / 2}>`);
    }
    return true;
  }

  field(t: number, slot: number): number {
    const vt = t - this.dv.getInt32(t, true);
    const e = 4 + 2 * slot;
    if (e >= this.dv.getUint16(vt, true)) return 0;
    const off = this.dv.getUint16(vt + e, true);
    return off && this.ok(t + off, 1) ? t + off : 0;
  }

  scalar(t: number, slot: number, width: Site["width"], kind: SiteKind, label: string): number {
    const p = this.field(t, slot);
    if (p) this.add(p, width, kind, label);
    return p;
  }

  /** Follows a reference field; registers the offset word; returns the target or 0. */
  ref(t: number, slot: number, label: string): number {
    const p = this.field(t, slot);
    if (!p || !this.ok(p, 4)) return 0;
    this.add(p, 4, "uoffset", `${label}<offset>`);
    const target = p + this.dv.getUint32(p, true);
    return this.ok(target, 4) ? target : 0;
  }

  /** A vector field: registers offset and length; returns start and length. */
  vector(t: number, slot: number, label: string, elemSize: number, kind: SiteKind = "vector-length"): { start: number; length: number } | null {
    const at = this.ref(t, slot, label);
    if (!at) return null;
    const length = this.dv.getUint32(at, true);
    if (!this.ok(at + 4, length * elemSize)) return null;
    this.add(at, 4, kind, `${label}<length>`);
    return { start: at + 4, length };
  }

  tableVector(t: number, slot: number, label: string): number[] {
    const v = this.vector(t, slot, label, 4);
    if (!v) return [];
    const out: number[] = [];
    for (let i = 0; i < v.length; i++) {
      const ep = v.start + 4 * i;
      this.add(ep, 4, "uoffset", `${label}[${i}]<offset>`);
      const target = ep + this.dv.getUint32(ep, true);
      if (this.table(target, `${label}[${i}]`)) out.push(target);
      else out.push(-1);
    }
    return out;
  }

  scalarVector(t: number, slot: number, label: string, width: 4 | 8, kind: SiteKind): number {
    const v = this.vector(t, slot, label, width);
    if (!v) return 0;
    for (let i = 0; i < v.length; i++) this.add(v.start + width * i, width, kind, `${label}[${i}]`);
    return v.length;
  }

  string(t: number, slot: number, label: string): void {
    this.vector(t, slot, label, 1, "string-length");
  }
}

/** Maps a well-formed .tflite file. */
export function mapTflite(bytes: Uint8Array): TfliteMap {
  const w = new Walker(bytes);
  const dv = w.dv;
  if (bytes.length < 8) return finish(w);
  w.add(0, 4, "root-offset", "<root offset>");
  const model = dv.getUint32(0, true);
  if (!w.table(model, "model")) return finish(w);
  w.scalar(model, 0, 4, "model-version", "model.version");
  w.string(model, 3, "model.description");

  w.tableVector(model, 1, "operator_codes").forEach((oc, i) => {
    if (oc < 0) return;
    const l = `operator_codes[${i}]`;
    w.scalar(oc, 0, 1, "opcode-deprecated", `${l}.deprecated_builtin_code`);
    w.string(oc, 1, `${l}.custom_code`);
    w.scalar(oc, 2, 4, "opcode-version", `${l}.version`);
    w.scalar(oc, 3, 4, "opcode-builtin", `${l}.builtin_code`);
  });

  // Buffers first, so tensor types can mark int32 constant data.
  const buffers = w.tableVector(model, 4, "buffers");
  const bufferData = buffers.map((b, i) => {
    if (b < 0) return null;
    const v = w.vector(b, 0, `buffers[${i}].data`, 1);
    if (v && v.length > 0) w.dataRanges.push([v.start, v.start + v.length]);
    return v;
  });

  w.tableVector(model, 2, "subgraphs").forEach((sg, s) => {
    if (sg < 0) return;
    const sl = `subgraphs[${s}]`;
    w.string(sg, 4, `${sl}.name`);
    w.scalarVector(sg, 1, `${sl}.inputs`, 4, "graph-io");
    w.scalarVector(sg, 2, `${sl}.outputs`, 4, "graph-io");
    w.tableVector(sg, 0, `${sl}.tensors`).forEach((t, i) => {
      if (t < 0) return;
      const l = `${sl}.tensors[${i}]`;
      w.scalarVector(t, 0, `${l}.shape`, 4, "shape-dim");
      const typePos = w.scalar(t, 1, 1, "tensor-type", `${l}.type`);
      const bufPos = w.scalar(t, 2, 4, "buffer-index", `${l}.buffer`);
      w.string(t, 3, `${l}.name`);
      w.scalar(t, 5, 1, "is-variable", `${l}.is_variable`);
      const q = w.ref(t, 4, `${l}.quantization`);
      if (q && w.table(q, `${l}.quantization`)) {
        w.scalarVector(q, 2, `${l}.quantization.scale`, 4, "scale");
        w.scalarVector(q, 3, `${l}.quantization.zero_point`, 8, "zero-point");
        w.scalar(q, 4, 1, "quant-details-type", `${l}.quantization.details_type`);
        w.scalar(q, 6, 4, "quant-dim", `${l}.quantization.quantized_dimension`);
      }
      // int32 constant data: biases, PAD paddings, MEAN axes, RESHAPE shapes.
      if (typePos && bufPos && dv.getInt8(typePos) === 2) {
        const data = bufferData[dv.getUint32(bufPos, true)];
        if (data) for (let k = 0; k + 4 <= data.length; k += 4) w.add(data.start + k, 4, "const-int32", `${l}.data[${k / 4}]`);
      }
    });
    w.tableVector(sg, 3, `${sl}.operators`).forEach((op, i) => {
      if (op < 0) return;
      const l = `${sl}.operators[${i}]`;
      w.scalar(op, 0, 4, "opcode-index", `${l}.opcode_index`);
      w.scalarVector(op, 1, `${l}.inputs`, 4, "op-input");
      w.scalarVector(op, 2, `${l}.outputs`, 4, "op-output");
      const tagPos = w.scalar(op, 3, 1, "options-type", `${l}.builtin_options_type`);
      const opts = w.ref(op, 4, `${l}.builtin_options`);
      if (opts && w.table(opts, `${l}.builtin_options`) && tagPos) {
        for (const f of OPTION_FIELDS[dv.getUint8(tagPos)] ?? []) w.scalar(opts, f.slot, f.width, f.kind, `${l}.builtin_options.${f.name}`);
        if (dv.getUint8(tagPos) === 17) w.scalarVector(opts, 0, `${l}.builtin_options.new_shape`, 4, "option-int32");
      }
    });
  });

  w.tableVector(model, 6, "metadata").forEach((m, i) => {
    if (m < 0) return;
    w.string(m, 0, `metadata[${i}].name`);
    w.scalar(m, 1, 4, "metadata-buffer", `metadata[${i}].buffer`);
  });
  return finish(w);
}

function finish(w: Walker): TfliteMap {
  const byKind = new Map<SiteKind, Site[]>();
  for (const s of w.sites) {
    let list = byKind.get(s.kind);
    if (!list) byKind.set(s.kind, (list = []));
    list.push(s);
  }
  return { sites: w.sites, byKind, tables: w.tables, dataRanges: w.dataRanges };
}
