import { usageError } from "../../errors.js";
import type { Graph } from "../../ir/types.js";
import type { OpParams } from "../../quant/op-params.js";
import type { IoInfo } from "../model-info.js";

export type CmsisCore = "cortex-m4" | "cortex-m7" | "host";

export interface CmsisOptions {
  prefix: string;
  version: string;
  modelComment: string;
  inputs: IoInfo[];
  outputs: IoInfo[];
  inType: string;
  outType: string;
  core: CmsisCore;
  planner?: string;
}

export function emitCmsisNn(_graph: Graph, _params: readonly OpParams[], _opts: CmsisOptions): { source: string; arenaBytes: number; layers: { index: number; type: string; kernel: string; scratchBytes: number }[] } {
  throw usageError("the CMSIS-NN backend is not built yet");
}
