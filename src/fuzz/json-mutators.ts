/**
 * Mutations of architecture JSON documents: structure-aware ones on the parsed value (delete, duplicate or
 * retype a field, extreme numbers, bad or cyclic layer references, new layers of every type, giant arrays,
 * very deep nesting) and text-level ones on the serialised bytes (truncation, invalid UTF-8, byte-order
 * marks, stray bytes, duplicate keys). Deep nesting is spliced in as text: building it as a value and
 * serialising it would overflow the fuzzer's own stack.
 */
import type { Rng } from "./rng.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Container = Json[] | { [k: string]: Json };

interface PathRef {
  parent: Container;
  key: string | number;
  path: string;
}

/** Every place in the document a value sits (the root excluded). */
function collectPaths(doc: Json): PathRef[] {
  const out: PathRef[] = [];
  const stack: [Json, string][] = [[doc, ""]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        out.push({ parent: v, key: i, path: `${path}/${i}` });
        stack.push([x, `${path}/${i}`]);
      });
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        out.push({ parent: v, key: k, path: `${path}/${k}` });
        stack.push([x, `${path}/${k}`]);
      }
    }
  }
  return out;
}

function get(r: PathRef): Json {
  return (r.parent as Record<string | number, Json>)[r.key]!;
}
function set(r: PathRef, v: Json): void {
  (r.parent as Record<string | number, Json>)[r.key] = v;
}

const WRONG_VALUES: Json[] = [
  null, true, false, "", "12", "1e3", "NaN", "Infinity", "-1", "relu", [], [1], [[]], {}, { a: 1 }, 0, -0, 1, -1, 2, 0.5, 1.5, -2.5,
  1e308, -1e308, 5e-324, 1e-7, 2147483647, 2147483648, -2147483648, -2147483649, 4294967296, 9007199254740993, 65536, 16777217,
  1e20, 33554432,
];

function numberNear(rng: Rng, v: number): number {
  return rng.pick([v + 1, v - 1, v * 2, v * 1000, -v, 0, v + 0.5, v * 65536, v * 1e6, 2 ** 31 - 1, 2 ** 31, 2 ** 24 + 1]);
}

/** Layer templates of every type (inserted at random places; names unique per case). */
function layerTemplate(rng: Rng, name: string, earlier: string[]): Json {
  const ref = (): string => (earlier.length ? rng.pick(earlier) : "input");
  const q: { [k: string]: Json } = rng.chance(0.3) ? { quantization: { scale: rng.pick([0.05, 1e-9, 1e9, 0.00390625]), zeroPoint: rng.int(-128, 127) } } : {};
  switch (rng.int(0, 13)) {
    case 0: return { name, type: "conv2d", filters: rng.pick([1, 3, 8, 1000]), kernel: rng.pick([1, 3, [1, 5], [7, 1]]), stride: rng.pick([1, 2, 3]), padding: rng.pick(["same", "valid"]), ...q };
    case 1: return { name, type: "depthwise_conv2d", kernel: rng.pick([3, 5]), depthMultiplier: rng.pick([1, 2, 4]), dilation: rng.pick([1, 2]), ...q };
    case 2: return { name, type: "fully_connected", units: rng.pick([1, 10, 4096]), keepNumDims: rng.chance(0.3), ...q };
    case 3: return { name, type: rng.pick(["avgpool", "maxpool"]), kernel: rng.pick(["global", 2, 3, [2, 1]]), stride: rng.pick([1, 2]), padding: rng.pick(["same", "valid"]) };
    case 4: return { name, type: rng.pick(["add", "mul"]), inputs: [ref(), ref()], ...q };
    case 5: return { name, type: "reshape", shape: rng.pick([[1, -1], [-1], [1, 1, 1, -1], [2, -1], [-1, -1]]) };
    case 6: return { name, type: "softmax", beta: rng.pick([1, 0.5, 1e-6, 1e6]) };
    case 7: return { name, type: "pad", paddings: rng.pick([[[0, 0], [1, 1], [1, 1], [0, 0]], [[0, 0], [100000, 0], [0, 0], [0, 0]], [[1, 1]]]) };
    case 8: return { name, type: "mean", axes: rng.pick([[1, 2], [-1], [0], [3, 3], [7]]), keepDims: rng.chance(0.5), ...q };
    case 9: return { name, type: "concat", inputs: [ref(), ref()], axis: rng.pick([-1, 0, 1, 2, 3]), ...q };
    case 10: return { name, type: "quantize", ...q };
    case 11: return { name, type: "dequantize" };
    case 12: {
      const n = rng.pick([1, 4, 9, 36]);
      return { name, type: "conv2d", filters: rng.pick([1, 4]), kernel: rng.pick([1, 3]), weights: { filter: Array.from({ length: n }, (_, i) => (i * 17) % 255 - 127), filterScale: rng.pick([0.01, [0.01, 0.02], 0]), ...(rng.chance(0.5) ? { bias: [2147483647, -2147483648] } : {}) } };
    }
    default: return { name, type: "fully_connected", units: 2, weights: { filter: Array.from({ length: rng.pick([2, 8, 20]) }, () => rng.int(-127, 127)), filterScale: 0.05 } };
  }
}

function layerNames(doc: Json): string[] {
  const layers = (doc as { layers?: unknown }).layers;
  if (!Array.isArray(layers)) return [];
  return layers.map((l) => (l && typeof l === "object" && typeof (l as { name?: unknown }).name === "string" ? (l as { name: string }).name : "")).filter((n) => n);
}

/** Placeholders replaced after serialisation by text that cannot be built as a value. */
const DEEP = "\u0000fuzz-deep\u0000";

export interface JsonMutation {
  bytes: Uint8Array;
  description: string[];
}

/** Structural mutations of the parsed document (in place). Returns descriptions. */
function mutateValue(rng: Rng, doc: Json, text: { deep: number }): string {
  const paths = collectPaths(doc);
  const which = rng.weighted<string>([
    [8, "delete"], [4, "duplicate"], [14, "wrong-type"], [12, "number"], [6, "refs"], [6, "insert-layer"], [3, "swap-layers"],
    [2, "giant"], [2, "deep"], [2, "unknown-key"], [2, "huge-string"], [2, "outputs"], [1, "weights"],
  ]);
  const layers = (doc as { layers?: Json[] }).layers;
  switch (which) {
    case "delete": {
      const r = rng.pick(paths);
      if (Array.isArray(r.parent)) r.parent.splice(r.key as number, 1);
      else delete r.parent[r.key as string];
      return `delete ${r.path}`;
    }
    case "duplicate": {
      const arrays = paths.filter((r) => Array.isArray(r.parent));
      if (!arrays.length) return "duplicate: nothing";
      const r = rng.pick(arrays);
      (r.parent as Json[]).splice((r.key as number) + 1, 0, structuredClone(get(r)));
      return `duplicate ${r.path}`;
    }
    case "wrong-type": {
      const r = rng.pick(paths);
      const v = rng.pick(WRONG_VALUES);
      set(r, structuredClone(v));
      return `set ${r.path} = ${JSON.stringify(v)}`;
    }
    case "number": {
      const nums = paths.filter((r) => typeof get(r) === "number");
      if (!nums.length) return "number: nothing";
      const r = rng.pick(nums);
      const v = numberNear(rng, get(r) as number);
      set(r, v);
      return `set ${r.path} = ${v}`;
    }
    case "refs": {
      if (!Array.isArray(layers) || layers.length === 0) return "refs: no layers";
      const i = rng.below(layers.length);
      const l = layers[i];
      if (!l || typeof l !== "object" || Array.isArray(l)) return "refs: not an object";
      const names = layerNames(doc);
      const own = typeof l.name === "string" ? l.name : "input";
      const later = names.slice(i + 1);
      const v = rng.pick<Json>([[own], later.length ? [rng.pick(later)] : ["nonexistent"], ["nonexistent"], [], ["input", "input"], [own, "input"], ["input"], [""], [null], "input"]);
      l.inputs = v;
      return `set /layers/${i}/inputs = ${JSON.stringify(v)}`;
    }
    case "insert-layer": {
      if (!Array.isArray(layers)) return "insert: no layers";
      const at = rng.int(0, layers.length);
      const names = ["input", ...layerNames(doc).slice(0, at)];
      const layer = layerTemplate(rng, `fz${at}_${rng.int(0, 9999)}`, names);
      layers.splice(at, 0, layer);
      return `insert at /layers/${at}: ${JSON.stringify(layer).slice(0, 200)}`;
    }
    case "swap-layers": {
      if (!Array.isArray(layers) || layers.length < 2) return "swap: too few layers";
      const a = rng.below(layers.length);
      const b = rng.below(layers.length);
      [layers[a], layers[b]] = [layers[b]!, layers[a]!];
      return `swap /layers/${a} and /layers/${b}`;
    }
    case "giant": {
      const r = rng.pick(paths);
      // Numbers past every field's item limit, or layer lists around the operator limit (4096).
      const v: Json = rng.chance(0.5)
        ? new Array<Json>(rng.pick([300, 10_000, 1_100_000])).fill(1)
        : Array.from({ length: rng.pick([2000, 4000, 4097, 20_000]) }, (_, k) => ({ name: `g${k}`, type: "reshape", shape: [1, -1] }));
      set(r, v);
      return `set ${r.path} = array of ${(v as Json[]).length}`;
    }
    case "deep": {
      const r = rng.pick(paths);
      text.deep = rng.pick([65, 1000, 100_000]);
      set(r, DEEP);
      return `set ${r.path} = ${text.deep} nested arrays`;
    }
    case "unknown-key": {
      const objs = paths.filter((r) => { const v = get(r); return v !== null && typeof v === "object" && !Array.isArray(v); });
      const target = objs.length && rng.chance(0.8) ? (get(rng.pick(objs)) as Record<string, Json>) : (doc as Record<string, Json>);
      const key = rng.pick(["__proto__", "constructor", "prototype", "hasOwnProperty", "toString", "extra", "", "$ref", "$schema"]);
      Object.defineProperty(target, key, { value: rng.pick<Json>([{ polluted: true }, 1, "x", null]), enumerable: true, configurable: true, writable: true });
      return `add key ${JSON.stringify(key)}`;
    }
    case "huge-string": {
      const strs = paths.filter((r) => typeof get(r) === "string");
      if (!strs.length) return "huge-string: nothing";
      const r = rng.pick(strs);
      set(r, rng.pick(["x".repeat(1 << 20), "\u202e\u0000\ud800", "*/ #include <stdio.h> /*", "</script><script>alert(1)</script>"]));
      return `set ${r.path} = hostile string`;
    }
    case "outputs": {
      const names = layerNames(doc);
      const v = rng.pick<Json>([[], ["nonexistent"], ["input"], names.length ? [names[0]!, names[0]!] : ["x"], names.slice(0, 3), "x"]);
      (doc as Record<string, Json>).outputs = v;
      return `set /outputs = ${JSON.stringify(v)}`;
    }
    default: {
      const v = rng.pick<Json>([{ generate: { seed: 4294967295 } }, { generate: { seed: -1 } }, { generate: {} }, { generate: { seed: 1.5 } }, null]);
      (doc as Record<string, Json>).weights = v;
      return `set /weights = ${JSON.stringify(v)}`;
    }
  }
}

function serialise(doc: Json, deep: number): string {
  const s = JSON.stringify(doc, null, 1);
  if (!deep) return s;
  const nested = "[".repeat(deep) + "]".repeat(deep);
  return s.split(JSON.stringify(DEEP)).join(nested);
}

/** Text/byte-level mutations of the serialised document. */
function mutateBytes(rng: Rng, bytes: Uint8Array): { bytes: Uint8Array; description: string } {
  const which = rng.weighted<string>([[5, "truncate"], [4, "flip"], [4, "invalid-utf8"], [2, "bom"], [2, "dup-key"], [2, "garbage"], [1, "utf16"]]);
  const p = rng.below(Math.max(1, bytes.length));
  const splice = (at: number, insert: number[], remove = 0): Uint8Array => {
    const out = new Uint8Array(bytes.length + insert.length - remove);
    out.set(bytes.subarray(0, at));
    out.set(insert, at);
    out.set(bytes.subarray(at + remove), at + insert.length);
    return out;
  };
  switch (which) {
    case "truncate": return { bytes: bytes.slice(0, p), description: `truncate to ${p} bytes` };
    case "flip": {
      const out = bytes.slice();
      if (out.length) out[p]! ^= 1 << rng.int(0, 7);
      return { bytes: out, description: `flip a bit at ${p}` };
    }
    case "invalid-utf8": {
      const seq = rng.pick([[0xff], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xe2, 0x82]]);
      return { bytes: splice(p, seq), description: `insert bytes ${seq.map((b) => b.toString(16)).join(" ")} at ${p}` };
    }
    case "bom": return { bytes: splice(0, rng.pick([[0xef, 0xbb, 0xbf], [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], [0xef, 0xbb]])), description: "prefix a byte-order mark" };
    case "utf16": {
      const text = new TextDecoder().decode(bytes);
      const out = new Uint8Array(2 + 2 * text.length);
      out[0] = 0xff;
      out[1] = 0xfe;
      for (let i = 0; i < text.length; i++) {
        out[2 + 2 * i] = text.charCodeAt(i) & 0xff;
        out[3 + 2 * i] = text.charCodeAt(i) >> 8;
      }
      return { bytes: out, description: "re-encode as UTF-16LE with BOM" };
    }
    case "dup-key": {
      const text = new TextDecoder().decode(bytes);
      const at = text.indexOf("{", rng.below(Math.max(1, text.length)));
      if (at < 0) return { bytes, description: "dup-key: none" };
      const ins = new TextEncoder().encode(rng.pick(['"name":1,', '"layers":[],', '"type":"conv2d",', '"input":{"shape":[1]},']));
      return { bytes: splice(at + 1, [...ins]), description: `insert a duplicate key after byte ${at}` };
    }
    default: {
      const g = rng.pick(["NaN", "//c\n", ",", "}", "\u0000", " ".repeat(10000), "1e999", "-", "\"\\u12\""]);
      return { bytes: splice(p, [...new TextEncoder().encode(g)]), description: `insert ${JSON.stringify(g.slice(0, 12))} at ${p}` };
    }
  }
}

/** 1–3 mutations of `seed` (a parsed document); most structural, some on the bytes. */
export function mutateJson(rng: Rng, seed: unknown): JsonMutation {
  const doc = structuredClone(seed) as Json;
  const description: string[] = [];
  const text = { deep: 0 };
  const n = rng.weighted<number>([[6, 1], [3, 2], [1, 3]]);
  for (let i = 0; i < n; i++) description.push(mutateValue(rng, doc, text));
  let bytes: Uint8Array = new TextEncoder().encode(serialise(doc, text.deep));
  if (rng.chance(0.2)) {
    const m = mutateBytes(rng, bytes);
    bytes = m.bytes;
    description.push(m.description);
  }
  return { bytes, description };
}
