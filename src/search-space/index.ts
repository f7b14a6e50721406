/** The MicroNet search spaces: definitions, seeded sampling, fast lowering, per-sample figures. */
export { lowerSampledDoc } from "./lower.js";
export { blockCount, measureGraph, SAMPLE_CSV_COLUMNS, sampleArchitectures, sampleCsvHeader, sampleCsvRow, sampleOne, type SampledArchitecture, type SampleMetrics, type SampleOptions } from "./sampler.js";
export { isSpaceName, KWS_SPACE, MOBILENET_V2_STAGES, scaledWidth, SPACE_NAMES, VWW_BLOCKS, VWW_SPACE, type SpaceName, type VwwBlockRef } from "./spaces.js";
export { describeSpec, drawKws, drawSpec, drawVww, sampleName, sampleRng, specToDoc, type KwsSpec, type SampleSpec, type VwwSpec } from "./spec.js";
