/** The arena planner: the algorithm contract, the algorithms, the lower bound and the independent checker. */
export * from "./types.js";
export { greedyBySize } from "./greedy-by-size.js";
export { linear } from "./linear.js";
export { lowerBound } from "./lower-bound.js";
export { checkPlan, type CheckedBuffer, type CheckPlanOptions, type PlanViolation } from "./check-plan.js";
export { createMemoryPlanner, DEFAULT_PLANNER, getPlanner, plannerEntries, plannerNames, type PlannerEntry } from "./registry.js";
