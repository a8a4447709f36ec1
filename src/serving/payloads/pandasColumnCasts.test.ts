/**
 * Regression: a DataFrame body (dataframe_split / dataframe_records) and `inputs` / `instances` records or unnamed
 * rows bound for an int input were refused in FlowOps' own words ("expected an integer that fits INT32"), where
 * MLflow casts them: pandas types the column, then `astype` truncates floats, wraps int64 to int32 and refuses
 * with "Data is not compatible with model signature"; numpy truncates records' values. Expected answers are
 * mlflow 3.17.2's scoring_server.invocations (pandas 3.1, numpy 2.4, x86) for ONNX Identity graphs of tensor(int32),
 * tensor(int64) and tensor(float) input x ([-1, 1] under a column signature, [-1] under a tensor one).
 */
import { describe, expect, it } from "vitest";
import type { ModelSignature } from "../signature.js";
import type { Datatype, TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { thrownError } from "../../../test/support/thrownError.js";

type Kind = "float" | "int32" | "int64";
const COLUMN_TYPES = { float: "float", int32: "integer", int64: "long" } as const;
const DTYPES = { float: "float32", int32: "int32", int64: "int64" } as const;
const DATATYPES: Record<Kind, Datatype> = { float: "FP32", int32: "INT32", int64: "INT64" };
const models = (kind: Kind): [TensorSpec[], ModelSignature][] => [
  [
    [{ name: "x", datatype: DATATYPES[kind], shape: [-1, 1] }],
    { kind: "columns", inputs: [{ name: "x", type: COLUMN_TYPES[kind], required: true }] },
  ],
  [
    [{ name: "x", datatype: DATATYPES[kind], shape: [-1] }],
    { kind: "tensors", inputs: [{ name: "x", dtype: DTYPES[kind], shape: [-1] }] },
  ],
];
const adapted = (body: unknown, specs: readonly TensorSpec[], signature: ModelSignature) =>
  adaptInput(
    mlflowRequest(typeof body === "string" ? body : JSON.stringify(body), "application/json", {
      typedInputs: true,
      textForStringInputs: true,
    }).input,
    specs,
    signature,
  );
const split = (cells: readonly unknown[]) => ({
  dataframe_split: { columns: ["x"], data: cells.map((c) => [c]) },
});
const records = (key: string, cells: readonly unknown[]) => ({ [key]: cells.map((x) => ({ x })) });

/** What the model gets from both DataFrame forms, under both signatures. */
function frameValues(kind: Kind, cells: readonly unknown[]): unknown[][] {
  const bodies = [split(cells), records("dataframe_records", cells)];
  return models(kind).flatMap(([specs, signature]) =>
    bodies.map((body) =>
      Array.from((adapted(body, specs, signature)[0] as { data: ArrayLike<unknown> }).data),
    ),
  );
}
function frameRefusals(kind: Kind, cells: readonly unknown[]): string[] {
  const bodies = [split(cells), records("dataframe_records", cells)];
  return models(kind).flatMap(([specs, signature]) =>
    bodies.map((body) => {
      const error = thrownError(() => adapted(body, specs, signature)) as { code: string; message: string };
      return `${error.code}: ${error.message}`;
    }),
  );
}
const each = <T>(value: T): T[] => [value, value, value, value];
const refusal = (dtype: string, error: string) =>
  `BAD_REQUEST: Invalid input. Data is not compatible with model signature. Failed to convert column x to type '${dtype}'. Error: '${error}'`;

describe("DataFrame bodies to int and float inputs, cast as pandas astype does", () => {
  it("truncates floats and wraps integers beyond int32", () => {
    expect(frameValues("int32", [1.5, 2])).toEqual(each([1, 2]));
    expect(frameValues("int32", [-1.7, 3])).toEqual(each([-1, 3]));
    expect(frameValues("int32", ["1", 2.5])).toEqual(each([1, 2]));
    expect(frameValues("int32", [2147483648])).toEqual(each([-2147483648]));
    expect(frameValues("int32", [-2147483649])).toEqual(each([2147483647]));
    expect(frameValues("int32", [4294967297.5])).toEqual(each([-2147483648]));
    expect(frameValues("int64", [4294967297.5])).toEqual(each([4294967297n]));
  });

  it("makes a float beyond the type's range its minimum", () => {
    const body = '{"dataframe_records": [{"x": 1e20}]}';
    for (const [specs, signature] of models("int32"))
      expect(Array.from(adapted(body, specs, signature)[0]?.data as Int32Array)).toEqual([-2147483648]);
    for (const [specs, signature] of models("int64"))
      expect(Array.from(adapted(body, specs, signature)[0]?.data as BigInt64Array)).toEqual([-(2n ** 63n)]);
  });

  it("wraps an integer beyond int64 (a uint64 column)", () => {
    const body = '{"dataframe_split": {"columns": ["x"], "data": [[9223372036854775808]]}}';
    for (const [specs, signature] of models("int64"))
      expect(Array.from(adapted(body, specs, signature)[0]?.data as BigInt64Array)).toEqual([-(2n ** 63n)]);
  });

  it("refuses as MLflow does", () => {
    expect(frameRefusals("int32", ["1.5"])).toEqual(
      each(refusal("int32", `ValueError("invalid literal for int() with base 10: '1.5'")`)),
    );
    expect(frameRefusals("int64", ["a"])).toEqual(
      each(refusal("int64", `ValueError("invalid literal for int() with base 10: 'a'")`)),
    );
    expect(frameRefusals("int32", [null, 1])).toEqual(
      each(
        refusal(
          "int32",
          `IntCastingNaNError("Cannot convert non-finite values (NA or inf) to integer. Replace or remove non-finite values or cast to an integer type that supports these values (e.g. 'Int64')")`,
        ),
      ),
    );
    expect(frameRefusals("int32", ["1", null])).toEqual(
      each(refusal("int32", "ValueError('cannot convert float NaN to integer')")),
    );
    expect(frameRefusals("int32", ["1", 2147483648])).toEqual(
      each(refusal("int32", "OverflowError('Python integer 2147483648 out of bounds for int32')")),
    );
    expect(frameRefusals("float", ["a"])).toEqual(
      each(refusal("float32", `ValueError("could not convert string to float: 'a'")`)),
    );
  });
});

describe("inputs and instances records to an int input, cast as numpy does", () => {
  it("truncates each record's value under a column signature", () => {
    for (const key of ["inputs", "instances"]) {
      for (const kind of ["int32", "int64"] as const) {
        const [specs, signature] = models(kind)[0] as [TensorSpec[], ModelSignature];
        const data = adapted(records(key, [1.5, -1.7, "1"]), specs, signature)[0]?.data as ArrayLike<unknown>;
        expect(Array.from(data)).toEqual(kind === "int32" ? [1, -1, 1] : [1n, -1n, 1n]);
      }
    }
  });

  it("truncates instances records under a tensor signature", () => {
    const [specs, signature] = models("int32")[1] as [TensorSpec[], ModelSignature];
    expect(
      Array.from(adapted(records("instances", [1.5, -1.7]), specs, signature)[0]?.data as Int32Array),
    ).toEqual([1, -1]);
  });
});

describe("unnamed rows to a column signature, cast whole to the first column's dtype", () => {
  it("truncates each cell before the rows become columns", () => {
    const signature: ModelSignature = {
      kind: "columns",
      inputs: [
        { name: "a", type: "integer", required: true },
        { name: "b", type: "integer", required: true },
      ],
    };
    const specs: TensorSpec[] = [
      { name: "a", datatype: "INT32", shape: [-1] },
      { name: "b", datatype: "INT32", shape: [-1] },
    ];
    const tensors = adapted(
      {
        instances: [
          [1.5, "2"],
          [-3.7, 4],
        ],
      },
      specs,
      signature,
    );
    expect(tensors.map((t) => Array.from(t.data as Int32Array))).toEqual([
      [1, -3],
      [2, 4],
    ]);
  });
});
