/**
 * Hard limits, checked before anything is allocated from a dimension. They are far above any model that fits
 * a microcontroller, and low enough that every size computed from them stays an exact integer in a double and
 * fits the 32-bit arithmetic of the generated C.
 */
export const LIMITS = {
  /** Largest rank any supported op accepts (ADD/MUL broadcast to 6-D). */
  maxRank: 6,
  /** Largest single dimension. */
  maxDim: 1 << 24,
  /** Largest element count of one tensor (2^28 = 256 Mi elements). */
  maxElements: 2 ** 28,
  /** Largest byte size of one tensor, or of the arena (must fit int32 offsets in generated C). */
  maxBytes: 2 ** 30,
  /**
   * Largest tensor and operator counts. Arena planning (TFLM's greedy algorithm and the independent plan
   * checker) is quadratic in the number of buffers, so these bound its time (well under a second); real
   * microcontroller models have a few hundred operators.
   */
  maxTensors: 1 << 14,
  maxOperators: 1 << 12,
  /**
   * Largest number of per-axis (per-channel) quantization parameters of one tensor. Every engine builds
   * tables of this length (multipliers, shifts, biases): 2^20 channels is far above any microcontroller
   * layer and keeps those tables to tens of MB, where millions of channels took gigabytes.
   */
  maxChannels: 1 << 20,
  /** Largest MAC count of one layer before counts would lose exactness. */
  maxMacs: 2 ** 52,
  /**
   * Largest flash (constant bytes) and tensor arena generated C may need. Both are above the on-chip memory
   * of any Cortex-M microcontroller (the largest bundled targets have 2 MB of flash and 1.4 MB of SRAM), so
   * compiling more is refused up front rather than spending seconds and hundreds of MB on code no MCU holds.
   * Analysis has no such limit: "how far over budget" is a useful answer for any size.
   */
  maxMcuFlashBytes: 8 * 1024 * 1024,
  maxMcuArenaBytes: 16 * 1024 * 1024,
} as const;
