/**
 * compileModel: a graph (with weights) → C source files, as strings. Pure: nothing is written; the CLI
 * writes the files (atomically) where the user asks.
 *
 * Files, for prefix P:
 * - `P_model.h`: the API — `int P_invoke(const int8_t *in, int8_t *out)` (void pointers when some graph
 *   input/output is not int8) and macros for the arena size and every input's and output's bytes, shape and
 *   quantisation;
 * - `P_model.c`: constants (weights, biases, requantisation tables) in flash, one statically sized,
 *   16-byte-aligned arena with every activation at its planned offset, one function per layer, invoke.
 */
import { usageError } from "../errors.js";
import { validateGraph } from "../ir/validate.js";
import type { Graph } from "../ir/types.js";
import { deriveOpParams, type OpParams } from "../quant/op-params.js";
import { VERSION } from "../version.js";
import { emitCmsisNn, type CmsisCore } from "./cmsis-nn/index.js";
import { checkCompilable, checkMcuArena, ioInfo, ioPointerType } from "./model-info.js";
import { checkPrefix, commentText, DEFAULT_PREFIX } from "./names.js";
import type { ArenaLayout } from "./plan.js";
import { emitPortable } from "./portable/index.js";
import { render } from "./templates.js";

export type Backend = "portable" | "cmsis-nn";
export type CodegenCore = "cortex-m4" | "cortex-m7" | "host";

export const BACKENDS: readonly Backend[] = ["portable", "cmsis-nn"];
export const CODEGEN_CORES: readonly CodegenCore[] = ["cortex-m4", "cortex-m7", "host"];

export interface CompileOptions {
  /** Default "portable". */
  backend?: Backend;
  /** Identifier prefix of every exported symbol and macro (validated; default "net": net_model.h, net_invoke). */
  prefix?: string;
  /**
   * The core the code is for. The portable backend's C is the same for all (the DSP path is chosen by the
   * compiler's __ARM_FEATURE_DSP); for CMSIS-NN it decides the kernel scratch sizes (DSP on Cortex-M4/M7,
   * pure C on the host). Default "cortex-m4".
   */
  core?: CodegenCore;
  /** Portable backend: let layers write their output over a dying input (default true). */
  inPlace?: boolean;
  /**
   * Portable backend: store conv and fully-connected weights as int16 pairs (twice their flash) so the inner
   * loops feed SMLAD without unpacking — about a fifth fewer instructions in those layers. Default false.
   */
  wideWeights?: boolean;
  /** Arena planner name (default TFLM's greedy-by-size). */
  planner?: string;
  /** A name for the model in comments (e.g. the input file name); the graph's name otherwise. */
  modelName?: string;
}

export interface GeneratedFile {
  name: string;
  contents: string;
}

export interface CompiledLayer {
  index: number;
  type: string;
  /** The kernel (portable variant, or CMSIS-NN function) the layer runs. */
  kernel: string;
  /** Arena scratch bytes the layer uses. */
  scratchBytes: number;
  /** Portable backend: output offset minus input offset when the layer works in place. */
  inPlaceRel: number | null;
}

export interface CompileResult {
  files: GeneratedFile[];
  backend: Backend;
  prefix: string;
  core: CodegenCore;
  headerFile: string;
  sourceFile: string;
  /** Bytes of the static arena. */
  arenaBytes: number;
  /** The arena TFLM's planner would need for the same buffers (no in-place layers). */
  plainArenaBytes: number;
  layers: CompiledLayer[];
  inputBytes: number;
  outputBytes: number;
  /** Portable backend: the arena layout (offsets, aliases, the buffers and their lifetimes). */
  layout?: ArenaLayout;
}

/** Compiles a graph (validated here; constants must have data) to C source files. */
export function compileModel(graph: Graph, opts: CompileOptions = {}): CompileResult {
  checkOptions(opts);
  validateGraph(graph);
  checkCompilable(graph);
  return compileWithParams(graph, deriveOpParams(graph), opts);
}

function checkOptions(opts: CompileOptions): void {
  const backend = opts.backend ?? "portable";
  if (!BACKENDS.includes(backend)) throw usageError(`unknown backend '${String(backend)}' (use ${BACKENDS.join(" or ")})`);
  const core = opts.core ?? "cortex-m4";
  if (!CODEGEN_CORES.includes(core)) throw usageError(`unknown core '${String(core)}' (use ${CODEGEN_CORES.join(", ")})`);
  checkPrefix(opts.prefix ?? DEFAULT_PREFIX);
}

/**
 * The emitter behind compileModel, given the op parameters explicitly (kernel tests feed the parameters of
 * external test vectors through it). The graph is not validated here.
 */
export function compileWithParams(graph: Graph, params: readonly OpParams[], opts: CompileOptions = {}): CompileResult {
  checkOptions(opts);
  const backend = opts.backend ?? "portable";
  const core = opts.core ?? "cortex-m4";
  const prefix = checkPrefix(opts.prefix ?? DEFAULT_PREFIX);
  const inputs = ioInfo(graph, graph.inputs);
  const outputs = ioInfo(graph, graph.outputs);
  const inType = ioPointerType(inputs);
  const outType = ioPointerType(outputs);
  const modelComment = commentText(opts.modelName ?? (graph.name || "(unnamed)"));
  const common = { prefix, version: VERSION, modelComment, inputs, outputs, inType, outType };

  let source: string;
  let arenaBytes: number;
  let plainArenaBytes: number;
  let layers: CompiledLayer[];
  let layout: ArenaLayout | undefined;
  if (backend === "portable") {
    const r = emitPortable(graph, params, { ...common, inPlace: opts.inPlace ?? true, wideWeights: opts.wideWeights === true, planner: opts.planner });
    source = r.source;
    arenaBytes = r.layout.total;
    plainArenaBytes = r.layout.plainTotal;
    layout = r.layout;
    layers = r.layers.map((l) => ({ index: l.index, type: l.type, kernel: l.kernel, scratchBytes: l.scratchBytes, inPlaceRel: l.inPlaceRel }));
  } else {
    const r = emitCmsisNn(graph, params, { ...common, core: core as CmsisCore, planner: opts.planner });
    source = r.source;
    arenaBytes = r.arenaBytes;
    plainArenaBytes = r.arenaBytes;
    layers = r.layers.map((l) => ({ ...l, inPlaceRel: null }));
  }
  checkMcuArena(arenaBytes);
  const header = render("model.h.hbs", {
    ...common,
    PREFIX: prefix.toUpperCase(),
    backend,
    arenaBytes,
    inputBytes: inputs.reduce((s, i) => s + i.bytes, 0),
    outputBytes: outputs.reduce((s, i) => s + i.bytes, 0),
  });
  const headerFile = `${prefix}_model.h`;
  const sourceFile = `${prefix}_model.c`;
  return {
    files: [
      { name: headerFile, contents: header },
      { name: sourceFile, contents: source },
    ],
    backend,
    prefix,
    core,
    headerFile,
    sourceFile,
    arenaBytes,
    plainArenaBytes,
    layers,
    inputBytes: inputs.reduce((s, i) => s + i.bytes, 0),
    outputBytes: outputs.reduce((s, i) => s + i.bytes, 0),
    ...(layout ? { layout } : {}),
  };
}
