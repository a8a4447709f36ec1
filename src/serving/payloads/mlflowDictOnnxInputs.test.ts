/**
 * Regression tests for an ONNX model (typed inputs, the graph's own input names) given MLflow bodies that its
 * signature takes otherwise than FlowOps did: a dict member sent as one value, an `instances` object with an
 * undeclared object, an empty dict, and a DataFrame for an un-named signature. ONNX is not in the mlflow venv:
 * the answers follow pyfunc's flavor-free parsing and schema enforcement, which mlflowPythonDictScalars,
 * mlflowPythonExtraInputs and mlflowPythonUnnamedFrames check live against mlflow 3.17.2, and then
 * `_OnnxModelWrapper.predict`, which feeds a DataFrame's values to a graph of one input, each column to a graph
 * of several, and an array to a graph of one input.
 */
import { describe, expect, it } from "vitest";
import type { ModelSignature } from "../signature.js";
import type { TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { v1Request } from "./v1Payload.js";
import { thrownError } from "../../../test/support/thrownError.js";

const typed = (body: unknown) =>
  mlflowRequest(JSON.stringify(body), "application/json", { typedInputs: true }).input;

const TWO_COLUMNS: ModelSignature = {
  kind: "columns",
  inputs: [
    { name: "a", type: "double", required: true },
    { name: "b", type: "long", required: true },
  ],
};
const COLUMN_SPECS: TensorSpec[] = [
  { name: "a", datatype: "FP64", shape: [-1] },
  { name: "b", datatype: "INT64", shape: [-1] },
];
const STACKED_SPECS: TensorSpec[] = [{ name: "float_input", datatype: "FP32", shape: [-1, 2] }];
const NAMED_TENSOR: ModelSignature = {
  kind: "tensors",
  inputs: [{ name: "a", dtype: "float64", shape: [-1] }],
};
const UNNAMED_TENSOR: ModelSignature = { kind: "tensors", inputs: [{ dtype: "float64", shape: [-1] }] };
const GRAPH_INPUT: TensorSpec[] = [{ name: "x", datatype: "FP64", shape: [-1] }];

const enforced = (data: string, schema: string, reason: string): string =>
  `Failed to predict data '${data}'. \nError: Failed to enforce schema of data '${data}' with schema '${schema}'. Error: ${reason}`;

describe("regression: an MLflow dict member sent as one value was refused with 'shape [] does not match [-1]'", () => {
  it("takes one value per column as one row, as pandas builds the DataFrame", () => {
    const tensors = adaptInput(typed({ inputs: { a: 1, b: 2 } }), COLUMN_SPECS, TWO_COLUMNS);
    expect(tensors).toEqual([
      { name: "a", datatype: "FP64", shape: [1], data: new Float64Array([1]) },
      { name: "b", datatype: "INT64", shape: [1], data: new BigInt64Array([2n]) },
    ]);
  });

  it("repeats one value down the length of a list beside it", () => {
    const tensors = adaptInput(typed({ inputs: { a: 1.5, b: [2, 3] } }), COLUMN_SPECS, TWO_COLUMNS);
    expect(tensors[0]).toEqual({
      name: "a",
      datatype: "FP64",
      shape: [2],
      data: new Float64Array([1.5, 1.5]),
    });
  });

  it("stacks the row for a graph of one input, as the onnx flavor feeds it the DataFrame's values", () => {
    const tensors = adaptInput(typed({ inputs: { a: 1, b: 2 } }), STACKED_SPECS, TWO_COLUMNS);
    expect(tensors).toEqual([
      { name: "float_input", datatype: "FP32", shape: [1, 2], data: new Float32Array([1, 2]) },
    ]);
  });

  it("refuses an undeclared single value beside a declared one as pandas does", () => {
    const schema = "['a': double (required), 'b': long (required)]";
    expect(
      thrownError(() => adaptInput(typed({ inputs: { a: 1, b: 2, k: 3 } }), COLUMN_SPECS, TWO_COLUMNS))
        .message,
    ).toBe(
      enforced(
        "{'a': np.float64(1.0), 'b': np.int64(2), 'k': array(3)}",
        schema,
        "This model contains a column-based signature, which suggests a DataFrame input. There was an error " +
          "casting the input data to a DataFrame: If using all scalar values, you must pass an index",
      ),
    );
  });

  it("still refuses one value for a tensor, which MLflow's shape check refuses too", () => {
    const specs: TensorSpec[] = [{ name: "a", datatype: "FP64", shape: [-1] }];
    expect(() => adaptInput(typed({ inputs: { a: 1 } }), specs, NAMED_TENSOR)).toThrow(/shape/);
  });
});

describe("regression: an instances object was refused for an undeclared member that is no list", () => {
  it("drops an undeclared object, comparing only the declared members' lengths", () => {
    const specs: TensorSpec[] = [{ name: "a", datatype: "FP64", shape: [-1] }];
    for (const signature of [
      NAMED_TENSOR,
      { kind: "columns", inputs: [{ name: "a", type: "double", required: true }] },
    ]) {
      const tensors = adaptInput(
        typed({ instances: { a: [1], k: { x: 1 } } }),
        specs,
        signature as ModelSignature,
      );
      expect(tensors.map((tensor) => tensor.name)).toEqual(["a"]);
    }
  });

  it("still refuses a declared tensor sent as one value with Python's len() error", () => {
    expect(
      thrownError(() => adaptInput(typed({ instances: { a: 1 } }), GRAPH_INPUT, NAMED_TENSOR)).message,
    ).toBe(
      "Invalid input. Ensure that the input is a valid JSON-formatted string.\nError: TypeError('len() of unsized object')",
    );
  });

  it("keeps KServe V1's refusal of unknown inputs", () => {
    const input = v1Request({ inputs: { a: [1], k: [2] } }).input;
    expect(() => adaptInput(input, GRAPH_INPUT)).toThrow(/unknown input 'a'/);
  });
});

describe("regression: an empty dict was refused with FlowOps' own 'empty dictionary'", () => {
  it("answers an un-named signature with MLflow's parse error", () => {
    expect(thrownError(() => adaptInput(typed({ inputs: {} }), GRAPH_INPUT, UNNAMED_TENSOR)).message).toBe(
      "Invalid input. Failed to parse input data. This model contains an un-named  model signature which expects " +
        "a single n-dimensional array or a single value as input, however, an input of type <class 'dict'> was found.",
    );
  });

  it("answers a named signature with MLflow's missing inputs", () => {
    expect(thrownError(() => adaptInput(typed({ inputs: {} }), GRAPH_INPUT, NAMED_TENSOR)).message).toBe(
      enforced("{}", "['a': Tensor('float64', (-1,))]", "Model is missing inputs ['a']."),
    );
  });

  it("still refuses it for a graph without a signature, which would get nothing", () => {
    expect(() => adaptInput(typed({ inputs: {} }), GRAPH_INPUT)).toThrow(/empty dictionary/);
  });
});

describe("regression: a DataFrame for an un-named tensor signature was refused with 'missing column'", () => {
  it("feeds the frame's one column to the graph's input", () => {
    const tensors = adaptInput(
      typed({ dataframe_records: [{ a: 1 }, { a: 2.5 }] }),
      GRAPH_INPUT,
      UNNAMED_TENSOR,
    );
    expect(tensors).toEqual([{ name: "x", datatype: "FP64", shape: [2], data: new Float64Array([1, 2.5]) }]);
  });

  it("refuses several columns in MLflow's words", () => {
    const body = { dataframe_records: [{ a: 1, b: 2 }] };
    expect(thrownError(() => adaptInput(typed(body), GRAPH_INPUT, UNNAMED_TENSOR)).message).toBe(
      enforced(
        "     a    b\n0  1.0  2.0",
        "[Tensor('float64', (-1,))]",
        "This model contains a model signature with an unnamed input. Since the input data is a pandas DataFrame " +
          "containing multiple columns, the input shape must be of the structure (-1, number_of_dataframe_columns). " +
          "Instead, the input DataFrame passed had 2 columns and an input shape of (-1,) with all values within " +
          "the DataFrame of scalar type. Please adjust the passed in DataFrame to match the expected structure",
      ),
    );
  });
});
