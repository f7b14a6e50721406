/** Budget and baseline files: read, strict UTF-8, JSON with line:column errors, then the file's own parser. */
import { isMicronetsError } from "../errors.js";
import { parseJsonText } from "../frontends/architecture/json-text.js";
import { decodeUtf8Text, readInputFile } from "../io/input-file.js";

/** Reads `path` and hands its JSON value to `parse`; every error names the file. */
export function loadJsonFile<T>(path: string, parse: (doc: unknown, file: string) => T): T {
  const text = decodeUtf8Text(readInputFile(path, { expected: "a JSON file" }), path);
  try {
    return parse(parseJsonText(text, path), path);
  } catch (e) {
    if (isMicronetsError(e)) throw e.withFile(path);
    throw e;
  }
}
