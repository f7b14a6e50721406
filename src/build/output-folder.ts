/**
 * Writing a model's outputs. The output folder is replaced as a whole and atomically (writeDirAtomic): the C
 * files, the reports placed inside it, and last the stamp, so the stamp exists only beside a complete
 * output. Reports elsewhere are written (each atomically) before the folder: if the folder step fails, the
 * old stamp no longer matches and the next build redoes the model.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import { MicronetsError } from "../errors.js";
import { writeDirAtomic, writeFileAtomic } from "../io/atomic-write.js";
import { STAMP_FILE, type Stamp } from "./stamp.js";

/** Files `micronets compile` / `build` write for any prefix. */
const GENERATED_C = /^[A-Za-z][A-Za-z0-9_]*_model\.[ch]$/;

export interface OutputFile {
  /** Absolute path. */
  path: string;
  contents: string;
}

function inside(path: string, dir: string): string | null {
  const rel = relative(dir, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split("\\").join("/") : null;
}

/**
 * The folder is replaced as a whole, so it must be new, empty, or an earlier build's output: never a file or
 * a folder holding other work (a mistyped "out": "src" must not delete a source tree).
 */
export function refuseForeignFolder(outPath: string, previous: Stamp | null, where: string, configFile: string): void {
  if (!existsSync(outPath)) return;
  if (!statSync(outPath).isDirectory()) {
    throw new MicronetsError("io", `output '${outPath}' exists and is not a folder`, { file: configFile, where });
  }
  const known = new Set((previous?.files ?? []).map((f) => f.split("/")[0]!));
  const foreign = readdirSync(outPath).filter((f) => f !== STAMP_FILE && !GENERATED_C.test(f) && !known.has(f)).sort();
  if (foreign.length > 0) {
    throw new MicronetsError(
      "io",
      `output folder '${outPath}' holds files that are not micronets output (e.g. '${foreign[0]}'); it is replaced as a whole, so give a new or empty folder`,
      { file: configFile, where },
    );
  }
}

/**
 * Writes outside reports, then the folder with `files` (absolute paths inside `outPath`) and the stamp.
 * Returns the folder's file list (relative), as recorded in the stamp.
 */
export function writeOutputs(outPath: string, files: OutputFile[], stampFor: (relFiles: string[]) => Stamp): string[] {
  const inFolder: { rel: string; contents: string }[] = [];
  for (const f of files) {
    const rel = inside(f.path, outPath);
    if (rel !== null) {
      inFolder.push({ rel, contents: f.contents });
      continue;
    }
    try {
      mkdirSync(dirname(f.path), { recursive: true });
    } catch {
      throw new MicronetsError("io", "cannot create the folder", { file: dirname(f.path) });
    }
    writeFileAtomic(f.path, f.contents);
  }
  const rels = inFolder.map((f) => f.rel).sort();
  const stamp = stampFor(rels);
  writeDirAtomic(outPath, (tmp) => {
    for (const f of inFolder) {
      mkdirSync(dirname(join(tmp, f.rel)), { recursive: true });
      writeFileSync(join(tmp, f.rel), f.contents);
    }
    writeFileSync(join(tmp, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
  });
  return rels;
}
