/** The emulated Cortex-M cores: compiler flags and the QEMU board that models each. */
import { MicronetsError } from "../errors.js";

export type CortexCore = "cortex-m4" | "cortex-m7";

interface CoreInfo {
  /** arm-none-eabi-gcc code-generation flags (hard-float ABI with the core's FPU). */
  cflags: readonly string[];
  /** qemu-system-arm -M machine. */
  board: string;
}

const CORES: Record<CortexCore, CoreInfo> = {
  "cortex-m4": { cflags: ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"], board: "mps2-an386" },
  "cortex-m7": { cflags: ["-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-d16"], board: "mps2-an500" },
};

export const CORE_NAMES = Object.keys(CORES) as CortexCore[];

/** The core's flags and board; a MicronetsError for a core the harness does not model. */
export function coreInfo(core: string): CoreInfo {
  if (!Object.hasOwn(CORES, core)) {
    throw new MicronetsError("usage", `unsupported core '${core}' for emulation (supported: ${CORE_NAMES.join(", ")})`);
  }
  return CORES[core as CortexCore];
}
