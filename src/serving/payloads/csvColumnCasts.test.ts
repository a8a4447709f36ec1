/**
 * Regression: a `text/csv` body bound for an int or float column was converted by FlowOps' own rules ("row 0
 * column 'x' is 1.5, expected an integer that fits INT32"), and under a tensor signature scored, where MLflow's
 * `parse_csv_input` reads the body with `pd.read_csv(dtype=<the signature's pandas types>)`: the C parser's
 * refusals ("cannot safely convert passed user dtype of int32 for float64 dtyped data in column 0"), its
 * acceptance of whole floats and true/false text, and for a tensor signature always pandas_types()' refusal.
 * Expected answers are mlflow 3.17.2's scoring_server.invocations (pandas 3.1.1, numpy 2.4, x86) for ONNX
 * Identity graphs of tensor(int32), tensor(int64), tensor(float) and tensor(double) input x.
 */
import { describe, expect, it } from "vitest";
import type { ColumnType, ModelSignature } from "../signature.js";
import type { Datatype, TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { thrownError } from "../../../test/support/thrownError.js";

type Kind = "int32" | "int64" | "float" | "double";
const COLUMN_TYPES: Record<Kind, ColumnType> = {
  int32: "integer",
  int64: "long",
  float: "float",
  double: "double",
};
const DATATYPES: Record<Kind, Datatype> = { int32: "INT32", int64: "INT64", float: "FP32", double: "FP64" };
const PARSE_ERROR =
  "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid CSV-formatted Pandas DataFrame " +
  "produced using the `pandas.DataFrame.to_csv()` method. Error: ";

function columnModel(kind: Kind, name = "x"): [TensorSpec[], ModelSignature] {
  return [
    [{ name: "x", datatype: DATATYPES[kind], shape: [-1, 1] }],
    { kind: "columns", inputs: [{ name, type: COLUMN_TYPES[kind], required: true }] },
  ];
}
function scored(kind: Kind, csv: string): unknown[] {
  const [specs, signature] = columnModel(kind);
  const tensor = adaptInput(mlflowRequest(csv, "text/csv").input, specs, signature)[0] as {
    data: ArrayLike<unknown>;
  };
  return Array.from(tensor.data);
}
function refusal(kind: Kind, csv: string, model = columnModel(kind)): string {
  const error = thrownError(() => adaptInput(mlflowRequest(csv, "text/csv").input, ...model)) as {
    code: string;
    message: string;
  };
  return `${error.code}: ${error.message.replace(PARSE_ERROR, "")}`;
}

describe("CSV bodies under a column signature, as read_csv(dtype=...) reads them", () => {
  it("refuses fractions, out-of-range and non-finite numbers for an int column", () => {
    for (const kind of ["int32", "int64"] as const) {
      for (const csv of ["x\n1.5\n2\n", "x\n1e20\n", "x\ninf\n", "x\n1e-50\n", "x\nNA\n1.5\n"]) {
        expect(refusal(kind, csv)).toBe(
          `BAD_REQUEST: 'cannot safely convert passed user dtype of ${kind} for float64 dtyped data in column 0'`,
        );
      }
    }
    expect(refusal("int32", "x\n2147483648\n")).toBe(
      "BAD_REQUEST: 'cannot safely convert passed user dtype of int32 for int64 dtyped data in column 0'",
    );
    expect(refusal("int32", "x\n-2147483649\n")).toMatch(/for int64 dtyped data in column 0'$/);
    expect(refusal("int64", "x\n9223372036854775808\n")).toBe(
      "BAD_REQUEST: 'cannot safely convert passed user dtype of int64 for uint64 dtyped data in column 0'",
    );
    expect(refusal("int64", "x\n18446744073709551616\n")).toBe("BAD_REQUEST: 'Overflow'");
    expect(refusal("int64", "x\n-9223372036854775809\n")).toBe("BAD_REQUEST: 'Overflow'");
    expect(refusal("int64", "x\n9223372036854775808\nNA\n")).toBe(
      "BAD_REQUEST: 'Cannot convert to numerical dtype'",
    );
  });

  it("refuses missing cells, text and booleans with gaps for an int column, naming the column's position", () => {
    expect(refusal("int32", "x,y\n1,\n,2\n")).toBe("BAD_REQUEST: 'Integer column has NA values in column 0'");
    expect(refusal("int64", "x\nnan\n")).toBe("BAD_REQUEST: 'Integer column has NA values in column 0'");
    expect(refusal("int32", "y,x\n1,1.5\n")).toMatch(/float64 dtyped data in column 1'$/);
    expect(refusal("int32", "x\na\n")).toBe("BAD_REQUEST: 'invalid literal for int() with base 10: 'a''");
    expect(refusal("int64", "x\n0x10\n")).toBe(
      "BAD_REQUEST: 'invalid literal for int() with base 10: '0x10''",
    );
    expect(refusal("int32", "x\nNA\na\n")).toBe("BAD_REQUEST: 'cannot convert float NaN to integer'");
    expect(refusal("int64", "x\nTrue\n2\n")).toBe(
      "BAD_REQUEST: 'invalid literal for int() with base 10: 'True''",
    );
    // Python's int() takes '1_000', but the cast's result is never equal to the text.
    expect(refusal("int64", "x\n1_000\n")).toBe(
      "BAD_REQUEST: 'cannot safely convert passed user dtype of int64 for object dtyped data in column 0'",
    );
    expect(refusal("int32", "x\n1_000_000_000_000\n")).toBe(
      "BAD_REQUEST: 'Python integer 1000000000000 out of bounds for int32'",
    );
    expect(refusal("int32", "x\nTrue\nNA\n")).toBe(
      "BAD_REQUEST: 'cannot safely convert passed user dtype of int32 for <class 'numpy.bool'> dtyped data in column 0 due to NA values'",
    );
  });

  it("takes whole floats, true/false, signs, padding and the int64 range for an int column", () => {
    expect(scored("int32", "x\n2.0\n3\n")).toEqual([2, 3]);
    expect(scored("int32", 'x\n1e5\n-0\n+5\n007\n" 1"\n')).toEqual([100000, 0, 5, 7, 1]);
    expect(scored("int32", "x\n-2147483648.0\n2147483647\n")).toEqual([-2147483648, 2147483647]);
    expect(scored("int64", "x\nTrue\nfalse\n")).toEqual([1n, 0n]);
    expect(scored("int64", "x\n9223372036854775807\n")).toEqual([9223372036854775807n]);
    expect(scored("int64", "x\n-9223372036854775808.0\n")).toEqual([-9223372036854775808n]);
    // As float64 the largest int64 is 2^63, which int64 cannot hold.
    expect(refusal("int64", "x\n9223372036854775807\n-1.0\n")).toMatch(/float64 dtyped data in column 0'$/);
  });

  it("reads a float column as the C parser does, refusing text Python's float() takes or refuses", () => {
    expect(scored("float", "x\n1.5\nNA\n3.5e38\n1e-50\n-Infinity\n")).toEqual([
      1.5,
      Number.NaN,
      Infinity,
      0,
      -Infinity,
    ]);
    expect(refusal("float", "x\nTrue\n2\n")).toBe("BAD_REQUEST: 'could not convert string to float: 'True''");
    expect(scored("double", "x\nTrue\n\n")).toEqual([1]);
    expect(scored("double", "x\nTRUE\nNA\n")).toEqual([1, Number.NaN]);
    expect(scored("double", "x\n9223372036854775808\n0.1\n")).toEqual([9223372036854775808, 0.1]);
    expect(refusal("float", "x\na\n")).toBe("BAD_REQUEST: 'could not convert string to float: 'a''");
    expect(refusal("double", 'x\n" True"\n')).toBe(
      "BAD_REQUEST: 'could not convert string to float: ' True''",
    );
    for (const csv of ["x\n1_000\n", "x\n inf\n", "x\nNAN\n"]) {
      expect(refusal("double", csv)).toBe(
        "BAD_REQUEST: 'cannot safely convert passed user dtype of float64 for object dtyped data in column 0'",
      );
    }
  });

  it("leaves a missing column to the schema check and reads an unnamed signature's columns by position", () => {
    expect(refusal("int32", "y\n1\n")).toMatch(
      /^INVALID_PARAMETER_VALUE: .*Model is missing inputs \['x'\]/s,
    );
    const [specs] = columnModel("int32");
    const unnamed: ModelSignature = { kind: "columns", inputs: [{ type: "integer", required: true }] };
    expect(refusal("int32", "a\n1.5\n", [specs, unnamed])).toMatch(
      /int32 for float64 dtyped data in column 0'$/,
    );
  });

  it("refuses a datetime column that has rows", () => {
    const specs: TensorSpec[] = [{ name: "x", datatype: "BYTES", shape: [-1, 1] }];
    const signature: ModelSignature = {
      kind: "columns",
      inputs: [{ name: "x", type: "datetime", required: true }],
    };
    expect(refusal("int32", "x\n2024-01-01\n", [specs, signature])).toBe(
      "BAD_REQUEST: 'the dtype datetime64[ns] is not supported for parsing, pass this column using parse_dates instead'",
    );
  });
});

describe("CSV bodies under a tensor signature", () => {
  it("refuses every body, as MLflow's pandas_types() refuses a TensorSpec", () => {
    const specs: TensorSpec[] = [{ name: "x", datatype: "INT32", shape: [-1] }];
    const signature: ModelSignature = {
      kind: "tensors",
      inputs: [{ name: "x", dtype: "int32", shape: [-1] }],
    };
    for (const csv of ["x\n1\n2\n", "y\n1\n", "x\n"]) {
      expect(refusal("int32", csv, [specs, signature])).toBe(
        "BAD_REQUEST: 'TensorSpec only supports numpy types, use numpy_types() instead'",
      );
    }
  });
});
