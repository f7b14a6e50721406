import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { npyBytes } from "../src/io/tensor-files.js";
import { getEngine, registerEngine } from "../src/verify/engines.js";
import { goldenFill } from "../src/verify/inputs.js";
import { runCli } from "./helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "mn-run-"));
const golden = (m: string) => JSON.parse(readFileSync(`../shared/golden/tflm/${m}.reference.json`, "utf8"));

describe("micronets run", () => {
  for (const engine of ["reference", "wasm"]) {
    it(`${engine}: kws_ref_model with the golden fill gives TFLM's output`, async () => {
      const out = join(tmp, `kws-${engine}.npy`);
      const r = await runCli("run", "fixtures/models/kws_ref_model.tflite", "--engine", engine, "-o", out);
      expect(r.code, r.stderr).toBe(0);
      const bytes = readFileSync(out);
      const data = Array.from(new Int8Array(bytes.buffer, bytes.byteOffset + bytes.length - 12, 12));
      expect(data).toEqual(golden("kws_ref_model").outputs[0].data);
    });
  }

  it("reads --input as .npy and raw .bin, and prints outputs with dequantized values", async () => {
    const x = goldenFill(640);
    const npy = join(tmp, "ad.npy");
    writeFileSync(npy, npyBytes(x, [1, 640]));
    const bin = join(tmp, "ad.bin");
    writeFileSync(bin, new Uint8Array(x.buffer));
    const a = await runCli("run", "fixtures/models/ad01_int8.tflite", "--input", npy);
    const b = await runCli("run", "fixtures/models/ad01_int8.tflite", "--input", bin, "--engine", "wasm");
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const values = (s: string) => s.split("\n")[0]!.split(": ")[1]!.split(" … ")[0];
    expect(values(a.stdout)).toBe(values(b.stdout));
    const expected = golden("ad01_int8").outputs[0].data.slice(0, 64).join(" ");
    expect(values(a.stdout)).toBe(expected);
  });

  it("rejects an input file of the wrong size with the file and the input named", async () => {
    const bin = join(tmp, "short.bin");
    writeFileSync(bin, new Uint8Array(10));
    const r = await runCli("run", "fixtures/models/ad01_int8.tflite", "--input", bin);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("short.bin");
    expect(r.stderr).toMatch(/input 0 .* needs 640/);
  });
});

describe("micronets verify", () => {
  it("reports bit-exact engines", async () => {
    const r = await runCli("verify", "fixtures/models/person_detect.tflite");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wasm: bit-exact \(32 tensors, 241,030 bytes; all tensors compared/m);
  });

  it("reports the first mismatch with op, tensor, element and both values, and exits 1", async () => {
    const wasm = getEngine("wasm");
    registerEngine({
      name: "broken",
      description: "the simulator with one element of op 3's output flipped",
      async run(graph, inputs, opts) {
        const r = await wasm.run(graph, inputs, opts);
        const id = graph.operators[3]!.outputs[0]!;
        const t = r.intermediates!.get(id)! as Int8Array;
        t[5] = t[5] === 0 ? 1 : 0;
        return r;
      },
    });
    const r = await runCli("verify", "fixtures/models/kws_ref_model.tflite", "--engines", "wasm,broken");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^wasm: bit-exact/m);
    expect(r.stdout).toMatch(/^broken: MISMATCH at op 3 \(DEPTHWISE_CONV_2D\), tensor 25 '.*', element 5: reference -?\d+, broken -?\d+$/m);
  });
});
