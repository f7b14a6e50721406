/**
 * The Handlebars templates of codegen-templates/: loaded once, compiled in strict mode (a missing field is an
 * error, not an empty string) without HTML escaping (the output is C), with the few helpers they use.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";
import { MicronetsError } from "../errors.js";
import { packageRoot } from "../emulator/paths.js";

type Template = (view: object) => string;

const env = Handlebars.create();
env.registerHelper("upper", (s: unknown) => String(s).toUpperCase());
env.registerHelper("join", (a: unknown, sep: unknown) => (Array.isArray(a) ? a.join(typeof sep === "string" ? sep : ", ") : ""));

const cache = new Map<string, Template>();

/** The folder holding the templates. */
export function templatesDir(): string {
  return join(packageRoot(), "codegen-templates");
}

/** Reads a template file's text (also used for files copied verbatim, such as the CMSIS-NN declarations). */
export function templateText(rel: string): string {
  const path = join(templatesDir(), rel);
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new MicronetsError("io", "code generation template is missing (broken installation?)", { file: path });
  }
}

const partials = new Set<string>();

/** Registers template file `rel` as partial `name` (once). */
export function usePartial(name: string, rel: string): void {
  if (partials.has(name)) return;
  env.registerPartial(name, templateText(rel));
  partials.add(name);
}

/** Renders `rel` (a path under codegen-templates/) with `view`. */
export function render(rel: string, view: object): string {
  let t = cache.get(rel);
  if (!t) {
    const compiled = env.compile(templateText(rel), { noEscape: true, strict: true });
    t = (v: object) => compiled(v);
    cache.set(rel, t);
  }
  return t(view);
}
