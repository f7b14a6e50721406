/**
 * Planning algorithms by name. The arena planner looks an algorithm up here and never knows which one runs.
 */
import { usageError } from "../../errors.js";
import { greedyBySize } from "./greedy-by-size.js";
import { linear } from "./linear.js";
import type { MemoryPlanner, PlannerAlgorithm, PlannerBuffer, PlanResult } from "./types.js";

export interface PlannerEntry {
  name: string;
  description: string;
  plan: PlannerAlgorithm;
}

const ENTRIES: readonly PlannerEntry[] = [
  { name: "greedy-by-size", description: "TFLite Micro's GreedyMemoryPlanner (largest first, first-fit gap)", plan: greedyBySize },
  { name: "linear", description: "no reuse: each buffer after the previous one", plan: linear },
];

/** The name of TFLM's algorithm, used when none is asked for. */
export const DEFAULT_PLANNER = "greedy-by-size";

export function plannerNames(): string[] {
  return ENTRIES.map((e) => e.name);
}

export function plannerEntries(): readonly PlannerEntry[] {
  return ENTRIES;
}

/** The algorithm called `name`; a usage error listing the known names otherwise. */
export function getPlanner(name: string): PlannerAlgorithm {
  const e = ENTRIES.find((x) => x.name === name);
  if (!e) throw usageError(`unknown memory planner '${name}'; known planners: ${plannerNames().join(", ")}`);
  return e.plan;
}

/** The incremental TFLM-style interface over the algorithm called `name`. */
export function createMemoryPlanner(name: string = DEFAULT_PLANNER): MemoryPlanner {
  const algorithm = getPlanner(name);
  const buffers: PlannerBuffer[] = [];
  return {
    addBuffer(size: number, firstUse: number, lastUse: number): void {
      buffers.push({ size, firstUse, lastUse });
    },
    plan(): PlanResult {
      return algorithm(buffers);
    },
  };
}
