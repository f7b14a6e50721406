/**
 * Turns ajv's error list into the one problem worth showing: its JSON Pointer and a message that states the
 * broken rule in plain words. oneOf/anyOf failures are resolved to the specific field's problem.
 */
import { escapePointer } from "./json-text.js";

/** The parts of an ajv ErrorObject used here (created with `verbose: true`, so data/parentSchema are set). */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  data?: unknown;
  parentSchema?: { description?: string; title?: string; properties?: Record<string, unknown>; required?: string[] };
  message?: string;
}

export interface Problem {
  where: string;
  message: string;
}

const COMBINATORS = new Set(["oneOf", "anyOf"]);
/** Synthesised keyword: "the value matches none of the alternatives" with the schema's description. */
const EXPECTED = "$expected";

function isWithin(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function depth(path: string): number {
  return path === "" ? 0 : path.split("/").length - 1;
}

/** A short rendering of a JSON value for messages. */
export function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (typeof v === "string") return v.length > 40 ? `string ${JSON.stringify(v.slice(0, 37))}...` : `string ${JSON.stringify(v)}`;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) {
    // Do not serialise a giant array per error just to find it is too long to show.
    if (!printsWithin(v, 40)) return `an array of ${v.length} items`;
    const text = JSON.stringify(v);
    return text.length <= 40 ? `array ${text}` : `an array of ${v.length} items`;
  }
  return "an object";
}

/** Whether JSON.stringify(v) could be at most `max` characters: a cheap walk that stops early (≥ 1 char per value). */
function printsWithin(v: unknown, max: number): boolean {
  let chars = 0;
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (Array.isArray(x)) {
      chars += 1 + x.length;
      if (chars > max) return false;
      for (const y of x) stack.push(y);
    } else if (x !== null && typeof x === "object") {
      const keys = Object.keys(x);
      chars += 2 + 4 * keys.length;
      if (chars > max) return false;
      for (const k of keys) stack.push((x as Record<string, unknown>)[k]);
    } else {
      chars += typeof x === "string" ? x.length : 1;
      if (chars > max) return false;
    }
  }
  return true;
}

function article(type: string): string {
  switch (type) {
    case "integer": return "an integer";
    case "number": return "a number";
    case "string": return "a string";
    case "array": return "an array";
    case "object": return "an object";
    case "boolean": return "true or false";
    case "null": return "null";
    default: return type.split(",").map(article).join(" or ");
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function lowerFirst(s: string): string {
  const t = s.replace(/\.$/, "");
  return t.charAt(0).toLowerCase() + t.slice(1);
}

/** Levenshtein distance (names are short). */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate to `name` if it is plausibly a typo of it. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const limit = Math.max(1, Math.floor(name.length / 3));
  for (const c of candidates) {
    // The distance is at least the length difference: skip hopeless candidates (a 1 MB string costs seconds).
    if (Math.abs(name.length - c.length) > limit) continue;
    const d = editDistance(name, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= limit ? best : undefined;
}

function pointerOrRoot(p: string): string {
  return p === "" ? "/" : p;
}

function formatError(e: SchemaError): Problem {
  const p = e.params;
  const found = `found ${describeValue(e.data)}`;
  const where = pointerOrRoot(e.instancePath);
  switch (e.keyword) {
    case "type":
      return { where, message: `must be ${article(String(p.type))} (${found})` };
    case "enum": {
      const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      const hint = typeof e.data === "string" ? closestName(e.data, (p.allowedValues as unknown[]).map(String)) : undefined;
      return { where, message: `must be one of ${allowed.join(", ")} (${found}${hint ? `; did you mean "${hint}"?` : ""})` };
    }
    case "const":
      return { where, message: `must be ${JSON.stringify(p.allowedValue)} (${found})` };
    case "minimum":
      return { where, message: `must be at least ${String(p.limit)} (${found})` };
    case "maximum":
      return { where, message: `must be at most ${String(p.limit)} (${found})` };
    case "exclusiveMinimum":
      return { where, message: `must be greater than ${String(p.limit)} (${found})` };
    case "exclusiveMaximum":
      return { where, message: `must be less than ${String(p.limit)} (${found})` };
    case "minItems":
      return { where, message: `must have at least ${plural(Number(p.limit), "item")} (found ${Array.isArray(e.data) ? e.data.length : "?"})` };
    case "maxItems":
    case "items":
      return { where, message: `must have at most ${plural(Number(p.limit), "item")} (found ${Array.isArray(e.data) ? e.data.length : "?"})` };
    case "minLength":
      return { where, message: Number(p.limit) === 1 ? "must not be empty" : `must be at least ${plural(Number(p.limit), "character")} long` };
    case "maxLength":
      return { where, message: `must be at most ${plural(Number(p.limit), "character")} long` };
    case "uniqueItems":
      return { where, message: `must not repeat an item (items ${String(p.j)} and ${String(p.i)} are equal)` };
    case "required": {
      const req = e.parentSchema?.required;
      const what = e.parentSchema?.title ? `a ${e.parentSchema.title}` : "this object";
      const list = req && req.length > 1 ? ` (${what} needs ${req.map((r) => `'${r}'`).join(", ")})` : "";
      return { where, message: `missing required field '${String(p.missingProperty)}'${list}` };
    }
    case "additionalProperties": {
      const prop = String(p.additionalProperty);
      const allowed = Object.keys(e.parentSchema?.properties ?? {});
      const hint = closestName(prop, allowed);
      const what = e.parentSchema?.title ? `a ${e.parentSchema.title}` : "this object";
      const tail = hint ? `did you mean '${hint}'?` : `${what} accepts ${allowed.map((a) => `'${a}'`).join(", ")}`;
      return { where: `${e.instancePath}/${escapePointer(prop)}`, message: `unknown field '${prop}' (${tail})` };
    }
    case EXPECTED: {
      const desc = e.parentSchema?.description ?? e.parentSchema?.title;
      return { where, message: desc ? `must be ${lowerFirst(desc)} (${found})` : `has an invalid value (${found})` };
    }
    case "$message": // a message composed by the caller
      return { where, message: e.message ?? "is invalid" };
    default:
      return { where, message: `${e.message ?? "is invalid"} (${found})` };
  }
}

/**
 * A oneOf/anyOf failure is explained by its branches' errors. If some branch got deeper into the value (e.g. a
 * [h, w] array with a bad element), that deeper error is the real problem; otherwise the value matched none of
 * the alternatives, which the schema's description states.
 */
function resolveCombinators(errors: SchemaError[]): SchemaError[] {
  let list = errors.slice();
  const combos = list.filter((e) => COMBINATORS.has(e.keyword)).sort((a, b) => depth(b.instancePath) - depth(a.instancePath));
  for (const combo of combos) {
    if (!list.includes(combo)) continue;
    const at = combo.instancePath;
    const related = list.filter((e) => e !== combo && isWithin(e.instancePath, at));
    const deeper = related.filter((e) => e.instancePath !== at);
    if (deeper.length > 0) {
      list = list.filter((e) => e !== combo && !(related.includes(e) && e.instancePath === at));
    } else {
      const synthesized: SchemaError = { keyword: EXPECTED, instancePath: at, params: {}, data: combo.data, parentSchema: combo.parentSchema };
      list = list.filter((e) => !related.includes(e));
      list[list.indexOf(combo)] = synthesized;
    }
  }
  return list;
}

/** Unknown fields are usually the typo behind a "missing field", so they come first; missing fields last. */
function rank(e: SchemaError): number {
  if (e.keyword === "additionalProperties") return 0;
  if (e.keyword === "required") return 2;
  return 1;
}

/** The most relevant problem among schema errors (which must not be empty). */
export function chooseProblem(errors: SchemaError[]): Problem {
  const list = resolveCombinators(errors);
  let best = list[0] ?? errors[0]!;
  for (const e of list) if (rank(e) < rank(best)) best = e;
  return formatError(best);
}
