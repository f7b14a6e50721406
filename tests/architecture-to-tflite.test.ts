import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { layerCosts, sumCosts } from "../src/analysis/layer-costs.js";
import { planArena } from "../src/analysis/arena-plan.js";
import { loadArchitecture } from "../src/frontends/architecture/index.js";
import { readTflite } from "../src/frontends/tflite/read-tflite.js";
import { writeTflite } from "../src/frontends/tflite/write-tflite.js";
import { runReference, fillInput } from "../src/reference/interpreter.js";
import { assertGraphsEqual } from "./helpers/graph-equal.js";
import { runCli } from "./helpers/cli.js";

const FIXTURES = readdirSync("fixtures/architectures").filter((f) => f.endsWith(".json"));

describe("architecture JSON → .tflite → IR", () => {
  it("MicroNet-KWS-S becomes a .tflite that reads back to the same IR, runs, and analyses the same", () => {
    const text = readFileSync("fixtures/architectures/micronet-kws-s.json", "utf8");
    const g = loadArchitecture(text, { weights: "generate", seed: 7 });
    const bytes = writeTflite(g);
    expect(String.fromCharCode(...bytes.subarray(4, 8))).toBe("TFL3");
    const back = readTflite(bytes, "kws-s.tflite");
    assertGraphsEqual(back, g);
    expect(sumCosts(layerCosts(back)).macs).toBe(sumCosts(layerCosts(g)).macs);
    expect(planArena(back).total).toBe(planArena(g).total);
    const input = fillInput(49 * 10);
    const a = runReference(g, [input]).outputs[0]!;
    const b = runReference(back, [input]).outputs[0]!;
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  for (const f of FIXTURES) {
    it(`${f}: generated weights survive the round trip`, () => {
      const g = loadArchitecture(readFileSync(`fixtures/architectures/${f}`, "utf8"), { weights: "generate", seed: 1 });
      assertGraphsEqual(readTflite(writeTflite(g)), g);
    });
  }

  it("micronets convert writes the .tflite file", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "mn-conv-")), "kws-m.tflite");
    const r = await runCli("convert", "fixtures/architectures/micronet-kws-m.json", "-o", out, "--seed", "3");
    expect(r.code, r.stderr).toBe(0);
    const g = readTflite(new Uint8Array(readFileSync(out)));
    expect(g.operators.length).toBeGreaterThan(10);
    expect(g.tensors.every((t) => !t.constant || t.data !== null)).toBe(true);
  });
});
