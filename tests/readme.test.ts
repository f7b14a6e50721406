// The README's examples are part of the product: they must keep working as written.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadBudget } from "../src/check/index.js";
import { compileModel } from "../src/codegen/index.js";
import { loadModelFile } from "../src/frontends/load-model.js";
import { runCli } from "./helpers/cli.js";

const readme = readFileSync("README.md", "utf8");
const tmp = mkdtempSync(join(tmpdir(), "mn-readme-"));

function jsonBlocks(): unknown[] {
  return [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!));
}

describe("README", () => {
  it("quick start is exactly two commands: install+analyze, then npm test", () => {
    const block = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)![1]!.trim().split("\n");
    expect(block).toEqual(["npm ci && npx micronets analyze fixtures/models/person_detect.tflite --target stm32f746zg", "npm test"]);
  });

  it("the architecture JSON example loads and analyses", async () => {
    const doc = jsonBlocks().find((d) => JSON.stringify(d).includes("architecture.schema.json"))!;
    const file = join(tmp, "arch.json");
    writeFileSync(file, JSON.stringify(doc));
    const r = await runCli("analyze", file, "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).model.operators).toBe(10);
  });

  it("the budget example is valid", () => {
    const doc = jsonBlocks().find((d) => JSON.stringify(d).includes("budget.schema.json"))!;
    const file = join(tmp, "budget.json");
    writeFileSync(file, JSON.stringify(doc));
    expect(() => loadBudget(file)).not.toThrow();
  });

  it("the C snippet's macros exist in a generated header", () => {
    const h = compileModel(loadModelFile("fixtures/models/kws_ref_model.tflite").graph, { prefix: "kws" }).files.find((f) => f.name === "kws_model.h")!.contents;
    const used = [...readme.matchAll(/\bKWS_[A-Z0-9_]+/g)].map((m) => m[0]);
    expect(used.length).toBeGreaterThan(3);
    for (const m of new Set(used)) expect(h, m).toMatch(new RegExp(`#define ${m}\\b`));
    expect(h).toContain("int kws_invoke(const int8_t *in, int8_t *out)");
  });

  it("every command in the README's table exists", async () => {
    const names = [...readme.matchAll(/^\| `([a-z]+) /gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThanOrEqual(11);
    for (const n of names) expect((await runCli(n, "--help")).code, n).toBe(0);
  });
});
