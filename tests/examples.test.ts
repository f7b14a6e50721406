/**
 * The firmware examples (examples/cmake, examples/make) build for real: each runs `micronets build` (the
 * built CLI, bin/micronets.js) as a build step, links the generated C with the firmware support files into
 * a Cortex-M4 image, and the image run on QEMU (mps2-an386) prints the output bytes TensorFlow Lite Micro
 * computed for the same models and input (../shared/golden/tflm). A second build does nothing; a changed
 * config entry rebuilds and recompiles only that model.
 *
 * The examples are copied into a temporary tree (with links to the repository's fixtures and firmware
 * files, which they reach as ../../), so the builds are out of tree and the test may edit the config.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOnQemu, toolchainProblem } from "../src/emulator/index.js";
import { loadGolden } from "./helpers/golden.js";

const REPO = process.cwd();
// Quoted: CMake (separate_arguments UNIX_COMMAND) and make (the shell) both split it like a shell would.
const MICRONETS = `"${process.execPath}" "${join(REPO, "bin/micronets.js")}"`;

function tool(name: string): boolean {
  return spawnSync(name, ["--version"], { stdio: "ignore" }).status === 0;
}

const problem = toolchainProblem() ?? (!tool("cmake") ? "cmake is not installed" : !tool("make") ? "make is not installed" : undefined);

function run(cmd: string, args: string[], cwd: string): { code: number; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 240_000 });
  return { code: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

function hex(data: Int8Array): string {
  return Array.from(data, (v) => (v & 0xff).toString(16).padStart(2, "0")).join("");
}

/** What main.c prints for TFLM's outputs: "kws out=<hex> class=<argmax>" and "hello out=<hex>". */
function expectedLines(): string[] {
  const kws = loadGolden("kws_ref_model").outputs[0]!.data;
  const hello = loadGolden("hello_world_int8").outputs[0]!.data;
  let best = 0;
  kws.forEach((v, i) => { if (v > kws[best]!) best = i; });
  return [`kws out=${hex(kws)} class=${best}`, `hello out=${hex(hello)}`];
}

/** Object files a build log says were compiled (CMake and make spell them differently). */
function compiled(log: string): string[] {
  const names = new Set<string>();
  for (const m of log.matchAll(/Building C object \S*?([A-Za-z0-9_]+)\.c\.obj/g)) names.add(m[1]!);
  for (const m of log.matchAll(/ -c \S*?([A-Za-z0-9_]+)\.c -o /g)) names.add(m[1]!);
  return [...names].sort();
}

let tree: string;

beforeAll(() => {
  if (problem) return;
  tree = mkdtempSync(join(tmpdir(), "mn-examples-"));
  cpSync(join(REPO, "examples"), join(tree, "examples"), { recursive: true, filter: (src) => !/[\\/](build|generated|reports)$/.test(src) });
  symlinkSync(join(REPO, "fixtures"), join(tree, "fixtures"));
  symlinkSync(join(REPO, "codegen-templates"), join(tree, "codegen-templates"));
  symlinkSync(join(REPO, "schemas"), join(tree, "schemas"));
});
afterAll(() => {
  if (tree) rmSync(tree, { recursive: true, force: true });
});

/** Sets `inPlace` on the hello model's entry in the copied config (a change to that entry only). */
function setHelloInPlace(value: boolean): void {
  const file = join(tree, "examples/app/micronets.config.json");
  const cfg = JSON.parse(readFileSync(file, "utf8")) as { models: { name: string; inPlace?: boolean }[] };
  cfg.models.find((m) => m.name === "hello")!.inPlace = value;
  writeFileSync(file, JSON.stringify(cfg, null, 2));
}

describe.skipIf(problem !== undefined)("firmware examples: micronets build as a build step, run on QEMU Cortex-M4", () => {
  it("the built CLI is there (bin/micronets.js runs dist/, built by npm ci / npm run build)", () => {
    expect(existsSync(join(REPO, "dist/src/cli/commands/build.js")), "dist/ lacks the build command: run `npm run build`").toBe(true);
  });

  it("CMake (Unix Makefiles, arm-none-eabi toolchain file): builds, prints TFLM's outputs, rebuilds only what changed", () => {
    const src = join(tree, "examples/cmake");
    const bin = join(tree, "build-cmake");
    const conf = run("cmake", ["-S", src, "-B", bin, "-G", "Unix Makefiles", `-DCMAKE_TOOLCHAIN_FILE=${join(src, "arm-none-eabi.cmake")}`, `-DMICRONETS=${MICRONETS}`], tree);
    expect(conf.code, conf.out).toBe(0);
    const first = run("cmake", ["--build", bin], tree);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/^built\s+kws -> generated\/kws /m);
    expect(first.out).toMatch(/^built\s+hello -> generated\/hello /m);
    expect(compiled(first.out)).toEqual(["hello_model", "kws_model", "main", "mn_mark", "mn_semihost", "mn_startup"]);
    expect(existsSync(join(bin, "reports/kws.html"))).toBe(true);

    const r = runOnQemu(join(bin, "firmware.elf"), { core: "cortex-m4" });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(expectedLines());

    // Nothing changed: micronets does not even run, nothing is compiled.
    const second = run("cmake", ["--build", bin], tree);
    expect(second.code, second.out).toBe(0);
    expect(second.out).not.toMatch(/micronets build|^built|^skipped/m);
    expect(compiled(second.out)).toEqual([]);

    // One model's entry changed: micronets rebuilds that model; only its C and main.c (its header) compile.
    setHelloInPlace(false);
    const third = run("cmake", ["--build", bin], tree);
    expect(third.code, third.out).toBe(0);
    expect(third.out).toMatch(/^skipped kws \(up to date\)$/m);
    expect(third.out).toMatch(/^built\s+hello .*\[config entry changed,/m);
    expect(compiled(third.out)).toEqual(["hello_model", "main"]);
    expect(runOnQemu(join(bin, "firmware.elf"), { core: "cortex-m4" }).stdout.trim().split("\n")).toEqual(expectedLines());
    setHelloInPlace(true);
  });

  it("Makefile: builds out of tree, prints TFLM's outputs, rebuilds only what changed, fails on a broken budget", () => {
    const makefile = join(tree, "examples/make/Makefile");
    const build = join(tree, "build-make");
    const make = (...args: string[]) => run("make", ["-f", makefile, `BUILD=${build}`, `MICRONETS=${MICRONETS}`, ...args], tree);
    const first = make();
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/^build ok: 2 built, 0 up to date, 0 failed/m);
    expect(compiled(first.out)).toEqual(["hello_model", "kws_model", "main", "mn_mark", "mn_semihost", "mn_startup"]);
    expect(existsSync(join(tree, "examples/make/build"))).toBe(false);

    const r = runOnQemu(join(build, "firmware.elf"), { core: "cortex-m4" });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(expectedLines());

    const second = make();
    expect(second.code, second.out).toBe(0);
    expect(second.out).toMatch(/Nothing to be done/);

    setHelloInPlace(false);
    const third = make();
    expect(third.code, third.out).toBe(0);
    expect(third.out).toMatch(/^built\s+hello .*\[config entry changed,/m);
    expect(compiled(third.out)).toEqual(["hello_model", "main"]);
    expect(runOnQemu(join(build, "firmware.elf"), { core: "cortex-m4" }).stdout.trim().split("\n")).toEqual(expectedLines());

    // A budget the model breaks stops the build (micronets exits 1) and no firmware is relinked.
    const budgetFile = join(tree, "examples/app/kws-budget.json");
    const budget = readFileSync(budgetFile, "utf8");
    writeFileSync(budgetFile, budget.replace(/"sram": "50%"/, '"sram": 1000'));
    const fourth = make();
    expect(fourth.code).not.toBe(0);
    expect(fourth.out).toMatch(/^FAILED\s+kws: 1 of \d+ checks failed$/m);
    expect(fourth.out).toMatch(/FAIL sram: [\d,]+ B > budget 1,000 B/);
    expect(compiled(fourth.out)).toEqual([]);
    writeFileSync(budgetFile, budget);
  });
});
