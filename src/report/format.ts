/**
 * Number and table formatting for reports. Locale-independent on purpose: the same analysis must render to
 * the same bytes on every machine (no toLocaleString).
 */

/** 1234567 → "1,234,567"; non-integers keep `digits` decimals. */
export function thousands(n: number, digits = 0): string {
  const neg = n < 0;
  const fixed = Math.abs(n).toFixed(digits);
  const [int, frac] = fixed.split(".") as [string, string | undefined];
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${neg ? "-" : ""}${grouped}${frac ? `.${frac}` : ""}`;
}

export function fixed(n: number, digits: number): string {
  return n.toFixed(digits);
}

export function percent(n: number | null, digits = 1): string {
  return n === null ? "n/a" : `${n.toFixed(digits)} %`;
}

/** "1×96×96×1" */
export function shape(s: readonly number[]): string {
  return s.length === 0 ? "scalar" : s.join("×");
}

/** Bytes with a KiB figure for large values: "55,296 B (54.0 KiB)". */
export function bytes(n: number): string {
  return n >= 10_240 ? `${thousands(n)} B (${(n / 1024).toFixed(1)} KiB)` : `${thousands(n)} B`;
}

export type Align = "l" | "r";

/** A plain-text table with a header row and a rule under it. */
export function textTable(headers: string[], rows: string[][], align: Align[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (align[i] === "r" ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [fmt(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(fmt)].join("\n");
}

/** A GitHub-flavoured markdown table. Cell text has '|' escaped. */
export function markdownTable(headers: string[], rows: string[][], align: Align[]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const line = (cells: string[]) => `| ${cells.map(esc).join(" | ")} |`;
  return [line(headers), `|${align.map((a) => (a === "r" ? "---:" : ":---")).join("|")}|`, ...rows.map(line)].join("\n");
}

/** Shortens long TFLite tensor names (which join fused op names with ';') for tables. */
export function shortName(name: string, max = 48): string {
  const last = name.includes(";") ? name.split(";")[0]! : name;
  return last.length > max ? `…${last.slice(last.length - max + 1)}` : last;
}
