/**
 * The published architecture schema: a valid JSON Schema 2020-12 document with the project's $id, closed
 * objects everywhere, a description on every property (editors show them), one closed branch per layer type.
 */
import { readdirSync, readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { ARCHITECTURE_SCHEMA_ID, LAYER_TYPES } from "../src/frontends/architecture/index.js";

type Schema = Record<string, any>;
const schema: Schema = JSON.parse(readFileSync("schemas/architecture.schema.json", "utf8"));

function resolve(ref: string): Schema {
  const parts = ref.replace(/^#\//, "").split("/");
  let s: any = schema;
  for (const p of parts) s = s[p];
  return s as Schema;
}

/** Every subschema with its JSON Pointer inside the schema document. */
function walk(s: unknown, path: string, visit: (s: Schema, path: string) => void): void {
  if (Array.isArray(s)) {
    s.forEach((x, i) => walk(x, `${path}/${i}`, visit));
    return;
  }
  if (s === null || typeof s !== "object") return;
  visit(s as Schema, path);
  for (const [k, v] of Object.entries(s)) {
    if (k === "properties" || k === "$defs") {
      for (const [name, sub] of Object.entries(v as object)) walk(sub, `${path}/${k}/${name}`, visit);
    } else if (typeof v === "object") {
      walk(v, `${path}/${k}`, visit);
    }
  }
}

describe("architecture.schema.json", () => {
  it("is JSON Schema 2020-12 with the published $id, valid against the meta-schema", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.$id).toBe("https://micronets.dev/schemas/architecture.schema.json");
    expect(ARCHITECTURE_SCHEMA_ID).toBe(schema.$id);
    const ajv = new Ajv2020.default({ strict: true, strictTuples: false });
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
  });

  it("closes every object (additionalProperties: false)", () => {
    const open: string[] = [];
    walk(schema, "", (s, path) => {
      if (s.type === "object" || s.properties) if (s.additionalProperties !== false) open.push(path || "/");
    });
    expect(open).toEqual([]);
  });

  it("describes every property (directly or through its $ref)", () => {
    const bare: string[] = [];
    walk(schema, "", (s, path) => {
      for (const [name, prop] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
        const described = prop.description ?? (prop.$ref ? resolve(prop.$ref).description : undefined);
        if (typeof described !== "string" || described.length < 3) bare.push(`${path}/properties/${name}`);
      }
    });
    expect(bare).toEqual([]);
  });

  it("has one closed branch per layer type, each admitting only its own fields", () => {
    const branches = (schema.$defs.layer.oneOf as Schema[]).map((b) => resolve(b.$ref));
    expect(branches.map((b) => b.properties.type.const)).toEqual([...LAYER_TYPES]);
    const fields = Object.fromEntries(branches.map((b) => [b.properties.type.const, Object.keys(b.properties)]));
    expect(fields.conv2d).toContain("filters");
    expect(fields.conv2d).not.toContain("units");
    expect(fields.fully_connected).toContain("units");
    expect(fields.fully_connected).not.toContain("kernel");
    expect(fields.depthwise_conv2d).toContain("depthMultiplier");
    expect(fields.softmax).not.toContain("quantization");
    for (const b of branches) expect(b.required).toContain("type");
  });

  it("validates every fixture on its own (ajv, independent of the loader)", () => {
    const ajv = new Ajv2020.default({ strict: true, strictTuples: false });
    const validate = ajv.compile(schema);
    for (const f of readdirSync("fixtures/architectures").filter((x) => x.endsWith(".json"))) {
      const doc = JSON.parse(readFileSync(`fixtures/architectures/${f}`, "utf8"));
      expect(validate(doc), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(doc.$schema).toBe(schema.$id);
    }
  });
});
