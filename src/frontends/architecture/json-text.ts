/**
 * JSON text handling for architecture files: parsing with "line:column" syntax errors, a nesting-depth guard,
 * and telling an architecture JSON from a .tflite FlatBuffer by content.
 */
import { inputError, limitError } from "../../errors.js";

/** Deeper nesting than any architecture needs (layers → weights → array is depth 5). */
export const MAX_JSON_DEPTH = 64;

export type ContentFormat = "architecture-json" | "tflite" | "unknown";

/** "TFL3" at bytes 4..7 means a TFLite FlatBuffer; a first non-blank character '{' means JSON. */
export function detectModelFormat(bytes: Uint8Array): ContentFormat {
  if (bytes.length >= 8 && bytes[4] === 0x54 && bytes[5] === 0x46 && bytes[6] === 0x4c && bytes[7] === 0x33) return "tflite";
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // UTF-8 byte-order mark
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x7b ? "architecture-json" : "unknown";
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** Parses JSON text; a syntax error becomes a MicronetsError placed at "line:column". */
export function parseJsonText(text: string, file?: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    // V8's messages vary by version and do not always give a position, so locate the error ourselves.
    const found = locateJsonSyntaxError(body) ?? { offset: body.length, message: (e as Error).message };
    const { line, column } = lineColumn(body, found.offset);
    throw inputError(`invalid JSON: ${found.message}`, `${line}:${column}`, file);
  }
  checkJsonDepth(value, file);
  return value;
}

/** Rejects documents nested deeper than MAX_JSON_DEPTH (iteratively: no recursion on untrusted input). */
export function checkJsonDepth(value: unknown, file?: string): void {
  // Only containers are pushed, and a path is spelled out only for the error: a million-item array must not
  // cost a million path strings.
  interface Node { v: object; depth: number; parent: Node | null; key: string }
  const pathOf = (n: Node): string => {
    const parts: string[] = [];
    for (let x: Node | null = n; x && x.parent; x = x.parent) parts.push(escapePointer(x.key));
    return parts.length ? `/${parts.reverse().join("/")}` : "";
  };
  if (value === null || typeof value !== "object") return;
  const stack: Node[] = [{ v: value, depth: 0, parent: null, key: "" }];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.depth >= MAX_JSON_DEPTH) throw limitError(`nesting is deeper than ${MAX_JSON_DEPTH} levels`, pathOf(n) || "/", file);
    if (Array.isArray(n.v)) {
      n.v.forEach((x: unknown, i: number) => {
        if (x !== null && typeof x === "object") stack.push({ v: x, depth: n.depth + 1, parent: n, key: String(i) });
      });
    } else {
      for (const [k, x] of Object.entries(n.v)) if (x !== null && typeof x === "object") stack.push({ v: x as object, depth: n.depth + 1, parent: n, key: k });
    }
  }
}

/** JSON Pointer escaping of one reference token (RFC 6901). */
export function escapePointer(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

interface SyntaxProblem {
  offset: number;
  message: string;
}

/**
 * Finds the first syntax error in JSON text (RFC 8259), or null if the text is valid. Iterative, so deep
 * nesting cannot overflow the stack.
 */
export function locateJsonSyntaxError(s: string): SyntaxProblem | null {
  let i = 0;
  const n = s.length;
  const fail = (offset: number, message: string): SyntaxProblem => ({ offset, message });
  const skipWs = (): void => {
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const describe = (at: number): string => (at >= n ? "the end of the text" : `'${s[at]}'`);

  /** Scans a string starting at the opening quote; returns a problem or null. */
  const scanString = (): SyntaxProblem | null => {
    const start = i;
    i++; // opening quote
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return null;
      }
      if (c < 0x20) return fail(i, "control character inside a string (write it as an escape such as \\n)");
      if (c === 0x5c) {
        const e = s[i + 1];
        if (e === undefined) break;
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) return fail(i, "\\u must be followed by four hex digits");
          i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e)) return fail(i, `invalid escape '\\${e}' in a string`);
        i += 2;
        continue;
      }
      i++;
    }
    return fail(start, "unterminated string (missing closing \")");
  };

  const scanNumber = (): SyntaxProblem | null => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(s.slice(i, i + 400));
    if (!m || m[0] === "-" || m[0].length === 0) return fail(i, "invalid number");
    i += m[0].length;
    const next = s[i];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) return fail(i, "invalid number (leading zeros, a bare '.' or a misplaced sign)");
    return null;
  };

  // The containers being filled, innermost last; `afterValue` is false while a value is expected.
  const stack: ("{" | "[")[] = [];
  let afterValue = false;
  for (;;) {
    skipWs();
    if (!afterValue) {
      if (i >= n) return fail(i, "unexpected end of text (a value is missing)");
      const c = s[i]!;
      if (c === "{" || c === "[") {
        i++;
        skipWs();
        const closer = c === "{" ? "}" : "]";
        if (s[i] === closer) {
          i++;
          afterValue = true;
          continue;
        }
        stack.push(c);
        if (c === "{") {
          const p = expectKey();
          if (p) return p;
        }
        continue;
      }
      let p: SyntaxProblem | null = null;
      if (c === '"') p = scanString();
      else if (c === "-" || (c >= "0" && c <= "9")) p = scanNumber();
      else if (s.startsWith("true", i)) i += 4;
      else if (s.startsWith("false", i)) i += 5;
      else if (s.startsWith("null", i)) i += 4;
      else if (c === "]" || c === "}") return fail(i, `unexpected '${c}' where a value was expected (a trailing comma?)`);
      else return fail(i, `unexpected ${describe(i)} where a value was expected (strings need double quotes; true, false and null are lower case)`);
      if (p) return p;
      afterValue = true;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) return i < n ? fail(i, `unexpected ${describe(i)} after the end of the document`) : null;
    const c = s[i];
    if (c === ",") {
      i++;
      if (top === "{") {
        const p = expectKey();
        if (p) return p;
      }
      afterValue = false;
      continue;
    }
    if ((top === "{" && c === "}") || (top === "[" && c === "]")) {
      i++;
      stack.pop();
      continue;
    }
    const closer = top === "{" ? "}" : "]";
    return fail(i, `expected ',' or '${closer}' after ${top === "{" ? "a property value" : "an array element"}, found ${describe(i)}`);
  }

  /** Inside an object where a key must come next: scans `"key" :` and leaves a value expected. */
  function expectKey(): SyntaxProblem | null {
    skipWs();
    if (s[i] === "}") return fail(i, "unexpected '}' where a property name was expected (a trailing comma?)");
    if (s[i] !== '"') return fail(i, `expected a double-quoted property name, found ${describe(i)}`);
    const p = scanString();
    if (p) return p;
    skipWs();
    if (s[i] !== ":") return fail(i, `expected ':' after a property name, found ${describe(i)}`);
    i++;
    return null;
  }
}
