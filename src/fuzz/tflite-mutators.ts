/**
 * Byte-level mutations of a .tflite file, most of them aimed at the positions the site map found (so they
 * corrupt what the reader interprets — offsets, lengths, vtables, shapes, scales, opcodes, tensor references —
 * rather than flipping weight bits that change nothing structural). Each mutation returns a one-line
 * description for the finding record.
 */
import { DIM_EDGES, interestingFloat, interestingInt, interestingInt64 } from "./interesting.js";
import type { Rng } from "./rng.js";
import type { Site, SiteKind, TfliteMap } from "./tflite-sites.js";

export interface ByteMutation {
  bytes: Uint8Array;
  description: string;
}

function hex(n: number): string {
  return n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}

function writeInt(dv: DataView, pos: number, width: 1 | 2 | 4, v: number): void {
  if (width === 1) dv.setUint8(pos, v & 0xff);
  else if (width === 2) dv.setUint16(pos, v & 0xffff, true);
  else dv.setUint32(pos, v >>> 0, true);
}

function readInt(dv: DataView, pos: number, width: 1 | 2 | 4): number {
  return width === 1 ? dv.getInt8(pos) : width === 2 ? dv.getUint16(pos, true) : dv.getInt32(pos, true);
}

/** Site kinds by how often they are targeted (structure and semantics both matter). */
const KIND_WEIGHTS: [number, SiteKind][] = [
  [6, "uoffset"], [5, "vector-length"], [3, "string-length"], [3, "soffset"], [4, "vtable-entry"], [2, "vtable-length"],
  [1, "vtable-inline-size"], [1, "root-offset"], [1, "model-version"], [10, "shape-dim"], [4, "tensor-type"], [4, "buffer-index"],
  [1, "is-variable"], [8, "scale"], [6, "zero-point"], [3, "quant-dim"], [1, "quant-details-type"], [4, "opcode-builtin"],
  [2, "opcode-deprecated"], [1, "opcode-version"], [3, "opcode-index"], [8, "op-input"], [5, "op-output"], [4, "graph-io"],
  [3, "options-type"], [8, "option-int32"], [4, "option-int8"], [2, "option-bool"], [3, "option-float"], [6, "const-int32"],
  [1, "metadata-buffer"],
];

function pickSite(rng: Rng, map: TfliteMap): Site | null {
  const present = KIND_WEIGHTS.filter(([, k]) => (map.byKind.get(k)?.length ?? 0) > 0);
  if (present.length === 0) return null;
  const kind = rng.weighted(present);
  return rng.pick(map.byKind.get(kind)!);
}

/** Overwrites one mapped field with a value chosen for its kind. */
function mutateSite(rng: Rng, bytes: Uint8Array, map: TfliteMap): ByteMutation {
  const out = bytes.slice();
  const dv = new DataView(out.buffer);
  const site = pickSite(rng, map);
  // Earlier mutations of the same case may have cut the file short of the mapped position.
  if (!site || site.pos + site.width > out.length) return bitFlip(rng, bytes);
  const at = `${site.kind} ${site.label} @${site.pos}`;
  if (site.width === 8) {
    const cur = dv.getBigInt64(site.pos, true);
    const v = interestingInt64(rng, cur);
    dv.setBigInt64(site.pos, BigInt.asIntN(64, v), true);
    return { bytes: out, description: `set int64 ${at} from ${cur} to ${BigInt.asIntN(64, v)}` };
  }
  if (site.kind === "scale" || site.kind === "option-float") {
    const cur = dv.getFloat32(site.pos, true);
    const v = interestingFloat(rng, cur);
    dv.setFloat32(site.pos, v, true);
    return { bytes: out, description: `set float32 ${at} from ${cur} to ${dv.getFloat32(site.pos, true)}` };
  }
  const cur = readInt(dv, site.pos, site.width);
  let v: number;
  if (site.kind === "shape-dim" && rng.chance(0.6)) v = rng.pick(DIM_EDGES);
  else if ((site.kind === "uoffset" || site.kind === "root-offset") && rng.chance(0.5)) {
    // Point the offset at another table, at itself, backwards (a huge uint32), or just past the end.
    const target = rng.weighted<number>([[4, map.tables.length ? rng.pick(map.tables) : 0], [1, site.pos], [1, bytes.length], [1, bytes.length - 4], [2, rng.below(bytes.length)]]);
    v = target - site.pos;
  } else if (site.kind === "op-input" || site.kind === "op-output" || site.kind === "graph-io") {
    v = rng.weighted<number>([[4, cur + rng.pick([1, -1, 2, -2])], [2, -1], [2, rng.int(0, 200)], [1, 0x7fffffff], [1, -2]]);
  } else v = interestingInt(rng, site.width, cur);
  writeInt(dv, site.pos, site.width, v);
  return { bytes: out, description: `set ${site.width}-byte ${at} from ${hex(cur)} to ${hex(readInt(dv, site.pos, site.width))}` };
}

function bitFlip(rng: Rng, bytes: Uint8Array): ByteMutation {
  const out = bytes.slice();
  const n = rng.int(1, 8);
  const where: number[] = [];
  // Half of the flips land in the structural head of the file (before the first weights).
  for (let i = 0; i < n; i++) {
    const p = rng.below(out.length);
    out[p]! ^= 1 << rng.int(0, 7);
    where.push(p);
  }
  return { bytes: out, description: `flip ${n} bit(s) at ${where.join(",")}` };
}

function overwrite(rng: Rng, bytes: Uint8Array, map: TfliteMap): ByteMutation {
  const out = bytes.slice();
  const dv = new DataView(out.buffer);
  const width = rng.pick([1, 2, 4] as const);
  // Aligned positions near mapped structure are likelier to be fields.
  const base = map.sites.length && rng.chance(0.7) ? rng.pick(map.sites).pos + rng.int(-8, 8) : rng.below(out.length);
  const p = Math.max(0, Math.min(out.length - width, base));
  const v = interestingInt(rng, width, readInt(dv, p, width));
  writeInt(dv, p, width, v);
  return { bytes: out, description: `overwrite ${width} byte(s) at ${p} with ${hex(v >>> 0)}` };
}

function truncate(rng: Rng, bytes: Uint8Array, map: TfliteMap): ByteMutation {
  const at = rng.chance(0.5) && map.sites.length ? Math.min(bytes.length, rng.pick(map.sites).pos + rng.int(0, 3)) : rng.below(bytes.length);
  return { bytes: bytes.slice(0, at), description: `truncate to ${at} bytes` };
}

function vectorLength(rng: Rng, bytes: Uint8Array, map: TfliteMap): ByteMutation {
  const list = [...(map.byKind.get("vector-length") ?? []), ...(map.byKind.get("string-length") ?? [])].filter((x) => x.pos + 4 <= bytes.length);
  if (list.length === 0) return bitFlip(rng, bytes);
  const site = rng.pick(list);
  const out = bytes.slice();
  const dv = new DataView(out.buffer);
  const cur = dv.getUint32(site.pos, true);
  const v = rng.pick([0, 1, cur + 1, cur - 1, cur * 2, 0x3fffffff, 0x40000000, 0x7fffffff, 0xffffffff, 0x10000000, bytes.length, (bytes.length >> 2) - 1]);
  dv.setUint32(site.pos, v >>> 0, true);
  return { bytes: out, description: `set length ${site.label} @${site.pos} from ${cur} to ${v >>> 0}` };
}

/** Copies a chunk of the file over another place (tables over tables: overlaps, shared vectors). */
function copyChunk(rng: Rng, bytes: Uint8Array, map: TfliteMap): ByteMutation {
  const out = bytes.slice();
  const src = map.tables.length && rng.chance(0.6) ? rng.pick(map.tables) - rng.int(0, 16) : rng.below(out.length);
  const dst = map.tables.length && rng.chance(0.6) ? rng.pick(map.tables) - rng.int(0, 16) : rng.below(out.length);
  const len = rng.int(1, 64);
  // Table positions come from the unmutated seed; clamp them into this (possibly shortened) file.
  const s = Math.min(out.length - 1, Math.max(0, src));
  const d = Math.min(out.length - 1, Math.max(0, dst));
  const chunk = out.slice(s, Math.min(out.length, s + len));
  out.set(chunk.subarray(0, Math.min(chunk.length, out.length - d)), d);
  return { bytes: out, description: `copy ${chunk.length} bytes from ${s} to ${d}` };
}

function insertDelete(rng: Rng, bytes: Uint8Array): ByteMutation {
  const p = rng.below(bytes.length);
  const n = rng.pick([1, 2, 3, 4, 8, 16]);
  if (rng.chance(0.5)) {
    const out = new Uint8Array(bytes.length + n);
    out.set(bytes.subarray(0, p));
    for (let i = 0; i < n; i++) out[p + i] = rng.int(0, 255);
    out.set(bytes.subarray(p), p + n);
    return { bytes: out, description: `insert ${n} byte(s) at ${p}` };
  }
  const d = Math.min(p, Math.max(0, bytes.length - n));
  const out = new Uint8Array(Math.max(0, bytes.length - n));
  out.set(bytes.subarray(0, d));
  out.set(bytes.subarray(d + n), d);
  return { bytes: out, description: `delete ${n} byte(s) at ${d}` };
}

function appendGarbage(rng: Rng, bytes: Uint8Array): ByteMutation {
  const n = rng.pick([1, 3, 16, 4096]);
  const out = new Uint8Array(bytes.length + n);
  out.set(bytes);
  for (let i = bytes.length; i < out.length; i++) out[i] = rng.int(0, 255);
  return { bytes: out, description: `append ${n} random byte(s)` };
}

/** One byte-level mutation, chosen by weight. */
export function mutateTfliteBytes(rng: Rng, bytes: Uint8Array, map: TfliteMap): ByteMutation {
  if (bytes.length < 8) return appendGarbage(rng, bytes);
  const which = rng.weighted<string>([[50, "site"], [8, "flip"], [8, "overwrite"], [5, "truncate"], [8, "length"], [5, "copy"], [3, "indel"], [1, "append"]]);
  switch (which) {
    case "site": return mutateSite(rng, bytes, map);
    case "flip": return bitFlip(rng, bytes);
    case "overwrite": return overwrite(rng, bytes, map);
    case "truncate": return truncate(rng, bytes, map);
    case "length": return vectorLength(rng, bytes, map);
    case "copy": return copyChunk(rng, bytes, map);
    case "indel": return insertDelete(rng, bytes);
    default: return appendGarbage(rng, bytes);
  }
}
