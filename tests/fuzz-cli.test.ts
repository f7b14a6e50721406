/**
 * The fuzzer at the command line: mutated .tflite files and architecture JSONs are written to disk and given
 * to `analyze`, `report`, `convert` and `compile` (in-process, under the fuzzer's hang watchdog). Every run
 * must exit 0, or 2 with exactly one line `micronets: error: <file>…` — never 70 (an internal error), a
 * stack trace, or an output left behind by a failed run.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { watchdogCase } from "../src/fuzz/campaign.js";
import { loadCorpus, makeCase } from "../src/fuzz/cases.js";
import { Watchdog } from "../src/fuzz/watchdog.js";
import { runCli } from "./helpers/cli.js";

const SEED = 20_240_613;
const CASES = 240;
const dir = mkdtempSync(join(tmpdir(), "mn-fuzz-cli-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("fuzz slice: the CLI on mutated files", () => {
  it(`${CASES} cases of seed ${SEED}: exit 0 or 2, one-line errors, no output after a failure`, async () => {
    const corpus = loadCorpus(".");
    const dog = new Watchdog({ hangMs: 30_000, dir: join(dir, "hangs") });
    const exits: Record<string, number> = {};
    try {
      for (let i = 0; i < CASES; i++) {
        const c = makeCase(corpus, SEED, i, "all");
        if (c.input.kind !== "bytes") continue; // IR-level cases the writer refused have no file form
        const file = join(dir, c.kind === "json" ? `case-${i}.json` : `case-${i}.tflite`);
        writeFileSync(file, c.input.bytes);
        const out = join(dir, `out-${i}`);
        const command = ["analyze", "report", "convert", "compile"][i % 4]!;
        const argv = command === "analyze" ? ["analyze", file, "--json", "-o", out]
          : command === "report" ? ["report", file, "--target", "stm32f746zg", "-o", out]
            : [command, file, "-o", out];
        dog.begin(watchdogCase(c, SEED, "all"));
        const r = await runCli(...argv);
        dog.end();
        const what = `case ${i} (${c.seedName}: ${c.mutation.join("; ").slice(0, 200)}): ${argv.join(" ")}`;
        exits[`${command} ${r.code}`] = (exits[`${command} ${r.code}`] ?? 0) + 1;
        expect([0, 2], `${what}\n${r.stderr}`).toContain(r.code);
        if (r.code === 0) {
          expect(existsSync(out), what).toBe(true);
        } else {
          const lines = r.stderr.trimEnd().split("\n");
          expect(lines, what).toHaveLength(1);
          expect(lines[0]!.startsWith("micronets: error: "), what).toBe(true);
          // Errors caused by the model name its file (usage errors are not possible with these arguments).
          expect(lines[0], what).toContain(file.slice(dir.length + 1));
          expect(existsSync(out), `${what}: a failed run left ${out}`).toBe(false);
        }
      }
    } finally {
      await dog.stop();
    }
    // Both outcomes happen for every command.
    for (const command of ["analyze", "report", "convert", "compile"]) {
      expect(exits[`${command} 0`] ?? 0, JSON.stringify(exits)).toBeGreaterThan(0);
      expect(exits[`${command} 2`] ?? 0, JSON.stringify(exits)).toBeGreaterThan(0);
    }
  }, 180_000);

  it("text encodings of an architecture JSON: UTF-8 with or without BOM loads; invalid UTF-8 and UTF-16 are refused", async () => {
    const doc = '{"name": "enc", "input": {"shape": [1, 4]}, "layers": [{"type": "softmax"}]}';
    const write = (name: string, bytes: Uint8Array): string => {
      const f = join(dir, name);
      writeFileSync(f, bytes);
      return f;
    };
    const utf8 = new TextEncoder().encode(doc);
    expect((await runCli("analyze", write("plain.json", utf8))).code).toBe(0);
    expect((await runCli("analyze", write("bom.json", new Uint8Array([0xef, 0xbb, 0xbf, ...utf8])))).code).toBe(0);
    const bad = write("bad-utf8.json", new TextEncoder().encode(doc.replace("enc", "e\u0000nc")).map((b) => (b === 0 ? 0xc3 : b)));
    const r = await runCli("analyze", bad);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`micronets: error: ${bad}: is not valid UTF-8 text`);
    const utf16 = new Uint8Array(2 + 2 * doc.length);
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i < doc.length; i++) utf16[2 + 2 * i] = doc.charCodeAt(i);
    const u16 = write("utf16.json", utf16);
    const r2 = await runCli("analyze", u16);
    expect(r2.code).toBe(2);
    expect(r2.stderr.trim()).toBe(`micronets: error: ${u16}: is not UTF-8 text (it looks like UTF-16)`);
  });
});
