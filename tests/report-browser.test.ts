/**
 * The HTML report in a real browser: Debian's Chromium (headless) driven by playwright-core. For each model
 * the page must load with no console error and no request at all besides its own file, show one SVG rect
 * per planned buffer (against the JSON report of `micronets analyze --json`), show the same totals as that
 * report, and show a tooltip when a buffer is hovered. Screenshots go to tests/.output/ for a human look.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTflite } from "../src/frontends/tflite/read-tflite.js";
import { writeTflite } from "../src/frontends/tflite/write-tflite.js";
import type { Report } from "../src/report/report-data.js";
import { runCli } from "./helpers/cli.js";

const CHROMIUM = process.env.MICRONETS_CHROMIUM ?? "/usr/bin/chromium";
const OUTPUT_DIR = "tests/.output";
const tmp = mkdtempSync(join(tmpdir(), "mn-report-browser-"));
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`the browser test needs Chromium at ${CHROMIUM} (apt-get install chromium, or set MICRONETS_CHROMIUM)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
  });
});

afterAll(async () => {
  await browser?.close();
});

/** en-US grouping, independent of the report's own formatter. */
const grouped = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 0 });

interface Watch {
  url: string;
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
  failedRequests: string[];
  dialogs: string[];
}

async function openReport(file: string): Promise<{ page: Page; watch: Watch }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const url = pathToFileURL(resolve(file)).href;
  const watch: Watch = { url, consoleErrors: [], pageErrors: [], requests: [], failedRequests: [], dialogs: [] };
  page.on("console", (m) => {
    if (m.type() === "error") watch.consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => watch.pageErrors.push(e.message));
  page.on("request", (r) => watch.requests.push(r.url()));
  page.on("requestfailed", (r) => watch.failedRequests.push(`${r.url()}: ${r.failure()?.errorText ?? ""}`));
  page.on("dialog", (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  // A safety net as well as a probe: any request other than the page itself is recorded and aborted.
  await page.route("**/*", (route) => (route.request().url() === url ? route.continue() : route.abort()));
  await page.goto(url, { waitUntil: "load" });
  return { page, watch };
}

function expectQuiet(w: Watch): void {
  expect(w.consoleErrors).toEqual([]);
  expect(w.pageErrors).toEqual([]);
  expect(w.failedRequests).toEqual([]);
  expect(w.dialogs).toEqual([]);
  // Nothing leaves the page: the only request is the page's own file.
  expect(w.requests).toContain(w.url);
  expect(w.requests.filter((u) => u !== w.url)).toEqual([]);
}

function at(obj: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | null)?.[k], obj);
}

async function renderCase(model: string, target: string | null): Promise<{ html: string; expected: Report }> {
  const out = join(tmp, `${model.replace(/\W/g, "_")}.html`);
  const targetArgs = target ? ["--target", target] : [];
  const r = await runCli("report", model, ...targetArgs, "-o", out);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const a = await runCli("analyze", model, ...targetArgs, "--json");
  expect(a.code).toBe(0);
  return { html: out, expected: JSON.parse(a.stdout) as Report };
}

async function checkPage(page: Page, expected: Report): Promise<void> {
  // The embedded JSON is the analyze report.
  const embedded = JSON.parse((await page.locator("script#micronets-report").textContent()) ?? "null") as Report;
  expect(embedded).toEqual(expected);

  // One rect per planned buffer, each carrying that buffer's figures.
  const rects = page.locator("svg.arena-plot rect.buf");
  expect(await rects.count()).toBe(expected.arena.buffers.length);
  const attrs = await rects.evaluateAll((els) => els.map((e) => ["data-size", "data-offset", "data-first", "data-last"].map((a) => Number(e.getAttribute(a)))));
  expect(attrs).toEqual(expected.arena.buffers.map((b) => [b.size, b.offset, b.firstUse, b.lastUse]));

  // Geometry: x is linear in scope, width in lifetime, y and height in bytes (rects drawn taller than their
  // size, to stay visible, are skipped for the height check). Bounding boxes include half the stroke.
  const svgBox = (await page.locator("svg.arena-plot").boundingBox())!;
  const viewW = Number(((await page.locator("svg.arena-plot").getAttribute("viewBox")) ?? "").split(" ")[2]);
  const stroke = parseFloat(String(await page.evaluate("getComputedStyle(document.querySelector('rect.buf')).strokeWidth"))) * (svgBox.width / viewW);
  const boxes = (await Promise.all(expected.arena.buffers.map((_, i) => rects.nth(i).boundingBox()))).map((b) => ({
    x: b!.x + stroke / 2,
    y: b!.y + stroke / 2,
    width: b!.width - stroke,
    height: b!.height - stroke,
  }));
  // An in-place layer's input ends, and its output starts, halfway through the layer's scope.
  const layers = expected.arena.inPlace ?? [];
  const trim = (b: Report["arena"]["buffers"][number]) => ({
    start: b.tensor !== null && layers.some((l) => l.output === b.tensor) ? 0.5 : 0,
    end: b.tensor !== null && layers.some((l) => l.input === b.tensor) ? 0.5 : 0,
  });
  const span = (b: Report["arena"]["buffers"][number]) => b.lastUse - b.firstUse + 1 - trim(b).start - trim(b).end;
  const big = expected.arena.buffers.reduce((bi, b, i, all) => (b.size > all[bi]!.size ? i : bi), 0);
  const bb = boxes[big]!;
  const bBig = expected.arena.buffers[big]!;
  const colW = bb.width / span(bBig);
  const pxPerByte = bb.height / bBig.size;
  const x0 = bb.x - (bBig.firstUse + trim(bBig).start) * colW;
  const yBase = bb.y + bb.height + bBig.offset * pxPerByte; // screen y of arena offset 0
  expected.arena.buffers.forEach((b, i) => {
    const box = boxes[i]!;
    expect(Math.abs(box.x - (x0 + (b.firstUse + trim(b).start) * colW)), `buffer ${i} x`).toBeLessThan(0.5);
    expect(Math.abs(box.width - span(b) * colW), `buffer ${i} width`).toBeLessThan(0.5);
    expect(Math.abs(box.y + box.height - (yBase - b.offset * pxPerByte)), `buffer ${i} bottom`).toBeLessThan(0.5);
    if (b.size * pxPerByte > 3) expect(Math.abs(box.height - b.size * pxPerByte), `buffer ${i} height`).toBeLessThan(0.5);
  });
  // The arena total line sits at offset `total`.
  const line = (await page.locator("svg.arena-plot line.arena-line").boundingBox())!;
  expect(Math.abs(line.y + line.height / 2 - (yBase - expected.arena.total * pxPerByte))).toBeLessThan(1);
  expect(await page.locator("svg.arena-plot text.arena-label").textContent()).toContain(`arena total ${grouped(expected.arena.total)} B`);

  // Every figure shown with data-total equals the report's value at that path.
  const figs = page.locator("[data-total]");
  const paths = await figs.evaluateAll((els) => els.map((e) => e.getAttribute("data-total") ?? ""));
  const texts = await figs.allInnerTexts();
  const required = ["totals.macs", "totals.ops", "totals.params", "totals.flashBytes", "totals.peakSramBytes", "totals.sramLowerBound"];
  if (expected.target) required.push("target.fit.sram.used", "target.fit.sram.available", "target.fit.flash.used", "target.fit.flash.available", "target.latencyMs", "target.energyMj");
  for (const p of required) expect(paths, p).toContain(p);
  paths.forEach((p, i) => {
    const want = at(expected, p);
    expect(typeof want, p).toBe("number");
    const shown = Number(texts[i]!.replace(/,/g, ""));
    if (Number.isInteger(want)) expect(shown, p).toBe(want);
    else expect(Math.abs(shown - (want as number)), p).toBeLessThanOrEqual(0.005 + 1e-9); // two decimals shown
  });

  // One table row per layer; gauges only with a target, coloured by headroom.
  expect(await page.locator("table.layers tbody tr").count()).toBe(expected.layers.length);
  if (expected.target) {
    for (const key of ["sram", "flash"] as const) {
      const c = expected.target.fit[key];
      const state = !c.fits ? "over" : c.headroomPercent! < 10 ? "tight" : "ok";
      const g = page.locator(`[data-gauge="${key}"]`);
      expect(await g.getAttribute("data-state")).toBe(state);
      const now = Number(await g.locator('[role="meter"]').getAttribute("aria-valuenow"));
      expect(Math.abs(now - Math.min(100, (c.used / c.available) * 100))).toBeLessThanOrEqual(0.05);
    }
  } else {
    expect(await page.locator("[data-gauge]").count()).toBe(0);
  }

  // Hovering the largest buffer shows its tooltip: name, size, offset, lifetime.
  const tip = page.locator("#tip");
  expect(await tip.isVisible()).toBe(false);
  await rects.nth(big).hover();
  expect(await tip.isVisible()).toBe(true);
  const tipText = await tip.innerText();
  expect(tipText).toContain(bBig.name);
  expect(tipText).toContain(`size ${grouped(bBig.size)} B`);
  expect(tipText).toContain(`offset ${grouped(bBig.offset)}–${grouped(bBig.offset + bBig.size)}`);
  expect(tipText).toContain(`lifetime scopes ${bBig.firstUse}–${bBig.lastUse}`);
  // The SVG <title> (the tooltip without script) was taken over as the accessible name.
  expect(await rects.nth(big).getAttribute("aria-label")).toBe(tipText);
}

async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, `report-${name}.png`);
  await page.mouse.move(0, 0);
  await page.screenshot({ path, fullPage: true });
  const hover = join(OUTPUT_DIR, `report-${name}-arena-hover.png`);
  const arena = page.locator("section#arena");
  await arena.scrollIntoViewIfNeeded();
  const rect = page.locator("rect.buf").first();
  await rect.hover();
  await arena.screenshot({ path: hover });
  console.log(`screenshot: ${path}\nscreenshot: ${hover}`);
  return path;
}

describe("HTML report in headless Chromium", () => {
  const cases: [string, string, string | null][] = [
    ["person_detect", "fixtures/models/person_detect.tflite", "stm32f746zg"],
    ["kws_ref_model", "fixtures/models/kws_ref_model.tflite", "stm32f446re"],
    ["hello_world_int8", "fixtures/models/hello_world_int8.tflite", null],
  ];

  it.each(cases)("%s: loads offline and shows what the JSON report says", async (name, model, target) => {
    const { html, expected } = await renderCase(model, target);
    const { page, watch } = await openReport(html);
    try {
      await checkPage(page, expected);
      const shot = await screenshot(page, name);
      expect(readFileSync(shot).subarray(1, 4).toString("latin1")).toBe("PNG");
      expectQuiet(watch);
    } finally {
      await page.close();
    }
  });

  it("the watch sees requests, failures and console errors (so the checks above can fail)", async () => {
    const file = join(tmp, "leaky.html");
    writeFileSync(file, `<!DOCTYPE html><title>x</title><img src="https://example.invalid/x.png"><script>console.error("boom")</script>`);
    const { page, watch } = await openReport(file);
    try {
      expect(watch.requests).toContain("https://example.invalid/x.png");
      expect(watch.failedRequests.length).toBe(1);
      expect(watch.consoleErrors).toContain("boom");
      expect(() => expectQuiet(watch)).toThrow();
    } finally {
      await page.close();
    }
  });

  it("a hostile tensor and model name render as text: no script runs, no element is injected", async () => {
    const hostile = `</script><script>alert("x")</script><img src=x onerror=alert(1)>"'&amp;<!-- \u0001 🙂 --><svg onload=alert(2)>`;
    const g = readTflite(new Uint8Array(readFileSync("fixtures/models/person_detect.tflite")));
    g.tensors[g.inputs[0]!]!.name = hostile;
    g.name = hostile;
    const model = join(tmp, "hostile.tflite");
    writeFileSync(model, writeTflite(g));
    const { html, expected } = await renderCase(model, "stm32f746zg");
    const { page, watch } = await openReport(html);
    try {
      expect(await page.locator("script").count()).toBe(2);
      expect(await page.locator("img").count()).toBe(0);
      expect(await page.locator("svg").count()).toBe(await page.locator("svg.arena-plot, ul.legend svg").count());
      const shownName = hostile.replace("\u0001", "\ufffd"); // control characters are shown as U+FFFD
      expect(await page.locator("header .sub").innerText()).toContain(shownName);
      const input = page.locator(`rect.buf[data-tensor="${expected.model.inputs[0]}"]`);
      expect(await input.getAttribute("data-name")).toBe(shownName);
      await checkPage(page, expected);
      expectQuiet(watch);
    } finally {
      await page.close();
    }
  });
});
