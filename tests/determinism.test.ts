/**
 * Deterministic builds: the same input gives the same output bytes on every run, from any working directory,
 * under any locale and time zone. The built CLI (bin/micronets.js → dist/, built by `npm ci`; run
 * `npx tsc -p .` after changing sources) runs as a real process in three environments — C/UTC,
 * de_DE.UTF-8/Pacific/Chatham and tr_TR.UTF-8/America/St_Johns (Node's ICU follows LANG/LC_ALL, so any
 * locale-dependent formatting would show as "1.234" vs "1,234", and Turkish case mapping breaks naive
 * upper-casing of identifiers) — each from its own working directory, with the models copied there under the
 * same relative names. analyze (--json, --md, text), report HTML, convert .tflite bytes and the generated C
 * of both backends must be byte-identical across the environments and across repeated runs.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const REPO = process.cwd();
const BIN = join(REPO, "bin", "micronets.js");

interface Env {
  name: string;
  vars: Record<string, string>;
  cwd: string;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(env: Env, argv: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd: env.cwd, env: { ...process.env, ...env.vars } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every file below `dir` (relative path → base64 bytes). */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) for (const [k, v] of Object.entries(files(p))) out[`${e.name}/${k}`] = v;
    else out[e.name] = readFileSync(p).toString("base64");
  }
  return out;
}

const INPUTS: [string, string][] = [
  ["fixtures/models/person_detect.tflite", "models/pd.tflite"],
  ["fixtures/models/kws_ref_model.tflite", "models/kws.tflite"],
  ["fixtures/architectures/micronet-kws-s.json", "arch/kws-s.json"],
];

/** The commands compared; outputs go to files under the working directory (relative paths on purpose). */
const COMMANDS: string[][] = [
  ["analyze", "models/pd.tflite", "--target", "stm32f746zg", "--json"],
  ["analyze", "models/pd.tflite", "--target", "stm32f746zg", "--md"],
  ["analyze", "models/pd.tflite", "--target", "stm32f746zg"],
  ["analyze", "arch/kws-s.json", "--target", "nrf52840", "--family", "kws", "--json"],
  ["report", "models/pd.tflite", "--target", "stm32f746zg", "--latency-budget", "250", "-o", "out/pd.html"],
  ["convert", "arch/kws-s.json", "--seed", "3", "-o", "out/kws-s.tflite"],
  ["convert", "models/kws.tflite", "-o", "out/kws-copy.tflite"],
  ["compile", "models/kws.tflite", "-o", "out/c-portable"],
  ["compile", "models/pd.tflite", "--kernels", "cmsis-nn", "--target", "stm32f746zg", "-o", "out/c-cmsis"],
  ["compile", "arch/kws-s.json", "--seed", "3", "--prefix", "Ii_kws", "-o", "out/c-arch"],
];

let envs: Env[];

beforeAll(() => {
  const base = mkdtempSync(join(tmpdir(), "mn-determinism-"));
  const make = (name: string, sub: string, vars: Record<string, string>): Env => {
    const cwd = join(base, sub);
    mkdirSync(cwd, { recursive: true });
    for (const [from, to] of INPUTS) {
      mkdirSync(join(cwd, to, ".."), { recursive: true });
      copyFileSync(join(REPO, from), join(cwd, to));
    }
    mkdirSync(join(cwd, "out"));
    return { name, cwd, vars };
  };
  envs = [
    make("C", "a", { LANG: "C", LC_ALL: "C", TZ: "UTC" }),
    make("de_DE", "b/deeper/still", { LANG: "de_DE.UTF-8", LC_ALL: "de_DE.UTF-8", TZ: "Pacific/Chatham" }),
    make("tr_TR", "c with space", { LANG: "tr_TR.UTF-8", LC_ALL: "tr_TR.UTF-8", LANGUAGE: "tr", TZ: "America/St_Johns" }),
  ];
});

describe("byte-identical outputs across runs, working directories, locales and time zones", () => {
  it("the environments really differ for Node (ICU number formatting follows LANG)", async () => {
    const probe = ["-e", "process.stdout.write((1234.5).toLocaleString())"];
    const seen = await Promise.all(envs.map((e) => new Promise<string>((resolve) => {
      const child = spawn(process.execPath, probe, { cwd: e.cwd, env: { ...process.env, ...e.vars } });
      let s = "";
      child.stdout.on("data", (d: Buffer) => (s += d.toString()));
      child.on("close", () => resolve(s));
    })));
    expect(new Set(seen).size).toBeGreaterThan(1);
  });

  for (const argv of COMMANDS) {
    it(argv.join(" "), async () => {
      // The environments run concurrently; the first also runs the command a second time (repeatability).
      const results = await Promise.all(envs.map(async (e, k) => {
        const first = await cli(e, argv);
        const out = argv.includes("-o") ? files(join(e.cwd, "out")) : null;
        const second = k === 0 ? await cli(e, argv) : first;
        const out2 = argv.includes("-o") ? files(join(e.cwd, "out")) : null;
        return { env: e.name, first, second, out, out2 };
      }));
      for (const r of results) {
        expect(r.first.code, `${r.env}: ${r.first.stderr}`).toBe(0);
        expect(r.second.code).toBe(0);
        if (r.out === null) expect(r.second.stdout, `${r.env}: second run`).toBe(r.first.stdout);
        else expect(r.out2, `${r.env}: second run`).toEqual(r.out);
      }
      const [ref, ...others] = results;
      for (const r of others) {
        if (ref!.out === null) {
          expect(r.first.stdout.length).toBeGreaterThan(100);
          expect(r.first.stdout, `${r.env} vs ${ref!.env}`).toBe(ref!.first.stdout);
        } else {
          // Only this command's outputs are compared (earlier commands left theirs in out/ too).
          const target = argv[argv.indexOf("-o") + 1]!.replace(/^out\//, "");
          const pick = (o: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(o).filter(([k]) => k === target || k.startsWith(`${target}/`)));
          expect(Object.keys(pick(r.out!)).length).toBeGreaterThan(0);
          expect(pick(r.out!), `${r.env} vs ${ref!.env}`).toEqual(pick(ref!.out!));
        }
      }
    }, 60_000);
  }

  it("generated C identifiers do not depend on the locale's case mapping", () => {
    // The prefix "Ii_kws" upper-cases to "II_KWS" in C macros; a locale-aware upper-casing under tr_TR would
    // give "İI_KWS" (dotted capital I), which is not a C identifier.
    const h = Buffer.from(files(join(envs[2]!.cwd, "out"))["c-arch/Ii_kws_model.h"]!, "base64").toString("utf8");
    expect(h).toContain("II_KWS_");
    expect(h).not.toMatch(/[^\x00-\x7f]/);
  });
});
