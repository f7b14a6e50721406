/** Static analysis of a graph: costs, flash, arena planning, targets, latency — and analyzeGraph over them all. */
export { analyzeGraph, type AnalyzeOptions, type FitCheck, type LayerAnalysis, type ModelAnalysis, type ModelTotals, type TargetAnalysis } from "./analyze.js";
export { planArena, type ArenaPlan, type ArenaPlanOptions, type PlannedBuffer } from "./arena-plan.js";
export { DEFAULT_CODE_SIZES, kernelKind, type CodeSizeTable, type KernelKind } from "./code-size.js";
export { estimateFlash, type FlashBreakdown, type FlashEstimate, type FlashOptions, type LayerFlash } from "./flash.js";
export { energyMj, inferenceLatencyMs, latencyModel, opsTimeMs, type LatencyModel } from "./latency.js";
export { constantRole, layerCost, layerCosts, requantWords, sumCosts, type CostTotals, type LayerCost } from "./layer-costs.js";
export { alignUp, computeLifetimes, DEFAULT_ALIGNMENT, type LifetimeBuffer, type LifetimeOptions, type ScratchRequest } from "./lifetimes.js";
export * from "./planner/index.js";
export { listTargets, loadTarget, parseTarget, reserveTotal, targetSchemaPath, targetsDir, type LatencyFamily, type Target } from "./targets.js";
