/**
 * `micronets report` and the HTML renderer without a browser: self-containment, determinism, escaping of
 * hostile model strings, the embedded JSON, the buffer rectangles against TFLM's own memory plan
 * (../shared/golden/tflm, --backend tflm) and against the code generator's layout (the default portable
 * backend), the live-bytes sweep against the analysis' lower bound, and the CLI's options.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeGraph } from "../src/analysis/analyze.js";
import { compileModel } from "../src/codegen/index.js";
import { readTflite } from "../src/frontends/tflite/read-tflite.js";
import { writeTflite } from "../src/frontends/tflite/write-tflite.js";
import { renderHtml } from "../src/report/html.js";
import { esc, escMultiline, jsonForScript } from "../src/report/html/escape.js";
import { headroomState } from "../src/report/html/gauges.js";
import { liveBytesPerScope, sharedInPlace } from "../src/report/html/live-bytes.js";
import { niceStep, ticks } from "../src/report/html/ticks.js";
import { buildReport, type Report } from "../src/report/report-data.js";
import { runCli } from "./helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "mn-report-"));
const MODELS = ["hello_world_int8", "ad01_int8", "kws_ref_model", "person_detect"] as const;
const modelPath = (m: string) => `fixtures/models/${m}.tflite`;

/** The embedded JSON block's text. */
function embeddedJson(html: string): string {
  const m = /<script type="application\/json" id="micronets-report">([^<]*)<\/script>/.exec(html);
  if (!m) throw new Error("no embedded JSON report");
  return m[1]!;
}

/** The attributes of every `<rect class="buf …">`, in document order. */
function bufRects(html: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of html.matchAll(/<rect class="buf [^"]*"([^>]*)>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1]!.matchAll(/ ([a-z-]+)="([^"]*)"/g)) attrs[a[1]!] = a[2]!;
    out.push(attrs);
  }
  return out;
}

async function report(...args: string[]): Promise<string> {
  const out = join(tmp, `r-${Math.random().toString(36).slice(2)}.html`);
  const r = await runCli("report", ...args, "-o", out);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return readFileSync(out, "utf8");
}

async function analyzeJson(...args: string[]): Promise<Report> {
  const r = await runCli("analyze", ...args, "--json");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

describe("micronets report (HTML)", () => {
  it("is self-contained: no external URL, stylesheet, script, font or image", async () => {
    const html = await report(modelPath("person_detect"), "--target", "stm32f746zg");
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    // The embedded JSON holds the report schema's $id (a URL that is never fetched); check the rest.
    const page = html.replace(embeddedJson(html), "");
    expect(page).not.toMatch(/https?:\/\//i);
    expect(page).not.toMatch(/\b(src|href|xlink:href|srcset|action)\s*=/i);
    expect(page).not.toMatch(/url\(|@import|@font-face/i);
    expect(page.match(/<script\b/g)).toHaveLength(2); // the JSON block and our one inline script
    expect(page).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+';/);
  });

  it("is deterministic: same model and options, same bytes", async () => {
    const a = await report(modelPath("kws_ref_model"), "--target", "stm32f446re");
    const b = await report(modelPath("kws_ref_model"), "--target", "stm32f446re");
    expect(a).toBe(b);
    expect(a).not.toMatch(/20\d\d-\d\d-\d\d/); // no dates
  });

  it("embeds exactly the JSON report `analyze --json` prints", async () => {
    for (const [m, target] of [["person_detect", "stm32f746zg"], ["ad01_int8", "nrf52840"]] as const) {
      const html = await report(modelPath(m), "--target", target);
      expect(JSON.parse(embeddedJson(html))).toEqual(await analyzeJson(modelPath(m), "--target", target));
    }
  });

  it.each(MODELS)("%s: one rect per planned buffer, matching TFLM's memory plan (--backend tflm)", async (m) => {
    const html = await report(modelPath(m), "--backend", "tflm");
    const golden = JSON.parse(readFileSync(`../shared/golden/tflm/${m}.reference.json`, "utf8")) as {
      memory_plan: { tensor: number; size: number; first_use: number; last_use: number; offset: number }[];
    };
    const rects = bufRects(html);
    expect(rects).toHaveLength(golden.memory_plan.length);
    const byTensor = new Map(rects.map((r) => [Number(r["data-tensor"]), r]));
    for (const g of golden.memory_plan) {
      const r = byTensor.get(g.tensor);
      expect(r, `tensor ${g.tensor}`).toBeDefined();
      expect([r!["data-size"], r!["data-offset"], r!["data-first"], r!["data-last"]].map(Number)).toEqual([g.size, g.offset, g.first_use, g.last_use]);
    }
  });

  it("by default shows the portable backend's arena: one rect per buffer of the code generator's layout, TFLM's bytes beside it", async () => {
    const graph = readTflite(new Uint8Array(readFileSync(modelPath("kws_ref_model"))));
    const layout = compileModel(graph).layout!;
    const html = await report(modelPath("kws_ref_model"));
    const rects = bufRects(html);
    expect(rects).toHaveLength(layout.buffers.length);
    for (const r of rects) {
      if (r["data-tensor"] === "scratch") continue;
      expect(Number(r["data-offset"]), `tensor ${r["data-tensor"]}`).toBe(layout.tensorOffset.get(Number(r["data-tensor"])));
    }
    expect(html).toContain(`backend <b data-field="deployment.backend">portable</b>`);
    // 16,000 B: TFLM's golden head for kws.
    expect(html).toContain(`TFLM would plan <span class="num" data-total="deployment.tflmArenaBytes">16,000</span> B for the same tensors`);
    expect(html).toContain(`arena total ${layout.total.toLocaleString("en-US")} B (in-place first-fit)`);
  });

  it("without a target shows totals and no gauges", async () => {
    const html = await report(modelPath("hello_world_int8"));
    expect(html).not.toContain("data-gauge=");
    expect(html).toContain(`data-total="totals.macs">288<`); // 1×16 + 16×16 + 16×1 MACs
    expect(html).not.toContain("est. ms");
  });

  it("with budgets, the latency gauge compares against them", async () => {
    // kws on the F446RE: 5,313,536 ops / 79.74 Mops/s + 42.9 ms ≈ 109.5 ms (targets/stm32f446re.json).
    const over = await report(modelPath("kws_ref_model"), "--target", "stm32f446re", "--latency-budget", "100", "--energy-budget", "50");
    expect(over).toMatch(/data-gauge="latency" data-state="over"/);
    expect(over).toMatch(/data-gauge="energy" data-state="ok"/);
    const ok = await report(modelPath("kws_ref_model"), "--target", "stm32f446re", "--latency-budget", "200");
    expect(ok).toMatch(/data-gauge="latency" data-state="ok"/);
    expect(ok).toMatch(/data-gauge="energy" data-state="info"/);
  });

  it("--md and --json write those formats to -o", async () => {
    const md = join(tmp, "r.md");
    const js = join(tmp, "r.json");
    expect((await runCli("report", modelPath("ad01_int8"), "--md", "-o", md)).code).toBe(0);
    expect((await runCli("report", modelPath("ad01_int8"), "--json", "-o", js)).code).toBe(0);
    expect(readFileSync(md, "utf8")).toBe((await runCli("analyze", modelPath("ad01_int8"), "--md")).stdout);
    expect(JSON.parse(readFileSync(js, "utf8"))).toEqual(await analyzeJson(modelPath("ad01_int8")));
  });

  it("bad options and bad input exit 2 with one line and no output file", async () => {
    const out = join(tmp, "never.html");
    const cases: [string[], RegExp][] = [
      [[modelPath("ad01_int8"), "--json", "--md"], /choose one of --json and --md/],
      [[modelPath("ad01_int8"), "--latency-budget", "10"], /--latency-budget needs --target/],
      [[modelPath("ad01_int8"), "--target", "nrf52840", "--energy-budget=-1"], /--energy-budget must be a positive number, got '-1'/],
      [[modelPath("ad01_int8"), "--target", "nrf52840", "--latency-budget", "fast"], /--latency-budget must be a positive number, got .fast./], [[modelPath("ad01_int8"), "--target", "nrf52840", "--latency-budget", "0"], /--latency-budget must be a positive number, got .0./],
      [[modelPath("ad01_int8"), "--target", "no-such-mcu"], /no-such-mcu/],
      [[join(tmp, "missing.tflite")], /missing\.tflite/],
      [[], /missing the model file/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli("report", ...args, "-o", out);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
      expect(existsSync(out)).toBe(false);
    }
  });

  it("--help prints the usage", async () => {
    const r = await runCli("report", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("usage: micronets report");
  });
});

/** A name that tries every way out of HTML text, attributes, the JSON block, comments and SVG. */
const HOSTILE = `</script><script>alert("x")</script><img src=x onerror=alert(1)>"'&amp;<!-- ]]> \u0001\u2028 ü 🙂 --> <svg onload=alert(2)>`;

/** person_detect with its input tensor, graph name and description replaced by HOSTILE. */
function hostileModel(dir: string): string {
  const g = readTflite(new Uint8Array(readFileSync(modelPath("person_detect"))));
  g.tensors[g.inputs[0]!]!.name = HOSTILE;
  g.name = HOSTILE;
  g.description = HOSTILE;
  const p = join(dir, "hostile.tflite");
  writeFileSync(p, writeTflite(g));
  return p;
}

describe("escaping model-provided strings", () => {
  it("a hostile tensor, model name and description never reach the page unescaped", async () => {
    const path = hostileModel(tmp);
    const html = await report(path, "--target", "stm32f746zg");
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<svg onload");
    expect(html).not.toContain("<!--");
    expect(html).not.toContain("\u0001");
    expect(html).toContain("&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)");
    // The JSON block round-trips the exact name (control character included).
    const embedded = JSON.parse(embeddedJson(html)) as Report;
    expect(embedded.model.name).toBe(HOSTILE);
    expect(embedded.arena.buffers.find((b) => b.tensor === embedded.model.inputs[0])!.name).toBe(HOSTILE);
  });

  it("esc, escMultiline and jsonForScript", () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    expect(esc("a\u0000b\u0007c\u007fd\u0085e\tf\ng")).toBe("a\ufffdb\ufffdc\ufffdd\ufffde\tf\ng");
    expect(escMultiline("a\nb<")).toBe("a&#10;b&lt;");
    const v = { s: "</script><!-- & \u2028\u2029 >", n: [1, 2] };
    const j = jsonForScript(v);
    expect(j).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(j)).toEqual(v);
  });
});

describe("report helpers", () => {
  it("live bytes per scope: hand example", () => {
    // a: 16 B live 0–1, b: 32 B live 1–2, c: 48 B live 3–3 → [16, 48, 32, 48]; first peak at scope 1.
    const l = liveBytesPerScope([{ size: 16, firstUse: 0, lastUse: 1 }, { size: 32, firstUse: 1, lastUse: 2 }, { size: 48, firstUse: 3, lastUse: 3 }], 4);
    expect(l.live).toEqual([16, 48, 32, 48]);
    expect(l.peakScope).toBe(1);
    expect(l.peakBytes).toBe(48);
    expect(liveBytesPerScope([], 0)).toEqual({ live: [0], peakScope: 0, peakBytes: 0 });
  });

  it("live bytes per scope: an in-place layer's shared bytes count once", () => {
    // in: 64 B live 0–1, out: 64 B at +16 over it, live 1–2 → they span 80 B at scope 1, sharing 48.
    const l = liveBytesPerScope([{ size: 64, firstUse: 0, lastUse: 1 }, { size: 64, firstUse: 1, lastUse: 2 }], 3, [{ scope: 1, bytes: 48 }]);
    expect(l.live).toEqual([64, 80, 64]);
    const arena = {
      buffers: [
        { tensor: 0, name: "in", size: 64, firstUse: 0, lastUse: 1, offset: 0, kind: "tensor" as const },
        { tensor: 1, name: "out", size: 64, firstUse: 1, lastUse: 2, offset: 16, kind: "tensor" as const },
      ],
      total: 80,
      lowerBound: 80,
      algorithm: "in-place first-fit",
      alignment: 16,
      inPlace: [{ op: 0, input: 0, output: 1, rel: 16, elided: false }],
    };
    expect(sharedInPlace(arena)).toEqual([{ scope: 1, bytes: 48 }]);
  });

  it.each(MODELS)("%s: the peak of live bytes is the analysis' lower bound (TFLM's plan and the portable in-place plan)", async (m) => {
    const a = analyzeGraph(readTflite(new Uint8Array(readFileSync(modelPath(m)))));
    expect(liveBytesPerScope(a.arena.buffers, a.model.operators + 1).peakBytes).toBe(a.arena.lowerBound);
    const p = await analyzeJson(modelPath(m));
    expect(p.deployment.inPlaceLayers).toBeGreaterThan(0);
    expect(liveBytesPerScope(p.arena.buffers, p.model.operators + 1, sharedInPlace(p.arena)).peakBytes).toBe(p.arena.lowerBound);
    expect(p.arena.lowerBound).toBeLessThanOrEqual(p.arena.total);
  });

  it("gauge colour by headroom", () => {
    expect(headroomState(50, 100)).toBe("ok");
    expect(headroomState(90, 100)).toBe("ok"); // exactly 10 % left
    expect(headroomState(91, 100)).toBe("tight");
    expect(headroomState(100, 100)).toBe("tight");
    expect(headroomState(101, 100)).toBe("over");
    expect(headroomState(0, 0)).toBe("over");
  });

  it("nice ticks", () => {
    expect(niceStep(31, 20)).toBe(2);
    expect(niceStep(60.8, 8)).toBe(10);
    expect(niceStep(3, 20)).toBe(1);
    expect(ticks(35, 5)).toEqual([0, 5, 10, 15, 20, 25, 30, 35]);
  });

  it("renderHtml is a pure function of the report", () => {
    const a = analyzeGraph(readTflite(new Uint8Array(readFileSync(modelPath("ad01_int8")))));
    const r = buildReport(a, { path: "x/ad01.tflite", format: "tflite" });
    const copy = JSON.parse(JSON.stringify(r)) as Report;
    expect(renderHtml(r)).toBe(renderHtml(copy));
    expect(renderHtml(r)).toContain("<h1>ad01.tflite</h1>");
  });
});
