/**
 * Atomic outputs: `analyze -o`, `report -o`, `convert -o` and `compile -o` write a temporary sibling and rename
 * it into place only when everything succeeded. Policy checked here:
 * - after any error — bad input, a failure after loading (a limit hit while planning or compiling), an
 *   unwritable destination — no output file or folder appears, and a previous good output is left exactly
 *   as it was, with no temporary files beside it;
 * - a successful run replaces the previous output as a whole;
 * - `compile -o` only replaces a folder that is empty or holds an earlier compile output (never a file or a
 *   folder with other work in it);
 * - a process killed at any moment leaves the previous or the new output, complete — at worst a hidden
 *   `.<name>.tmp-*` sibling, never a partial file.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { writeDirAtomic, writeFileAtomic } from "../src/io/atomic-write.js";
import { isMicronetsError } from "../src/errors.js";
import { readTflite } from "../src/frontends/tflite/read-tflite.js";
import { writeTflite } from "../src/frontends/tflite/write-tflite.js";
import type { Graph, Operator, Tensor } from "../src/ir/types.js";
import { runCli } from "./helpers/cli.js";

const HELLO = "fixtures/models/hello_world_int8.tflite";
const KWS_S = "fixtures/architectures/micronet-kws-s.json";

let root: string;
let badTflite: string;
let badJson: string;
let hugeArena: string;
let pool10M: string;

/** A .tflite whose two 2^28-byte inputs and four ADD outputs need a 1.25 GiB arena: loads, then fails to plan. */
function hugeArenaModel(): Uint8Array {
  const t = (id: number): Tensor => ({ id, name: `t${id}`, dtype: "int8", shape: [1, 16384, 16384], quant: { scale: [0.5], zeroPoint: [0], axis: 0 }, constant: false, data: null, isVariable: false });
  const add = (x: number, y: number, out: number): Operator => ({ type: "ADD", attrs: { activation: "none" }, inputs: [x, y], outputs: [out], version: 1 });
  const g: Graph = { name: "huge", description: "", tensors: [0, 1, 2, 3, 4, 5].map(t), operators: [add(0, 1, 2), add(2, 0, 3), add(3, 1, 4), add(4, 0, 5)], inputs: [0, 1], outputs: [2, 3, 4, 5], metadata: [] };
  return writeTflite(g);
}

/** MAX_POOL 1×1 over 10 MiB: compiles in place (10 MiB arena), but with --no-in-place needs 20 MiB. */
function poolModel(): Uint8Array {
  const t = (id: number): Tensor => ({ id, name: `t${id}`, dtype: "int8", shape: [1, 2560, 4096, 1], quant: { scale: [0.5], zeroPoint: [0], axis: 0 }, constant: false, data: null, isVariable: false });
  const op: Operator = { type: "MAX_POOL_2D", attrs: { padding: "valid", strideH: 1, strideW: 1, filterH: 1, filterW: 1, activation: "none" }, inputs: [0], outputs: [1], version: 1 };
  return writeTflite({ name: "pool", description: "", tensors: [t(0), t(1)], operators: [op], inputs: [0], outputs: [1], metadata: [] });
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "mn-atomic-"));
  badTflite = join(root, "bad.tflite");
  writeFileSync(badTflite, readFileSync(HELLO).subarray(0, 1000));
  badJson = join(root, "bad.json");
  writeFileSync(badJson, '{"name": "x", "input": {"shape": [1, 4]}, "layers": [');
  hugeArena = join(root, "huge-arena.tflite");
  writeFileSync(hugeArena, hugeArenaModel());
  pool10M = join(root, "pool10m.tflite");
  writeFileSync(pool10M, poolModel());
});

let n = 0;
/** A fresh folder for one scenario. */
function scratch(): string {
  const d = join(root, `case-${n++}`);
  mkdirSync(d);
  return d;
}

/** File names and contents of a folder (recursively one level for output folders). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    out[f] = existsSync(p) && !readdirSync(dir, { withFileTypes: true }).find((e) => e.name === f)!.isDirectory()
      ? readFileSync(p).toString("base64")
      : JSON.stringify(snapshot(p));
  }
  return out;
}

describe("file outputs: analyze, report, convert", () => {
  const commands: { name: string; args: (model: string, out: string) => string[]; good: string }[] = [
    { name: "analyze (text)", args: (m, o) => ["analyze", m, "-o", o], good: HELLO },
    { name: "analyze --json", args: (m, o) => ["analyze", m, "--json", "-o", o], good: HELLO },
    { name: "analyze --md", args: (m, o) => ["analyze", m, "--md", "-o", o], good: HELLO },
    { name: "report (html)", args: (m, o) => ["report", m, "-o", o], good: HELLO },
    { name: "convert", args: (m, o) => ["convert", m, "-o", o], good: KWS_S },
  ];

  for (const c of commands) {
    it(`${c.name}: success writes the whole output; failures leave nothing and keep a previous output`, async () => {
      const dir = scratch();
      const out = join(dir, "out.file");

      // No previous output: a failing run creates nothing.
      for (const bad of [badTflite, badJson]) {
        const r = await runCli(...c.args(bad, out));
        expect(r.code, r.stderr).toBe(2);
        expect(readdirSync(dir)).toEqual([]);
      }

      const ok = await runCli(...c.args(c.good, out));
      expect(ok.code, ok.stderr).toBe(0);
      const good = readFileSync(out);
      expect(good.length).toBeGreaterThan(100);
      if (c.name === "convert") expect(readTflite(new Uint8Array(good)).operators.length).toBeGreaterThan(5);
      if (c.name === "analyze --json") expect(JSON.parse(good.toString("utf8")).model.operators).toBe(3);
      if (c.name === "report (html)") expect(good.toString("utf8").trimEnd().endsWith("</html>")).toBe(true);

      // Failing runs — bad bytes, bad JSON, and (for the commands that plan) a model that loads and then
      // fails to plan — keep it intact.
      for (const bad of c.name === "convert" ? [badTflite, badJson] : [badTflite, badJson, hugeArena]) {
        const r = await runCli(...c.args(bad, out));
        expect(r.code, `${bad}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(/^micronets: error: /);
        expect(readdirSync(dir)).toEqual(["out.file"]);
        expect(readFileSync(out).equals(good)).toBe(true);
      }
    });
  }

  it("a model that loads but needs more than 1 GiB of arena is refused at planning (the failure after loading above)", async () => {
    const r = await runCli("analyze", hugeArena);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`micronets: error: ${hugeArena}: arena plan: the arena needs 1342177280 bytes, above the limit of 1073741824`);
  });

  it("an output folder that does not exist, or an output path that is a folder: exit 2, nothing created or changed", async () => {
    const dir = scratch();
    const missing = join(dir, "no-such-folder", "out.txt");
    const r = await runCli("analyze", HELLO, "-o", missing);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`micronets: error: ${missing}: cannot write: folder does not exist`);
    expect(readdirSync(dir)).toEqual([]);

    const sub = join(dir, "a-folder");
    mkdirSync(sub);
    writeFileSync(join(sub, "keep.txt"), "mine");
    const r2 = await runCli("report", HELLO, "-o", sub);
    expect(r2.code).toBe(2);
    expect(readdirSync(dir)).toEqual(["a-folder"]);
    expect(readFileSync(join(sub, "keep.txt"), "utf8")).toBe("mine");
  });
});

describe("folder output: compile", () => {
  it("success writes the folder; a second success replaces it as a whole", async () => {
    const dir = scratch();
    const out = join(dir, "c");
    expect((await runCli("compile", HELLO, "-o", out, "--prefix", "first")).code).toBe(0);
    expect(readdirSync(out)).toEqual(["first_model.c", "first_model.h"]);
    expect((await runCli("compile", HELLO, "-o", out, "--prefix", "second")).code).toBe(0);
    expect(readdirSync(out)).toEqual(["second_model.c", "second_model.h"]);
    expect(readdirSync(dir)).toEqual(["c"]);
  });

  it("failures leave no folder, and leave a previous output exactly as it was", async () => {
    const dir = scratch();
    const out = join(dir, "c");
    for (const bad of [badTflite, badJson]) {
      expect((await runCli("compile", bad, "-o", out)).code).toBe(2);
      expect(readdirSync(dir)).toEqual([]);
    }
    expect((await runCli("compile", HELLO, "-o", out)).code).toBe(0);
    const before = snapshot(dir);
    const failures: [string[], RegExp][] = [
      [[badTflite], /bad\.tflite/],
      [[badJson], /bad\.json: 1:\d+: invalid JSON/],
      // Loads, compiles every layer, then the planned arena (20 MiB without in-place sharing) is refused.
      [[pool10M, "--no-in-place"], /arena plan: the arena needs 20971520 bytes, above the limit of 16777216/],
      [[HELLO, "--prefix", "int"], /prefix 'int' is a C keyword/],
    ];
    for (const [args, message] of failures) {
      const r = await runCli("compile", args[0]!, "-o", out, ...args.slice(1));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(snapshot(dir)).toEqual(before);
    }
  });

  it("refuses to replace a file or a folder holding other work", async () => {
    const dir = scratch();
    const file = join(dir, "model.tflite");
    writeFileSync(file, "precious");
    const r = await runCli("compile", HELLO, "-o", file);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`micronets: error: ${file}: exists and is not a folder; -o names the folder to write the C files into`);
    expect(readFileSync(file, "utf8")).toBe("precious");

    const src = join(dir, "src");
    mkdirSync(src);
    writeFileSync(join(src, "main.c"), "int main(void) { return 0; }\n");
    writeFileSync(join(src, "old_model.c"), "/* an earlier output */\n");
    const before = snapshot(dir);
    const r2 = await runCli("compile", HELLO, "-o", src);
    expect(r2.code).toBe(2);
    expect(r2.stderr.trim()).toBe(`micronets: error: ${src}: exists and holds files other than an earlier \`micronets compile\` output (e.g. 'main.c'); -o replaces the whole folder, so give a new or empty one`);
    expect(snapshot(dir)).toEqual(before);
  });

  it("an empty folder or an earlier output is replaced", async () => {
    const dir = scratch();
    const out = join(dir, "gen");
    mkdirSync(out);
    expect((await runCli("compile", HELLO, "-o", out, "--prefix", "hw")).code).toBe(0);
    expect(readdirSync(out)).toEqual(["hw_model.c", "hw_model.h"]);
  });
});

describe("writeFileAtomic / writeDirAtomic", () => {
  it("a fill that fails half-way leaves neither its partial files nor a temporary folder", () => {
    const dir = scratch();
    const out = join(dir, "gen");
    writeDirAtomic(out, (tmp) => writeFileSync(join(tmp, "a.c"), "old"));
    let err: unknown;
    try {
      writeDirAtomic(out, (tmp) => {
        writeFileSync(join(tmp, "a.c"), "new, half written");
        throw new Error("disk full");
      });
    } catch (e) {
      err = e;
    }
    expect(isMicronetsError(err) && err.format()).toBe(`${out}: cannot write: disk full`);
    expect(readdirSync(dir)).toEqual(["gen"]);
    expect(readFileSync(join(out, "a.c"), "utf8")).toBe("old");
  });

  it("a file write into a missing folder fails cleanly", () => {
    const dir = scratch();
    expect(() => writeFileAtomic(join(dir, "nope", "x.txt"), "x")).toThrow(/cannot write: folder does not exist/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("a process killed mid-write (built CLI)", () => {
  it("leaves the previous or the new compile output, complete, whenever it is killed", async () => {
    const dir = scratch();
    const out = join(dir, "pd");
    const compile = (prefix: string): Promise<number | null> => run(["compile", "fixtures/models/person_detect.tflite", "-o", out, "--prefix", prefix], null);
    expect(await compile("ref")).toBe(0);
    const ref = snapshot(out);
    expect(await compile("alt")).toBe(0);
    const alt = snapshot(out);
    expect(await compile("ref")).toBe(0);
    // Kill runs that would replace "ref" with "alt" at staggered moments (startup, loading, emitting, renaming).
    for (const delay of [50, 200, 300, 340, 380, 420, 440, 460, 480, 500, 600]) {
      await run(["compile", "fixtures/models/person_detect.tflite", "-o", out, "--prefix", "alt"], delay);
      const now = snapshot(out);
      expect([ref, alt], `killed after ${delay} ms`).toContainEqual(now);
      // Only the output and, at worst, hidden temporary siblings.
      expect(readdirSync(dir).filter((f) => !f.startsWith(".pd.tmp-"))).toEqual(["pd"]);
      if (JSON.stringify(now) === JSON.stringify(alt)) expect(await compile("ref")).toBe(0);
    }
  }, 120_000);
});

/** Runs the built CLI; with a delay, SIGKILLs it after that many ms. Resolves with the exit code (null if killed). */
function run(argv: string[], killAfterMs: number | null): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${process.cwd()}/bin/micronets.js`, ...argv], { stdio: "ignore" });
    const timer = killAfterMs === null ? null : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.on("exit", (code) => {
      if (timer) clearTimeout(timer);
      resolve(code);
    });
  });
}
