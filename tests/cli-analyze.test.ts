import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { runCli, runCliProcess } from "./helpers/cli.js";

const PD = "fixtures/models/person_detect.tflite";
const tmp = mkdtempSync(join(tmpdir(), "mn-cli-"));

function tmpFile(name: string, data: Uint8Array | string): string {
  const p = join(tmp, name);
  writeFileSync(p, data);
  return p;
}

/** TFLM's planned ("head") bytes from its golden run. */
const tflmHead = (m: string): number => JSON.parse(readFileSync(`../shared/golden/tflm/${m}.reference.json`, "utf8")).arena.head_nonpersistent_bytes;

describe("micronets analyze", () => {
  it("prints per-layer table, totals, the deployed arena plan beside TFLM's, and target fit", async () => {
    const r = await runCli("analyze", PD, "--target", "stm32f746zg");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("MACs            7,157,888");
    expect(r.stdout).toContain("deployment      portable backend (the C `micronets compile` generates)");
    // 38,832 B: the SRAM share of the linked person_detect firmware (bench:mcu, arm-none-eabi-size, the
    // firmware minus the same program without the model); TFLM planned 55,296 B (its golden head).
    expect(tflmHead("person_detect")).toBe(55_296);
    expect(r.stdout).toMatch(/SRAM \(arena\)\s+38,832 B \(37\.9 KiB\) planned by in-place first-fit \(\d+ layers in place\); lower bound [\d,]+ B; TFLM would plan 55,296 B for the same tensors/);
    expect(r.stdout).toContain("Arena plan for the portable backend (in-place first-fit");
    expect(r.stdout).toContain("SRAM    38,832 of 307,200 B available");
    expect(r.stdout).toContain("Target stm32f746zg");
    // In-place layers are named in the arena table (op 1, a same-shape depthwise, writes over its input).
    expect(r.stdout).toMatch(/op 1 writes over tensor \d+ at \+0/);
  });

  it("--backend tflm reproduces TFLM's plan: sizes, offsets and lifetimes of every buffer", async () => {
    const r = await runCli("analyze", PD, "--target", "stm32f746zg", "--backend", "tflm");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SRAM \(arena\)\s+55,296 B/);
    expect(r.stdout).toContain("lower bound 55,296 B; TFLM's own plan");
    expect(r.stdout).toContain("deployment      TFLite Micro (its own arena plan; CMSIS-NN code-size model)");
    // Every planned tensor appears in the arena table with its offset and lifetime.
    expect(r.stdout).toMatch(/MobilenetV1\/Conv2d_1_pointwise\/Relu6\s+36,864\s+0\s+36,864\s+3–4/);
    for (const m of ["kws_ref_model", "person_detect", "ad01_int8", "hello_world_int8"]) {
      const json = JSON.parse((await runCli("analyze", `fixtures/models/${m}.tflite`, "--json", "--backend", "tflm")).stdout);
      const golden = JSON.parse(readFileSync(`../shared/golden/tflm/${m}.reference.json`, "utf8")) as { memory_plan: { size: number; offset: number; first_use: number; last_use: number }[] };
      expect(json.arena.buffers.map((b: { size: number; offset: number; firstUse: number; lastUse: number }) => [b.size, b.offset, b.firstUse, b.lastUse])).toEqual(
        golden.memory_plan.map((b) => [b.size, b.offset, b.first_use, b.last_use]),
      );
      expect(json.totals.peakSramBytes).toBe(tflmHead(m));
      expect(json.deployment).toMatchObject({ backend: "tflm", arenaBytes: tflmHead(m), tflmArenaBytes: tflmHead(m), flashModel: "cmsis-nn", inPlaceLayers: 0, scratchBytes: 0 });
    }
  });

  it("--json is valid against schemas/report.schema.json and carries the deployment's and TFLM's figures", async () => {
    const r = await runCli("analyze", "fixtures/models/kws_ref_model.tflite", "--json", "--target", "stm32f446re");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const schema = JSON.parse(readFileSync("schemas/report.schema.json", "utf8"));
    const ajv = new Ajv2020.default({ allErrors: true, strict: true });
    const validate = ajv.compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.totals.macs).toBe(2_656_768);
    // 8,384 B: the kws firmware's measured SRAM share (bench:mcu); TFLM planned 16,000 B (golden head).
    expect(report.totals.peakSramBytes).toBe(8_384);
    expect(report.deployment).toMatchObject({ backend: "portable", arenaBytes: 8_384, flashModel: "portable", tflmArenaBytes: tflmHead("kws_ref_model") });
    expect(report.target.fit.sram.used).toBe(8_384);
    expect(report.target.fit.flash.used).toBe(report.deployment.flashBytes);
    expect(report.target.name).toBe("stm32f446re");
    // The other backends validate too.
    for (const backend of ["cmsis-nn", "tflm"]) {
      const other = JSON.parse((await runCli("analyze", "fixtures/models/kws_ref_model.tflite", "--json", "--backend", backend)).stdout);
      expect(validate(other), JSON.stringify(validate.errors)).toBe(true);
      expect(other.deployment.backend).toBe(backend);
    }
  });

  it("--backend cmsis-nn: TFLM's placement with CMSIS-NN's scratch buffers for the target's core", async () => {
    // kws's first layer is a 10×4 convolution on one channel (arm_convolve_s8 with DSP): 2 columns of
    // aligned4(10·4·1) int16 = 160 B of scratch (int8-and-tflite-spec.md §5.3); on a pure-C core as well.
    const m4 = JSON.parse((await runCli("analyze", "fixtures/models/kws_ref_model.tflite", "--json", "--backend", "cmsis-nn", "--target", "stm32f446re")).stdout);
    const scratch = m4.arena.buffers.filter((b: { kind: string }) => b.kind === "scratch");
    expect(scratch[0]).toMatchObject({ size: 160, firstUse: 1, lastUse: 1 });
    expect(m4.deployment).toMatchObject({ backend: "cmsis-nn", flashModel: "cmsis-nn", tflmArenaBytes: tflmHead("kws_ref_model") });
    expect(m4.deployment.scratchBytes).toBe(scratch.reduce((s: number, b: { size: number }) => s + b.size, 0));
    expect(m4.totals.peakSramBytes).toBeGreaterThanOrEqual(tflmHead("kws_ref_model"));
  });

  it("an unknown --backend is a usage error", async () => {
    const r = await runCli("analyze", PD, "--backend", "tvm");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown backend 'tvm' (use portable, cmsis-nn, tflm)");
  });

  it("--json without a target is valid too (target null)", async () => {
    const r = await runCli("analyze", "fixtures/models/hello_world_int8.tflite", "--json");
    const report = JSON.parse(r.stdout);
    const ajv = new Ajv2020.default({ strict: true });
    expect(ajv.validate(JSON.parse(readFileSync("schemas/report.schema.json", "utf8")), report)).toBe(true);
    expect(report.target).toBeNull();
    expect(report.totals.macs).toBe(288);
  });

  it("--md prints a markdown summary", async () => {
    const r = await runCli("analyze", "fixtures/models/ad01_int8.tflite", "--md", "--target", "nrf52840");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("| MACs | 264,192 |");
    expect(r.stdout).toContain("| deployment | portable backend (the C `micronets compile` generates) |");
    // 768 B: TFLM's golden head for ad01 (the portable code adds its kernels' column buffers).
    expect(tflmHead("ad01_int8")).toBe(768);
    expect(r.stdout).toContain("| TFLM's plan (same tensors) | 768 B |");
    expect(r.stdout).toContain("### Arena plan (");
  });

  it("-o writes the report file", async () => {
    const out = join(tmp, "r.json");
    const r = await runCli("analyze", PD, "--json", "-o", out);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8")).totals.macs).toBe(7_157_888);
  });
});

describe("bad input exits 2 with one line naming the file and the place", () => {
  const model = new Uint8Array(readFileSync(PD));

  async function expectInputError(args: string[], ...fragments: (string | RegExp)[]): Promise<string> {
    const r = await runCli(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    for (const f of fragments) expect(lines[0]).toMatch(f);
    expect(lines[0]).not.toMatch(/\n\s+at /);
    return lines[0]!;
  }

  it("truncated file", async () => {
    const p = tmpFile("trunc.tflite", model.subarray(0, 1000));
    await expectInputError(["analyze", p], p, /outside the file|extends past the end/);
  });

  it("wrong file identifier", async () => {
    const bad = model.slice();
    bad.set([0x58, 0x58, 0x58, 0x58], 4);
    const p = tmpFile("ident.tflite", bad);
    await expectInputError(["analyze", p], p, "bytes 4-7", "file identifier is 'XXXX', expected 'TFL3'");
  });

  it("out-of-range offset", async () => {
    const bad = model.slice();
    new DataView(bad.buffer).setUint32(0, bad.length + 4096, true); // root table offset past the end
    const p = tmpFile("offset.tflite", bad);
    await expectInputError(["analyze", p], p, /lies outside the file/);
  });

  it("unsupported op", async () => {
    // hello_world's only operator code is FULLY_CONNECTED (9 in both code fields); make it TANH (28).
    const hw = new Uint8Array(readFileSync("fixtures/models/hello_world_int8.tflite"));
    const { readTflite } = await import("../src/frontends/tflite/read-tflite.js");
    const { writeTflite } = await import("../src/frontends/tflite/write-tflite.js");
    const g = readTflite(hw);
    const bytes = writeTflite(g);
    // Find the OperatorCode table: deprecated_builtin_code (int8 9) and builtin_code (int32 9) near each other.
    let patched = 0;
    for (let i = 0; i + 4 <= bytes.length; i++) {
      if (bytes[i] === 9 && bytes[i + 1] === 0 && bytes[i + 2] === 0 && bytes[i + 3] === 0) {
        const copy = bytes.slice();
        copy[i] = 28;
        for (let j = Math.max(0, i - 16); j < i + 16; j++) if (copy[j] === 9 && j !== i) copy[j] = 28;
        try {
          readTflite(copy);
        } catch (e) {
          if (String((e as Error).message).includes("TANH")) {
            const p = tmpFile("tanh.tflite", copy);
            await expectInputError(["analyze", p], p, /op 0 \(TANH\)/, "unsupported operator TANH");
            patched++;
            break;
          }
        }
      }
    }
    expect(patched).toBe(1);
  });

  it("malformed JSON", async () => {
    const p = tmpFile("arch.json", '{ "name": "x",\n  "layers": [ }');
    await expectInputError(["analyze", p], p, /2:\d+/);
  });

  it("missing file", async () => {
    await expectInputError(["analyze", join(tmp, "nope.tflite")], "nope.tflite", "no such file");
  });

  it("unknown target lists the known ones", async () => {
    await expectInputError(["analyze", PD, "--target", "esp32"], "esp32", "stm32f746zg");
  });

  it("unknown option", async () => {
    await expectInputError(["analyze", PD, "--frobnicate"], "frobnicate");
  });

  it("a failed -o leaves no file behind", async () => {
    const out = join(tmp, "never.json");
    const p = tmpFile("trunc2.tflite", model.subarray(0, 64));
    const r = await runCli("analyze", p, "--json", "-o", out);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});

describe("the installed command", () => {
  it("runs as a process with exit codes 0 and 2", () => {
    const ok = runCliProcess(["analyze", PD, "--target", "stm32f746zg"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("7,157,888");
    const bad = runCliProcess(["analyze", "fixtures/models/README.md"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain("fixtures/models/README.md");
  });
});

describe("latency family", () => {
  it("follows the architecture's searchSpace hint unless --family is given", async () => {
    const vww = JSON.parse((await runCli("analyze", "fixtures/architectures/micronet-vww-4.json", "--json", "--target", "stm32f746zg")).stdout);
    expect(vww.target.latencyModel.family).toBe("vww");
    const forced = JSON.parse((await runCli("analyze", "fixtures/architectures/micronet-vww-4.json", "--json", "--target", "stm32f746zg", "--family", "kws")).stdout);
    expect(forced.target.latencyModel.family).toBe("kws");
    const tflite = JSON.parse((await runCli("analyze", PD, "--json", "--target", "stm32f746zg")).stdout);
    expect(tflite.target.latencyModel.family).toBe("kws"); // the target's default: .tflite carries no hint
  });
});
