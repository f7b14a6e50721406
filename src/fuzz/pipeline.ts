/**
 * Drives one fuzz input through every stage a user can reach — load, analyze, plan, op params, reports,
 * convert (write .tflite and read it back), compile to C, the reference interpreter on small graphs, and
 * the other engines checked against it (the WebAssembly simulator; on request the generated C built and
 * run on the host under sanitizers) — and classifies what happened:
 * - "ok": every stage ran;
 * - "rejected": a stage threw a MicronetsError (the tool said clearly what is wrong: the desired outcome for
 *   bad input);
 * - "finding": anything else — an untyped exception, an invariant broken by a stage's output (a NaN in the
 *   analysis, a multiplier outside the kernels' domain, "undefined" in generated C, a validated graph that
 *   does not round-trip, an engine disagreeing with the interpreter), a case slower than the time bound or
 *   one that allocated beyond the memory bound.
 * Hangs cannot be seen from inside the case; the drivers (campaign.ts, worker-pool.ts) catch those.
 */
import { analyzeGraph } from "../analysis/analyze.js";
import { planArena } from "../analysis/arena-plan.js";
import { loadTarget, type Target } from "../analysis/targets.js";
import { compileModel, type CompileResult } from "../codegen/compile.js";
import { createHostEngine, findHostCc } from "../codegen/host-check.js";
import { isMicronetsError, type ErrorKind } from "../errors.js";
import { parseModel } from "../frontends/load-model.js";
import { readTflite } from "../frontends/tflite/read-tflite.js";
import { writeTflite } from "../frontends/tflite/write-tflite.js";
import { elementCount } from "../ir/tensor-data.js";
import type { Graph } from "../ir/types.js";
import { validateGraph } from "../ir/validate.js";
import { deriveOpParams } from "../quant/op-params.js";
import { fillInput, runReference, type TensorValue } from "../reference/interpreter.js";
import { renderHtml } from "../report/html.js";
import { renderMarkdown } from "../report/markdown.js";
import { buildReport, reportJson } from "../report/report-data.js";
import { renderText } from "../report/text.js";
import { runWasm } from "../sim/index.js";

export const STAGES = ["load", "validate", "analyze", "plan", "op-params", "report", "convert", "compile", "reference", "wasm", "host-c"] as const;
/** Pipeline stages, and "generate" for a failure of the case generator itself (a fuzzer bug). */
export type Stage = (typeof STAGES)[number] | "generate";

export type FindingKind = "exception" | "invariant" | "slow" | "memory" | "hang" | "crash";

/** Documented bounds: a case slower than `slowMs` or allocating more than `memoryBytes` is a finding. */
export interface CaseBounds {
  /**
   * Wall time of one case through every stage except the sampled host-C build (default 2000 ms, the
   * campaign bound). The largest model the limits admit (8 MiB of constants) takes about 0.7 s on an idle
   * core; superlinear blow-ups and stalls miss the bound by orders of magnitude. Test slices on a shared CI
   * machine pass a looser bound so that load cannot make them flaky.
   */
  slowMs: number;
  /**
   * Heap + ArrayBuffer growth measured across one case (default 256 MiB). The largest legitimate case — the
   * 300 kB person-detection model through every stage — grows the heap by a few tens of MB; 256 MiB is far
   * above that and far below what would hurt a CI machine.
   */
  memoryBytes: number;
}

export const DEFAULT_BOUNDS: CaseBounds = { slowMs: 2000, memoryBytes: 256 * 1024 * 1024 };

export interface CaseOutcome {
  status: "ok" | "rejected" | "finding";
  /** The stage that threw (rejected / exception) or whose result broke an invariant. */
  stage?: Stage;
  /** MicronetsError kind, for rejected cases. */
  errorKind?: ErrorKind;
  findingKind?: FindingKind;
  /** The error's one-line message (rejected, finding). */
  message?: string;
  /** Stack of an untyped exception. */
  stack?: string;
  ms: number;
  memoryBytes: number;
  /** Stages that ran to completion (a stage with nothing to do for the case counts as completed). */
  completed: Stage[];
  /** The execution stages that really ran for this case (the interpreter, the checks against it). */
  executed?: Stage[];
  /** Milliseconds per stage that ran (a slow case names its slowest stage). */
  stageMs?: Partial<Record<Stage, number>>;
}

/** A case's input: file bytes to load, or (IR-level mutations the writer refuses) a graph to validate. */
export type CaseInput =
  | { kind: "bytes"; bytes: Uint8Array; path: string; weights?: "none" | "generate" }
  | { kind: "graph"; graph: Graph; path: string };

export interface PipelineOptions {
  bounds?: CaseBounds;
  /** Run the reference interpreter when the graph does at most this many MACs (default 100,000,000, ~0.3 s). */
  referenceMacs?: number;
  /** Selects the backend and other per-case variations deterministically. */
  variant?: number;
  /** Render the HTML report too (slower; default every 8th variant). */
  html?: boolean;
  /** Cross-check the WebAssembly simulator against the interpreter (default every 4th variant). */
  wasm?: boolean;
  /**
   * Build the generated portable C with the host compiler (warnings as errors, AddressSanitizer and
   * UndefinedBehaviorSanitizer) and compare its outputs with the interpreter's, bit for bit (default off:
   * a compiler run costs about a second, so drivers sample cases). Its time is not counted against slowMs.
   */
  hostC?: boolean;
  /**
   * Sample the host-C check instead: about one in K of the cases that ran the interpreter, chosen from the
   * case's variant (so a case is checked or not however a campaign is split across workers).
   */
  hostCEvery?: number;
}

/** One in `every` variants, by a multiplicative hash (the low bits of variant already pick other options). */
function sampledVariant(variant: number, every: number): boolean {
  return every > 0 && (Math.imul(variant + 1, 0x9e3779b1) >>> 8) % every === 0;
}

let target: Target | null = null;
function fuzzTarget(): Target {
  target ??= loadTarget("stm32f746zg");
  return target;
}

class InvariantError extends Error {}

/**
 * Walks a plain-data result and fails on NaN/Infinity (they become `null` in JSON reports and C). Paths are
 * spelled out only for the error: a model with millions of channels must not cost a string per number.
 */
function assertFiniteNumbers(value: unknown, what: string): void {
  interface Node { v: unknown; parent: Node | null; key: string }
  const pathOf = (n: Node): string => {
    const parts: string[] = [];
    for (let x: Node | null = n; x; x = x.parent) parts.push(x.key);
    return parts.reverse().join("");
  };
  const stack: Node[] = [{ v: value, parent: null, key: what }];
  while (stack.length > 0) {
    const n = stack.pop()!;
    const v = n.v;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (typeof x === "number") {
          if (!Number.isFinite(x)) throw new InvariantError(`${pathOf(n)}[${i}] is ${x}`);
        } else if (x !== null && typeof x === "object") stack.push({ v: x, parent: n, key: `[${i}]` });
      }
    } else if (v !== null && typeof v === "object" && !ArrayBuffer.isView(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (typeof x === "number") {
          if (!Number.isFinite(x)) throw new InvariantError(`${pathOf(n)}.${k} is ${x}`);
        } else if (x !== null && typeof x === "object") stack.push({ v: x, parent: n, key: `.${k}` });
      }
    }
  }
}

/** Multiplier/shift fields every engine applies with TFLM's MultiplyByQuantizedMultiplier. */
const MULTIPLIERS = ["multiplier", "output_multiplier", "input1_multiplier", "input2_multiplier", "base_multiplier"];
const SHIFTS = ["shift", "output_shift", "input1_shift", "input2_shift", "base_shift"];

/** Multipliers in [0, 2^31 − 1] and shifts in [−31, 31]: outside, the C kernels have undefined behaviour. */
function assertRequantDomain(p: Record<string, unknown>, what: string): void {
  const values = (k: string): number[] => (Array.isArray(p[k]) ? (p[k] as number[]) : typeof p[k] === "number" ? [p[k] as number] : []);
  for (const k of MULTIPLIERS) for (const v of values(k)) if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new InvariantError(`${what}: ${k} ${v} is outside [0, 2^31 − 1]`);
  for (const k of SHIFTS) for (const v of values(k)) if (!Number.isInteger(v) || v < -31 || v > 31) throw new InvariantError(`${what}: ${k} ${v} is outside [−31, 31]`);
}

/** Tokens that only appear in generated C when a JS value leaked into the text unformatted. */
const BAD_C_TOKEN = /\b(NaN|Infinity|undefined|null)\b|\[object /;

function stripCComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ");
}

function checkCompiled(r: CompileResult): void {
  for (const f of r.files) {
    const m = BAD_C_TOKEN.exec(stripCComments(f.contents));
    if (m) {
      const at = m.index;
      throw new InvariantError(`${f.name} contains '${m[0]}' near: ${JSON.stringify(stripCComments(f.contents).slice(Math.max(0, at - 60), at + 40))}`);
    }
  }
  if (!Number.isSafeInteger(r.arenaBytes) || r.arenaBytes < 0 || r.arenaBytes > 2 ** 31 - 1) throw new InvariantError(`arena of ${r.arenaBytes} bytes`);
}

function totalMacs(g: Graph, macs: readonly number[]): number {
  return macs.reduce((s, m) => s + m, 0) + g.operators.length;
}

/**
 * Input values: the TFLM golden fill, or (by variant) every element at the int8 extremes, which drives
 * accumulators and requantisation to their limits.
 */
function inputValue(g: Graph, id: number, variant: number): TensorValue | null {
  const t = g.tensors[id]!;
  const n = elementCount(t.shape);
  const mode = Math.floor(variant / 7) % 4;
  const base = mode === 1 ? new Int8Array(n).fill(127) : mode === 2 ? new Int8Array(n).fill(-128) : fillInput(n);
  switch (t.dtype) {
    case "int8": return base;
    case "float32": return Float32Array.from(base, (v) => (mode === 3 ? v * 1e30 : v / 64));
    case "int16": return Int16Array.from(base, (v) => v * 258);
    case "int32": return Int32Array.from(base, (v) => (mode === 3 ? v * 16_000_000 : v * 1000));
    default: return null;
  }
}

function allConstantsHaveData(g: Graph): boolean {
  return g.tensors.every((t) => !t.constant || (t.data !== null && t.data.length > 0));
}

function memoryNow(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Bytes of typed values back to back (the generated invoke's input/output layout). */
function packValues(values: readonly TensorValue[]): Uint8Array {
  const out = new Uint8Array(values.reduce((n, v) => n + v.byteLength, 0));
  let at = 0;
  for (const v of values) {
    out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), at);
    at += v.byteLength;
  }
  return out;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Runs one input through every stage; never throws. */
export async function runPipeline(input: CaseInput, opts: PipelineOptions = {}): Promise<CaseOutcome> {
  const bounds = opts.bounds ?? DEFAULT_BOUNDS;
  const variant = opts.variant ?? 0;
  const completed: Stage[] = [];
  const executed: Stage[] = [];
  const mem0 = memoryNow();
  let memPeak = mem0;
  const sample = (): void => {
    const m = memoryNow();
    if (m > memPeak) memPeak = m;
  };
  const t0 = performance.now();
  const stageMs: Partial<Record<Stage, number>> = {};
  let stageStart = t0;
  let stage: Stage = input.kind === "bytes" ? "load" : "validate";
  /** Ends the current stage's clock and starts `next`'s. */
  const enter = (next: Stage): void => {
    const now = performance.now();
    stageMs[stage] = (stageMs[stage] ?? 0) + now - stageStart;
    stageStart = now;
    stage = next;
  };
  const finish = (o: Omit<CaseOutcome, "ms" | "memoryBytes" | "completed">): CaseOutcome => {
    sample();
    enter(stage);
    const ms = performance.now() - t0 - (stageMs["host-c"] ?? 0);
    const memoryBytes = Math.max(0, memPeak - mem0);
    const base = { ...o, ms, memoryBytes, completed, executed, stageMs };
    if (o.status !== "finding") {
      const slowest = (Object.entries(stageMs) as [Stage, number][]).reduce((a, b) => (b[1] > a[1] ? b : a), [stage, -1] as [Stage, number]);
      const times = (Object.entries(stageMs) as [Stage, number][]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ");
      if (memoryBytes > bounds.memoryBytes) return { ...base, status: "finding", findingKind: "memory", stage: o.stage ?? stage, message: `grew the heap by ${memoryBytes} bytes (bound ${bounds.memoryBytes})` };
      if (ms > bounds.slowMs) return { ...base, status: "finding", findingKind: "slow", stage: slowest[0], message: `took ${ms.toFixed(0)} ms (bound ${bounds.slowMs} ms; ms by stage: ${times})` };
    }
    return base;
  };

  try {
    let graph: Graph;
    if (input.kind === "bytes") {
      graph = parseModel(input.bytes, input.path, { weights: input.weights }).graph;
      completed.push("load");
    } else {
      graph = validateGraph(input.graph);
      completed.push("validate");
    }
    sample();

    enter("analyze");
    const analysis = analyzeGraph(graph, { target: fuzzTarget() });
    assertFiniteNumbers(analysis, "analysis");
    if (analysis.arena.total < analysis.arena.lowerBound) throw new InvariantError(`arena ${analysis.arena.total} below its lower bound ${analysis.arena.lowerBound}`);
    completed.push("analyze");
    sample();

    enter("plan");
    // The other registered planner and an unusual alignment (planArena proves every plan it returns).
    planArena(graph, { algorithm: "linear", alignment: 1 + (variant % 16) });
    completed.push("plan");

    enter("op-params");
    const params = deriveOpParams(graph, { rounding: variant % 2 === 0 ? "double" : "single" });
    assertFiniteNumbers(params, "op params");
    params.forEach((p, i) => assertRequantDomain(p as unknown as Record<string, unknown>, `op params ${i} (${p.type})`));
    completed.push("op-params");
    sample();

    enter("report");
    const report = buildReport(analysis, { path: input.path, format: "tflite" });
    renderText(report);
    renderMarkdown(report);
    JSON.parse(reportJson(report));
    if (opts.html ?? variant % 8 === 0) renderHtml(report);
    completed.push("report");
    sample();

    enter("convert");
    const writable = allConstantsHaveData(graph);
    if (writable) {
      const bytes = writeTflite(graph);
      try {
        readTflite(bytes, "roundtrip.tflite");
      } catch (e) {
        throw new InvariantError(`a validated graph written as .tflite does not read back: ${(e as Error).message}`);
      }
    }
    completed.push("convert");
    sample();

    enter("compile");
    if (writable) {
      const r = compileModel(graph, { backend: variant % 3 === 2 ? "cmsis-nn" : "portable", core: variant % 5 === 4 ? "host" : "cortex-m4" });
      checkCompiled(r);
    }
    completed.push("compile");
    sample();

    enter("reference");
    const macs = totalMacs(graph, analysis.layers.map((l) => l.macs + l.elementwiseOps));
    // Small cases only: the interpreter allocates every activation (up to the 1 GiB tensor limit).
    let run: { inputs: TensorValue[]; outputs: TensorValue[] } | null = null;
    if (writable && macs <= (opts.referenceMacs ?? 100_000_000) && analysis.arena.total <= 16 * 1024 * 1024) {
      const inputs = graph.inputs.map((id) => inputValue(graph, id, variant));
      if (inputs.every((v): v is TensorValue => v !== null)) {
        const r = runReference(graph, inputs, { params: variant % 2 === 0 ? params : undefined });
        r.outputs.forEach((v, k) => {
          const t = graph.tensors[graph.outputs[k]!]!;
          if (v.length !== elementCount(t.shape)) throw new InvariantError(`output ${k} has ${v.length} values for shape [${t.shape.join(", ")}]`);
        });
        run = { inputs, outputs: r.outputs };
        executed.push("reference");
      }
    }
    completed.push("reference");
    sample();

    // Other engines must agree with the interpreter bit for bit.
    enter("wasm");
    if (run && (opts.wasm ?? variant % 4 === 0)) {
      const w = await runWasm(graph, run.inputs);
      const at = firstDifference(packValues(w.outputs), packValues(run.outputs));
      if (at >= 0) throw new InvariantError(`the WebAssembly simulator's outputs differ from the reference interpreter's at byte ${at}`);
      executed.push("wasm");
    }
    completed.push("wasm");
    sample();

    enter("host-c");
    if (run && (opts.hostC || sampledVariant(variant, opts.hostCEvery ?? 0)) && findHostCc()) {
      const expected = packValues(run.outputs);
      let got: Uint8Array;
      try {
        const engine = createHostEngine(compileModel(graph, { backend: "portable", core: "host" }), { sanitize: true });
        try {
          got = engine.run(packValues(run.inputs));
        } finally {
          engine.dispose();
        }
      } catch (e) {
        // The graph compiled above; here the C must build warning-free and run clean under the sanitizers.
        throw new InvariantError(`generated C failed on the host: ${(e as Error).message.slice(0, 1500)}`);
      }
      const at = firstDifference(got, expected);
      if (at >= 0) throw new InvariantError(`generated C's outputs differ from the reference interpreter's at byte ${at} (${got[at]} vs ${expected[at]})`);
      executed.push("host-c");
    }
    completed.push("host-c");
    return finish({ status: "ok" });
  } catch (e) {
    // The pipeline passes only valid options, so a usage error here is a model problem reported as the
    // caller's (wrong exit message and hint): a finding.
    if (isMicronetsError(e) && e.kind === "usage") return finish({ status: "finding", findingKind: "invariant", stage, message: `usage error caused by the model: ${e.format()}` });
    if (isMicronetsError(e)) return finish({ status: "rejected", stage, errorKind: e.kind, message: e.format() });
    if (e instanceof InvariantError) return finish({ status: "finding", findingKind: "invariant", stage, message: e.message });
    const err = e as Error;
    return finish({ status: "finding", findingKind: "exception", stage, message: `${err?.name ?? "Error"}: ${err?.message ?? String(e)}`, stack: err?.stack });
  }
}
