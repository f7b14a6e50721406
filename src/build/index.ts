/**
 * Build-step integration: micronets.config.json (schemas/config.schema.json), incremental `micronets build`
 * (stamps of hashed inputs, atomic per-model outputs) and `micronets init`'s starter config.
 */
export { CONFIG_SCHEMA_ID, DEFAULT_CONFIG_FILE, loadBuildConfig, parseBuildConfig, type BudgetSpec, type BuildConfig, type ModelSpec } from "./config.js";
export { runBuild, type BuildOptions, type BuildSummary, type ModelResult, type ModelStatus } from "./run-build.js";
export { canonicalJson, hashInputs, hashTree, readStamp, staleReason, STAMP_FILE, type Stamp, type StampInputs } from "./stamp.js";
export { starterConfig, writeStarterConfig, type InitOptions, type InitResult } from "./init-config.js";
