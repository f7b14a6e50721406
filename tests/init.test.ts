/**
 * `micronets init`: a starter config that validates and builds as written, never overwriting a file
 * without --force, and refusing bad targets and models before writing anything.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

const REPO = process.cwd();
const root = mkdtempSync(join(tmpdir(), "mn-init-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Starter {
  $schema: string;
  models: { source: string; target: string; backend: string; prefix: string; out: string; budget: unknown; reports: Record<string, string>; seed?: number }[];
}

describe("micronets init", () => {
  it("writes a starter config with $schema that `micronets build` builds as written", async () => {
    const dir = join(root, "fw");
    mkdirSync(dir);
    const config = join(dir, "micronets.config.json");
    const r = await runCli("init", join(REPO, "fixtures/models/kws_ref_model.tflite"), "--target", "stm32f446re", "-o", config);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote .*micronets\.config\.json: model 'kws_ref_model' for stm32f446re/);
    const doc = JSON.parse(readFileSync(config, "utf8")) as Starter;
    // The package is not below the config's folder, so the schema is named by its $id.
    expect(doc.$schema).toBe("https://micronets.dev/schemas/config.schema.json");
    expect(doc.models).toHaveLength(1);
    const m = doc.models[0]!;
    expect(m).toMatchObject({ target: "stm32f446re", backend: "portable", prefix: "kws_ref_model", out: "generated/kws_ref_model" });
    expect(join(dir, m.source)).toBe(join(REPO, "fixtures/models/kws_ref_model.tflite"));
    expect(m.seed).toBeUndefined();

    const b = await runCli("build", "--config", config);
    expect(b.code, b.stdout + b.stderr).toBe(0);
    expect(b.stdout).toMatch(/^built\s+kws_ref_model -> generated\/kws_ref_model \(kws_ref_model_model\.c, kws_ref_model_model\.h;/m);
    expect(existsSync(join(dir, "generated/kws_ref_model/kws_ref_model_model.c"))).toBe(true);
    expect(existsSync(join(dir, m.reports.html!))).toBe(true);
  });

  it("a config below the package gets a relative $schema path that exists", async () => {
    const dir = mkdtempSync(join(REPO, "tests", ".init-"));
    try {
      const config = join(dir, "micronets.config.json");
      const r = await runCli("init", "fixtures/models/hello_world_int8.tflite", "--target", "nrf52840", "-o", config, "--prefix", "hello");
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(readFileSync(config, "utf8")) as Starter;
      expect(doc.$schema).toMatch(/^\.\.\/\.\.\/schemas\/config\.schema\.json$/);
      expect(existsSync(join(dir, doc.$schema))).toBe(true);
      expect(doc.models[0]!.source).toBe("../../fixtures/models/hello_world_int8.tflite");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an architecture JSON gets a weight seed", async () => {
    const config = join(root, "arch.config.json");
    const r = await runCli("init", join(REPO, "fixtures/architectures/micronet-kws-s.json"), "--target", "stm32f746zg", "-o", config);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(readFileSync(config, "utf8")) as Starter).models[0]!.seed).toBe(0);
  });

  it("refuses to overwrite an existing file unless --force", async () => {
    const config = join(root, "existing.json");
    writeFileSync(config, "keep me\n");
    const r = await runCli("init", join(REPO, "fixtures/models/hello_world_int8.tflite"), "--target", "nrf52840", "-o", config);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/existing\.json: already exists; not overwritten \(use --force to replace it\)/);
    expect(readFileSync(config, "utf8")).toBe("keep me\n");
    const f = await runCli("init", join(REPO, "fixtures/models/hello_world_int8.tflite"), "--target", "nrf52840", "-o", config, "--force");
    expect(f.code, f.stderr).toBe(0);
    expect((JSON.parse(readFileSync(config, "utf8")) as Starter).models[0]!.target).toBe("nrf52840");
  });

  it("bad targets, models and options exit 2 and write nothing", async () => {
    const config = join(root, "never.json");
    const model = join(REPO, "fixtures/models/hello_world_int8.tflite");
    const cases: [string[], RegExp][] = [
      [[model], /init: --target NAME\|FILE is required/],
      [[model, "--target", "stm32f999"], /unknown target 'stm32f999'/],
      [[join(root, "missing.tflite"), "--target", "nrf52840"], /missing\.tflite: cannot read: no such file/],
      [[model, "--target", "nrf52840", "--backend", "tvm"], /--backend must be portable or cmsis-nn/],
      [[model, "--target", "nrf52840", "--prefix", "int"], /prefix 'int' is a C keyword/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli("init", ...args, "-o", config);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(config)).toBe(false);
    }
  });
});
