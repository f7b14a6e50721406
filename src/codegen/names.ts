/**
 * Everything from the model that reaches generated C goes through here: the identifier prefix is validated
 * (it becomes part of every exported symbol and macro), and model text (tensor and model names) is only ever
 * placed inside comments, with anything that could end the comment or confuse a reader neutralised.
 */
import { usageError } from "../errors.js";

/** C keywords and reserved spellings a prefix must not be (C99 plus the common extensions). */
const RESERVED = new Set([
  "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
  "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
  "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
  "asm", "main", "mn",
]);

export const DEFAULT_PREFIX = "net";
const MAX_PREFIX_LENGTH = 32;

/**
 * Validates a user-given prefix: a C identifier of ASCII letters, digits and underscores, starting with a
 * letter, at most 32 characters, not a keyword and not starting with an underscore (reserved in C).
 * A bad prefix is a usage error, not silently rewritten: the user must know the symbols they will link.
 */
export function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(prefix)) {
    throw usageError(`prefix '${printable(prefix)}' must be a C identifier of letters, digits and underscores, starting with a letter`);
  }
  if (prefix.length > MAX_PREFIX_LENGTH) throw usageError(`prefix '${prefix}' is longer than ${MAX_PREFIX_LENGTH} characters`);
  if (RESERVED.has(prefix.toLowerCase())) throw usageError(`prefix '${prefix}' is a C keyword or reserved name`);
  return prefix;
}

/**
 * Derives a valid prefix from free text (e.g. a model name): lower-cased, runs of other characters become
 * one underscore, a leading digit gets a letter in front. Always returns something `checkPrefix` accepts.
 */
export function prefixFromName(name: string): string {
  let s = name.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  if (s === "") s = DEFAULT_PREFIX;
  if (!/^[a-z]/.test(s)) s = `m_${s}`;
  s = s.slice(0, MAX_PREFIX_LENGTH).replace(/_+$/, "");
  if (RESERVED.has(s)) s = `${s}_model`;
  return s;
}

/** A string shown in an error message: control characters escaped, length bounded. */
function printable(s: string): string {
  const t = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return t.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/**
 * Text safe inside a C block comment on one line: only printable ASCII survives (other characters and '?',
 * which could start a trigraph, become '_'), `*\/` and `/*` are broken apart, a backslash cannot splice
 * lines, and the length is bounded.
 */
export function commentText(s: string, maxLength = 120): string {
  let t = s.replace(/[^\x20-\x7e]|\?/g, "_");
  if (t.length > maxLength) t = `${t.slice(0, maxLength)}...`;
  t = t.replace(/\*\//g, "* /").replace(/\/\*/g, "/ *").replace(/\\/g, "/");
  return t;
}
