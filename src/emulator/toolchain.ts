/**
 * Finds the cross toolchain and emulator the harness needs: arm-none-eabi-gcc with newlib (nano specs),
 * arm-none-eabi-nm/size, qemu-system-arm, and — only for instruction counting — a host C compiler to
 * build the QEMU plugin. A missing piece gives one MicronetsError naming the Debian packages to install.
 */
import { spawnSync } from "node:child_process";
import { MicronetsError } from "../errors.js";

export interface Toolchain {
  gcc: string;
  nm: string;
  size: string;
  qemu: string;
  /** Host C compiler for the instruction-count plugin; undefined when none is installed. */
  hostCc: string | undefined;
  /** First line of `arm-none-eabi-gcc --version`. */
  gccVersion: string;
  /** First line of `qemu-system-arm --version`. */
  qemuVersion: string;
}

interface Requirement {
  tool: string;
  packages: string;
}

const CROSS_GCC: Requirement = { tool: "arm-none-eabi-gcc", packages: "gcc-arm-none-eabi" };
const CROSS_NM: Requirement = { tool: "arm-none-eabi-nm", packages: "binutils-arm-none-eabi" };
const CROSS_SIZE: Requirement = { tool: "arm-none-eabi-size", packages: "binutils-arm-none-eabi" };
const QEMU: Requirement = { tool: "qemu-system-arm", packages: "qemu-system-arm" };
const HOST_CCS = ["gcc", "cc"];

/** First line of `tool --version`, or undefined when the tool cannot be run. */
function versionLine(tool: string): string | undefined {
  const r = spawnSync(tool, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.split("\n")[0]?.trim() ?? "";
}

/** True when the cross compiler finds newlib's nano.specs (package libnewlib-arm-none-eabi). */
function hasNewlibNano(gcc: string): boolean {
  const r = spawnSync(gcc, ["-print-file-name=nano.specs"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
  // gcc prints the bare name back when it does not find the file.
  return !r.error && r.status === 0 && r.stdout.trim() !== "nano.specs";
}

export interface Probe {
  toolchain?: Toolchain;
  problem?: string;
}

let cached: Probe | undefined;

/** Looks the tools up now (uncached; findToolchain caches this). */
export function probeToolchain(): Probe {
  const missing: Requirement[] = [];
  const versions = new Map<string, string>();
  for (const req of [CROSS_GCC, CROSS_NM, CROSS_SIZE, QEMU]) {
    const v = versionLine(req.tool);
    if (v === undefined) missing.push(req);
    else versions.set(req.tool, v);
  }
  if (versions.has(CROSS_GCC.tool) && !hasNewlibNano(CROSS_GCC.tool)) {
    missing.push({ tool: "newlib for arm-none-eabi (nano.specs)", packages: "libnewlib-arm-none-eabi" });
  }
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((m) => m.packages))];
    return {
      problem:
        `the Cortex-M emulation toolchain is incomplete: missing ${missing.map((m) => m.tool).join(", ")}; ` +
        `install the Debian packages ${packages.join(" ")} ` +
        `(apt-get install --no-install-recommends gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm)`,
    };
  }
  const hostCc = HOST_CCS.find((cc) => versionLine(cc) !== undefined);
  return {
    toolchain: {
      gcc: CROSS_GCC.tool,
      nm: CROSS_NM.tool,
      size: CROSS_SIZE.tool,
      qemu: QEMU.tool,
      hostCc,
      gccVersion: versions.get(CROSS_GCC.tool) ?? "",
      qemuVersion: versions.get(QEMU.tool) ?? "",
    },
  };
}

/** The toolchain, looked up once per process; throws a MicronetsError naming what to install. */
export function findToolchain(): Toolchain {
  cached ??= probeToolchain();
  if (!cached.toolchain) throw new MicronetsError("io", cached.problem ?? "the Cortex-M emulation toolchain is missing");
  return cached.toolchain;
}

/** Why the toolchain is unusable, or undefined when it is complete (for skipping tests with a reason). */
export function toolchainProblem(): string | undefined {
  cached ??= probeToolchain();
  return cached.problem;
}

/** The host C compiler, or a MicronetsError saying how to get one. */
export function requireHostCc(toolchain: Toolchain): string {
  if (toolchain.hostCc === undefined) {
    throw new MicronetsError("io", "counting instructions needs a host C compiler to build the QEMU plugin: install the Debian package gcc");
  }
  return toolchain.hostCc;
}
