/**
 * Atomic outputs: a file or folder appears complete or not at all. Content is written to a temporary
 * sibling and renamed into place, so an error (or a kill) never leaves a partial output behind.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { MicronetsError } from "../errors.js";

function ioError(path: string, e: unknown): MicronetsError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === "ENOENT" ? "folder does not exist" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : (e as Error).message;
  return new MicronetsError("io", `cannot write: ${why}`, { file: path });
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw ioError(path, e);
  }
}

/**
 * Builds a folder atomically: `fill` writes into a fresh temporary folder beside `dir`; on success the
 * previous `dir` (if any) is replaced, on failure the temporary folder is removed, a previous `dir` is left
 * (or put back) in place, and the error rethrown. Callers decide whether an existing `dir` may be replaced.
 */
export function writeDirAtomic(dir: string, fill: (tmpDir: string) => void): void {
  const parent = dirname(dir);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (e) {
    throw ioError(dir, e);
  }
  let tmp: string;
  try {
    tmp = mkdtempSync(join(parent, `.${basename(dir)}.tmp-`));
    chmodSync(tmp, 0o755); // mkdtemp makes it private; the output is an ordinary folder
  } catch (e) {
    throw ioError(dir, e);
  }
  let old: string | null = null;
  try {
    fill(tmp);
    old = existsSync(dir) ? `${tmp}.old` : null;
    if (old) renameSync(dir, old);
    renameSync(tmp, dir);
  } catch (e) {
    // The previous output goes back where it was if it had already been moved aside.
    if (old && existsSync(old) && !existsSync(dir)) {
      try {
        renameSync(old, dir);
      } catch {
        // Nothing more can be done; the error below names the folder.
      }
    }
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof MicronetsError) throw e;
    throw ioError(dir, e);
  }
  if (old) rmSync(old, { recursive: true, force: true });
}
