/**
 * Extra seed architectures for the JSON fuzzer. The fixtures are real networks built from a few layer types;
 * this small document uses every layer type of the schema (branches, explicit weights, quantization
 * overrides) so mutations start next to every code path of the architecture frontend.
 */

export const EVERY_LAYER_DOCUMENT = {
  name: "fuzz-every-layer",
  description: "every layer type, small",
  input: { shape: [1, 6, 6, 2], quantization: { scale: 0.02, zeroPoint: -3 } },
  layers: [
    { name: "c1", type: "conv2d", filters: 4, kernel: [3, 3], stride: 1, padding: "same", activation: "relu",
      weights: { filter: Array.from({ length: 4 * 3 * 3 * 2 }, (_, i) => ((i * 37) % 255) - 127), filterScale: [0.01, 0.02, 0.015, 0.03], bias: [10, -20, 30, -40] } },
    { name: "dw", type: "depthwise_conv2d", kernel: 3, stride: 2, padding: "valid", depthMultiplier: 2, dilation: 1, activation: "relu6" },
    { name: "pw", type: "conv2d", filters: 8, kernel: 1, groups: 2, useBias: false },
    { name: "branch", type: "conv2d", inputs: ["dw"], filters: 8, kernel: 1 },
    { name: "sum", type: "add", inputs: ["pw", "branch"], activation: "relu" },
    { name: "prod", type: "mul", inputs: ["sum", "pw"] },
    { name: "cat", type: "concat", inputs: ["sum", "prod"], axis: -1 },
    { name: "pad", type: "pad", paddings: [[0, 0], [1, 1], [0, 1], [0, 0]] },
    { name: "mp", type: "maxpool", kernel: 2, stride: 1, padding: "same" },
    { name: "ap", type: "avgpool", kernel: "global" },
    { name: "m", type: "mean", inputs: ["mp"], axes: [1, 2], keepDims: true },
    { name: "joined", type: "add", inputs: ["ap", "m"] },
    { name: "flat", type: "reshape", shape: [1, -1] },
    { name: "fc", type: "fully_connected", units: 5, activation: "none" },
    { name: "sm", type: "softmax", beta: 1 },
    { name: "q", type: "quantize", quantization: { scale: 0.00390625, zeroPoint: -128 } },
    { name: "dq", type: "dequantize" },
  ],
  outputs: ["dq", "fc"],
  weights: { generate: { seed: 7 } },
};
