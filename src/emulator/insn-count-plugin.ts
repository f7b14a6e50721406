/**
 * Builds the instruction-count QEMU plugin (native/insn_count.c) with the host C compiler on first use
 * and keeps it in the cache folder under a name holding a hash of the source and compiler, so edits
 * rebuild it and concurrent test workers share one copy (each builds to a temporary name, then renames).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { MicronetsError } from "../errors.js";
import { runToolOk } from "./exec-tool.js";
import { cacheDir, pluginSource } from "./paths.js";
import { requireHostCc, type Toolchain } from "./toolchain.js";

const BUILD_FLAGS = ["-shared", "-fPIC", "-O2", "-fvisibility=hidden", "-Wall", "-Wextra", "-Werror"];

/** Path of the built plugin (a shared object), building it if the cache has no current copy. */
export function insnCountPlugin(toolchain: Toolchain): string {
  const cc = requireHostCc(toolchain);
  const sourcePath = pluginSource();
  let source: Buffer;
  try {
    source = readFileSync(sourcePath);
  } catch {
    throw new MicronetsError("io", "cannot read the QEMU plugin source", { file: sourcePath });
  }
  const hash = createHash("sha256").update(source).update("\0").update(cc).update("\0").update(BUILD_FLAGS.join(" ")).digest("hex").slice(0, 16);
  const target = join(cacheDir(), `insn_count-${hash}.so`);
  if (existsSync(target)) return target;
  const tmp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    runToolOk(cc, [...BUILD_FLAGS, "-o", tmp, sourcePath], "building the QEMU instruction-count plugin", { timeoutMs: 60_000 });
    renameSync(tmp, target);
  } finally {
    rmSync(tmp, { force: true });
  }
  return target;
}
