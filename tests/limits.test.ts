/**
 * Hard limits: sizes that would overflow 32-bit arithmetic, element and byte counts beyond a sane bound,
 * operator/tensor counts beyond what the quadratic planner handles quickly, arenas and flash beyond any
 * microcontroller, shapes against each op's rules. Every case must be a MicronetsError with the exact
 * message, raised before anything of the offending size is allocated. Expected numbers are derived by hand
 * in the comments (limits: 2^24 per dimension, 2^28 elements, 2^30 bytes, 4096 operators, 16384 tensors,
 * 8 MiB of flash and 16 MiB of arena for generated C).
 */
import { readFileSync } from "node:fs";
import { Builder } from "flatbuffers";
import { describe, expect, it } from "vitest";
import { planArena } from "../src/analysis/arena-plan.js";
import { compileModel } from "../src/codegen/compile.js";
import { bestRel } from "../src/codegen/schedule.js";
import { isMicronetsError, type MicronetsError } from "../src/errors.js";
import { loadArchitecture } from "../src/frontends/architecture/index.js";
import { offsetVector } from "../src/frontends/tflite/builder-helpers.js";
import { readTflite } from "../src/frontends/tflite/read-tflite.js";
import { mapTflite } from "../src/fuzz/tflite-sites.js";
import { LIMITS } from "../src/ir/limits.js";
import { checkShape, int32Bytes } from "../src/ir/tensor-data.js";
import type { DType, Graph, Operator, Tensor } from "../src/ir/types.js";
import { validateGraph } from "../src/ir/validate.js";

function error(f: () => unknown): MicronetsError {
  try {
    f();
  } catch (e) {
    if (isMicronetsError(e)) return e;
    throw new Error(`expected a MicronetsError, got ${String((e as Error)?.stack ?? e)}`);
  }
  throw new Error("expected a MicronetsError, but nothing was thrown");
}

interface TSpec {
  name?: string;
  shape: number[];
  dtype?: DType;
  quant?: boolean;
  data?: Uint8Array;
}

function graph(specs: TSpec[], ops: Omit<Operator, "version">[], inputs: number[], outputs: number[]): Graph {
  const tensors: Tensor[] = specs.map((s, id) => ({
    id,
    name: s.name ?? `t${id}`,
    dtype: s.dtype ?? "int8",
    shape: s.shape,
    quant: s.quant === false ? null : { scale: [Math.fround(0.5)], zeroPoint: [0], axis: 0 },
    constant: s.data !== undefined,
    data: s.data ?? null,
    isVariable: false,
  }));
  return { name: "limits", description: "", tensors, operators: ops.map((o) => ({ ...o, version: 1 }) as Operator), inputs, outputs, metadata: [] };
}

describe("the limits themselves", () => {
  it("keep every size an exact integer and every offset within int32", () => {
    // 2^28 elements of the widest dtype (16 bytes) are 2^32 bytes: exact in a double; the byte limit 2^30
    // keeps arena offsets and sizes below 2^31 in generated C.
    expect(LIMITS.maxElements * 16).toBeLessThan(Number.MAX_SAFE_INTEGER);
    expect(LIMITS.maxBytes).toBeLessThan(2 ** 31);
    expect(LIMITS.maxMcuArenaBytes).toBeLessThanOrEqual(LIMITS.maxBytes);
    expect(LIMITS.maxMcuFlashBytes).toBeLessThanOrEqual(LIMITS.maxBytes);
  });
});

describe("checkShape", () => {
  it("refuses a dimension above 2^24", () => {
    const e = error(() => checkShape([1, 16_777_217], "tensor 3"));
    expect(e.kind).toBe("input");
    expect(e.format()).toBe("tensor 3: dimension 1 is 16777217, above the limit of 16777216");
  });

  it("stops multiplying as soon as the element count passes 2^28 (no 32-bit or double overflow)", () => {
    // 16384 · 16384 = 2^28 is allowed; · 2 = 2^29 is not.
    expect(() => checkShape([16384, 16384], "t")).not.toThrow();
    expect(error(() => checkShape([16384, 16384, 2], "t")).message).toBe("shape [16384, 16384, 2] has more than 268435456 elements");
    // 65536 · 65536 = 2^32 would wrap a uint32 product to 0.
    expect(error(() => checkShape([65536, 65536], "t")).message).toBe("shape [65536, 65536] has more than 268435456 elements");
    // Eight dims of 2^24: caught at the second, long before the product leaves exact doubles.
    expect(error(() => checkShape(new Array(8).fill(2 ** 24), "t")).message).toMatch(/^shape \[16777216, .*\] has more than 268435456 elements$/);
  });

  it("refuses non-positive, fractional and NaN dimensions and ranks above 8", () => {
    expect(error(() => checkShape([1, 0], "t")).message).toBe("dimension 1 is 0; dimensions must be positive integers");
    expect(error(() => checkShape([-1], "t")).message).toBe("dimension 0 is -1; dimensions must be positive integers");
    expect(error(() => checkShape([2.5], "t")).message).toBe("dimension 0 is 2.5; dimensions must be positive integers");
    expect(error(() => checkShape([Number.NaN], "t")).message).toBe("dimension 0 is NaN; dimensions must be positive integers");
    expect(error(() => checkShape(new Array(9).fill(1), "t")).message).toBe("rank 9 exceeds the limit of 8");
  });
});

describe(".tflite files declaring huge tensors", () => {
  const seed = new Uint8Array(readFileSync("fixtures/models/hello_world_int8.tflite"));
  // Positions of shape entries from an independent walk of the file; tensor 0 is the input [1, 1] and
  // tensor 7 an activation [1, 16].
  const site = (label: string): number => mapTflite(seed).sites.find((s) => s.label === label)!.pos;
  const patched = (entries: [string, number][]): Uint8Array => {
    const out = seed.slice();
    const dv = new DataView(out.buffer);
    for (const [label, v] of entries) dv.setInt32(site(label), v, true);
    return out;
  };

  it("a dimension of 2^31 − 1 names the file and the tensor", () => {
    const e = error(() => readTflite(patched([["subgraphs[0].tensors[0].shape[1]", 0x7fffffff]]), "hello.tflite"));
    expect(e.format()).toBe("hello.tflite: tensor 0 'serving_default_dense_input:0': dimension 1 is 2147483647, above the limit of 16777216");
  });

  it("dims whose product wraps 32 bits (65536 · 65536 = 2^32)", () => {
    const e = error(() => readTflite(patched([["subgraphs[0].tensors[7].shape[0]", 65536], ["subgraphs[0].tensors[7].shape[1]", 65536]]), "hello.tflite"));
    expect(e.where).toBe("tensor 7 'sequential/dense/MatMul;sequential/dense/Relu;sequential/dense/BiasAdd'");
    expect(e.message).toBe("shape [65536, 65536] has more than 268435456 elements");
  });

  it("negative dimensions", () => {
    const e = error(() => readTflite(patched([["subgraphs[0].tensors[0].shape[0]", -2147483648]]), "hello.tflite"));
    expect(e.message).toBe("dimension 0 is -2147483648; dimensions must be positive integers");
  });
});

describe("tensors beyond the byte limit", () => {
  it("2^28 float64 elements are 2^31 bytes: refused by validation, nothing allocated", () => {
    const g = graph([{ name: "x", shape: [16384, 16384], dtype: "float64", quant: false }], [], [0], [0]);
    const e = error(() => validateGraph(g));
    expect(e.kind).toBe("limit");
    expect(e.format()).toBe("tensor 0 'x': 2147483648 bytes exceeds the limit of 1073741824");
  });
});

describe("operator and tensor counts (the arena planner is quadratic in them)", () => {
  const op: Omit<Operator, "version"> = { type: "QUANTIZE", attrs: {}, inputs: [0], outputs: [1] };

  it("validateGraph: 4097 operators", () => {
    const e = error(() => validateGraph(graph([{ shape: [1] }, { shape: [1] }], new Array(4097).fill(op), [0], [1])));
    expect(e.kind).toBe("limit");
    expect(e.message).toBe("4097 operators exceeds the limit of 4096");
  });

  it("validateGraph: 16385 tensors", () => {
    const e = error(() => validateGraph(graph(Array.from({ length: 16385 }, () => ({ shape: [1] })), [op], [0], [1])));
    expect(e.kind).toBe("limit");
    expect(e.message).toBe("16385 tensors exceeds the limit of 16384");
  });

  /** A .tflite whose `field` vector holds `n` offsets to one shared empty table (a small file). */
  function sharedTables(n: number, field: "operators" | "tensors" | "buffers" | "operator_codes"): Uint8Array {
    const b = new Builder(4 * n + 1024);
    b.startObject(1);
    const empty = b.endObject();
    const vec = offsetVector(b, new Array<number>(n).fill(empty));
    b.startObject(5);
    if (field === "tensors") b.addFieldOffset(0, vec, 0);
    if (field === "operators") b.addFieldOffset(3, vec, 0);
    const sub = b.endObject();
    const subs = offsetVector(b, [sub]);
    b.startObject(7);
    b.addFieldInt32(0, 3, 0);
    if (field === "operator_codes") b.addFieldOffset(1, vec, 0);
    b.addFieldOffset(2, subs, 0);
    if (field === "buffers") b.addFieldOffset(4, vec, 0);
    b.finish(b.endObject(), "TFL3");
    return b.asUint8Array().slice();
  }

  it("the reader counts table vectors before materialising them (one shared offset a million times)", () => {
    // 1,000,000 four-byte offsets: a 4 MB file that would otherwise become a million table objects.
    const cases: [Parameters<typeof sharedTables>[1], string, string][] = [
      ["operators", "model.subgraphs[0].operators", "1000000 operators exceeds the limit of 4096"],
      ["tensors", "model.subgraphs[0].tensors", "1000000 tensors exceeds the limit of 16384"],
      ["operator_codes", "model.operator_codes", "1000000 operator codes exceeds the limit of 4096"],
      // Buffers: one per tensor, one per metadata entry (at most 1024) and the empty sentinel.
      ["buffers", "model.buffers", "1000000 buffers exceeds the limit of 17409"],
    ];
    for (const [field, where, message] of cases) {
      const bytes = sharedTables(1_000_000, field);
      expect(bytes.length).toBeLessThan(4_100_000);
      const e = error(() => readTflite(bytes, "shared.tflite"));
      expect(e.kind, field).toBe("limit");
      expect(e.format()).toBe(`shared.tflite: ${where}: ${message}`);
    }
  });

  it("an architecture with more layers than operators allowed is refused before its layers are checked", () => {
    const doc = { name: "long", input: { shape: [1, 4] }, layers: Array.from({ length: 4097 }, () => ({ type: "reshape", shape: [1, 4] })) };
    const e = error(() => loadArchitecture(doc, { file: "long.json" }));
    expect(e.kind).toBe("limit");
    expect(e.format()).toBe("long.json: /layers: 4097 layers exceed the limit of 4096 operators");
  });
});

describe("the arena planner", () => {
  it("refuses an arena above 2^30 bytes without allocating it", () => {
    // Two 2^28-byte inputs a, b; c = a + b, d = c + a, e = d + b, f = e + a; outputs c, d, e, f. While op 3
    // runs (scope 4) a, c, d, e and f are all live: 5 · 2^28 = 1342177280 bytes.
    const big = [1, 16384, 16384];
    const add = (x: number, y: number, out: number): Omit<Operator, "version"> => ({ type: "ADD", attrs: { activation: "none" }, inputs: [x, y], outputs: [out] });
    const g = validateGraph(graph(Array.from({ length: 6 }, () => ({ shape: big })), [add(0, 1, 2), add(2, 0, 3), add(3, 1, 4), add(4, 0, 5)], [0, 1], [2, 3, 4, 5]));
    const before = process.memoryUsage().arrayBuffers;
    const e = error(() => planArena(g));
    expect(e.kind).toBe("limit");
    expect(e.format()).toBe("arena plan: the arena needs 1342177280 bytes, above the limit of 1073741824");
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });
});

describe("generated C: flash and arena beyond any microcontroller", () => {
  it("constants above 8 MiB are refused before any C is emitted", () => {
    // FULLY_CONNECTED 2049 → 4096: filter 4096 · 2049 = 8392704 bytes, bias 4096 · 4 = 16384 bytes;
    // 8409088 > 8388608.
    const g = validateGraph(graph([
      { shape: [1, 2049] },
      { shape: [4096, 2049], data: new Uint8Array(4096 * 2049) },
      { shape: [4096], dtype: "int32", data: int32Bytes(new Int32Array(4096)) },
      { shape: [1, 4096] },
    ], [{ type: "FULLY_CONNECTED", attrs: { activation: "none", keepNumDims: false }, inputs: [0, 1, 2], outputs: [3] }], [0], [3]));
    const e = error(() => compileModel(g));
    expect(e.kind).toBe("limit");
    expect(e.format()).toBe("model constants: the model's constants need 8409088 bytes of flash, above the limit of 8388608 for generated code (more than any microcontroller's flash)");
  });

  const pool = (h: number): Graph => validateGraph(graph([{ name: "in", shape: [1, h, 4096, 1] }, { name: "out", shape: [1, h, 4096, 1] }], [
    { type: "MAX_POOL_2D", attrs: { padding: "valid", strideH: 1, strideW: 1, filterH: 1, filterW: 1, activation: "none" }, inputs: [0], outputs: [1] },
  ], [0], [1]));

  it("one activation above 16 MiB is refused before any C is emitted", () => {
    // 4097 · 4096 = 16781312 bytes > 16777216.
    const e = error(() => compileModel(pool(4097)));
    expect(e.kind).toBe("limit");
    expect(e.format()).toBe("tensor 0 'in': needs 16781312 bytes of arena, above the limit of 16777216 for generated code (more SRAM than any microcontroller has)");
  });

  it("a planned arena above 16 MiB is refused (two live 10 MiB buffers, no in-place sharing)", () => {
    // 2560 · 4096 = 10485760 bytes each; both live while the pool runs: 20971520.
    const e = error(() => compileModel(pool(2560), { inPlace: false }));
    expect(e.kind).toBe("limit");
    expect(e.format()).toBe("arena plan: the arena needs 20971520 bytes, above the limit of 16777216 for generated code (more SRAM than any microcontroller has)");
    // With in-place sharing the same model fits: the output may lie on the input it replaces.
    expect(compileModel(pool(2560)).arenaBytes).toBe(10485760);
  });
});

describe("shapes and attributes against each op's rules", () => {
  // CONV_2D: input [1, 8, 8, 2], filter [4, 3, 3, 2], bias [4] → output [1, 8, 8, 4] with SAME padding.
  const conv = (attrs: Record<string, unknown>, filterShape = [4, 3, 3, 2], outShape = [1, 8, 8, 4], inShape = [1, 8, 8, 2]): Graph => {
    const n = filterShape.reduce((a, b) => a * b, 1);
    return graph([
      { shape: inShape },
      { shape: filterShape, data: new Uint8Array(n) },
      { shape: [filterShape[0]!], dtype: "int32", data: int32Bytes(new Int32Array(filterShape[0]!)) },
      { name: "out", shape: outShape },
    ], [{ type: "CONV_2D", attrs: { padding: "same", strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, activation: "none", ...attrs }, inputs: [0, 1, 2], outputs: [3] } as Omit<Operator, "version">], [0], [3]);
  };

  it("the base case is valid", () => {
    expect(() => validateGraph(conv({}))).not.toThrow();
  });

  it("each rule names the op and states the rule", () => {
    const cases: [Graph, string][] = [
      [conv({ strideH: 0 }), "op 0 (CONV_2D): height stride is 0; it must be a positive integer"],
      [conv({ dilationW: -1 }), "op 0 (CONV_2D): width dilation is -1; it must be a positive integer"],
      [conv({ strideW: 1.5 }), "op 0 (CONV_2D): width stride is 1.5; it must be a positive integer"],
      [conv({ padding: "valid" }, [4, 3, 3, 2], [1, 1, 1, 4], [1, 2, 2, 2]), "op 0 (CONV_2D): height: a 3-wide window (dilation 1) does not fit an input of 2 with VALID padding"],
      [conv({}, [4, 3, 3, 3]), "op 0 (CONV_2D): input channels 2 are not a multiple of the filter's input channels 3"],
      [conv({}, [4, 3, 3, 2], [1, 8, 8, 5]), "op 0 (CONV_2D): output tensor 3 'out' has shape [1, 8, 8, 5], but the op's inputs give [1, 8, 8, 4]"],
      [conv({ activation: "bogus" }), "op 0 (CONV_2D): unknown fused activation 'bogus'"],
      [conv({ padding: "SAME" }), "op 0 (CONV_2D): unknown padding 'SAME'"],
    ];
    for (const [g, message] of cases) expect(error(() => validateGraph(g)).format()).toBe(message);
  });

  it("a fractional concatenation axis", () => {
    const g = graph([{ shape: [1, 2] }, { shape: [1, 2] }, { shape: [1, 4] }], [{ type: "CONCATENATION", attrs: { axis: 0.5, activation: "none" }, inputs: [0, 1], outputs: [2] }], [0, 1], [2]);
    expect(error(() => validateGraph(g)).format()).toBe("op 0 (CONCATENATION): axis 0.5 is not an integer");
  });
});

describe("architecture JSON: giant arrays cost neither time nor memory", () => {
  const base = (layer: Record<string, unknown>): Record<string, unknown> => ({ name: "a", input: { shape: [1, 4, 4, 2] }, layers: [layer] });

  it("a field that takes one input given 1,000,000", () => {
    const doc = base({ type: "reshape", shape: [1, -1], inputs: new Array(1_000_000).fill("input") });
    const before = process.memoryUsage().heapUsed;
    const e = error(() => loadArchitecture(doc, { file: "a.json" }));
    expect(e.format()).toBe("a.json: /layers/0/inputs: an array of 1000000 items is far longer than this field allows");
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  });

  it("explicit weights: the first bad item of a long filter is named", () => {
    // conv2d 2 filters 1x1 over 2 channels takes 4 values; 300 values are long enough for the item pass.
    const filter = new Array(300).fill(1);
    filter[257] = 128;
    const e = error(() => loadArchitecture(base({ type: "conv2d", filters: 2, kernel: 1, weights: { filter, filterScale: 0.1 } }), { file: "a.json" }));
    expect(e.format()).toBe("a.json: /layers/0/weights/filter/257: must be at most 127 (found 128)");
  });

  it("an object with thousands of unknown properties", () => {
    const layer: Record<string, unknown> = { type: "reshape", shape: [1, -1] };
    for (let i = 0; i < 5000; i++) layer[`x${i}`] = i;
    const e = error(() => loadArchitecture(base(layer), { file: "a.json" }));
    expect(e.format()).toBe("a.json: /layers/0: an object with 5002 properties is far larger than any part of an architecture");
  });
});

describe("per-channel quantization tables", () => {
  it("an architecture layer with more than 2^20 output channels is refused before its tables are built", () => {
    const doc = { name: "wide", input: { shape: [1, 1, 1, 1] }, layers: [{ type: "conv2d", filters: 1_048_577, kernel: 1 }] };
    const before = process.memoryUsage().heapUsed;
    const e = error(() => loadArchitecture(doc, { file: "wide.json" }));
    expect(e.kind).toBe("limit");
    expect(e.format()).toBe("wide.json: /layers/0: 1048577 output channels exceed the limit of 1048576 (per-channel quantization)");
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  });

  it("validateGraph: a tensor with more per-axis scales than the limit", () => {
    const n = 1_048_577;
    const g = graph([{ shape: [n] }, { shape: [n] }], [{ type: "QUANTIZE", attrs: {}, inputs: [0], outputs: [1] }], [0], [1]);
    g.tensors[0]!.quant = { scale: new Array<number>(n).fill(0.5), zeroPoint: new Array<number>(n).fill(0), axis: 0 };
    const e = error(() => validateGraph(g));
    expect(e.kind).toBe("limit");
    expect(e.format()).toBe("tensor 0 't0': 1048577 per-axis scales exceed the limit of 1048576");
  });
});

describe("generated C for large layers (found by fuzzing): compiles promptly or is refused", () => {
  const gen = (doc: Record<string, unknown>): Graph => loadArchitecture({ ...doc, weights: { generate: { seed: 1 } } });
  const timed = <T>(f: () => T): { value: T; ms: number } => {
    const t0 = performance.now();
    const value = f();
    return { value, ms: performance.now() - t0 };
  };

  it("400,000 output channels and a 4,000,000-deep dot product: no call-stack overflow", () => {
    // Both spread one argument per channel / per row word into a call (RangeError past ~100,000).
    const wide = compileModel(gen({ name: "w", input: { shape: [1, 4] }, layers: [{ type: "fully_connected", units: 400_000 }] }));
    expect(wide.files.map((f) => f.name)).toEqual(["net_model.h", "net_model.c"]);
    const deep = compileModel(gen({ name: "d", input: { shape: [1, 4_000_000] }, layers: [{ type: "fully_connected", units: 1 }] }));
    expect(deep.files[1]!.contents).toContain("net_invoke");
  });

  it("a 300x300 SAME convolution: the in-place proof is abandoned instead of walking 8·10^9 taps (33 s)", () => {
    const { value, ms } = timed(() => compileModel(gen({ name: "c", input: { shape: [1, 300, 300, 1] }, layers: [{ type: "conv2d", filters: 2, kernel: [300, 300], padding: "same" }] })));
    // Without the in-place overlap the arena holds input 90000 + output 180000 bytes apart (plus scratch).
    expect(value.arenaBytes).toBeGreaterThanOrEqual(90_000 + 180_000);
    expect(ms).toBeLessThan(15_000);
  });

  it("a depthwise window above 4096 taps is refused by the portable backend (a 1000x1000 window made 100 MB of C)", () => {
    const g = gen({ name: "dw", input: { shape: [1, 100, 100, 1] }, layers: [{ type: "depthwise_conv2d", kernel: [65, 64], padding: "valid" }] });
    const e = error(() => compileModel(g));
    expect(e.kind).toBe("limit");
    expect(e.format()).toBe("op 0 (DEPTHWISE_CONV_2D): a 65x64 depthwise kernel has 4160 taps, above the 4096 the portable backend unrolls");
    // 64x64 is still unrolled; CMSIS-NN calls a library kernel and takes any window.
    expect(() => compileModel(gen({ name: "dw", input: { shape: [1, 100, 100, 1] }, layers: [{ type: "depthwise_conv2d", kernel: [64, 64], padding: "valid" }] }))).not.toThrow();
    expect(() => compileModel(g, { backend: "cmsis-nn" })).not.toThrow();
  });
});

describe("in-place placement search (codegen)", () => {
  it("gives up after a fixed scan budget instead of going quadratic", () => {
    // 1 MiB input and output. Input bytes are last read at time 5, except the last (10); output bytes are
    // first written at 10, except the last (0). A placement is unsafe where an input byte is read at or after
    // the output byte over it is written, so every placement fails only at the last byte of its overlap:
    // rel ≥ 0 at input byte n − 1 (10 ≥ 10), rel < 0 at output byte n − 1 (5 ≥ 0). Trying all 131071
    // placements would compare ~7·10^10 bytes (minutes); the budget stops the search at 64 Mi comparisons.
    const n = 1 << 20;
    const lastRead = new Int32Array(n).fill(5);
    lastRead[n - 1] = 10;
    const writeTime = new Int32Array(n).fill(10);
    writeTime[n - 1] = 0;
    const t0 = performance.now();
    expect(bestRel({ lastRead, writeTime }, n, n, 16)).toBeNull();
    expect(performance.now() - t0).toBeLessThan(20_000);
  });
});
