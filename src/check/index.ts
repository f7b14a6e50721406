/** The CI gate behind `micronets check`: budgets, baselines, their evaluation and the printed results. */
export { loadBaseline, parseBaseline, type Baseline } from "./baseline.js";
export { BUDGET_SCHEMA_ID, loadBudget, parseBudget, type Budget, type Limit } from "./budget.js";
export { evaluateChecks, type CheckInput, type CheckKind, type CheckLine, type CheckResult, type SkippedCheck } from "./evaluate.js";
export { figuresOf, formatValue, isMetric, METRICS, type Figures, type Metric } from "./metrics.js";
export { parseCount, parseEnergy, parseLatency, parseMemoryLimit, parsePercent, type MemoryLimit } from "./quantity.js";
export { CHECK_RESULT_SCHEMA_ID, checkResultJson, renderCheckMarkdown, renderCheckText, type CheckContext, type CheckResultJson } from "./render.js";
