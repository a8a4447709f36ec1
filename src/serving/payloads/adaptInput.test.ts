import { describe, expect, it } from "vitest";
import type { ModelSignature } from "../signature.js";
import type { TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { v1Request } from "./v1Payload.js";
import { v2Request } from "./v2Payload.js";
import { thrownError } from "../../../test/support/thrownError.js";

const ONNX_SPECS: TensorSpec[] = [{ name: "float_input", datatype: "FP32", shape: [-1, 4] }];
const IRIS_COLUMNS: ModelSignature = {
  kind: "columns",
  inputs: ["sepal_length", "sepal_width", "petal_length", "petal_width"].map((name) => ({
    name,
    type: "double" as const,
    required: true,
  })),
};
const mlflow = (body: unknown) => mlflowRequest(JSON.stringify(body), "application/json").input;

describe("adaptInput with tensors", () => {
  // Regression: conform dropped `nulls`, so a null string would have reached the model as "".
  it("keeps a text tensor's missing elements when it conforms to a BYTES input", () => {
    const specs: TensorSpec[] = [{ name: "city", datatype: "BYTES", shape: [-1] }];
    const [tensor] = adaptInput(mlflow({ inputs: { city: ["a", null] } }), specs);
    expect(tensor).toEqual({ name: "city", datatype: "BYTES", shape: [2], data: ["a", ""], nulls: [1] });
  });

  it("coerces FP64 values to an FP32 spec and keeps a matching shape", () => {
    const input = v2Request({
      inputs: [{ name: "float_input", shape: [1, 4], datatype: "FP64", data: [1, 2, 3, 4] }],
    });
    const [tensor] = adaptInput(input.input, ONNX_SPECS);
    expect(tensor).toEqual({
      name: "float_input",
      datatype: "FP32",
      shape: [1, 4],
      data: new Float32Array([1, 2, 3, 4]),
    });
  });

  it("passes a tensor that already fits through without copying its data", () => {
    const input = v2Request({
      inputs: [{ name: "float_input", shape: [2, 4], datatype: "FP32", data: new Array(8).fill(0) }],
    });
    const [tensor] = adaptInput(input.input, ONNX_SPECS);
    expect(tensor?.data).toBe(input.input.kind === "tensors" ? input.input.tensors[0]?.data : undefined);
  });

  it("gives an unnamed tensor to a single-input model", () => {
    const [tensor] = adaptInput(mlflow({ inputs: [[1, 2, 3, 4]] }), ONNX_SPECS);
    expect(tensor).toEqual({
      name: "float_input",
      datatype: "FP32",
      shape: [1, 4],
      data: new Float32Array([1, 2, 3, 4]),
    });
  });

  it("names an unknown input and lists the expected ones", () => {
    const input = v2Request({ inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: [1, 2, 3, 4] }] });
    const error = thrownError(() => adaptInput(input.input, ONNX_SPECS));
    expect(error.httpStatus).toBe(400);
    expect(error.message).toBe("unknown input 'x'; the model's inputs are: float_input");
  });

  it("names a missing input", () => {
    const specs: TensorSpec[] = [...ONNX_SPECS, { name: "mask", datatype: "BOOL", shape: [-1] }];
    const input = v2Request({
      inputs: [{ name: "float_input", shape: [1, 4], datatype: "FP32", data: [1, 2, 3, 4] }],
    });
    expect(thrownError(() => adaptInput(input.input, specs)).message).toBe(
      "missing input 'mask'; the model's inputs are: float_input, mask",
    );
  });

  it("rejects a shape that does not match the spec's fixed dims", () => {
    const input = v2Request({
      inputs: [{ name: "float_input", shape: [2, 3], datatype: "FP32", data: [1, 2, 3, 4, 5, 6] }],
    });
    expect(thrownError(() => adaptInput(input.input, ONNX_SPECS)).message).toBe(
      "input 'float_input': shape [2,3] does not match [-1,4]",
    );
  });

  it("rejects a datatype that cannot be converted, and fractional values for an integer spec", () => {
    const strings = v2Request({
      inputs: [{ name: "float_input", shape: [1, 4], datatype: "BYTES", data: ["a", "b", "c", "d"] }],
    });
    expect(thrownError(() => adaptInput(strings.input, ONNX_SPECS)).message).toBe(
      "input 'float_input': datatype BYTES cannot be converted to the model's FP32",
    );
    const ids: TensorSpec[] = [{ name: "ids", datatype: "INT64", shape: [-1] }];
    const fractional = v2Request({ inputs: [{ name: "ids", shape: [2], datatype: "FP32", data: [1, 2.5] }] });
    expect(thrownError(() => adaptInput(fractional.input, ids)).message).toBe(
      "input 'ids' element 1 is 2.5, expected an integer that fits INT64",
    );
  });
});

describe("regression: FP16 inputs could not be sent as JSON at all", () => {
  const HALF: TensorSpec[] = [{ name: "h", datatype: "FP16", shape: [-1, 2] }];

  it("converts FP32 JSON values for an FP16 input to half precision, as the FP16 message advises", () => {
    const input = v2Request({ inputs: [{ name: "h", shape: [1, 2], datatype: "FP32", data: [1.5, -2] }] });
    expect(adaptInput(input.input, HALF)).toEqual([
      { name: "h", datatype: "FP16", shape: [1, 2], data: new Uint16Array([0x3e00, 0xc000]) },
    ]);
    expect(adaptInput(mlflow({ inputs: [[1, 65504]] }), HALF)[0]?.data).toEqual(
      new Uint16Array([0x3c00, 0x7bff]),
    );
  });

  it("points FP16 JSON to FP32 or the binary tensor data extension", () => {
    const send = () => v2Request({ inputs: [{ name: "h", shape: [1, 2], datatype: "FP16", data: [1, 2] }] });
    expect(thrownError(send).message).toMatch(/send FP32 .*or binary tensor data/);
  });
});

describe("adaptInput with frames for an ONNX-style [-1, F] input", () => {
  it("stacks dataframe_split rows in the signature's column order", () => {
    const input = mlflow({
      dataframe_split: {
        columns: ["petal_width", "sepal_length", "sepal_width", "petal_length"],
        data: [[0.2, 5.1, 3.5, 1.4]],
      },
    });
    const [tensor] = adaptInput(input, ONNX_SPECS, IRIS_COLUMNS);
    expect(tensor).toEqual({
      name: "float_input",
      datatype: "FP32",
      shape: [1, 4],
      data: new Float32Array([5.1, 3.5, 1.4, 0.2]),
    });
  });

  it("stacks rows sent in the signature's own column order as they are, naming a bad cell's column", () => {
    const columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"];
    const [tensor] = adaptInput(
      mlflow({ dataframe_split: { columns, data: [[5.1, 3.5, 1.4, 0.2]] } }),
      ONNX_SPECS,
      IRIS_COLUMNS,
    );
    expect(tensor?.data).toEqual(new Float32Array([5.1, 3.5, 1.4, 0.2]));
    const bad = mlflow({
      dataframe_split: {
        columns,
        data: [
          [5.1, 3.5, 1.4, 0.2],
          [5.0, "wide", 1.4, 0.2],
        ],
      },
    });
    expect(thrownError(() => adaptInput(bad, ONNX_SPECS, IRIS_COLUMNS)).message).toBe(
      // mlflow 3.17.2: pandas reads the column as objects, then its schema enforcement casts cell by cell.
      "Invalid input. Data is not compatible with model signature. Failed to convert column sepal_width to type " +
        `'float64'. Error: 'ValueError("could not convert string to float: 'wide'")'`,
    );
  });

  it("names a column the signature needs and the request lacks", () => {
    const input = mlflow({ dataframe_records: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4 }] });
    // MLflow's pyfunc schema check, which an onnx model served by `mlflow models serve` goes through too.
    expect(thrownError(() => adaptInput(input, ONNX_SPECS, IRIS_COLUMNS)).message).toMatch(
      /^Failed to predict data '.*'\. \nError: .* Error: Model is missing inputs \['petal_width'\]\.$/s,
    );
  });

  it("stacks instance rows as sent when there is no column signature", () => {
    const [tensor] = adaptInput(
      mlflow({
        instances: [
          [1, 2, 3, 4],
          [5, 6, 7, 8],
        ],
      }),
      ONNX_SPECS,
    );
    expect(tensor?.shape).toEqual([2, 4]);
    expect(Array.from(tensor?.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("converts CSV text to numbers", () => {
    const input = mlflowRequest(
      "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n",
      "text/csv",
    ).input;
    const [tensor] = adaptInput(input, ONNX_SPECS, IRIS_COLUMNS);
    expect(tensor?.data).toEqual(new Float32Array([5.1, 3.5, 1.4, 0.2]));
  });

  // mlflow 3.17.2 refuses ragged rows while parsing, before any width check (mlflowNumpyCasts.test.ts).
  it("refuses rows of different widths with numpy's message", () => {
    expect(
      thrownError(() =>
        adaptInput(
          mlflow({
            instances: [
              [1, 2, 3, 4],
              [5, 6, 7],
            ],
          }),
          ONNX_SPECS,
        ),
      ).message,
    ).toBe(
      "Invalid input. setting an array element with a sequence. The requested array has an inhomogeneous " +
        "shape after 1 dimensions. The detected shape was (2,) + inhomogeneous part.",
    );
  });

  it("names the row and column of a value that is not a number", () => {
    const input = mlflow({ dataframe_split: { columns: ["a", "b", "c", "d"], data: [[1, 2, "x", 4]] } });
    expect(thrownError(() => adaptInput(input, ONNX_SPECS)).message).toBe(
      "input 'float_input' row 0 column 'c' is \"x\", expected a number",
    );
  });

  it("stacks nested instances for an image-like [-1, 2, 2] input", () => {
    const specs: TensorSpec[] = [{ name: "image", datatype: "FP32", shape: [-1, 2, 2] }];
    const [tensor] = adaptInput(
      mlflow({
        instances: [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      }),
      specs,
    );
    expect(tensor?.shape).toEqual([1, 2, 2]);
  });
});

describe("adaptInput with frames for a column signature", () => {
  const signature: ModelSignature = {
    kind: "columns",
    inputs: [
      { name: "age", type: "long", required: true },
      { name: "city", type: "string", required: true },
      { name: "score", type: "double", required: false },
    ],
  };
  const specs: TensorSpec[] = [
    { name: "age", datatype: "INT64", shape: [-1] },
    { name: "city", datatype: "BYTES", shape: [-1] },
    { name: "score", datatype: "FP64", shape: [-1] },
  ];

  it("builds one typed 1-D tensor per column, skipping an optional column that is absent", () => {
    const tensors = adaptInput(
      mlflow({
        dataframe_records: [
          { city: "Oslo", age: 31 },
          { city: "Rome", age: 40 },
        ],
      }),
      specs,
      signature,
    );
    expect(tensors).toEqual([
      { name: "age", datatype: "INT64", shape: [2], data: new BigInt64Array([31n, 40n]) },
      { name: "city", datatype: "BYTES", shape: [2], data: ["Oslo", "Rome"] },
    ]);
  });

  it("types the columns from the signature when the runtime declares no specs", () => {
    const input = mlflowRequest("age,city,score\n31,007,\n", "text/csv").input;
    expect(adaptInput(input, [], signature)).toEqual([
      { name: "age", datatype: "INT64", shape: [1], data: new BigInt64Array([31n]) },
      { name: "city", datatype: "BYTES", shape: [1], data: ["007"] },
      { name: "score", datatype: "FP64", shape: [1], data: new Float64Array([NaN]) },
    ]);
  });

  it("names a required column that is missing", () => {
    expect(
      thrownError(() => adaptInput(mlflow({ dataframe_records: [{ city: "Oslo" }] }), specs, signature))
        .message,
    ).toMatch(/Error: Model is missing inputs \['age'\]\.$/);
  });

  it("maps unnamed rows to the columns by position", () => {
    const tensors = adaptInput(mlflow({ instances: [[31, 7, 2]] }), specs, signature);
    expect(tensors.map((t) => t.name)).toEqual(["age", "city", "score"]);
  });

  it("casts unnamed rows whole to the first column's type first, as MLflow's _cast_schema_type does", () => {
    // mlflow 3.17.2: np.array([[31, "Oslo", 0.5]], int64) raises before any column is matched.
    expect(() => adaptInput(mlflow({ instances: [[31, "Oslo", 0.5]] }), specs, signature)).toThrow(
      "Invalid input. invalid literal for int() with base 10: 'Oslo'",
    );
  });

  it("turns named column tensors into the stacked input of a single-input model", () => {
    const input = mlflow({
      inputs: { sepal_length: [5.1], sepal_width: [3.5], petal_length: [1.4], petal_width: [0.2] },
    });
    const [tensor] = adaptInput(input, ONNX_SPECS, IRIS_COLUMNS);
    expect(tensor?.data).toEqual(new Float32Array([5.1, 3.5, 1.4, 0.2]));
  });

  it("hands instance rows to a model without specs or signature as one 2-D tensor (MLflow and V1)", () => {
    // They used to reach the model as a dict of columns '0', '1', '2', which sklearn refused; MLflow parses
    // instances of lists as one numpy array.
    for (const input of [
      mlflow({
        instances: [
          [1, 2, 3],
          [-1, -2, -3],
        ],
      }),
      v1Request({
        instances: [
          [1, 2, 3],
          [-1, -2, -3],
        ],
      }).input,
    ]) {
      expect(adaptInput(input, [])).toEqual([
        { name: "", datatype: "INT64", shape: [2, 3], data: new BigInt64Array([1n, 2n, 3n, -1n, -2n, -3n]) },
      ]);
    }
  });

  // Regression: such rows became typed columns, where MLflow hands np.array(instances), a str array.
  it("keeps instance rows mixing text and numbers one array of their values for a model without specs", () => {
    expect(adaptInput(mlflow({ instances: [[1, "x"]] }), [])).toMatchObject([
      { datatype: "BYTES", shape: [1, 2], jsonData: [1, "x"] },
    ]);
  });

  it("refuses values mixing text and numbers for a model that declares its inputs, naming the input", () => {
    const specs = [{ name: "a", datatype: "BYTES" as const, shape: [-1] }];
    expect(thrownError(() => adaptInput(mlflow({ inputs: { a: ["x", 1] } }), specs)).message).toBe(
      "Invalid input. input 'a' mixes strings with numbers or booleans; send one type per tensor",
    );
  });

  it("gives a typed model booleans or numbers with nulls as FP64 NaN, as before", () => {
    const specs = [{ name: "a", datatype: "FP64" as const, shape: [-1] }];
    const [tensor] = adaptInput(mlflow({ inputs: { a: [true, null] } }), specs);
    expect(tensor).toEqual({ name: "a", datatype: "FP64", shape: [2], data: Float64Array.from([1, NaN]) });
  });

  it("keeps dataframe_split rows without column names a frame of columns for a model without specs", () => {
    const input = mlflow({ dataframe_split: { data: [[1, 2.5]] } });
    expect(adaptInput(input, []).map((t) => [t.name, t.shape])).toEqual([
      ["0", [1]],
      ["1", [1]],
    ]);
  });

  it("infers column types for a model without specs or signature", () => {
    const input = mlflowRequest("a,b\n1,x\n2,y\n", "text/csv").input;
    expect(adaptInput(input, [])).toEqual([
      { name: "a", datatype: "INT64", shape: [2], data: new BigInt64Array([1n, 2n]) },
      { name: "b", datatype: "BYTES", shape: [2], data: ["x", "y"] },
    ]);
  });
});
