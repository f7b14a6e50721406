/** The WebAssembly simulator: whole models inside one planned arena, and single kernels for test vectors. */
export {
  ARENA_BASE,
  createSimulator,
  createSimulatorWithPlan,
  runWasm,
  runWasmWithPlan,
  type RunResult,
  type RunWasmOptions,
  type SimLayout,
  type Simulator,
  type SimulatorOptions,
  type TensorValue,
} from "./simulator.js";
export { loadSimKernels, type SimKernels } from "./kernel-runner.js";
export { benchSimulator, type SimBenchOptions, type SimBenchResult } from "./bench.js";
export { loadKernelModule } from "./assemble.js";
