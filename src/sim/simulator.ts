/**
 * The WebAssembly simulator: runs a whole model inside ONE WebAssembly.Memory laid out like a TFLM arena.
 *
 * Memory layout (SimLayout):
 *   [0, ARENA_BASE)                 unused, so no tensor sits at address 0
 *   [arenaBase, +plan.total)        the arena: every activation tensor at arenaBase + its planned offset
 *   [constBase, +constBytes)        constants, read-only for the kernels: repacked weights, channel tables
 *                                   (bias + requantisation constants), parameter blocks, constant operands
 * Inputs are copied into their planned slots before the first op and outputs read from theirs after the
 * last; between ops a tensor lives only in its slot. No kernel copies a tensor to private space, and none
 * needs scratch, so a plan that lets two live tensors share bytes corrupts the result here exactly as it
 * would on the device. `runWasm` refuses such plans (checkPlan); `runWasmWithPlan` runs them.
 */
import { inputError, isMicronetsError, MicronetsError } from "../errors.js";
import { planArena, type ArenaPlan } from "../analysis/arena-plan.js";
import { opLabel, tensorBytes, tensorLabel } from "../ir/tensor-data.js";
import type { Graph, Tensor } from "../ir/types.js";
import { deriveOpParams, type OpParams } from "../quant/op-params.js";
import type { Rounding } from "../quant/rounding.js";
import type { RunResult, TensorValue } from "../reference/interpreter.js";
import { checkGraphInputs } from "../reference/tensor-value.js";
import { loadKernelModule } from "./assemble.js";
import { alignTo, ConstRegion } from "./const-region.js";
import { lowerOp } from "./lower-graph.js";
import { Machine } from "./machine.js";
import { bindPlan } from "./plan-binding.js";
import type { Step } from "./steps.js";

export type { RunResult, TensorValue } from "../reference/interpreter.js";

/** Address of arena byte 0 in the simulator memory. */
export const ARENA_BASE = 64;

export interface SimLayout {
  arenaBase: number;
  /** The plan's total. */
  arenaBytes: number;
  constBase: number;
  constBytes: number;
  /** Bytes of WebAssembly memory in use (the memory is rounded up to whole 64 KiB pages). */
  memoryBytes: number;
  /** Address of every tensor the simulator touches: arena slots and constant operands. */
  tensorAddress: ReadonlyMap<number, number>;
}

export interface SimulatorOptions {
  /** "double" (default; TFLM and CMSIS-NN) or "single" (TFLITE_SINGLE_ROUNDING). */
  rounding?: Rounding;
  /** The arena plan; default planArena(graph) (TFLM's greedy-by-size). */
  plan?: ArenaPlan;
  /** Parameters already derived with deriveOpParams(graph, { rounding }). */
  params?: OpParams[];
}

export interface RunWasmOptions extends SimulatorOptions {
  /** Also return every non-constant tensor, snapshotted right after the op that wrote it. */
  keepIntermediates?: boolean;
}

export interface Simulator {
  readonly graph: Graph;
  readonly plan: ArenaPlan;
  readonly layout: SimLayout;
  /** Runs one inference; the memory is reused across runs (weights are never written). */
  run(inputs: readonly TensorValue[], opts?: { keepIntermediates?: boolean }): RunResult;
}

function supportedDtype(t: Tensor, where: string): void {
  if (t.dtype !== "int8" && t.dtype !== "int16" && t.dtype !== "int32" && t.dtype !== "float32") {
    throw inputError(`dtype ${t.dtype} is not supported by the simulator`, where);
  }
}

/** A copy of tensor `t` read from memory at `at`. */
function readTensor(buffer: ArrayBuffer, at: number, t: Tensor): TensorValue {
  const bytes = buffer.slice(at, at + tensorBytes(t));
  switch (t.dtype) {
    case "int16": return new Int16Array(bytes);
    case "int32": return new Int32Array(bytes);
    case "float32": return new Float32Array(bytes);
    default: return new Int8Array(bytes);
  }
}

function withOpPlace(e: unknown, graph: Graph, i: number): unknown {
  if (!isMicronetsError(e)) return e;
  const label = opLabel(graph.operators[i]!, i);
  if (!e.where) return new MicronetsError(e.kind, e.message, { where: label });
  return e.where.startsWith(label) ? e : new MicronetsError(e.kind, `${label}: ${e.message}`, { where: e.where });
}

async function prepare(graph: Graph, plan: ArenaPlan, checkOverlap: boolean, opts: SimulatorOptions): Promise<Simulator> {
  const module = await loadKernelModule();
  const rounding = opts.rounding ?? "double";
  const params = opts.params ?? deriveOpParams(graph, { rounding });
  if (params.length !== graph.operators.length) throw inputError(`${params.length} op parameter sets for ${graph.operators.length} operators`);
  const offsets = bindPlan(graph, plan, { checkOverlap });

  const arenaBase = ARENA_BASE;
  const consts = new ConstRegion(alignTo(arenaBase + plan.total, 64));
  const addresses = new Map<number, number>();
  const address = (id: number): number => {
    let at = addresses.get(id);
    if (at !== undefined) return at;
    const t = graph.tensors[id];
    if (!t) throw inputError(`tensor ${id} does not exist`);
    supportedDtype(t, tensorLabel(t));
    if (t.constant) {
      if (!t.data) throw inputError("constant tensor has no data (shape-only model); it cannot be run", tensorLabel(t));
      at = consts.place(t.data);
    } else {
      const off = offsets.get(id);
      if (off === undefined) throw inputError("is not in the arena plan (a variable tensor?); the simulator cannot place it", tensorLabel(t));
      at = arenaBase + off;
    }
    addresses.set(id, at);
    return at;
  };

  const steps: Step[] = params.map((p, i) => {
    try {
      return lowerOp(graph, p, address, consts, opLabel(graph.operators[i]!, i));
    } catch (e) {
      throw withOpPlace(e, graph, i);
    }
  });
  graph.inputs.forEach(address);
  graph.outputs.forEach(address);

  const machine = new Machine(module, consts.endAddress);
  consts.copyInto(machine.bytes);
  const layout: SimLayout = {
    arenaBase,
    arenaBytes: plan.total,
    constBase: consts.base,
    constBytes: consts.endAddress - consts.base,
    memoryBytes: consts.endAddress,
    tensorAddress: addresses,
  };

  const run = (inputs: readonly TensorValue[], runOpts: { keepIntermediates?: boolean } = {}): RunResult => {
    checkGraphInputs(graph, inputs);
    const buffer = machine.memory.buffer;
    const kept = runOpts.keepIntermediates ? new Map<number, TensorValue>() : undefined;
    graph.inputs.forEach((id, k) => {
      const v = inputs[k]!;
      machine.bytes.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), addresses.get(id)!);
    });
    // Snapshot the inputs only after all are placed: with a broken plan one input may overwrite another.
    if (kept) for (const id of graph.inputs) kept.set(id, readTensor(buffer, addresses.get(id)!, graph.tensors[id]!));
    steps.forEach((step, i) => {
      try {
        machine.exec(step);
      } catch (e) {
        throw withOpPlace(e, graph, i);
      }
      if (kept) for (const id of graph.operators[i]!.outputs) kept.set(id, readTensor(buffer, addresses.get(id)!, graph.tensors[id]!));
    });
    const outputs = graph.outputs.map((id) => readTensor(buffer, addresses.get(id)!, graph.tensors[id]!));
    return kept ? { outputs, intermediates: kept } : { outputs };
  };

  return { graph, plan, layout, run };
}

/**
 * Prepares `graph` (validated) for repeated runs: assembles the kernels (once per process), checks the plan
 * (default planArena(graph)) with checkPlan, lays out the memory and lowers every op.
 */
export function createSimulator(graph: Graph, opts: SimulatorOptions = {}): Promise<Simulator> {
  return prepare(graph, opts.plan ?? planArena(graph), true, opts);
}

/**
 * Like createSimulator, but with an explicit plan that is NOT checked for overlapping live tensors (only
 * that it belongs to the graph and stays inside the arena): a broken plan runs and corrupts the result.
 */
export function createSimulatorWithPlan(graph: Graph, plan: ArenaPlan, opts: Omit<SimulatorOptions, "plan"> = {}): Promise<Simulator> {
  return prepare(graph, plan, false, opts);
}

/** Runs one inference of `graph` on `inputs` in the simulator; the result is shaped like runReference's. */
export async function runWasm(graph: Graph, inputs: readonly TensorValue[], opts: RunWasmOptions = {}): Promise<RunResult> {
  const sim = await createSimulator(graph, opts);
  return sim.run(inputs, { keepIntermediates: opts.keepIntermediates });
}

/** runWasm with an explicit, unchecked plan (see createSimulatorWithPlan). */
export async function runWasmWithPlan(
  graph: Graph,
  inputs: readonly TensorValue[],
  plan: ArenaPlan,
  opts: Omit<RunWasmOptions, "plan"> = {},
): Promise<RunResult> {
  const sim = await createSimulatorWithPlan(graph, plan, opts);
  return sim.run(inputs, { keepIntermediates: opts.keepIntermediates });
}
