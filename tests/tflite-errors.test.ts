/**
 * The reader on bad input: every failure is a MicronetsError whose one-line message names the file and the
 * place (byte, field path, op), never a raw exception, a hang or a huge allocation. Inputs are real models
 * cut short or patched at exact byte positions (found with an independent raw walker), hand-made junk,
 * a crafted file whose offsets share one large vector, and a seeded random corruption loop.
 */
import { readFileSync } from "node:fs";
import { Builder } from "flatbuffers";
import { describe, expect, it } from "vitest";
import { isMicronetsError, type MicronetsError } from "../src/errors.js";
import { alignedByteVector, int32Vector, offsetVector } from "../src/frontends/tflite/builder-helpers.js";
import { readTflite } from "../src/frontends/tflite/read-tflite.js";
import { writeTflite } from "../src/frontends/tflite/write-tflite.js";
import { bufferDataRanges, MODEL, RawFlatBuffer } from "./helpers/raw-flatbuffer.js";

const MODELS = ["kws_ref_model", "person_detect", "ad01_int8", "hello_world_int8"];
const load = (m: string): Uint8Array => new Uint8Array(readFileSync(`fixtures/models/${m}.tflite`));
// Slots from the spec (§1.2), independent of the code under test.
const SUBGRAPH_TENSORS = 0;
const SUBGRAPH_OPERATORS = 3;
const TENSOR_NAME = 3;
const OPERATOR_OPCODE_INDEX = 0;
const OPCODE_DEPRECATED = 0;
const OPCODE_BUILTIN = 3;

/** Reads `bytes` expecting a MicronetsError; returns it (fails the test on success or on any other error). */
function readError(bytes: Uint8Array, file = "model.tflite"): MicronetsError {
  let err: unknown;
  try {
    readTflite(bytes, file);
  } catch (e) {
    err = e;
  }
  if (err === undefined) throw new Error("expected the read to fail, but it gave a graph");
  if (!isMicronetsError(err)) throw new Error(`expected a MicronetsError, got ${String((err as Error)?.stack ?? err)}`);
  // One line naming the file and a place.
  expect(err.file).toBe(file);
  expect(err.where, err.format()).toBeTruthy();
  expect(err.format()).not.toMatch(/\n/);
  expect(err.format().startsWith(`${file}: ${err.where}: `)).toBe(true);
  return err;
}

function setU32(bytes: Uint8Array, p: number, v: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(p, v >>> 0, true);
  return out;
}

describe("truncated files", () => {
  for (const m of MODELS) {
    it(`${m}: every truncation point gives a MicronetsError`, () => {
      const bytes = load(m);
      const n = bytes.length;
      const points = [0, 1, 4, 7, 8, 12, 16, 64, 256, ...[1, 2, 3, 4, 5, 6, 7].map((k) => Math.floor((n * k) / 8)), n - 16, n - 1];
      for (const p of points) {
        const err = readError(bytes.subarray(0, p), m);
        if (p < 8) expect(err.where).toBe("byte 0");
        else expect(err.message).toMatch(/outside the file|past the end of the file|extends past/);
      }
    });
  }
});

describe("wrong file identifier, schema version, junk", () => {
  it("names bytes 4-7 for a wrong identifier and quotes what it found", () => {
    const bytes = load("hello_world_int8");
    bytes.set(new TextEncoder().encode("TFL2"), 4);
    const err = readError(bytes);
    expect(err.where).toBe("bytes 4-7");
    expect(err.message).toMatch(/'TFL2'.*'TFL3'/);
  });

  it("names model.version for a schema version other than 3", () => {
    const bytes = load("kws_ref_model");
    const fb = new RawFlatBuffer(bytes);
    const p = fb.field(fb.root(), MODEL.version);
    expect(fb.u32(p)).toBe(3);
    const err = readError(setU32(bytes, p, 2));
    expect(err.where).toBe("model.version");
    expect(err.message).toMatch(/version 2/);
  });

  const junk: [string, Uint8Array][] = [
    ["empty input", new Uint8Array(0)],
    ["3 bytes", new Uint8Array([1, 2, 3])],
    ["a text file", new TextEncoder().encode("this is not a model, just some text\n")],
    ["a JSON file", new TextEncoder().encode('{"layers": []}')],
    ["8 zero bytes", new Uint8Array(8)],
    ["a bare header 'TFL3' with root at 0", new Uint8Array([0, 0, 0, 0, 84, 70, 76, 51])],
    ["a header whose root lies past the end", new Uint8Array([0xff, 0xff, 0, 0, 84, 70, 76, 51, 0, 0, 0, 0])],
    ["a header whose vtable lies before the start", new Uint8Array([8, 0, 0, 0, 84, 70, 76, 51, 0x10, 0, 0, 0])],
  ];
  for (const [what, bytes] of junk) {
    it(`rejects ${what}`, () => {
      readError(bytes);
    });
  }
});

describe("out-of-range offsets in real models", () => {
  for (const m of MODELS) {
    it(`${m}: a uoffset patched to point past the end names the field`, () => {
      const bytes = load(m);
      const fb = new RawFlatBuffer(bytes);
      const root = fb.root();
      const n = bytes.length;

      // Model.subgraphs → past the end.
      const subs = fb.field(root, MODEL.subgraphs);
      let err = readError(setU32(bytes, subs, n - subs + 64), m);
      expect(err.where).toBe("model.subgraphs");
      expect(err.message).toMatch(new RegExp(`offset at byte ${subs} points to byte ${n + 64}, outside the file`));

      // An element of Model.buffers → past the end.
      const bufVec = fb.vector(root, MODEL.buffers)!;
      const elem = bufVec.start + 4;
      err = readError(setU32(bytes, elem, 0xfffffff0), m);
      expect(err.where).toBe("model.buffers[1]");

      // The name of tensor 2 → past the end.
      const sub = fb.tables(root, MODEL.subgraphs)[0]!;
      const t2 = fb.tables(sub, SUBGRAPH_TENSORS)[2]!;
      const nameField = fb.field(t2, TENSOR_NAME);
      err = readError(setU32(bytes, nameField, n), m);
      expect(err.where).toBe("model.subgraphs[0].tensors[2].name");

      // A vector length far beyond the file (the operators vector claims 2^30 entries).
      const ops = fb.vector(sub, SUBGRAPH_OPERATORS)!;
      err = readError(setU32(bytes, ops.at, 2 ** 30), m);
      expect(err.where).toBe("model.subgraphs[0].operators");
      expect(err.message).toMatch(/1073741824 elements extends past the end/);

      // The root offset itself.
      err = readError(setU32(bytes, 0, n + 4), m);
      expect(err.where).toBe("model");
    });
  }
});

describe("unsupported operators", () => {
  /** Patches the operator code used by the first op whose code has a deprecated_builtin_code field. */
  function patchOpCode(bytes: Uint8Array, deprecated: number, builtin: number): { bytes: Uint8Array; op: number } {
    const fb = new RawFlatBuffer(bytes);
    const root = fb.root();
    const codes = fb.tables(root, MODEL.operatorCodes);
    const ops = fb.tables(fb.tables(root, MODEL.subgraphs)[0]!, SUBGRAPH_OPERATORS);
    const out = bytes.slice();
    for (let i = 0; i < ops.length; i++) {
      const f = fb.field(ops[i]!, OPERATOR_OPCODE_INDEX);
      const code = codes[f ? fb.u32(f) : 0]!;
      const dep = fb.field(code, OPCODE_DEPRECATED);
      if (!dep) continue;
      out[dep] = deprecated & 0xff;
      const b = fb.field(code, OPCODE_BUILTIN);
      if (b) new DataView(out.buffer).setInt32(b, builtin, true);
      return { bytes: out, op: i };
    }
    throw new Error("no operator code with a deprecated_builtin_code field");
  }

  for (const m of MODELS) {
    it(`${m}: an operator code changed to TANH (28) is named with its op index`, () => {
      const { bytes, op } = patchOpCode(load(m), 28, 28);
      const err = readError(bytes, m);
      expect(err.where).toBe(`op ${op} (TANH)`);
      expect(err.message).toMatch(/^unsupported operator TANH \(builtin code 28\)/);
    });
  }

  it("a written model whose code is GELU (150, deprecated field 127) is resolved by max() and refused", () => {
    const written = writeTflite(readTflite(load("hello_world_int8")));
    const { bytes, op } = patchOpCode(written, 127, 150);
    const err = readError(bytes);
    expect(err.where).toBe(`op ${op} (GELU)`);
    expect(err.message).toMatch(/builtin code 150/);
  });

  it("the CUSTOM code (32) is refused and named", () => {
    const { bytes } = patchOpCode(load("hello_world_int8"), 32, 32);
    expect(readError(bytes).message).toMatch(/CUSTOM \(builtin code 32\)/);
  });
});

describe("crafted sharing", () => {
  it("a small file whose tensors all share one 1 MiB buffer is refused before it is copied a thousand times", () => {
    // 1000 entries of the tensors vector point at the same tensor table, which points at a 1 MiB buffer: a
    // reader that copies per reference would materialise 1 GB from a ~1 MB file.
    const b = new Builder(1 << 21);
    const data = alignedByteVector(b, new Uint8Array(1 << 20), 16);
    b.startObject(1);
    const empty = b.endObject();
    b.startObject(1);
    b.addFieldOffset(0, data, 0);
    const buf = b.endObject();
    const buffers = offsetVector(b, [empty, buf]);
    const shape = int32Vector(b, [1 << 20]);
    b.startObject(3);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, 9, 0); // INT8
    b.addFieldInt32(2, 1, 0);
    const tensor = b.endObject();
    const tensors = offsetVector(b, new Array<number>(1000).fill(tensor));
    b.startObject(1);
    b.addFieldOffset(0, tensors, 0);
    const sub = b.endObject();
    const subs = offsetVector(b, [sub]);
    b.startObject(5);
    b.addFieldInt32(0, 3, 0);
    b.addFieldOffset(2, subs, 0);
    b.addFieldOffset(4, buffers, 0);
    b.finish(b.endObject(), "TFL3");
    const bytes = b.asUint8Array().slice();
    expect(bytes.length).toBeLessThan(1_100_000);
    const err = readError(bytes);
    expect(err.where).toBe("model.buffers[1].data");
    expect(err.message).toMatch(/shared or overlap/);
  });
});

/** mulberry32: a small seeded PRNG, so the corruption loop is the same on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("random corruption", () => {
  for (const [k, m] of MODELS.entries()) {
    it(`${m}: 400 seeded corruptions give a graph or a MicronetsError, nothing else`, () => {
      const rnd = prng(0x5eed + k);
      const orig = load(m);
      let errors = 0;
      // Corrupt both the converter's file and ours (different layouts).
      for (const src of [orig, writeTflite(readTflite(orig))]) {
        // Nine in ten positions fall outside the weight payloads, where the structure is.
        const weights = bufferDataRanges(new RawFlatBuffer(src));
        const structural: number[] = [];
        let r = 0;
        for (let p = 0; p < src.length; p++) {
          while (r < weights.length && weights[r]![1] <= p) r++;
          if (!(r < weights.length && weights[r]![0] <= p)) structural.push(p);
        }
        const pos = (): number => (rnd() < 0.9 ? structural[Math.floor(rnd() * structural.length)]! : Math.floor(rnd() * src.length));
        for (let i = 0; i < 200; i++) {
          let b: Uint8Array = src.slice();
          const kind = Math.floor(rnd() * 4);
          if (kind === 0) {
            for (let f = 1 + Math.floor(rnd() * 4); f > 0; f--) {
              const p = pos();
              b[p] = b[p]! ^ (1 << Math.floor(rnd() * 8));
            }
          } else if (kind === 1) {
            b = b.slice(0, Math.floor(rnd() * src.length));
          } else if (kind === 2) {
            const values = [0xffffffff, 0x7fffffff, 0x80000000, b.length, b.length - 4, 0, 1, Math.floor(rnd() * 2 ** 32), Math.floor(rnd() * 256), Math.floor(rnd() * b.length)];
            b = setU32(b, Math.min(pos(), b.length - 4), values[Math.floor(rnd() * values.length)]!);
          } else {
            new DataView(b.buffer).setUint16(Math.min(pos(), b.length - 2), Math.floor(rnd() * (rnd() < 0.5 ? 64 : 65536)), true);
          }
          try {
            readTflite(b, m);
          } catch (e) {
            if (!isMicronetsError(e)) throw new Error(`corruption ${i} (kind ${kind}) of ${m} raised ${String((e as Error)?.stack ?? e)}`);
            expect(e.format()).not.toMatch(/\n/);
            errors++;
          }
        }
      }
      // The loop must actually exercise the error paths.
      expect(errors).toBeGreaterThan(100);
    });
  }
});
