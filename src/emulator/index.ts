/** Emulated Cortex-M harness: cross-build firmware, run it on QEMU, count instructions exactly. */
export { findToolchain, probeToolchain, toolchainProblem, type Probe, type Toolchain } from "./toolchain.js";
export { CORE_NAMES, type CortexCore } from "./cores.js";
export {
  buildFirmware,
  firmwareGccArgs,
  firmwareSize,
  symbolAddress,
  type BuildFirmwareOptions,
  type FirmwareSize,
  type OptimizeLevel,
} from "./build-firmware.js";
export {
  INPUT_FILE_NAME,
  MARK_SYMBOL,
  markDeltas,
  parseCountReport,
  runOnQemu,
  type InstructionCounts,
  type RunOptions,
  type RunResult,
} from "./run-qemu.js";
export { insnCountPlugin } from "./insn-count-plugin.js";
export { firmwareDir } from "./paths.js";
