// Moved to src/util/prng.ts (shared by the weight generator, the sampler and input fills).
export * from "../../util/prng.js";
