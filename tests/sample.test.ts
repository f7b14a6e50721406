/**
 * The search-space sampler: determinism, the spaces as micronets-paper.md describes them (the paper's KWS
 * models are points of the KWS space), the fast lowering against the architecture frontend, written JSONs
 * that validate and analyse to the CSV's figures, and CLI errors.
 */
import { mkdtempSync, readdirSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { analyzeGraph } from "../src/analysis/analyze.js";
import { buildGraph } from "../src/frontends/architecture/build-graph.js";
import { loadArchitecture } from "../src/frontends/architecture/index.js";
import type { ArchitectureDoc } from "../src/frontends/architecture/types.js";
import { lowerSampledDoc } from "../src/search-space/lower.js";
import { measureGraph, sampleArchitectures, sampleOne } from "../src/search-space/sampler.js";
import { KWS_SPACE, VWW_BLOCKS } from "../src/search-space/spaces.js";
import { drawSpec, specToDoc, type KwsSpec, type VwwSpec } from "../src/search-space/spec.js";
import { runCli } from "./helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "mn-sample-"));
const schema = JSON.parse(readFileSync("schemas/architecture.schema.json", "utf8"));
const validateDoc = new Ajv2020.default({ strict: true, strictTuples: false }).compile(schema);

const fixture = (f: string): ArchitectureDoc => JSON.parse(readFileSync(`fixtures/architectures/${f}`, "utf8"));
const noComments = (layers: object[]): object[] => layers.map((l) => Object.fromEntries(Object.entries(l).filter(([k]) => k !== "comment")));

describe("search spaces", () => {
  it("MicroNet-KWS-S/M/L (Table 5) are points of the KWS space, layer for layer", () => {
    const models: [string, number, number[]][] = [
      ["micronet-kws-s.json", 84, [112, 84, 84, 84, 196]],
      ["micronet-kws-m.json", 140, [140, 140, 140, 112, 196]],
      ["micronet-kws-l.json", 276, [248, 276, 276, 248, 248, 248, 248]],
    ];
    for (const [file, first, blocks] of models) {
      for (const w of [first, ...blocks]) expect(KWS_SPACE.widths).toContain(w);
      expect(blocks.length).toBeLessThanOrEqual(KWS_SPACE.maxBlocks);
      const doc = specToDoc({ space: "kws", first, blocks }, { name: "x", seed: 0, index: 0 });
      expect(doc.layers, file).toEqual(noComments(fixture(file).layers));
      expect(doc.input.shape).toEqual(fixture(file).input.shape);
    }
  });

  it("KWS decisions: widths from the ten candidates (multiples of 4), 1–7 blocks, each about uniformly", () => {
    const widthCount = new Map<number, number>();
    const blockCount = new Map<number, number>();
    const N = 3000;
    for (let i = 0; i < N; i++) {
      const s = drawSpec("kws", 11, i) as KwsSpec;
      blockCount.set(s.blocks.length, (blockCount.get(s.blocks.length) ?? 0) + 1);
      for (const w of [s.first, ...s.blocks]) {
        expect(w % 4).toBe(0);
        widthCount.set(w, (widthCount.get(w) ?? 0) + 1);
      }
    }
    expect([...widthCount.keys()].sort((a, b) => a - b)).toEqual([...KWS_SPACE.widths]);
    expect([...blockCount.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const total = [...widthCount.values()].reduce((a, b) => a + b, 0);
    for (const c of widthCount.values()) expect(Math.abs(c / total - 0.1)).toBeLessThan(0.02);
    for (const c of blockCount.values()) expect(Math.abs(c / N - 1 / 7)).toBeLessThan(0.03);
  });

  it("VWW decisions: 50×50 or 128×128, widths 10–100 % of MobileNetV2's, identity only where shapes allow", () => {
    const res = new Set<number>();
    let dropped = 0;
    for (let i = 0; i < 1000; i++) {
      const s = drawSpec("vww", 5, i) as VwwSpec;
      res.add(s.resolution);
      expect(s.stem).toBeGreaterThanOrEqual(Math.round(3.2));
      expect(s.stem).toBeLessThanOrEqual(32);
      expect(s.head % 128).toBe(0); // 10 % steps of 1280
      s.expansions.forEach((e, b) => {
        const ref = VWW_BLOCKS[b]!;
        if (e === null) {
          expect(ref.residual, `block ${b + 1} dropped`).toBe(true);
          dropped++;
        } else {
          expect(e).toBeGreaterThanOrEqual(Math.max(1, Math.round(ref.refExpansion * 0.1)));
          expect(e).toBeLessThanOrEqual(ref.refExpansion);
        }
      });
    }
    expect([...res].sort((a, b) => a - b)).toEqual([50, 128]);
    // 10 droppable blocks × 1000 samples × 1/11.
    expect(Math.abs(dropped / 10_000 - 1 / 11)).toBeLessThan(0.015);
    // MobileNetV2's strides: blocks 2, 4, 7, 14; residual ADD in 3, 5, 6, 8, 9, 10, 12, 13, 15, 16.
    expect(VWW_BLOCKS.map((b, i) => (b.stride === 2 ? i + 1 : 0)).filter((x) => x)).toEqual([2, 4, 7, 14]);
    expect(VWW_BLOCKS.map((b, i) => (b.residual ? i + 1 : 0)).filter((x) => x)).toEqual([3, 5, 6, 8, 9, 10, 12, 13, 15, 16]);
  });

  it("final feature maps are 2×2 (50×50) and 4×4 (128×128), as in MicroNet-VWW-2 and -3/-4", async () => {
    for (let i = 0; i < 20; i++) {
      const s = sampleOne("vww", 9, i);
      const pool = s.doc.layers.find((l) => l.name === "avgpool")!;
      expect((pool as { kernel: number[] }).kernel).toEqual((s.spec as VwwSpec).resolution === 50 ? [2, 2] : [4, 4]);
    }
  });

  it("is deterministic: same seed → same samples; sample i does not depend on n; other seeds differ", () => {
    const a = [...sampleArchitectures({ space: "vww", n: 5, seed: 42 })];
    const b = [...sampleArchitectures({ space: "vww", n: 3, seed: 42, first: 2 })];
    expect(b.map((s) => s.doc)).toEqual(a.slice(2).map((s) => s.doc));
    expect(b.map((s) => s.metrics)).toEqual(a.slice(2).map((s) => s.metrics));
    const c = [...sampleArchitectures({ space: "vww", n: 5, seed: 43 })];
    expect(c.map((s) => s.spec)).not.toEqual(a.map((s) => s.spec));
    // KWS and VWW streams are independent even for the same seed and index.
    expect(drawSpec("kws", 1, 0)).toEqual(drawSpec("kws", 1, 0));
  });
});

describe("fast lowering and figures", () => {
  it("lowers to exactly the architecture frontend's graph structure (tensors, operators, order)", () => {
    for (const space of ["kws", "vww"] as const) {
      for (let i = 0; i < 25; i++) {
        const { doc } = sampleOne(space, 3, i);
        const fast = lowerSampledDoc(doc);
        const ref = buildGraph(doc).graph;
        expect(fast.tensors.map((t) => [t.name, t.dtype, t.shape, t.constant, t.data])).toEqual(ref.tensors.map((t) => [t.name, t.dtype, t.shape, t.constant, t.data]));
        expect(fast.operators).toEqual(ref.operators);
        expect([fast.inputs, fast.outputs, fast.name, fast.description]).toEqual([ref.inputs, ref.outputs, ref.name, ref.description]);
      }
    }
  });

  it("every sampled JSON is schema-valid and the full frontend + analyzeGraph give the sampler's figures", () => {
    for (const space of ["kws", "vww"] as const) {
      for (const s of sampleArchitectures({ space, n: 30, seed: 2024 })) {
        const json = JSON.parse(JSON.stringify(s.doc));
        expect(validateDoc(json), JSON.stringify(validateDoc.errors)).toBe(true);
        const a = analyzeGraph(loadArchitecture(json, { weights: "none" }));
        expect(s.metrics).toEqual({ ops: a.totals.ops, macs: a.totals.macs, params: a.totals.params, sramBytes: a.totals.peakSramBytes, flashBytes: a.totals.flashBytes, operators: a.model.operators });
      }
    }
  });

  it("measureGraph equals analyzeGraph on the paper fixtures too", () => {
    for (const f of readdirSync("fixtures/architectures").filter((x) => x.endsWith(".json"))) {
      const g = loadArchitecture(readFileSync(`fixtures/architectures/${f}`, "utf8"), { weights: "none" });
      const a = analyzeGraph(g);
      expect(measureGraph(g), f).toEqual({ ops: a.totals.ops, macs: a.totals.macs, params: a.totals.params, sramBytes: a.totals.peakSramBytes, flashBytes: a.totals.flashBytes, operators: a.model.operators });
    }
  });

  it("hand-derived MACs of a sampled KWS spec", () => {
    const s = sampleOne("kws", 8, 0);
    const spec = s.spec as KwsSpec;
    let macs = 49 * 10 * spec.first * 40;
    let c = spec.first;
    for (const w of spec.blocks) {
      macs += 125 * c * 9 + 125 * c * w;
      c = w;
    }
    macs += c * 12;
    expect(s.metrics.macs).toBe(macs);
    expect(s.metrics.ops).toBe(2 * macs);
  });
});

describe("micronets sample", () => {
  it("-o writes N architecture JSONs and samples.csv whose rows match `micronets analyze` of each file", async () => {
    const dir = join(tmp, "kws");
    const r = await runCli("sample", "--space", "kws", "--n", "6", "--seed", "3", "-o", dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sampled 6 kws architectures \(seed 3\) into .*: 6 JSON files \+ samples\.csv\n  generation \+ lowering \+ costs \+ arena plan \+ flash: \d+ ms \(\d+ architectures\/s\)/);
    const files = readdirSync(dir).sort();
    expect(files).toEqual([...Array.from({ length: 6 }, (_, i) => `kws-s3-00000${i}.json`), "samples.csv"]);
    const csv = readFileSync(join(dir, "samples.csv"), "utf8").trimEnd().split("\n");
    expect(csv[0]).toBe("index,name,space,resolution,blocks,operators,ops,macs,params,sram_bytes,flash_bytes");
    for (const row of csv.slice(1)) {
      const [index, name, , , , operators, ops, macs, params, sram, flash] = row.split(",");
      const file = join(dir, `${name}.json`);
      expect(validateDoc(JSON.parse(readFileSync(file, "utf8")))).toBe(true);
      // The sampler's figures are TFLM's plan and flash model (the fast path for search).
      const a = await runCli("analyze", file, "--json", "--backend", "tflm");
      const rep = JSON.parse(a.stdout);
      expect([Number(operators), Number(ops), Number(macs), Number(params), Number(sram), Number(flash)], `row ${index}`).toEqual([rep.model.operators, rep.totals.ops, rep.totals.macs, rep.totals.params, rep.totals.peakSramBytes, rep.totals.flashBytes]);
    }
  });

  it("prints the CSV without -o; the same seed prints the same bytes", async () => {
    const a = await runCli("sample", "--space", "vww", "--n", "4", "--seed", "9");
    const b = await runCli("sample", "--space", "vww", "--n", "4", "--seed", "9");
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.trimEnd().split("\n")).toHaveLength(5);
    expect(a.stdout).toMatch(/^0,vww-s9-000000,vww,(50x50|128x128),/m);
  });

  it("a sampled VWW file picks the vww latency family on a target (searchSpace hint)", async () => {
    const dir = join(tmp, "vww");
    expect((await runCli("sample", "--space", "vww", "--n", "1", "--seed", "1", "-o", dir)).code).toBe(0);
    const r = await runCli("check", join(dir, "vww-s1-000000.json"), "--target", "stm32f746zg", "--json");
    expect(JSON.parse(r.stdout).target).toMatchObject({ family: "vww", familyFrom: "model" });
  });

  it("bad options exit 2", async () => {
    for (const [args, msg] of [
      [["--n", "3"], "--space is required"],
      [["--space", "cifar", "--n", "3"], "unknown search space 'cifar'; spaces: kws, vww"],
      [["--space", "kws"], "--n is required"],
      [["--space", "kws", "--n", "0"], "--n must be an integer ≥ 1"],
      [["--space", "kws", "--n", "2.5"], "--n must be an integer"],
      [["--space", "kws", "--n", "2", "--seed=-1"], "--seed must be an integer ≥ 0"],
      [["--space", "kws", "--n", "2", "--seed", "4294967296"], "--seed must be an integer ≥ 0 and ≤ 4294967295"],
      [["--space", "kws", "--n", "2", "extra"], "unexpected argument 'extra'"],
    ] as const) {
      const r = await runCli("sample", ...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(msg);
    }
    // -o never replaces a folder holding other work.
    const r0 = await runCli("sample", "--space", "kws", "--n", "1", "-o", "fixtures");
    expect(r0.code).toBe(2);
    expect(r0.stderr).toContain("fixtures: exists and is not an earlier `micronets sample` output");
    expect(existsSync("fixtures/architectures/micronet-kws-s.json")).toBe(true);
    // An earlier sample output is replaced.
    const again = join(tmp, "again");
    expect((await runCli("sample", "--space", "kws", "--n", "2", "-o", again)).code).toBe(0);
    expect((await runCli("sample", "--space", "kws", "--n", "1", "-o", again)).code).toBe(0);
    expect(readdirSync(again).sort()).toEqual(["kws-s0-000000.json", "samples.csv"]);
    // An output folder that cannot be created is an io error (exit 2), and nothing is left behind.
    const r = await runCli("sample", "--space", "kws", "--n", "1", "-o", "/proc/micronets-sample");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("/proc/micronets-sample: cannot write");
    expect(existsSync("/proc/micronets-sample")).toBe(false);
  });
});
