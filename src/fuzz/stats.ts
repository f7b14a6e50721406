/** Campaign counters: cases, ok, typed errors by kind and stage, findings, the slowest case. */
import type { FuzzCase } from "./cases.js";
import type { CaseOutcome } from "./pipeline.js";

export interface FindingSummary {
  index: number;
  kind: string;
  seedModel: string;
  stage: string | null;
  findingKind: string;
  message: string;
  mutation: string[];
  /** Where the reproducer was saved (null when saving is off or the signature was saved already). */
  file: string | null;
}

export interface CampaignStats {
  seed: number;
  kindSelection: string;
  cases: number;
  byKind: Record<string, number>;
  ok: number;
  rejected: number;
  /** MicronetsError kinds ("input", "limit", "usage", …). */
  rejectedByErrorKind: Record<string, number>;
  rejectedByStage: Record<string, number>;
  /** How far cases got: cases that completed each stage. */
  reachedStage: Record<string, number>;
  /** Cases whose outputs were computed or cross-checked by each engine (reference, wasm, host-c). */
  executedStage: Record<string, number>;
  findings: FindingSummary[];
  findingsByKind: Record<string, number>;
  slowest: { index: number; kind: string; seedModel: string; ms: number; mutation: string[] } | null;
  maxMemoryBytes: number;
  /** The case with the largest heap growth. */
  maxMemoryCase: { index: number; kind: string; seedModel: string; mutation: string[] } | null;
  elapsedMs: number;
}

export function emptyStats(seed: number, kindSelection: string): CampaignStats {
  return {
    seed, kindSelection, cases: 0, byKind: {}, ok: 0, rejected: 0, rejectedByErrorKind: {}, rejectedByStage: {}, reachedStage: {}, executedStage: {},
    findings: [], findingsByKind: {}, slowest: null, maxMemoryBytes: 0, maxMemoryCase: null, elapsedMs: 0,
  };
}

function inc(r: Record<string, number>, k: string): void {
  r[k] = (r[k] ?? 0) + 1;
}

export function recordOutcome(s: CampaignStats, c: Pick<FuzzCase, "index" | "kind" | "seedName" | "mutation">, o: CaseOutcome, file: string | null): void {
  s.cases++;
  inc(s.byKind, c.kind);
  for (const st of o.completed) inc(s.reachedStage, st);
  for (const st of o.executed ?? []) inc(s.executedStage, st);
  if (o.status === "ok") s.ok++;
  else if (o.status === "rejected") {
    s.rejected++;
    inc(s.rejectedByErrorKind, o.errorKind ?? "?");
    inc(s.rejectedByStage, o.stage ?? "?");
  } else {
    inc(s.findingsByKind, o.findingKind ?? "?");
    s.findings.push({ index: c.index, kind: c.kind, seedModel: c.seedName, stage: o.stage ?? null, findingKind: o.findingKind ?? "?", message: o.message ?? "", mutation: c.mutation, file });
  }
  if (!s.slowest || o.ms > s.slowest.ms) s.slowest = { index: c.index, kind: c.kind, seedModel: c.seedName, ms: o.ms, mutation: c.mutation };
  if (o.memoryBytes > s.maxMemoryBytes) {
    s.maxMemoryBytes = o.memoryBytes;
    s.maxMemoryCase = { index: c.index, kind: c.kind, seedModel: c.seedName, mutation: c.mutation };
  }
}

function table(r: Record<string, number>): string {
  const entries = Object.entries(r).sort((a, b) => b[1] - a[1]);
  return entries.length ? entries.map(([k, v]) => `${k} ${v}`).join(", ") : "none";
}

/** The summary printed at the end of a run. */
export function formatStats(s: CampaignStats): string {
  const lines = [
    `seed ${s.seed}, kind ${s.kindSelection}: ${s.cases} cases (${table(s.byKind)}) in ${(s.elapsedMs / 1000).toFixed(1)} s`,
    `  ok (every stage ran):      ${s.ok}`,
    `  typed errors:              ${s.rejected}  by kind: ${table(s.rejectedByErrorKind)}`,
    `    by stage:                ${table(s.rejectedByStage)}`,
    `  reached stage:             ${table(s.reachedStage)}`,
    `  executed and compared:     ${table(s.executedStage)}  (interpreter run; WebAssembly / host C with ASan+UBSan checked against it)`,
    `  findings:                  ${s.findings.length}${s.findings.length ? `  (${table(s.findingsByKind)})` : ""}`,
  ];
  if (s.slowest) lines.push(`  slowest case:              #${s.slowest.index} (${s.slowest.kind}, ${s.slowest.seedModel}) ${s.slowest.ms.toFixed(0)} ms: ${s.slowest.mutation.join("; ").slice(0, 160)}`);
  const m = s.maxMemoryCase;
  lines.push(`  largest heap growth:       ${(s.maxMemoryBytes / 2 ** 20).toFixed(1)} MiB${m ? `: #${m.index} (${m.kind}, ${m.seedModel}) ${m.mutation.join("; ").slice(0, 160)}` : ""}`);
  for (const f of s.findings.slice(0, 20)) {
    lines.push(`  finding #${f.index} ${f.findingKind}${f.stage ? ` at ${f.stage}` : ""} (${f.seedModel}): ${f.message.slice(0, 200)}${f.file ? `  [${f.file}]` : ""}`);
  }
  if (s.findings.length > 20) lines.push(`  … and ${s.findings.length - 20} more`);
  return lines.join("\n");
}
