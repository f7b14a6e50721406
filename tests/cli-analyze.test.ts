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

describe("micronets analyze", () => {
  it("prints per-layer table, totals, arena plan and target fit", async () => {
    const r = await runCli("analyze", PD, "--target", "stm32f746zg");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("MACs            7,157,888");
    expect(r.stdout).toMatch(/SRAM \(arena\)\s+55,296 B/);
    expect(r.stdout).toContain("lower bound 55,296 B");
    expect(r.stdout).toContain("Target stm32f746zg");
    // Every planned tensor appears in the arena table with its offset and lifetime.
    expect(r.stdout).toMatch(/MobilenetV1\/Conv2d_1_pointwise\/Relu6\s+36,864\s+0\s+36,864\s+3–4/);
  });

  it("--json is valid against schemas/report.schema.json and carries the golden figures", async () => {
    const r = await runCli("analyze", "fixtures/models/kws_ref_model.tflite", "--json", "--target", "stm32f446re");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const schema = JSON.parse(readFileSync("schemas/report.schema.json", "utf8"));
    const ajv = new Ajv2020.default({ allErrors: true, strict: true });
    const validate = ajv.compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.totals.macs).toBe(2_656_768);
    expect(report.totals.peakSramBytes).toBe(16_000);
    expect(report.target.name).toBe("stm32f446re");
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
    expect(r.stdout).toContain("### Arena plan");
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
