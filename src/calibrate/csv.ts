/**
 * A small CSV reader that remembers where every field came from, so errors can name the line and column.
 * Format: comma-separated, first non-comment line is the header, `#` starts a comment line, blank lines are
 * skipped, fields may be double-quoted ("" inside quotes is a quote; a quoted field cannot span lines),
 * unquoted fields are trimmed.
 */
import { inputError } from "../errors.js";

export interface CsvRow {
  /** 1-based line number in the file. */
  line: number;
  fields: string[];
}

export interface CsvTable {
  /** Header names as written (trimmed). */
  header: string[];
  headerLine: number;
  rows: CsvRow[];
}

/** "line 5, column 3 (latency_ms)": columns are 1-based field positions. */
export function csvPlace(line: number, column?: number, name?: string): string {
  return column === undefined ? `line ${line}` : `line ${line}, column ${column}${name ? ` (${name})` : ""}`;
}

function splitLine(text: string, line: number, file: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    // Skip leading blanks of the field.
    while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
    if (text[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw inputError("unterminated quoted field", csvPlace(line, fields.length + 1), file);
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += c;
        i++;
      }
      while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
      if (i < text.length && text[i] !== ",") throw inputError("unexpected text after a quoted field", csvPlace(line, fields.length + 1), file);
      fields.push(value);
    } else {
      const end = text.indexOf(",", i);
      const raw = end < 0 ? text.slice(i) : text.slice(i, end);
      if (raw.includes('"')) throw inputError("a quote inside an unquoted field (quote the whole field and double inner quotes)", csvPlace(line, fields.length + 1), file);
      fields.push(raw.trim());
      i = end < 0 ? text.length : end;
    }
    if (i >= text.length) return fields;
    i++; // the comma
  }
}

/** Parses CSV text; `file` names it in errors. The header row is required. */
export function parseCsv(text: string, file: string): CsvTable {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let header: string[] | null = null;
  let headerLine = 0;
  const rows: CsvRow[] = [];
  lines.forEach((raw, k) => {
    const line = k + 1;
    const t = raw.trim();
    if (t === "" || t.startsWith("#")) return;
    const fields = splitLine(raw, line, file);
    if (!header) {
      header = fields;
      headerLine = line;
      fields.forEach((h, c) => {
        if (h === "") throw inputError("empty column name in the header", csvPlace(line, c + 1), file);
        const first = fields.indexOf(h);
        if (first !== c) throw inputError(`column '${h}' appears twice in the header (columns ${first + 1} and ${c + 1})`, csvPlace(line, c + 1), file);
      });
      return;
    }
    if (fields.length !== header.length) {
      throw inputError(`${fields.length} fields, but the header (line ${headerLine}) has ${header.length}`, csvPlace(line), file);
    }
    rows.push({ line, fields });
  });
  if (!header) throw inputError("no header row (the first non-comment line must name the columns)", undefined, file);
  return { header, headerLine, rows };
}
