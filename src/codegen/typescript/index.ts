/**
 * `--emit ts`: a typed TypeScript module (`<prefix>.ts`) that embeds the model as .tflite bytes and runs it
 * in the WebAssembly simulator through the "micronets" package: shape/dtype/quantisation constants,
 * a synchronous infer(), and quantize/dequantize helpers with TFLite's arithmetic.
 *
 * This module imports ts-morph; load it lazily (`await import(...)`) where ts-morph may be absent.
 */
import { Buffer } from "node:buffer";
import { readTflite } from "../../frontends/tflite/read-tflite.js";
import { writeTflite } from "../../frontends/tflite/write-tflite.js";
import type { Graph } from "../../ir/types.js";
import { validateGraph } from "../../ir/validate.js";
import { createSimulator } from "../../sim/simulator.js";
import { VERSION } from "../../version.js";
import type { GeneratedFile } from "../compile.js";
import { checkPrefix, DEFAULT_PREFIX } from "../names.js";
import { emitBinding } from "./emit.js";
import { tensorSpecs, type TsTensorSpec } from "./io-spec.js";

export { TS_ARRAY_TYPES, type TsArrayType, type TsDtype, type TsQuant, type TsTensorSpec } from "./io-spec.js";

export interface TypeScriptBindingOptions {
  /** The module is `<prefix>.ts`; checked like the C prefix (an identifier). Default "model". */
  prefix?: string;
  /** The model's name as the user knows it (e.g. its file name): MODEL_NAME, comments, messages. */
  modelName?: string;
}

export interface TypeScriptBinding {
  file: GeneratedFile;
  inputs: TsTensorSpec[];
  outputs: TsTensorSpec[];
  /** Size of the embedded .tflite. */
  modelBytes: number;
}

/**
 * Generates the binding for `graph` (validated). The module runs exactly the embedded bytes, so the specs
 * are taken from those bytes read back, and a simulator is built from them here once: a model the
 * simulator cannot run is refused now (a MicronetsError naming the op), not when a user imports the module.
 * Deterministic: the same graph and options give the same text.
 */
export async function emitTypeScriptBinding(graph: Graph, opts: TypeScriptBindingOptions = {}): Promise<TypeScriptBinding> {
  const prefix = checkPrefix(opts.prefix ?? DEFAULT_PREFIX);
  const modelName = opts.modelName ?? (graph.name || "model");
  validateGraph(graph);
  const bytes = writeTflite(graph);
  const embedded = readTflite(bytes, modelName);
  const inputs = tensorSpecs(embedded, "input");
  const outputs = tensorSpecs(embedded, "output");
  await createSimulator(embedded);
  const fileName = `${prefix}.ts`;
  const contents = emitBinding({
    fileName,
    modelName,
    version: VERSION,
    inputs,
    outputs,
    modelBase64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"),
    modelBytes: bytes.length,
  });
  return { file: { name: fileName, contents }, inputs, outputs, modelBytes: bytes.length };
}
