/**
 * The MicroNet search spaces `micronets sample` draws from, as micronets-paper.md describes them (the paper
 * publishes the backbones and the kind of decisions, not every candidate list; where we had to choose, the
 * choice is stated here). The searches are over width and depth only: kernel sizes and strides are fixed by
 * the backbone, each decision picks a width or (where shapes allow) identity to drop a block.
 *
 * KWS — DS-CNN backbone on 49×10×1 MFCC features, as MicroNet-KWS-S/M/L (paper Table 5): conv 10×4 stride 1,
 * then 1–7 depthwise-separable blocks (3×3 depthwise, 'same', the first with stride 2, + 1×1 pointwise),
 * ReLU6, average pool 25×5, a 1×1 convolution to 12 classes, reshape. Decisions: the number of blocks
 * (uniform 1–7, KWS-L has 7) and every layer's width from ten candidates, all multiples of 4 (CMSIS-NN's fast
 * paths): a 28-channel grid up to KWS-L's 276 that contains every width of Table 5's KWS models
 * (84, 112, 140, 196, 248, 276), so MicroNet-KWS-S/M/L are points of the space.
 *
 * VWW — MobileNetV2 backbone (Sandler et al. 2018: stem conv 3×3 stride 2 → 32, seven stages of inverted
 * residual blocks (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2)
 * (6,320,1,1), 1×1 conv → 1280) on grayscale 50×50 or 128×128 input, global average pool, a 1×1 convolution
 * to 2 classes, reshape. Every block is 1×1 expand → 3×3 depthwise → 1×1 linear projection (as in the
 * Wake_Vision re-creation of MicroNet-VWW, the first block keeps its expansion conv too). Widths are 10–100 %
 * of MobileNetV2's in 10 % steps (rounded, at least 1): one decision for the stem, one per block for its
 * expansion, one per stage for its output width (shared by the stage's blocks so that the residual ADD of
 * MobileNetV2 — stride 1, equal shapes — applies to every block after a stage's first), one for the head.
 * Blocks after a stage's first may be dropped: identity is an 11th option of their expansion decision.
 * Input resolution is a decision too (uniform over 50 and 128).
 *
 * Every decision is drawn independently and uniformly from its options.
 */

export const SPACE_NAMES = ["kws", "vww"] as const;
export type SpaceName = (typeof SPACE_NAMES)[number];

export function isSpaceName(s: string): s is SpaceName {
  return (SPACE_NAMES as readonly string[]).includes(s);
}

export const KWS_SPACE = {
  input: [1, 49, 10, 1] as const,
  firstKernel: [10, 4] as const,
  /** Width candidates of every layer (multiples of 4). */
  widths: [28, 56, 84, 112, 140, 168, 196, 224, 248, 276] as const,
  minBlocks: 1,
  maxBlocks: 7,
  /** 49×10 after the stride-2 block is 25×5 ('same' padding). */
  poolKernel: [25, 5] as const,
  classes: 12,
};

/** MobileNetV2 stages: expansion factor t, output channels c, blocks n, first block's stride s. */
export const MOBILENET_V2_STAGES: readonly { t: number; c: number; n: number; s: number }[] = [
  { t: 1, c: 16, n: 1, s: 1 },
  { t: 6, c: 24, n: 2, s: 2 },
  { t: 6, c: 32, n: 3, s: 2 },
  { t: 6, c: 64, n: 4, s: 2 },
  { t: 6, c: 96, n: 3, s: 1 },
  { t: 6, c: 160, n: 3, s: 2 },
  { t: 6, c: 320, n: 1, s: 1 },
];

export const VWW_SPACE = {
  resolutions: [50, 128] as const,
  /** Width fractions of MobileNetV2's: 10 % … 100 %. */
  fractions: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0] as const,
  stem: 32,
  head: 1280,
  stages: MOBILENET_V2_STAGES,
  classes: 2,
};

/** One MobileNetV2 block of the VWW space: its stage, stride, and MobileNetV2's expansion width. */
export interface VwwBlockRef {
  stage: number;
  /** Index within the stage (0 = the stage's first block). */
  indexInStage: number;
  stride: number;
  /** t × MobileNetV2's input channels of this block. */
  refExpansion: number;
  /** Residual ADD and identity are possible (not a stage's first block). */
  residual: boolean;
}

export const VWW_BLOCKS: readonly VwwBlockRef[] = (() => {
  const blocks: VwwBlockRef[] = [];
  let cin = VWW_SPACE.stem;
  MOBILENET_V2_STAGES.forEach((st, stage) => {
    for (let i = 0; i < st.n; i++) {
      blocks.push({ stage, indexInStage: i, stride: i === 0 ? st.s : 1, refExpansion: st.t * cin, residual: i > 0 });
      cin = st.c;
    }
  });
  return blocks;
})();

/** A width fraction of a reference width: rounded, at least 1. */
export function scaledWidth(ref: number, fraction: number): number {
  return Math.max(1, Math.round(ref * fraction));
}
