/**
 * Bounds schema validation by the size of the document. ajv (run with allErrors, to pick the most helpful
 * problem) creates one error object per failing array item or unknown property: a few MB of JSON holding
 * a million wrongly typed items cost hundreds of MB and the 256 MB file limit would exhaust the heap. So,
 * before ajv, this pass looks at every long array and large object once:
 * - the only fields that may be long are the layer list (checked layer by layer elsewhere) and explicit
 *   weights (filter, bias, per-channel filterScale): their items are checked here against the schema's item
 *   rules, stopping at the first bad item;
 * - any other array or object that long is far beyond what its field allows, and is reported at once.
 * Afterwards ajv meets only long arrays whose items are all valid, which costs no memory.
 */
import schema from "../../../schemas/architecture.schema.json" with { type: "json" };
import type { SchemaError } from "./schema-errors.js";
import { escapePointer } from "./json-text.js";

/** Arrays and objects up to this size go to ajv unchecked (every short field's maxItems is at most 64). */
export const LONG = 256;

interface ItemRule {
  type?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

interface ArrayRule {
  items: ItemRule;
  maxItems: number;
}

type SchemaShape = {
  $defs: {
    layerWeights: { properties: { filter: ArrayRule; bias: ArrayRule } };
    scaleList: { oneOf: [unknown, ArrayRule] };
  };
};

const defs = (schema as unknown as SchemaShape).$defs;
/** Item rules of the fields that may legitimately be long, from the schema itself. */
const WEIGHT_RULES: Record<string, ArrayRule> = {
  filter: defs.layerWeights.properties.filter,
  bias: defs.layerWeights.properties.bias,
  filterScale: defs.scaleList.oneOf[1],
};
const WEIGHTS_PATH = /^\/layers\/\d+\/weights\/(filter|bias|filterScale)$/;

/** The first item that breaks `rule`, as an ajv-shaped error; null when all pass. */
function badItem(items: unknown[], rule: ItemRule, path: string): SchemaError | null {
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    const at = `${path}/${i}`;
    const ruleType = rule.type ?? "number";
    if (typeof v !== "number" || (ruleType === "integer" && !Number.isInteger(v))) {
      return { keyword: "type", instancePath: at, params: { type: ruleType }, data: v };
    }
    if (rule.minimum !== undefined && v < rule.minimum) return { keyword: "minimum", instancePath: at, params: { comparison: ">=", limit: rule.minimum }, data: v };
    if (rule.maximum !== undefined && v > rule.maximum) return { keyword: "maximum", instancePath: at, params: { comparison: "<=", limit: rule.maximum }, data: v };
    if (rule.exclusiveMinimum !== undefined && v <= rule.exclusiveMinimum) {
      return { keyword: "exclusiveMinimum", instancePath: at, params: { comparison: ">", limit: rule.exclusiveMinimum }, data: v };
    }
  }
  return null;
}

/** The first problem with a long array or large object in `doc`, or null. */
export function longArrayProblem(doc: unknown): SchemaError | null {
  const stack: [unknown, string][] = [[doc, ""]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (Array.isArray(v)) {
      if (v.length > LONG && path !== "/layers") {
        const m = WEIGHTS_PATH.exec(path);
        if (!m) return { keyword: "$message", instancePath: path, params: {}, data: v, message: `an array of ${v.length} items is far longer than this field allows` };
        const rule = WEIGHT_RULES[m[1]!]!;
        if (v.length > rule.maxItems) return { keyword: "maxItems", instancePath: path, params: { limit: rule.maxItems }, data: v };
        const bad = badItem(v, rule.items, path);
        if (bad) return bad;
        continue; // all items are valid numbers: nothing below
      }
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}/${i}`]);
    } else {
      const keys = Object.keys(v);
      if (keys.length > LONG) return { keyword: "$message", instancePath: path, params: {}, data: v, message: `an object with ${keys.length} properties is far larger than any part of an architecture` };
      for (let i = keys.length - 1; i >= 0; i--) stack.push([(v as Record<string, unknown>)[keys[i]!], `${path}/${escapePointer(keys[i]!)}`]);
    }
  }
  return null;
}
