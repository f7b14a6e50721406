/**
 * The only ways model text and numbers enter the generated TypeScript: as escaped string literals, as
 * checked number literals, or as sanitised comment text. Identifiers never come from the model.
 */
import { inputError } from "../../errors.js";
import { commentText } from "../names.js";

/**
 * A double-quoted string literal for any string, in ASCII only: JSON's escaping (quotes, backslashes,
 * control characters, lone surrogates) plus \u escapes for everything beyond ASCII, so the generated file
 * is plain ASCII whatever the model holds.
 */
export function tsString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A number literal (shortest round-trip form, which reproduces the exact double). */
export function tsNumber(n: number, where: string): string {
  if (!Number.isFinite(n)) throw inputError(`value ${n} cannot be written as a TypeScript number literal`, where);
  return Object.is(n, -0) ? "0" : String(n);
}

/**
 * Text safe on one line of a JSDoc block: commentText's rules (printable ASCII, no comment terminators,
 * bounded length) and no '@', which could start a JSDoc tag.
 */
export function docText(s: string, maxLength = 120): string {
  return commentText(s, maxLength).replace(/@/g, "(at)");
}
