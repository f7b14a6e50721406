/**
 * Validates an architecture document against schemas/architecture.schema.json with ajv (compiled once, on
 * first use). A failure is a MicronetsError at the offending JSON Pointer.
 */
import Ajv2020 from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv/dist/2020.js";
import schema from "../../../schemas/architecture.schema.json" with { type: "json" };
import { inputError, limitError } from "../../errors.js";
import { LIMITS } from "../../ir/limits.js";
import { longArrayProblem } from "./long-arrays.js";
import { chooseProblem, closestName, describeValue, type SchemaError } from "./schema-errors.js";
import { LAYER_TYPES, type ArchitectureDoc, type LayerType } from "./types.js";

export const ARCHITECTURE_SCHEMA_ID = "https://micronets.dev/schemas/architecture.schema.json";

/** The schema object itself (e.g. for tools that publish or inspect it). */
export const architectureSchema: Readonly<Record<string, unknown>> = schema;

interface Validators {
  document: ValidateFunction;
  layer: Map<LayerType, ValidateFunction>;
}

let validators: Validators | null = null;

function getValidators(): Validators {
  if (validators) return validators;
  // The CommonJS module's default export is the class; under NodeNext typing it is reached through `.default`.
  const ajv = new Ajv2020.default({ allErrors: true, verbose: true, strict: true, strictTuples: false });
  const document = ajv.compile(schema);
  const layer = new Map<LayerType, ValidateFunction>();
  for (const t of LAYER_TYPES) {
    const v = ajv.getSchema(`${ARCHITECTURE_SCHEMA_ID}#/$defs/${t}Layer`);
    if (!v) throw new Error(`internal: schema has no $defs/${t}Layer`);
    layer.set(t, v);
  }
  validators = { document, layer };
  return validators;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The errors of one layer. The document schema tries every layer type (oneOf), which buries the real problem
 * among the other types' complaints, so the layer is checked again against its own type's schema.
 */
function layerErrors(layer: unknown, index: number): SchemaError[] {
  const at = `/layers/${index}`;
  if (!isPlainObject(layer)) return [{ keyword: "type", instancePath: at, params: { type: "object" }, data: layer }];
  if (!("type" in layer)) {
    return [{ keyword: "required", instancePath: at, params: { missingProperty: "type" }, data: layer, parentSchema: { title: "layer", required: ["type"] } }];
  }
  const type = layer.type;
  if (typeof type !== "string" || !(LAYER_TYPES as readonly string[]).includes(type)) {
    const hint = typeof type === "string" ? closestName(type, LAYER_TYPES) : undefined;
    const message = `unknown layer type (found ${describeValue(type)}${hint ? `; did you mean "${hint}"?` : ""}); expected one of ${LAYER_TYPES.join(", ")}`;
    return [{ keyword: "$message", instancePath: `${at}/type`, params: {}, data: type, message }];
  }
  const v = getValidators().layer.get(type as LayerType)!;
  if (v(layer)) return [];
  return (v.errors ?? []).map((e) => ({ ...(e as SchemaError), instancePath: `${at}${e.instancePath}` }));
}

/** The schema's bound on the number of layers (checked here: the document check sees a shortened list). */
const MAX_LAYERS = (schema as { properties: { layers: { maxItems: number } } }).properties.layers.maxItems;

/** Checks `doc` against the schema; throws a MicronetsError at the most relevant JSON Pointer. */
export function assertArchitectureSchema(doc: unknown, file?: string): asserts doc is ArchitectureDoc {
  const { document } = getValidators();
  // Long arrays and large objects first, so ajv never collects an error per item of a huge array.
  const long = longArrayProblem(doc);
  if (long) {
    const problem = chooseProblem([long]);
    throw inputError(problem.message, problem.where, file);
  }
  // Each layer becomes an operator: refuse more than the graph may hold before checking them one by one.
  if (isPlainObject(doc) && Array.isArray(doc.layers) && doc.layers.length > LIMITS.maxOperators) {
    throw limitError(`${doc.layers.length} layers exceed the limit of ${LIMITS.maxOperators} operators`, "/layers", file);
  }
  // The schema's `layer` is a oneOf over the layer types, each pinned by a `type` const, so checking every
  // layer against its own type's schema is equivalent — and linear, where ajv trying all 14 alternatives per
  // layer and keeping every error took seconds per 10,000 layers. The rest of the document is checked with
  // the layer list cut to its first entry; the list's length bound is checked here instead.
  const layers = isPlainObject(doc) && Array.isArray(doc.layers) ? doc.layers : null;
  const outsideDoc = layers && layers.length > 1 ? { ...(doc as Record<string, unknown>), layers: layers.slice(0, 1) } : doc;
  // Called as a plain predicate: ajv's type guard would narrow `doc` to never on the failure path.
  const docOk = (document as (data: unknown) => boolean)(outsideDoc);
  const raw = docOk ? [] : ((document.errors ?? []) as SchemaError[]);
  // Problems outside the layer list come first (users fix documents top-down).
  const outside = raw.filter((e) => !/^\/layers\/\d+(\/|$)/.test(e.instancePath));
  if (layers && layers.length > MAX_LAYERS) {
    outside.unshift({ keyword: "maxItems", instancePath: "/layers", params: { limit: MAX_LAYERS }, data: layers, parentSchema: schema.properties.layers });
  }
  if (outside.length > 0) {
    const problem = chooseProblem(outside);
    throw inputError(problem.message, problem.where, file);
  }
  // Then the first failing layer, checked against its own type's schema.
  for (let i = 0; layers && i < layers.length; i++) {
    const errors = layerErrors(layers[i], i);
    if (errors.length > 0) {
      const problem = chooseProblem(errors);
      throw inputError(problem.message, problem.where, file);
    }
  }
  if (raw.length > 0) {
    const problem = chooseProblem(raw);
    throw inputError(problem.message, problem.where, file);
  }
}
