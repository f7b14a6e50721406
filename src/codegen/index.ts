/**
 * C code generation: compileModel (pure: returns the files) with the portable and CMSIS-NN backends, and the
 * helpers that build and run generated code on the host and on emulated Cortex-M4/M7.
 */
export {
  BACKENDS,
  CODEGEN_CORES,
  compileModel,
  compileWithParams,
  type Backend,
  type CodegenCore,
  type CompiledLayer,
  type CompileOptions,
  type CompileResult,
  type GeneratedFile,
} from "./compile.js";
export { checkPrefix, commentText, DEFAULT_PREFIX, prefixFromName } from "./names.js";
export { buildHost, createHostEngine, findHostCc, HOST_WARNING_FLAGS, runHost, SANITIZER_FLAGS, type HostBuildOptions, type HostEngine, type HostProgram } from "./host-check.js";
export { buildMcu, createMcuEngine, MARK_OVERHEAD, mcuSize, runMcu, type McuBuildOptions, type McuEngine, type McuFirmware, type McuRun } from "./mcu-check.js";
export { planLayout, verifyLayout, type AliasCandidate, type ArenaLayout, type LayoutOptions, type UsedAlias } from "./plan.js";
export { arenaPlanOfLayout, cmsisCoreOf, planCmsisNnArena, planPortableArena, type CmsisNnArenaOptions, type PortableArenaOptions } from "./deployed-arena.js";
export { templatesDir } from "./templates.js";
export { buildCmsisNnLibrary, type CmsisNnLibrary } from "./cmsis-nn/library.js";
