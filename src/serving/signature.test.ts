import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../errors.js";
import {
  complexColumn,
  metadataInputSpecs,
  numpyDatatype,
  parseSignature,
  signatureInputSpecs,
} from "./signature.js";
import type { ModelSignature } from "./signature.js";

describe("parseSignature", () => {
  it("reads a column-based signature with outputs and params", () => {
    const signature = parseSignature(
      {
        inputs:
          '[{"type": "double", "name": "sepal length", "required": true}, {"type": "string", "name": "kind", "required": false}]',
        outputs: '[{"type": "long", "required": true}]',
        params: '[{"name": "top_k", "type": "long", "default": 3, "shape": null}]',
      },
      "model/MLmodel",
    );
    expect(signature).toEqual({
      kind: "columns",
      inputs: [
        { name: "sepal length", type: "double", required: true },
        { name: "kind", type: "string", required: false },
      ],
      outputs: { kind: "columns", specs: [{ type: "long", required: true }] },
      params: [{ name: "top_k", type: "long", default: 3, shape: null }],
    });
  });

  it("treats columns without 'required' (MLflow before 2.10) as required", () => {
    const signature = parseSignature({ inputs: '[{"name": "x", "type": "float"}]' }, "MLmodel");
    expect(signature).toEqual({ kind: "columns", inputs: [{ name: "x", type: "float", required: true }] });
  });

  it("reads a tensor-based signature", () => {
    const signature = parseSignature(
      {
        inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}, "name": "x"}]',
        outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]',
      },
      "MLmodel",
    );
    expect(signature).toEqual({
      kind: "tensors",
      inputs: [{ name: "x", dtype: "float32", shape: [-1, 4] }],
      outputs: { kind: "tensors", specs: [{ dtype: "int64", shape: [-1] }] },
    });
    expect(signatureInputSpecs(signature!)).toEqual([{ name: "x", datatype: "FP32", shape: [-1, 4] }]);
  });

  it("is undefined without inputs", () => {
    expect(parseSignature({}, "MLmodel")).toBeUndefined();
  });

  it("reads nested column types (array, object, map, any) as MLflow writes them", () => {
    // mlflow 3.17.2: ModelSignature(Schema([ColSpec(Array(DataType.string), "tags"),
    // ColSpec(Object([Property("k", DataType.long)]), "o"), ColSpec(Map(DataType.double), "m"),
    // ColSpec(AnyType(), "x")])).to_dict()["inputs"]
    const signature = parseSignature(
      {
        inputs:
          '[{"type": "array", "items": {"type": "string"}, "name": "tags", "required": true}, ' +
          '{"type": "object", "properties": {"k": {"type": "long", "required": true}, "__proto__": ' +
          '{"type": "array", "items": {"type": "any"}, "required": false}}, "name": "o", "required": true}, ' +
          '{"type": "map", "values": {"type": "double"}, "name": "m", "required": true}, ' +
          '{"type": "any", "name": "x", "required": false}]',
      },
      "MLmodel",
    );
    expect(signature?.inputs).toEqual([
      { name: "tags", type: "array", items: { type: "string" }, required: true },
      {
        name: "o",
        type: "object",
        properties: JSON.parse(
          '{"k": {"type": "long", "required": true}, "__proto__": ' +
            '{"type": "array", "items": {"type": "any"}, "required": false}}',
        ) as unknown,
        required: true,
      },
      { name: "m", type: "map", values: { type: "double" }, required: true },
      { name: "x", type: "any", required: false },
    ]);
    expect(complexColumn(signature)?.name).toBe("tags");
    expect(signatureInputSpecs(signature as ModelSignature).map((spec) => spec.datatype)).toEqual([
      "BYTES",
      "BYTES",
      "BYTES",
      "BYTES",
    ]);
  });

  it("finds no nested column in a signature of plain columns", () => {
    expect(
      complexColumn(parseSignature({ inputs: '[{"name": "a", "type": "long"}]' }, "MLmodel")),
    ).toBeUndefined();
  });

  it("names the file and column of an unknown column type, nested ones included", () => {
    let error: unknown;
    try {
      parseSignature(
        { inputs: '[{"type": "array", "items": {"type": "decimal"}, "name": "ids"}]' },
        "m/MLmodel",
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as FlowOpsError).message).toMatch(
      /^m\/MLmodel: signature.inputs\[0\] 'ids' items has type "decimal", which is not an MLflow column type/,
    );
    expect(() => parseSignature({ inputs: '[{"type": "object", "name": "o"}]' }, "m/MLmodel")).toThrow(
      /'o' needs a 'properties' object/,
    );
  });

  it("names the file when the JSON is broken", () => {
    expect(() => parseSignature({ inputs: "[{" }, "m/MLmodel")).toThrow(
      /m\/MLmodel: signature.inputs is not valid JSON/,
    );
  });

  it("maps column types and numpy dtypes to V2 datatypes", () => {
    const signature = parseSignature(
      {
        inputs:
          '[{"name": "a", "type": "long"}, {"name": "b", "type": "string"}, {"name": "c", "type": "boolean"}]',
      },
      "MLmodel",
    );
    expect(signatureInputSpecs(signature!).map((spec) => spec.datatype)).toEqual(["INT64", "BYTES", "BOOL"]);
    expect(numpyDatatype("float64")).toBe("FP64");
    expect(numpyDatatype("<U12")).toBe("BYTES");
    expect(numpyDatatype("complex64")).toBeUndefined();
  });
});

describe("metadataInputSpecs", () => {
  const nested = parseSignature(
    {
      inputs:
        '[{"type": "array", "items": {"type": "string"}, "name": "tags", "required": true}, ' +
        '{"type": "long", "name": "n", "required": false}]',
    },
    "MLmodel",
  );

  it("lists a nested signature's columns, which the model declares no typed inputs for", () => {
    expect(metadataInputSpecs([], nested)).toEqual([
      { name: "tags", datatype: "BYTES", shape: [-1] },
      { name: "n", datatype: "INT64", shape: [-1] },
    ]);
  });

  it("keeps the inputs a model declares, and none for a model without a signature", () => {
    const declared = [{ name: "x", datatype: "FP32" as const, shape: [-1, 2] }];
    expect(metadataInputSpecs(declared, nested)).toEqual(declared);
    expect(metadataInputSpecs([], undefined)).toEqual([]);
  });
});
