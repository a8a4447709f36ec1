import { describe, expect, it } from "vitest";
import { adaptInput } from "./adaptInput.js";
import { parseJsonKeepingFloatLiterals } from "./jsonFloatLiterals.js";
import { v1Request, v1Response } from "./v1Payload.js";
import { thrownError } from "../../../test/support/thrownError.js";

describe("v1Request", () => {
  it("reads instances given as rows", () => {
    expect(
      v1Request({
        instances: [
          [1.0, 2.0, 5.0],
          [3.0, 4.0, 6.0],
        ],
      }).input,
    ).toEqual({
      kind: "frame",
      columns: undefined,
      rows: [
        [1.0, 2.0, 5.0],
        [3.0, 4.0, 6.0],
      ],
      array: true,
      textCells: "json",
    });
  });

  it("refuses a body nested too deep with a 400", () => {
    let instances: unknown = 1;
    for (let i = 0; i < 200_000; i++) instances = [instances];
    expect(thrownError(() => v1Request({ instances: [instances] }))).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("reads instances given as objects, columns in first-seen order", () => {
    expect(
      v1Request({
        instances: [
          { feature_0: 1, feature_1: "a" },
          { feature_1: "b", feature_0: 2 },
        ],
      }).input,
    ).toEqual({
      kind: "frame",
      columns: ["feature_0", "feature_1"],
      rows: [
        [1, "a"],
        [2, "b"],
      ],
      textCells: "json",
      recordArrays: true,
    });
  });

  it("reads columnar inputs as named tensors", () => {
    const input = v1Request({
      inputs: {
        x: [
          [1, 2],
          [3, 4],
        ],
      },
    }).input;
    expect(input).toEqual({
      kind: "tensors",
      tensors: [{ name: "x", datatype: "INT64", shape: [2, 2], data: new BigInt64Array([1n, 2n, 3n, 4n]) }],
    });
  });

  it("requires exactly one of instances and inputs", () => {
    expect(thrownError(() => v1Request({ instances: [[1]], inputs: [[1]] })).message).toMatch(
      /One of "instances" and "inputs" must be specified/,
    );
    expect(thrownError(() => v1Request({ data: [] })).httpStatus).toBe(400);
  });
});

describe("v1Response", () => {
  it("answers one output with its rows", () => {
    const output = {
      name: "p",
      datatype: "FP64" as const,
      shape: [2, 2],
      data: new Float64Array([0.1, 0.9, 0.8, 0.2]),
    };
    expect(v1Response([output])).toEqual({
      predictions: [
        [0.1, 0.9],
        [0.8, 0.2],
      ],
    });
  });

  it("answers several outputs with one object per row", () => {
    const label = {
      name: "label",
      datatype: "INT64" as const,
      shape: [2],
      data: new BigInt64Array([1n, 0n]),
    };
    const proba = {
      name: "proba",
      datatype: "FP64" as const,
      shape: [2, 2],
      data: new Float64Array([0.1, 0.9, 0.8, 0.2]),
    };
    expect(v1Response([label, proba])).toEqual({
      predictions: [
        { label: 1, proba: [0.1, 0.9] },
        { label: 0, proba: [0.8, 0.2] },
      ],
    });
  });
});

describe("v1Request's number types", () => {
  const datatypes = (text: string): string[] => {
    const parsed = parseJsonKeepingFloatLiterals(text);
    return adaptInput(v1Request(parsed.value, parsed.floats).input, []).map((t) => t.datatype);
  };

  it("types whole numbers written as floats as FP64, as KServe's np.array does, and integers as INT64", () => {
    expect(datatypes('{"instances": [[1.0, 2.0], [3, 4]]}')).toEqual(["FP64"]);
    expect(datatypes('{"inputs": [[1e2, 2]]}')).toEqual(["FP64"]);
    expect(datatypes('{"instances": [[1, 2], [3, 4]]}')).toEqual(["INT64"]);
  });
});
