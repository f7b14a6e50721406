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
  maxTensors: 1 << 20,
  maxOperators: 1 << 20,
  /** Largest MAC count of one layer before counts would lose exactness. */
  maxMacs: 2 ** 52,
} as const;
