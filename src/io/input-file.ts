/**
 * Reading a user's input file: every failure is a MicronetsError naming the file (a directory, a file over
 * the size limit, a missing or unreadable file, text that is not UTF-8), never a Node exception.
 */
import { readFileSync, statSync } from "node:fs";
import { MicronetsError, inputError, isMicronetsError } from "../errors.js";
import { LIMITS } from "../ir/limits.js";

export interface InputFileOptions {
  /** What the file should have been, for the directory error (default "a model file"). */
  expected?: string;
  /** Largest size read (default LIMITS.maxBytes), checked before reading. */
  maxBytes?: number;
}

export function readInputFile(path: string, opts: InputFileOptions = {}): Uint8Array {
  const maxBytes = opts.maxBytes ?? LIMITS.maxBytes;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new MicronetsError("io", `is a directory, expected ${opts.expected ?? "a model file"}`, { file: path });
    if (st.size > maxBytes) throw new MicronetsError("limit", `file is ${st.size} bytes, above the limit of ${maxBytes}`, { file: path });
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    if (isMicronetsError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (e as Error).message;
    throw new MicronetsError("io", `cannot read: ${why}`, { file: path });
  }
}

/** Strict UTF-8 decoding: invalid bytes are refused rather than silently turned into U+FFFD. */
export function decodeUtf8Text(bytes: Uint8Array, file?: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe;
    throw inputError(utf16 ? "is not UTF-8 text (it looks like UTF-16)" : "is not valid UTF-8 text", undefined, file);
  }
}
