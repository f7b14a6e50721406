import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "mn-compile-"));

describe("micronets compile", () => {
  it("writes the portable C files into a folder named by -o", async () => {
    const out = join(tmp, "kws");
    const r = await runCli("compile", "fixtures/models/kws_ref_model.tflite", "-o", out);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["kws_ref_model_model.c", "kws_ref_model_model.h"]);
    expect(statSync(out).mode & 0o777).toBe(0o755);
    const h = readFileSync(join(out, "kws_ref_model_model.h"), "utf8");
    expect(h).toMatch(/int kws_ref_model_invoke\(const int8_t \*in, int8_t \*out\)/);
    expect(r.stdout).toMatch(/arena [\d,]+ B/);
  });

  it("--kernels cmsis-nn with a target and a prefix", async () => {
    const out = join(tmp, "pd-cmsis");
    const r = await runCli("compile", "fixtures/models/person_detect.tflite", "-o", out, "--kernels", "cmsis-nn", "--target", "stm32f746zg", "--prefix", "pd");
    expect(r.code, r.stderr).toBe(0);
    const c = readFileSync(join(out, "pd_model.c"), "utf8");
    expect(c).toContain("arm_convolve_wrapper_s8");
    expect(c).toContain("arm_depthwise_conv_wrapper_s8");
    expect(r.stdout).toContain("core cortex-m7");
  });

  it("an architecture JSON compiles with generated weights", async () => {
    const out = join(tmp, "kws-s");
    const r = await runCli("compile", "fixtures/architectures/micronet-kws-s.json", "-o", out, "--seed", "5");
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, "micronet_kws_s_model.c"))).toBe(true);
  });

  it("bad options and bad prefixes exit 2 and leave no folder", async () => {
    const out = join(tmp, "never");
    for (const args of [["--kernels", "tvm"], ["--prefix", "int"], ["--prefix", "a b"], ["--core", "cortex-m0"], ["--target", "stm32f746zg", "--core", "cortex-m4"]]) {
      const r = await runCli("compile", "fixtures/models/hello_world_int8.tflite", "-o", out, ...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe("micronets verify with generated C", () => {
  it("hello_world: generated C on the host and on QEMU M4/M7 agrees with the reference", async () => {
    const r = await runCli("verify", "fixtures/models/hello_world_int8.tflite", "--engines", "wasm,c-host,c-m4,c-m7");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const e of ["wasm", "c-host", "c-m4", "c-m7"]) expect(r.stdout).toMatch(new RegExp(`^${e}: bit-exact`, "m"));
  });
});
