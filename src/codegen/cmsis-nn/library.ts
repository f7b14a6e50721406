/**
 * Builds CMSIS-NN itself (a checkout the user points to; it is not part of micronets) as a static library
 * for an emulated core, so the CMSIS-NN backend's output can be linked and run on QEMU — used by the
 * optional integration test and the benchmark when MICRONETS_CMSIS_NN_DIR names a CMSIS-NN source tree.
 * Only the integer kernels are compiled (the float and binding sources are skipped).
 */
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { MicronetsError } from "../../errors.js";
import { coreInfo, type CortexCore } from "../../emulator/cores.js";
import { runToolOk } from "../../emulator/exec-tool.js";
import { findToolchain } from "../../emulator/toolchain.js";

export interface CmsisNnLibrary {
  /** The static archive. */
  archive: string;
  /** CMSIS-NN's Include folder (for arm_nnfunctions.h). */
  includeDir: string;
}

function cSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...cSources(path));
    else if (name.endsWith(".c") && !/_f16|_f32|Bindings/.test(path)) out.push(path);
  }
  return out;
}

/** Compiles CMSIS-NN's integer kernels from `sourceDir` (a CMSIS-NN checkout) for `core` into `outDir`. */
export function buildCmsisNnLibrary(sourceDir: string, core: CortexCore, outDir: string): CmsisNnLibrary {
  const root = resolve(sourceDir);
  const includeDir = join(root, "Include");
  if (!existsSync(join(includeDir, "arm_nnfunctions.h")) || !existsSync(join(root, "Source"))) {
    throw new MicronetsError("io", "not a CMSIS-NN source tree (expected Include/arm_nnfunctions.h and Source/)", { file: sourceDir });
  }
  const { gcc } = findToolchain();
  const ar = gcc.replace(/gcc$/, "ar");
  const objDir = join(resolve(outDir), `cmsis-nn-${core}`);
  mkdirSync(objDir, { recursive: true });
  const objects: string[] = [];
  for (const src of cSources(join(root, "Source"))) {
    const obj = join(objDir, `${basename(src, ".c")}.o`);
    runToolOk(gcc, [...coreInfo(core).cflags, "-std=c99", "-O2", "-ffunction-sections", "-fdata-sections", `-I${includeDir}`, "-c", src, "-o", obj], `compiling ${basename(src)}`);
    objects.push(obj);
  }
  const archive = join(objDir, "libcmsis-nn.a");
  runToolOk(ar, ["rcs", archive, ...objects], "archiving CMSIS-NN");
  return { archive, includeDir };
}
