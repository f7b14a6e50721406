/**
 * `micronets build`: every model of a config — skipped when its stamp says its inputs are unchanged, else
 * analysed, checked, compiled and written atomically. Models are independent: one failing (bad input or a
 * failed budget) is reported and the others are still built. The exit code is the worst of the models':
 * 0 all ok, 1 a check failed, 2 bad input.
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { packageRoot } from "../emulator/paths.js";
import { isMicronetsError } from "../errors.js";
import { loadBuildConfig, DEFAULT_CONFIG_FILE, type BuildConfig, type ModelSpec } from "./config.js";
import { refuseForeignFolder, writeOutputs, type OutputFile } from "./output-folder.js";
import { hashInputs, hashTree, makeStamp, readStamp, staleReason } from "./stamp.js";

export type ModelStatus = "built" | "skipped" | "failed";

export interface ModelResult {
  index: number;
  name: string;
  status: ModelStatus;
  /** built: what changed ("new", "model changed", "forced"…); skipped: "up to date"; failed: the error. */
  reason: string;
  /** 0 built or skipped, 1 a check failed, 2 bad input. */
  exitCode: 0 | 1 | 2;
  /** The output folder as written in the config. */
  out: string;
  /** Files written into the output folder (built only). */
  files: string[];
  /** Report files written (built only), absolute. */
  reports: string[];
  /** The checks run (built, or failed on a check). */
  checks: { passed: number; total: number; failures: string[] } | null;
  /** Static arena bytes of the generated C (built only). */
  arenaBytes: number | null;
  ms: number;
}

export interface BuildSummary {
  config: string;
  models: ModelResult[];
  exitCode: 0 | 1 | 2;
  ms: number;
}

export interface BuildOptions {
  /** Default micronets.config.json in the working directory. */
  config?: string;
  /** Rebuild every model, up to date or not. */
  force?: boolean;
  /** Base folder for relative output paths (default: the config's folder). */
  outDir?: string;
  /** Called as each model finishes (for printing progress). */
  onResult?: (r: ModelResult) => void;
}

type BuildModule = typeof import("./build-model.js");
let builder: Promise<BuildModule> | undefined;

/** The analysis/codegen/report pipeline, loaded on the first model that needs it. */
function loadBuilder(): Promise<BuildModule> {
  builder ??= import("./build-model.js");
  return builder;
}

function templatesDigest(): string {
  return hashTree(join(packageRoot(), "codegen-templates"));
}

async function buildOne(spec: ModelSpec, cfg: BuildConfig, templates: string, force: boolean): Promise<ModelResult> {
  const started = performance.now();
  const result: ModelResult = {
    index: spec.index,
    name: spec.name,
    status: "failed",
    reason: "",
    exitCode: 2,
    out: String(spec.entry.out),
    files: [],
    reports: [],
    checks: null,
    arenaBytes: null,
    ms: 0,
  };
  try {
    const h = hashInputs(spec, cfg.file, cfg.dir, templates);
    const stamp = readStamp(spec.outPath);
    const stale = force ? "forced" : staleReason(spec, h, stamp);
    if (stale === null) {
      Object.assign(result, { status: "skipped", reason: "up to date", exitCode: 0 });
    } else {
      refuseForeignFolder(spec.outPath, stamp, `${spec.where}/out`, cfg.file);
      const { buildModel } = await loadBuilder();
      const b = buildModel(spec, cfg.file, h.modelBytes);
      const failures = b.checks.checks.filter((c) => !c.passed).map((c) => c.message);
      result.checks = { passed: b.checks.checks.length - failures.length, total: b.checks.checks.length, failures };
      if (!b.compiled) {
        Object.assign(result, { reason: `${failures.length} of ${b.checks.checks.length} checks failed`, exitCode: 1 });
      } else {
        const files: OutputFile[] = [
          ...b.reports,
          ...b.compiled.files.map((f) => ({ path: join(spec.outPath, f.name), contents: f.contents })),
        ];
        result.files = writeOutputs(spec.outPath, files, (rels) => makeStamp(h, rels));
        Object.assign(result, { status: "built", reason: stale, exitCode: 0, reports: b.reports.map((r) => r.path), arenaBytes: b.compiled.arenaBytes });
      }
    }
  } catch (e) {
    if (!isMicronetsError(e)) throw e;
    result.reason = e.format();
    result.exitCode = e.exitCode === 1 ? 1 : 2;
  }
  result.ms = performance.now() - started;
  return result;
}

/** Builds every model of the config. A bad config is thrown (nothing is built); a bad model is reported. */
export async function runBuild(opts: BuildOptions = {}): Promise<BuildSummary> {
  const started = performance.now();
  const cfg = loadBuildConfig(opts.config ?? DEFAULT_CONFIG_FILE, { outDir: opts.outDir });
  const templates = templatesDigest();
  const models: ModelResult[] = [];
  for (const spec of cfg.models) {
    const r = await buildOne(spec, cfg, templates, opts.force === true);
    models.push(r);
    opts.onResult?.(r);
  }
  const exitCode = models.reduce<0 | 1 | 2>((worst, m) => (m.exitCode > worst ? m.exitCode : worst), 0);
  return { config: cfg.file, models, exitCode, ms: performance.now() - started };
}
