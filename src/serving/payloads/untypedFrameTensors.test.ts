import { describe, expect, it } from "vitest";
import { workerRequest } from "../runtimes/pythonWire.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";

/** The tensors a model without a signature gets for an MLflow body. */
const untyped = (body: string, contentType = "application/json") =>
  adaptInput(mlflowRequest(body, contentType).input, []);

describe("frames for a model that declares no inputs", () => {
  // Regression: CSV booleans were text 'True'; read_csv makes them bool, with a gap an object True/NaN column.
  it("types CSV booleans as read_csv does, a gap missing", () => {
    expect(untyped("a,b\nTrue,true\nFALSE,\n", "text/csv")).toMatchObject([
      { name: "a", datatype: "BOOL", data: Uint8Array.from([1, 0]) },
      { name: "b", jsonData: [true, null] },
    ]);
  });

  // Regression: JSON strings "1" became the number 1, where pandas keeps them str.
  it("keeps numeric JSON strings text", () => {
    const body = JSON.stringify({ dataframe_split: { columns: ["a"], data: [["1"], [null]] } });
    expect(untyped(body)).toEqual([
      { name: "a", datatype: "BYTES", shape: [2], data: ["1", ""], nulls: [1] },
    ]);
  });

  // Regression: a missing key was None, where pandas fills NaN (and a column of None and NaN is float64).
  it("sends a record's missing key as NaN among values kept as sent", () => {
    const body = JSON.stringify({ dataframe_records: [{ a: true, b: null }, { a: null }, {}] });
    const [a, b] = untyped(body);
    expect(a?.jsonData).toEqual([true, null, { float: NaN }]);
    expect(b).toMatchObject({ name: "b", datatype: "FP64", data: Float64Array.from([NaN, NaN, NaN]) });
    expect(JSON.stringify(workerRequest(1, [a!], true).columns)).toBe('{"a":[true,null,{"float":null}]}');
  });

  // Regression: instances records were typed as a DataFrame column: text an object array, [1, null] float64,
  // where MLflow's np.array([np.array(v) ...]) gives numpy's str, or an object array of 0-d arrays.
  it("sends instances records columns with a null as 0-d arrays, and text as sent", () => {
    const body =
      '{"instances": [{"a": 1.0, "s": "x", "t": "p", "n": 1}, {"a": null, "s": null, "t": "qq", "n": 2}]}';
    const [a, s, t, n] = untyped(body);
    expect(a?.jsonData).toEqual([{ array: { float: 1 } }, { array: null }]);
    expect(s?.jsonData).toEqual([{ array: "x" }, { array: null }]);
    expect(t).toMatchObject({ datatype: "BYTES", jsonData: ["p", "qq"] });
    // Each key is marked as records' values, which the worker casts record by record for a nested signature.
    expect(n).toEqual({
      name: "n",
      datatype: "INT64",
      shape: [2],
      data: BigInt64Array.from([1n, 2n]),
      instanceRecords: true,
    });
  });

  it("leaves a typed model's frames as before: a missing key null, CSV text converted to its types", () => {
    const specs = [{ name: "a", datatype: "BOOL" as const, shape: [-1] }];
    const csv = mlflowRequest("a\nTrue\nfalse\n", "text/csv").input;
    expect(adaptInput(csv, specs)).toEqual([
      { name: "a", datatype: "BOOL", shape: [2], data: Uint8Array.from([1, 0]) },
    ]);
    const text = [{ name: "s", datatype: "BYTES" as const, shape: [-1] }];
    const records = mlflowRequest(
      JSON.stringify({ dataframe_records: [{ s: "x" }, {}] }),
      "application/json",
    ).input;
    expect(() => adaptInput(records, text)).toThrow(/row 1 column 's'/);
  });
});
