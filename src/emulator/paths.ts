/**
 * Where the harness finds its files: the package root (above src/ when run from sources, above
 * dist/src/ when built), the firmware support files in codegen-templates/firmware/, the plugin's C
 * source, and a writable cache folder for the built plugin.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { MicronetsError } from "../errors.js";

let root: string | undefined;

/** The folder holding micronets' package.json. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "micronets") return (root = dir);
      } catch {
        // not ours; keep looking upwards
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new MicronetsError("io", "cannot find the micronets package folder (package.json) above the emulator module");
    dir = parent;
  }
}

/** The firmware support files linked into every emulated image. */
export function firmwareDir(): string {
  return join(packageRoot(), "codegen-templates", "firmware");
}

/** Support sources compiled with every firmware (vectors/reset, semihosting, the marker). */
export const FIRMWARE_SOURCES = ["mn_startup.c", "mn_semihost.c", "mn_mark.c"] as const;
export const FIRMWARE_LINKER_SCRIPT = "mps2.ld";

/** The QEMU plugin's C source. */
export function pluginSource(): string {
  return join(packageRoot(), "src", "emulator", "native", "insn_count.c");
}

function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** node_modules/.cache/micronets when the package has a writable node_modules, else a per-user temp folder. */
export function cacheDir(): string {
  const nodeModules = join(packageRoot(), "node_modules");
  if (existsSync(nodeModules)) {
    const dir = join(nodeModules, ".cache", "micronets");
    if (writable(dir)) return dir;
  }
  let user = "user";
  try {
    user = String(userInfo().uid);
  } catch {
    // no user database entry: share the default name
  }
  const dir = join(tmpdir(), `micronets-cache-${user}`);
  if (!writable(dir)) throw new MicronetsError("io", "no writable cache folder", { file: dir });
  return dir;
}
