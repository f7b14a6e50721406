/**
 * A sampled architecture as its decisions (a "spec"), drawn from a seeded stream, and its architecture JSON.
 * Sample i of seed S is the same whatever n is: each sample has its own stream, streamSeed(S, space, i).
 */
import { SplitMix32, streamSeed } from "../util/prng.js";
import { ARCHITECTURE_SCHEMA_ID } from "../frontends/architecture/schema-check.js";
import type { ArchitectureDoc, LayerSpec } from "../frontends/architecture/types.js";
import { KWS_SPACE, scaledWidth, SPACE_NAMES, VWW_BLOCKS, VWW_SPACE, type SpaceName } from "./spaces.js";

export interface KwsSpec {
  space: "kws";
  /** Width of the first (10×4) convolution. */
  first: number;
  /** Pointwise output width of each depthwise-separable block (1–7 blocks). */
  blocks: number[];
}

export interface VwwSpec {
  space: "vww";
  resolution: number;
  stem: number;
  /** Output width of each MobileNetV2 stage (7). */
  stages: number[];
  /** Expansion width of each block (17); null = identity (the block is dropped). */
  expansions: (number | null)[];
  head: number;
}

export type SampleSpec = KwsSpec | VwwSpec;

/** The seed stream of sample `index` of `space` under `seed`. */
export function sampleRng(space: SpaceName, seed: number, index: number): SplitMix32 {
  return new SplitMix32(streamSeed(seed, SPACE_NAMES.indexOf(space), index));
}

function pick<T>(rng: SplitMix32, options: readonly T[]): T {
  return options[rng.int(0, options.length - 1)]!;
}

export function drawKws(rng: SplitMix32): KwsSpec {
  const first = pick(rng, KWS_SPACE.widths);
  const n = rng.int(KWS_SPACE.minBlocks, KWS_SPACE.maxBlocks);
  const blocks: number[] = [];
  for (let i = 0; i < n; i++) blocks.push(pick(rng, KWS_SPACE.widths));
  return { space: "kws", first, blocks };
}

export function drawVww(rng: SplitMix32): VwwSpec {
  const f = VWW_SPACE.fractions;
  const resolution = pick(rng, VWW_SPACE.resolutions);
  const stem = scaledWidth(VWW_SPACE.stem, pick(rng, f));
  const stages = VWW_SPACE.stages.map((s) => scaledWidth(s.c, pick(rng, f)));
  const expansions = VWW_BLOCKS.map((b) => {
    // Identity is one more option of a droppable block's decision.
    const k = rng.int(0, f.length - (b.residual ? 0 : 1));
    return k === f.length ? null : scaledWidth(b.refExpansion, f[k]!);
  });
  const head = scaledWidth(VWW_SPACE.head, pick(rng, f));
  return { space: "vww", resolution, stem, stages, expansions, head };
}

export function drawSpec(space: SpaceName, seed: number, index: number): SampleSpec {
  const rng = sampleRng(space, seed, index);
  return space === "kws" ? drawKws(rng) : drawVww(rng);
}

/** Sample file/graph name: "kws-s7-000042". */
export function sampleName(space: SpaceName, seed: number, index: number): string {
  return `${space}-s${seed}-${String(index).padStart(6, "0")}`;
}

function kwsLayers(s: KwsSpec): LayerSpec[] {
  const layers: LayerSpec[] = [
    { name: "conv1", type: "conv2d", filters: s.first, kernel: [KWS_SPACE.firstKernel[0], KWS_SPACE.firstKernel[1]], stride: 1, padding: "same", activation: "relu6" },
  ];
  s.blocks.forEach((w, i) => {
    layers.push({ name: `ds${i + 1}_dw`, type: "depthwise_conv2d", kernel: 3, stride: i === 0 ? 2 : 1, padding: "same", activation: "relu6" });
    layers.push({ name: `ds${i + 1}_pw`, type: "conv2d", filters: w, kernel: 1, padding: "same", activation: "relu6" });
  });
  layers.push({ name: "avgpool", type: "avgpool", kernel: [KWS_SPACE.poolKernel[0], KWS_SPACE.poolKernel[1]] });
  layers.push({ name: "fc", type: "conv2d", filters: KWS_SPACE.classes, kernel: 1, padding: "same" });
  layers.push({ name: "logits", type: "reshape", shape: [1, KWS_SPACE.classes] });
  return layers;
}

/** Spatial size after the VWW backbone's stride-2 layers ('same' padding: ceil(n / 2) each). */
function vwwFinalSize(resolution: number): number {
  let n = Math.ceil(resolution / 2); // stem
  for (const b of VWW_BLOCKS) if (b.stride === 2) n = Math.ceil(n / 2);
  return n;
}

function vwwLayers(s: VwwSpec): LayerSpec[] {
  const layers: LayerSpec[] = [{ name: "stem", type: "conv2d", filters: s.stem, kernel: 3, stride: 2, padding: "same", activation: "relu6" }];
  let last = "stem";
  VWW_BLOCKS.forEach((b, i) => {
    const e = s.expansions[i];
    if (e === null || e === undefined) return; // identity: the block is dropped
    const id = `b${i + 1}`;
    layers.push({ name: `${id}_expand`, type: "conv2d", filters: e, kernel: 1, padding: "same", activation: "relu6" });
    layers.push({ name: `${id}_dw`, type: "depthwise_conv2d", kernel: 3, stride: b.stride, padding: "same", activation: "relu6" });
    layers.push({ name: `${id}_project`, type: "conv2d", filters: s.stages[b.stage]!, kernel: 1, padding: "same" });
    if (b.residual) {
      layers.push({ name: `${id}_add`, type: "add", inputs: [`${id}_project`, last] });
      last = `${id}_add`;
    } else {
      last = `${id}_project`;
    }
  });
  const k = vwwFinalSize(s.resolution);
  layers.push({ name: "head", type: "conv2d", filters: s.head, kernel: 1, padding: "same", activation: "relu6" });
  layers.push({ name: "avgpool", type: "avgpool", kernel: [k, k] });
  layers.push({ name: "fc", type: "conv2d", filters: VWW_SPACE.classes, kernel: 1, padding: "same" });
  layers.push({ name: "logits", type: "reshape", shape: [1, VWW_SPACE.classes] });
  return layers;
}

export interface DocMeta {
  name: string;
  seed: number;
  index: number;
}

/** Compact, human-readable summary of the decisions, for the description. */
export function describeSpec(s: SampleSpec): string {
  if (s.space === "kws") return `first conv ${s.first}, ${s.blocks.length} DS block${s.blocks.length === 1 ? "" : "s"} (${s.blocks.join(", ")})`;
  const blocks = s.expansions.map((e) => (e === null ? "-" : String(e))).join(" ");
  return `${s.resolution}×${s.resolution}, stem ${s.stem}, stage widths ${s.stages.join(" ")}, expansions ${blocks} ('-' = identity), head ${s.head}`;
}

/** The architecture JSON of a spec (schemas/architecture.schema.json, shape-only). */
export function specToDoc(s: SampleSpec, meta: DocMeta): ArchitectureDoc & { searchSpace: SpaceName } {
  const input = s.space === "kws" ? [...KWS_SPACE.input] : [1, s.resolution, s.resolution, 1];
  const backbone = s.space === "kws" ? "DS-CNN" : "MobileNetV2";
  return {
    $schema: ARCHITECTURE_SCHEMA_ID,
    name: meta.name,
    description: `Sample ${meta.index} (seed ${meta.seed}) of micronets' ${s.space.toUpperCase()} search space (${backbone} backbone): ${describeSpec(s)}.`,
    source: `micronets sample --space ${s.space} --seed ${meta.seed} (index ${meta.index}); search space after micronets-paper.md 'Search spaces' (src/search-space/spaces.ts)`,
    searchSpace: s.space,
    input: { shape: input },
    layers: s.space === "kws" ? kwsLayers(s) : vwwLayers(s),
  };
}
