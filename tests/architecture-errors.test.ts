/**
 * Broken architecture documents: each must give a MicronetsError at the exact JSON Pointer (or line:column
 * for JSON syntax) with a message that names the broken rule.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MicronetsError } from "../src/errors.js";
import { detectModelFormat, loadArchitecture, readArchitectureFile } from "../src/frontends/architecture/index.js";
import { locateJsonSyntaxError } from "../src/frontends/architecture/json-text.js";

type Doc = Record<string, any>;

/** A small residual network: conv → depthwise → pointwise, added back to the conv output. */
function base(): Doc {
  return {
    name: "t",
    input: { shape: [1, 8, 8, 3] },
    layers: [
      { name: "c1", type: "conv2d", filters: 8, kernel: 3, activation: "relu" },
      { name: "dw", type: "depthwise_conv2d", kernel: 3 },
      { name: "pw", type: "conv2d", filters: 8, kernel: 1 },
      { name: "res", type: "add", inputs: ["c1", "pw"] },
    ],
  };
}

function failure(json: unknown, file = "arch.json"): MicronetsError {
  try {
    loadArchitecture(json, { file });
  } catch (e) {
    expect(e).toBeInstanceOf(MicronetsError);
    return e as MicronetsError;
  }
  throw new Error("expected a MicronetsError, but the document loaded");
}

function edited(edit: (d: Doc) => void): Doc {
  const d = base();
  edit(d);
  return d;
}

describe("the base document", () => {
  it("loads (so every failure below comes from its one edit)", () => {
    const g = loadArchitecture(base());
    expect(g.operators.map((o) => o.type)).toEqual(["CONV_2D", "DEPTHWISE_CONV_2D", "CONV_2D", "ADD"]);
  });
});

describe("schema errors name the JSON Pointer and the rule", () => {
  it("wrong type", () => {
    const e = failure(edited((d) => (d.layers[2].filters = "8")));
    expect(e.where).toBe("/layers/2/filters");
    expect(e.message).toBe('must be an integer (found string "8")');
    expect(e.kind).toBe("input");
    expect(e.file).toBe("arch.json");
    expect(e.format()).toBe('arch.json: /layers/2/filters: must be an integer (found string "8")');
  });

  it("missing field", () => {
    const e = failure(edited((d) => delete d.layers[0].kernel));
    expect(e.where).toBe("/layers/0");
    expect(e.message).toMatch(/^missing required field 'kernel'/);
  });

  it("missing top-level field", () => {
    const e = failure(edited((d) => delete d.input));
    expect(e.where).toBe("/");
    expect(e.message).toMatch(/^missing required field 'input'/);
  });

  it("unknown field, with a suggestion", () => {
    const e = failure(edited((d) => (d.layers[1].strides = 2)));
    expect(e.where).toBe("/layers/1/strides");
    expect(e.message).toBe("unknown field 'strides' (did you mean 'stride'?)");
  });

  it("a field of another layer type is unknown for this one", () => {
    const e = failure(edited((d) => (d.layers[1].filters = 8)));
    expect(e.where).toBe("/layers/1/filters");
    expect(e.message).toMatch(/^unknown field 'filters' \(a depthwise_conv2d layer accepts .*'depthMultiplier'/);
  });

  it("unknown top-level field beats the missing field it misspells", () => {
    const e = failure(edited((d) => {
      d.layer = d.layers;
      delete d.layers;
    }));
    expect(e.where).toBe("/layer");
    expect(e.message).toBe("unknown field 'layer' (did you mean 'layers'?)");
  });

  it("bad enum", () => {
    const e = failure(edited((d) => (d.layers[0].padding = "SAME")));
    expect(e.where).toBe("/layers/0/padding");
    expect(e.message).toBe('must be one of "same", "valid" (found string "SAME"; did you mean "same"?)');
  });

  it("unknown layer type", () => {
    const e = failure(edited((d) => (d.layers[2].type = "conv3d")));
    expect(e.where).toBe("/layers/2/type");
    expect(e.message).toMatch(/^unknown layer type \(found string "conv3d"; did you mean "conv2d"\?\); expected one of conv2d, depthwise_conv2d/);
  });

  it("oneOf field: a bad element of [h, w] is reported at the element", () => {
    const e = failure(edited((d) => (d.layers[0].kernel = [3, 0])));
    expect(e.where).toBe("/layers/0/kernel/1");
    expect(e.message).toBe("must be at least 1 (found 0)");
  });

  it("oneOf field: a value of neither form states both forms", () => {
    const e = failure(edited((d) => (d.layers[0].kernel = "3x3")));
    expect(e.where).toBe("/layers/0/kernel");
    expect(e.message).toBe('must be a positive integer (used for both height and width) or [height, width] (found string "3x3")');
  });

  it("oneOf field: too many items", () => {
    const e = failure(edited((d) => (d.layers[0].stride = [1, 1, 1])));
    expect(e.where).toBe("/layers/0/stride");
    expect(e.message).toMatch(/^must be a positive integer \(used for both height and width\) or \[height, width\] \(found array \[1,1,1\]\)/);
  });

  it("add needs exactly two inputs", () => {
    const e = failure(edited((d) => (d.layers[3].inputs = ["c1"])));
    expect(e.where).toBe("/layers/3/inputs");
    expect(e.message).toBe("must have at least 2 items (found 1)");
  });

  it("input batch must be 1", () => {
    const e = failure(edited((d) => (d.input.shape = [2, 8, 8, 3])));
    expect(e.where).toBe("/input/shape/0");
    expect(e.message).toBe("must be 1 (found 2)");
  });

  it("a layer that is not an object", () => {
    const e = failure(edited((d) => (d.layers[1] = "conv2d")));
    expect(e.where).toBe("/layers/1");
    expect(e.message).toBe('must be an object (found string "conv2d")');
  });

  it("zero point out of the int8 range", () => {
    const e = failure(edited((d) => (d.layers[0].quantization = { scale: 0.1, zeroPoint: 128 })));
    expect(e.where).toBe("/layers/0/quantization/zeroPoint");
    expect(e.message).toBe("must be at most 127 (found 128)");
  });
});

describe("semantic errors name the offending layer's path", () => {
  it("residual input that names no layer", () => {
    const e = failure(edited((d) => (d.layers[3].inputs = ["c1", "pw2"])));
    expect(e.where).toBe("/layers/3/inputs/1");
    expect(e.message).toBe("no earlier layer is named 'pw2' (did you mean 'pw'?)");
  });

  it("residual input that names a later layer", () => {
    const e = failure(edited((d) => (d.layers[1].inputs = ["res"])));
    expect(e.where).toBe("/layers/1/inputs/0");
    expect(e.message).toBe("'res' is layer 3, which comes later; a layer can only read earlier layers' outputs");
  });

  it("duplicate names", () => {
    const e = failure(edited((d) => (d.layers[2].name = "c1")));
    expect(e.where).toBe("/layers/2/name");
    expect(e.message).toBe("layer name 'c1' is already used by layer 0; names must be unique");
  });

  it("the reserved name 'input'", () => {
    const e = failure(edited((d) => (d.layers[0].name = "input")));
    expect(e.where).toBe("/layers/0/name");
  });

  it("shapes that cannot be added", () => {
    const e = failure(edited((d) => (d.layers[2].filters = 6)));
    expect(e.where).toBe("/layers/3/inputs");
    expect(e.message).toMatch(/^'c1' \[1, 8, 8, 8\] and 'pw' \[1, 8, 8, 6\] cannot be combined element-wise/);
  });

  it("a window that does not fit", () => {
    const e = failure(edited((d) => {
      d.layers[0].kernel = [9, 3];
      d.layers[0].padding = "valid";
    }));
    expect(e.where).toBe("/layers/0/kernel");
    expect(e.message).toBe('the 9×3 window does not fit the 8×8 input with "valid" padding');
  });

  it("groups that do not divide the channels", () => {
    const e = failure(edited((d) => (d.layers[0].groups = 2)));
    expect(e.where).toBe("/layers/0/groups");
    expect(e.message).toBe("the input's 3 channels do not divide into 2 groups");
  });

  it("a 4-D layer after a flattening one", () => {
    const e = failure(edited((d) => {
      d.layers.splice(1, 0, { name: "fc", type: "fully_connected", units: 4 });
      d.layers[2].inputs = ["fc"];
    }));
    expect(e.where).toBe("/layers/2/inputs/0");
    expect(e.message).toBe("depthwise_conv2d needs a 4-D [1, H, W, C] input, but 'fc' has shape [1, 4]");
  });

  it("reshape to the wrong element count", () => {
    const e = failure(edited((d) => d.layers.push({ type: "reshape", shape: [1, 500] })));
    expect(e.where).toBe("/layers/4/shape");
    expect(e.message).toMatch(/new shape \[1, 500\] has 500 elements, the input has 512/);
  });

  it("pad with the wrong number of pairs", () => {
    const e = failure(edited((d) => d.layers.push({ type: "pad", paddings: [[0, 0], [1, 1]] })));
    expect(e.where).toBe("/layers/4/paddings");
    expect(e.message).toMatch(/^has 2 \[before, after\] pairs, but the input 'res' has 4 dimensions/);
  });

  it("outputs naming no layer", () => {
    const e = failure(edited((d) => (d.outputs = ["res", "nope"])));
    expect(e.where).toBe("/outputs/1");
  });

  it("explicit weights of the wrong size", () => {
    const e = failure(edited((d) => (d.layers[2].weights = { filter: [1, 2, 3], filterScale: 0.01 })));
    expect(e.where).toBe("/layers/2/weights/filter");
    expect(e.message).toBe("has 3 values; the filter [8, 1, 1, 8] needs 64");
  });

  it("concat inputs pinned to different quantizations", () => {
    const e = failure({
      name: "t",
      input: { shape: [1, 4, 4, 2] },
      layers: [
        { name: "a", type: "conv2d", filters: 2, kernel: 1, quantization: { scale: 0.5, zeroPoint: 0 } },
        { name: "b", type: "conv2d", inputs: ["input"], filters: 2, kernel: 1, quantization: { scale: 0.25, zeroPoint: 0 } },
        { name: "cat", type: "concat", inputs: ["a", "b"] },
      ],
    });
    expect(e.where).toBe("/layers/1/quantization");
    expect(e.message).toMatch(/conflicts with \/layers\/0\/quantization/);
  });

  it("huge dimensions hit the limits, not the memory", () => {
    const e = failure(edited((d) => (d.layers[0].filters = 16777216)));
    expect(e.where).toBe("/layers/0");
    expect(e.message).toMatch(/more than 268435456 elements/);
  });

  it("the generator refuses to allocate more than its limit (shape-only still loads)", () => {
    const big = edited((d) => (d.layers[2].filters = 500_000));
    big.layers.pop();
    expect(loadArchitecture(big).tensors.find((t) => t.name === "pw/filter")!.shape).toEqual([500_000, 1, 1, 8]);
    const e = failure({ ...big, layers: [...big.layers, { type: "conv2d", filters: 70, kernel: 1 }] , weights: { generate: { seed: 1 } } });
    expect(e.kind).toBe("limit");
    expect(e.where).toBe("/layers/3");
    expect(e.message).toMatch(/generated weights would exceed 8388608 bytes/);
  });

  it("a bad seed option is a usage error", () => {
    expect(() => loadArchitecture(base(), { weights: "generate", seed: -1 })).toThrow(/seed must be an integer from 0 to 4294967295/);
  });

  it("a float tensor read by an int8 layer", () => {
    const e = failure(edited((d) => d.layers.push({ type: "dequantize" }, { type: "softmax" })));
    expect(e.where).toBe("/layers/5");
    expect(e.message).toMatch(/float32 tensor/);
  });
});

describe("JSON text", () => {
  it("a syntax error is placed at line:column (hand-counted)", () => {
    const text = '{\n  "name": "t",\n  "input": {"shape": [1, 4]},\n  "layers": [\n    {"type": "fully_connected", "units": 2,}\n  ]\n}';
    const e = failure(text);
    // Line 5 is `    {"type": "fully_connected", "units": 2,}`: the '}' after the trailing comma is column 44.
    expect(e.where).toBe("5:44");
    expect(e.message).toBe("invalid JSON: unexpected '}' where a property name was expected (a trailing comma?)");
    expect(e.format()).toBe("arch.json: 5:44: invalid JSON: unexpected '}' where a property name was expected (a trailing comma?)");
  });

  it("other syntax errors", () => {
    expect(failure('{"name": "t" "input": 1}').where).toBe("1:14");
    expect(failure('{"name": "t" "input": 1}').message).toBe("invalid JSON: expected ',' or '}' after a property value, found '\"'");
    expect(failure('{"name": "t", \'input\': 1}').message).toBe("invalid JSON: expected a double-quoted property name, found '''");
    expect(failure('{"name": "unterminated}').message).toBe('invalid JSON: unterminated string (missing closing ")');
    expect(failure('{"a": [1, 2,]}').where).toBe("1:13");
    expect(failure('{"a": tru}').where).toBe("1:7");
    expect(failure("").message).toBe("invalid JSON: unexpected end of text (a value is missing)");
    expect(failure('{"a": 1} x').message).toBe("invalid JSON: unexpected 'x' after the end of the document");
    expect(failure('{"a": 01}').where).toBe("1:8");
  });

  it("the syntax locator accepts every valid document and finds no error in it", () => {
    for (const t of ['{"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"], "b": {}}', "[]", ' {"nested": [[[{}]]]} ']) {
      JSON.parse(t);
      expect(locateJsonSyntaxError(t)).toBeNull();
    }
  });

  it("deep nesting is refused before validation", () => {
    const text = `{"name": "t", "input": {"shape": [1, 4]}, "layers": ${"[".repeat(100)}${"]".repeat(100)}}`;
    const e = failure(text);
    expect(e.kind).toBe("limit");
    expect(e.message).toMatch(/nesting is deeper than 64 levels/);
  });

  it("a string document is parsed; the same document as an object gives the same graph", () => {
    const a = loadArchitecture(JSON.stringify(base()));
    const b = loadArchitecture(base());
    expect(a.tensors.map((t) => [t.name, t.shape, t.quant])).toEqual(b.tensors.map((t) => [t.name, t.shape, t.quant]));
  });
});

describe("files", () => {
  const dir = mkdtempSync(join(tmpdir(), "micronets-arch-"));

  it("a .tflite file is recognised and refused", () => {
    expect(() => readArchitectureFile("fixtures/models/kws_ref_model.tflite")).toThrow(/is a \.tflite model, not an architecture JSON/);
  });

  it("a missing file is an io error naming the file", () => {
    try {
      readArchitectureFile(join(dir, "nope.json"));
      throw new Error("expected failure");
    } catch (e) {
      expect((e as MicronetsError).kind).toBe("io");
      expect((e as MicronetsError).format()).toMatch(/nope\.json: cannot read: no such file/);
    }
  });

  it("errors inside a file name the file", () => {
    const p = join(dir, "bad.json");
    writeFileSync(p, JSON.stringify(edited((d) => (d.layers[0].kernel = 0))));
    expect(() => readArchitectureFile(p)).toThrow(MicronetsError);
    try {
      readArchitectureFile(p);
    } catch (e) {
      expect((e as MicronetsError).format()).toBe(`${p}: /layers/0/kernel: must be a positive integer (used for both height and width) or [height, width] (found 0)`);
    }
  });

  it("detectModelFormat tells the formats apart by content", () => {
    expect(detectModelFormat(new Uint8Array([0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33]))).toBe("tflite");
    expect(detectModelFormat(new TextEncoder().encode('\ufeff \n {"name": 1}'))).toBe("architecture-json");
    expect(detectModelFormat(new TextEncoder().encode("name: x"))).toBe("unknown");
  });
});
