/**
 * Escaping for the HTML report. Every string that comes from a model (tensor names, the model name and
 * description, the source path) goes through one of these: a .tflite may name a tensor anything,
 * `</script>` included.
 */

const ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * C0/C1 control characters (except tab and newline) and noncharacters would be parse errors or invisible;
 * show U+FFFD instead, so what a reader sees is never silently different from nothing.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffe\uffff]/g;

/** Text content and attribute values (quoted with "). */
export function esc(s: string): string {
  return s.replace(CONTROL, "\ufffd").replace(/[&<>"']/g, (c) => ENTITY[c]!);
}

/** An attribute value that may hold line breaks (tooltips): as esc, with newlines kept as &#10;. */
export function escMultiline(s: string): string {
  return esc(s).replace(/\r?\n/g, "&#10;");
}

/**
 * JSON for a `<script type="application/json">` block. `<`, `>` and `&` become \u escapes, so no
 * string inside can close the element (`</script>`) or open a comment (`<!--`); JSON.parse gives back
 * exactly the same value. U+2028/U+2029 are escaped too for older JS parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
