/**
 * `micronets build` from micronets.config.json: what it writes (the same C as `micronets compile`, reports
 * with TFLM's planned arena), incremental behaviour (stamps of hashed inputs), config validation errors at
 * JSON paths, and failures (budget → exit 1, bad input → exit 2) that leave other models built and no
 * partial output behind.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

const REPO = process.cwd();
const root = mkdtempSync(join(tmpdir(), "mn-build-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MODELS = ["hello_world_int8", "ad01_int8", "kws_ref_model", "person_detect"] as const;

/** TFLM's planned arena for person_detect (the golden's non-persistent head). */
const PD_GOLDEN_ARENA = (JSON.parse(readFileSync("../shared/golden/tflm/person_detect.reference.json", "utf8")) as { arena: { head_nonpersistent_bytes: number } }).arena.head_nonpersistent_bytes;

let projects = 0;

/** A fresh project folder with copies of the models (writable, so tests can change them) and a config. */
function project(config: object | string, models: readonly string[] = MODELS): { dir: string; config: string } {
  const dir = join(root, `p${projects++}`);
  mkdirSync(join(dir, "models"), { recursive: true });
  for (const m of models) copyFileSync(join(REPO, "fixtures/models", `${m}.tflite`), join(dir, "models", `${m}.tflite`));
  const file = join(dir, "micronets.config.json");
  writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config, null, 2));
  return { dir, config: file };
}

function writeConfig(file: string, config: object): void {
  writeFileSync(file, JSON.stringify(config, null, 2));
}

const build = (config: string, ...args: string[]) => runCli("build", "--config", config, ...args);

/** Lines "built X", "skipped X", "FAILED X" → { X: status }. */
function statuses(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split("\n")) {
    const m = /^(built|skipped|FAILED)\s+([A-Za-z0-9_.-]+)/.exec(line);
    if (m) out[m[2]!] = m[1]!;
  }
  return out;
}

function fourModels(): object {
  return {
    $schema: `${REPO}/schemas/config.schema.json`,
    defaults: { target: "stm32f746zg" },
    models: [
      { source: "models/hello_world_int8.tflite", prefix: "hello", out: "gen/hello", target: "nrf52840" },
      { source: "models/ad01_int8.tflite", prefix: "ad", out: "gen/ad", reports: { md: "reports/ad.md" } },
      { source: "models/kws_ref_model.tflite", prefix: "kws", out: "gen/kws", budget: "kws-budget.json", reports: { json: "gen/kws/report.json", html: "reports/kws.html" } },
      { source: "models/person_detect.tflite", prefix: "pd", out: "gen/pd", reports: { json: "reports/pd.json" } },
    ],
  };
}

describe("micronets build: outputs and incremental rebuilds", () => {
  const p = project(fourModels());
  copyFileSync(join(REPO, "fixtures/budgets/kws-f746zg.json"), join(p.dir, "kws-budget.json"));
  const gen = (m: string) => join(p.dir, "gen", m);
  const mtimes = () => Object.fromEntries(["hello", "ad", "kws", "pd"].map((m) => [m, statSync(join(gen(m), `${m}_model.c`)).mtimeMs]));

  it("builds every model: the C `micronets compile` writes, reports, a stamp", async () => {
    const r = await build(p.config);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(statuses(r.stdout)).toEqual({ hello: "built", ad: "built", kws: "built", pd: "built" });
    expect(r.stdout).toMatch(/^build ok: 4 built, 0 up to date, 0 failed/m);
    for (const m of ["hello", "ad", "kws", "pd"]) {
      expect(readdirSync(gen(m)).sort()).toEqual([".micronets-stamp.json", `${m}_model.c`, `${m}_model.h`, ...(m === "kws" ? ["report.json"] : [])].sort());
    }
    // The same C as the compile command for the same model, target core and prefix.
    const ref = join(root, "compile-kws");
    const c = await runCli("compile", join(p.dir, "models/kws_ref_model.tflite"), "-o", ref, "--target", "stm32f746zg", "--prefix", "kws");
    expect(c.code, c.stderr).toBe(0);
    for (const f of ["kws_model.c", "kws_model.h"]) expect(readFileSync(join(gen("kws"), f), "utf8")).toBe(readFileSync(join(ref, f), "utf8"));
    // Reports: person_detect's SRAM is the arena of the C the build wrote, with TFLite Micro's plan beside
    // it; the HTML is a full page.
    const pd = JSON.parse(readFileSync(join(p.dir, "reports/pd.json"), "utf8")) as { totals: { peakSramBytes: number }; deployment: { backend: string; tflmArenaBytes: number }; source: { path: string } };
    const pdC = readFileSync(join(gen("pd"), "pd_model.h"), "utf8");
    expect(pd.totals.peakSramBytes).toBe(Number(/#define PD_ARENA_BYTES (\d+)/.exec(pdC)![1]));
    expect(pd.deployment.backend).toBe("portable");
    expect(pd.deployment.tflmArenaBytes).toBe(PD_GOLDEN_ARENA);
    expect(pd.source.path).toBe("models/person_detect.tflite");
    expect(readFileSync(join(p.dir, "reports/kws.html"), "utf8")).toMatch(/^<!DOCTYPE html>/i);
    expect(readFileSync(join(p.dir, "reports/ad.md"), "utf8")).toContain("ad01_int8");
  });

  it("a second build skips every model and rewrites nothing", async () => {
    const before = mtimes();
    const r = await build(p.config);
    expect(r.code, r.stderr).toBe(0);
    expect(statuses(r.stdout)).toEqual({ hello: "skipped", ad: "skipped", kws: "skipped", pd: "skipped" });
    expect(r.stdout).toMatch(/^skipped kws \(up to date\)$/m);
    expect(mtimes()).toEqual(before);
  });

  it("a touched model file with the same bytes is still up to date (content, not time stamps)", async () => {
    const f = join(p.dir, "models/ad01_int8.tflite");
    utimesSync(f, new Date(), new Date(Date.now() + 5000));
    const r = await build(p.config);
    expect(statuses(r.stdout)).toEqual({ hello: "skipped", ad: "skipped", kws: "skipped", pd: "skipped" });
  });

  it("changing one model's bytes rebuilds exactly that model", async () => {
    const before = mtimes();
    // The ad model's file now holds the hello-world model: other bytes, still a valid model.
    copyFileSync(join(REPO, "fixtures/models/hello_world_int8.tflite"), join(p.dir, "models/ad01_int8.tflite"));
    const r = await build(p.config);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(statuses(r.stdout)).toEqual({ hello: "skipped", ad: "built", kws: "skipped", pd: "skipped" });
    expect(r.stdout).toMatch(/^built\s+ad .*\[model changed,/m);
    const after = mtimes();
    expect(after.ad).not.toBe(before.ad);
    expect({ ...after, ad: 0 }).toEqual({ ...before, ad: 0 });
    expect(readFileSync(join(gen("ad"), "ad_model.h"), "utf8")).toContain("#define AD_INPUT_BYTES 1\n");
  });

  it("changing a model's config entry rebuilds it; so does a default it inherits", async () => {
    const cfg = fourModels() as { defaults: Record<string, unknown>; models: Record<string, unknown>[] };
    cfg.models[3]!.inPlace = false;
    // The effective entry is what counts: spelling out the default target gives the same entry.
    cfg.models[2]!.target = "stm32f746zg";
    writeConfig(p.config, cfg);
    let r = await build(p.config);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(statuses(r.stdout)).toEqual({ hello: "skipped", ad: "skipped", kws: "skipped", pd: "built" });
    expect(r.stdout).toMatch(/^built\s+pd .*\[config entry changed,/m);
    // hello and kws set their own target; ad and pd inherit the default.
    cfg.defaults.target = "stm32f767zi";
    writeConfig(p.config, cfg);
    r = await build(p.config);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(statuses(r.stdout)).toEqual({ hello: "skipped", ad: "built", kws: "skipped", pd: "built" });
    expect(readFileSync(join(p.dir, "reports/pd.json"), "utf8")).toContain('"name": "stm32f767zi"');
  });

  it("a changed budget file rebuilds the model using it; a missing output rebuilds its model", async () => {
    const budget = JSON.parse(readFileSync(join(p.dir, "kws-budget.json"), "utf8")) as { tolerance: string };
    budget.tolerance = "3%";
    writeFileSync(join(p.dir, "kws-budget.json"), JSON.stringify(budget));
    rmSync(join(p.dir, "reports/ad.md"));
    const r = await build(p.config);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(statuses(r.stdout)).toEqual({ hello: "skipped", ad: "built", kws: "built", pd: "skipped" });
    expect(r.stdout).toMatch(/^built\s+kws .*\[budget changed,/m);
    expect(r.stdout).toMatch(/^built\s+ad .*\[report .*ad\.md missing,/m);
    expect(existsSync(join(p.dir, "reports/ad.md"))).toBe(true);
  });

  it("--force rebuilds every model", async () => {
    const r = await build(p.config, "--force");
    expect(r.code, r.stderr).toBe(0);
    expect(statuses(r.stdout)).toEqual({ hello: "built", ad: "built", kws: "built", pd: "built" });
    expect(r.stdout).toMatch(/^built\s+hello .*\[forced,/m);
  });

  it("--json reports every model", async () => {
    const r = await build(p.config, "--json");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { exitCode: number; models: { name: string; status: string; reason: string }[] };
    expect(s.exitCode).toBe(0);
    expect(s.models.map((m) => [m.name, m.status, m.reason])).toEqual(["hello", "ad", "kws", "pd"].map((n) => [n, "skipped", "up to date"]));
  });
});

describe("micronets build: config validation (exit 2, the JSON path, nothing written)", () => {
  const base = () => ({
    defaults: { target: "nrf52840" },
    models: [
      { source: "models/hello_world_int8.tflite", prefix: "hello", out: "gen/hello" },
      { source: "models/ad01_int8.tflite", prefix: "ad", out: "gen/ad" },
      { source: "models/kws_ref_model.tflite", prefix: "kws", out: "gen/kws", budget: { limits: { sram: "90%" } } },
    ],
  });
  type Cfg = ReturnType<typeof base> & Record<string, unknown>;

  const cases: [string, (c: Cfg) => void, RegExp][] = [
    ["unknown key", (c) => Object.assign(c.models[1]!, { colour: "red" }), /: \/models\/1\/colour: unknown field 'colour' \(a model entry accepts 'name', 'source'/],
    ["a typo of a key", (c) => Object.assign(c.models[0]!, { prefx: "x" }), /: \/models\/0\/prefx: unknown field 'prefx' \(did you mean 'prefix'\?\)/],
    ["wrong type", (c) => Object.assign(c.models[1]!, { seed: "7" }), /: \/models\/1\/seed: must be an integer \(found string "7"\)/],
    ["bad enum", (c) => Object.assign(c.models[2]!, { backend: "cmsis_nn" }), /: \/models\/2\/backend: must be one of "portable", "cmsis-nn" \(found string "cmsis_nn"; did you mean "cmsis-nn"\?\)/],
    ["unknown top-level key", (c) => Object.assign(c, { model: [] }), /: \/model: unknown field 'model'/],
    ["missing source", (c) => delete (c.models[0] as Record<string, unknown>).source, /: \/models\/0: missing required field 'source'/],
    ["no models", (c) => (c.models = []), /: \/models: must have at least 1 item/],
    ["inline budget: unknown metric", (c) => Object.assign(c.models[2]!, { budget: { limits: { ram: 1 } } }), /: \/models\/2\/budget\/limits\/ram: unknown field 'ram' \(did you mean 'sram'\?\)/],
    ["inline budget: bad quantity", (c) => Object.assign(c.models[2]!, { budget: { limits: { latency: "fast" } } }), /: \/models\/2\/budget\/limits\/latency: must be milliseconds/],
    ["no target anywhere", (c) => delete (c as Record<string, unknown>).defaults, /: \/models\/0: missing required field 'target' \(set it in the model entry or in \/defaults\)/],
    ["unknown target", (c) => Object.assign(c.models[1]!, { target: "stm32f999" }), /: \/models\/1\/target: unknown target 'stm32f999'; known targets: .*nrf52840/],
    ["prefix reused", (c) => Object.assign(c.models[1]!, { prefix: "hello" }), /: \/models\/1\/prefix: prefix 'hello' is also model 0's/],
    ["reserved prefix", (c) => Object.assign(c.models[1]!, { prefix: "main" }), /: \/models\/1\/prefix: prefix 'main' is a C keyword or reserved name/],
    ["nested output folders", (c) => Object.assign(c.models[2]!, { out: "gen/hello/kws" }), /: \/models\/2\/out: output folder 'gen\/hello\/kws' overlaps model 0's 'gen\/hello'/],
    ["report over a generated file", (c) => Object.assign(c.models[0]!, { reports: { md: "gen/hello/hello_model.h" } }), /: \/models\/0\/reports\/md: report file would overwrite a file the build writes/],
    ["report inside another model's folder", (c) => Object.assign(c.models[2]!, { reports: { html: "gen/ad/kws.html" } }), /: \/models\/2\/reports\/html: report file is inside model 1's output folder/],
  ];
  for (const [what, edit, message] of cases) {
    it(what, async () => {
      const cfg = base() as Cfg;
      edit(cfg);
      const p = project(cfg);
      const r = await build(p.config);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^micronets: error: .*micronets\.config\.json: /);
      expect(lines[0]).toMatch(message);
      expect(existsSync(join(p.dir, "gen"))).toBe(false);
    });
  }

  it("JSON syntax errors give line:column", async () => {
    const p = project('{\n  "models": [\n    { "source": "a.tflite", }\n  ]\n}\n');
    const r = await build(p.config);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/micronets\.config\.json: 3:29: invalid JSON/);
  });

  it("a missing config file names it and how to make one", async () => {
    const r = await build(join(root, "nope", "micronets.config.json"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\/micronets\.config\.json: cannot read the config: no such file/);
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const d = await runCli("build");
      expect(d.code).toBe(2);
      expect(d.stderr).toContain("micronets init");
    } finally {
      process.chdir(cwd);
    }
  });

  it("a missing model file fails that model at /models/N/source; the others are built", async () => {
    const cfg = base();
    cfg.models[1]!.source = "models/missing.tflite";
    const p = project(cfg);
    const r = await build(p.config);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(statuses(r.stdout)).toEqual({ hello: "built", ad: "FAILED", kws: "built" });
    expect(r.stdout).toMatch(/^FAILED\s+ad: .*micronets\.config\.json: \/models\/1\/source: cannot read the model file 'models\/missing\.tflite': no such file$/m);
    expect(existsSync(join(p.dir, "gen/ad"))).toBe(false);
    expect(r.stdout).toMatch(/^build FAILED: 2 built, 0 up to date, 1 failed/m);
  });

  it("the config schema is a valid 2020-12 schema under ajv's strict mode (the build skips this check for speed)", () => {
    const ajv = new Ajv2020.default({ strict: true, validateSchema: true });
    ajv.addSchema(JSON.parse(readFileSync("schemas/budget.schema.json", "utf8")) as object);
    const schema = JSON.parse(readFileSync("schemas/config.schema.json", "utf8")) as object;
    expect(ajv.validateSchema(schema), ajv.errorsText()).toBe(true);
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it("every property in the config schema has a description (editor help)", () => {
    const schema = JSON.parse(readFileSync("schemas/config.schema.json", "utf8")) as Record<string, unknown>;
    expect(schema.$id).toBe("https://micronets.dev/schemas/config.schema.json");
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    const defs = schema.$defs as Record<string, Record<string, unknown>>;
    const missing: string[] = [];
    const walk = (node: Record<string, unknown>, at: string): void => {
      for (const [name, sub] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        const ref = typeof sub.$ref === "string" && sub.$ref.startsWith("#/$defs/") ? defs[sub.$ref.slice(8)] : undefined;
        if (typeof sub.description !== "string" && typeof ref?.description !== "string") missing.push(`${at}/${name}`);
        walk(ref ?? sub, `${at}/${name}`);
      }
      if (node.items) walk(node.items as Record<string, unknown>, `${at}/items`);
      if (typeof node.$ref === "string" && node.$ref.startsWith("#/$defs/")) walk(defs[node.$ref.slice(8)]!, at);
    };
    walk(schema, "");
    expect(missing).toEqual([]);
  });
});

describe("micronets build: failures do not stop the other models and leave no partial output", () => {
  it("a failed budget: exit 1, the model FAILED with its check lines and no output, the others built", async () => {
    const p = project({
      defaults: { target: "stm32f746zg" },
      models: [
        { source: "models/hello_world_int8.tflite", prefix: "hello", out: "gen/hello" },
        { source: "models/person_detect.tflite", prefix: "pd", out: "gen/pd", backend: "cmsis-nn", budget: { limits: { sram: 50000, macs: "8M" } }, reports: { json: "reports/pd.json" } },
        { source: "models/ad01_int8.tflite", prefix: "ad", out: "gen/ad" },
      ],
    }, ["hello_world_int8", "person_detect", "ad01_int8"]);
    const r = await build(p.config);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(statuses(r.stdout)).toEqual({ hello: "built", pd: "FAILED", ad: "built" });
    // With CMSIS-NN kernels the arena is TFLM's plan plus any kernel scratch: at least TFLM's 55,296 B,
    // over the 50,000 B budget.
    const sram = Number(/FAIL sram: ([\d,]+) B/.exec(r.stdout)![1]!.replace(/,/g, ""));
    expect(sram).toBeGreaterThanOrEqual(PD_GOLDEN_ARENA);
    const over = sram - 50000;
    const fmt = (n: number) => n.toLocaleString("en-US");
    expect(r.stdout).toMatch(/^FAILED\s+pd: 1 of \d+ checks failed$/m);
    expect(r.stdout).toContain(`FAIL sram: ${fmt(sram)} B > budget 50,000 B (+${fmt(over)} B,`);
    expect(existsSync(join(p.dir, "gen/pd"))).toBe(false);
    expect(existsSync(join(p.dir, "reports/pd.json"))).toBe(false);
    expect(existsSync(join(p.dir, "gen/hello/hello_model.c"))).toBe(true);
    // A failed model is never "up to date": the next build checks it again and fails again.
    const again = await build(p.config);
    expect(again.code).toBe(1);
    expect(statuses(again.stdout)).toEqual({ hello: "skipped", pd: "FAILED", ad: "skipped" });
  });

  it("a model that turns bad keeps its previous outputs, is rebuilt (not skipped) next time, and bad input wins over a failed check (exit 2)", async () => {
    const p = project({
      defaults: { target: "stm32f746zg" },
      models: [
        { source: "models/hello_world_int8.tflite", prefix: "hello", out: "gen/hello", reports: { md: "gen/hello/hello.md" } },
        { source: "models/ad01_int8.tflite", prefix: "ad", out: "gen/ad", budget: { limits: { params: 1000 } } },
      ],
    }, ["hello_world_int8", "ad01_int8"]);
    let r = await build(p.config);
    expect(r.code).toBe(1);
    const before = readFileSync(join(p.dir, "gen/hello/hello_model.c"));
    const names = readdirSync(join(p.dir, "gen/hello")).sort();
    // Truncate the model: the .tflite reader rejects it.
    const f = join(p.dir, "models/hello_world_int8.tflite");
    writeFileSync(f, readFileSync(f).subarray(0, 600));
    r = await build(p.config);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(statuses(r.stdout)).toEqual({ hello: "FAILED", ad: "FAILED" });
    expect(r.stdout).toMatch(/^FAILED\s+hello: models\/hello_world_int8\.tflite: /m);
    expect(readFileSync(join(p.dir, "gen/hello/hello_model.c"))).toEqual(before);
    expect(readdirSync(join(p.dir, "gen/hello")).sort()).toEqual(names);
    expect(readdirSync(join(p.dir, "gen")).sort()).toEqual(["hello"]); // no temporary folders left
    r = await build(p.config);
    expect(statuses(r.stdout).hello).toBe("FAILED");
  });

  it("an unknown planner or latency family fails that model at its JSON path", async () => {
    const p = project({
      defaults: { target: "stm32f746zg" },
      models: [
        { source: "models/hello_world_int8.tflite", prefix: "hello", out: "gen/hello", planner: "optimal" },
        { source: "models/ad01_int8.tflite", prefix: "ad", out: "gen/ad", family: "sonar" },
        { source: "models/kws_ref_model.tflite", prefix: "kws", out: "gen/kws", budget: { family: "sonar" } },
      ],
    }, ["hello_world_int8", "ad01_int8", "kws_ref_model"]);
    const r = await build(p.config);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^FAILED\s+hello: .*micronets\.config\.json: \/models\/0\/planner: unknown memory planner 'optimal'; known planners: greedy-by-size/m);
    expect(r.stdout).toMatch(/^FAILED\s+ad: .*micronets\.config\.json: \/models\/1\/family: target 'stm32f746zg' has no latency family 'sonar'/m);
    expect(r.stdout).toMatch(/^FAILED\s+kws: .*micronets\.config\.json: \/models\/2\/budget: target 'stm32f746zg' has no latency family 'sonar'/m);
  });

  it("an output folder holding other files is refused, and left as it was", async () => {
    const p = project({ defaults: { target: "nrf52840" }, models: [{ source: "models/hello_world_int8.tflite", prefix: "hello", out: "src" }] }, ["hello_world_int8"]);
    mkdirSync(join(p.dir, "src"));
    writeFileSync(join(p.dir, "src/main.c"), "int main(void) { return 0; }\n");
    const r = await build(p.config);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/FAILED\s+hello: .*\/models\/0\/out: output folder '.*src' holds files that are not micronets output \(e\.g\. 'main\.c'\)/);
    expect(readdirSync(join(p.dir, "src"))).toEqual(["main.c"]);
  });

  it("a baseline the budget names is an input too: changing it rebuilds the model", async () => {
    const p = project({ defaults: { target: "nrf52840" }, models: [{ source: "models/hello_world_int8.tflite", prefix: "hello", out: "gen/hello", budget: { baseline: "baseline.json", tolerance: "0%" } }] }, ["hello_world_int8"]);
    const a = await runCli("analyze", join(p.dir, "models/hello_world_int8.tflite"), "--target", "nrf52840", "--json");
    expect(a.code, a.stderr).toBe(0);
    writeFileSync(join(p.dir, "baseline.json"), a.stdout);
    let r = await build(p.config);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\d+ checks passed/);
    expect(statuses((await build(p.config)).stdout)).toEqual({ hello: "skipped" });
    // A baseline with a smaller arena: the SRAM regression check now fails.
    const doc = JSON.parse(a.stdout) as { totals: { peakSramBytes: number } };
    doc.totals.peakSramBytes -= 16;
    writeFileSync(join(p.dir, "baseline.json"), JSON.stringify(doc));
    r = await build(p.config);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL sram regression: /);
  });

  it("--out-dir puts outputs (folders and reports) below another folder; inputs stay relative to the config", async () => {
    const p = project({ defaults: { target: "nrf52840" }, models: [{ source: "models/hello_world_int8.tflite", prefix: "hello", out: "gen/hello", reports: { json: "reports/hello.json" } }] }, ["hello_world_int8"]);
    const outDir = join(p.dir, "..", `${projects}-out`);
    const r = await build(p.config, "--out-dir", outDir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(existsSync(join(outDir, "gen/hello/hello_model.c"))).toBe(true);
    expect(existsSync(join(outDir, "reports/hello.json"))).toBe(true);
    expect(existsSync(join(p.dir, "gen"))).toBe(false);
    expect(statuses((await build(p.config, "--out-dir", outDir)).stdout)).toEqual({ hello: "skipped" });
  });
});
