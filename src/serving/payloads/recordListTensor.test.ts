import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { workerRequest } from "../runtimes/pythonWire.js";
import type { TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { copyPredictRequest } from "./predictRequest.js";
import { recordListOf } from "./recordListTensor.js";

const request = (body: string) => mlflowRequest(body, "application/json");
/** The tensors a model without a signature gets for an MLflow JSON body. */
const untyped = (body: string) => adaptInput(request(body).input, []);

const NUMBER_AND_TEXT: TensorSpec[] = [
  { name: "a", datatype: "FP64", shape: [-1] },
  { name: "b", datatype: "BYTES", shape: [-1] },
];

describe("inputs records for a model that declares no inputs", () => {
  // Regression: they reached the model as columns, where MLflow hands it the list of {key: np.array(value)}.
  it("sends the records themselves, each value as its own 0-d or n-d array", () => {
    const inputs = untyped('{"inputs": [{"b": "x", "a": 1.0}, {"a": [1, 2]}]}');
    expect(inputs).toHaveLength(1);
    expect(recordListOf(inputs[0]!)?.map((record) => record.map((t) => t.name))).toEqual([["b", "a"], ["a"]]);
    const wire = workerRequest(1, inputs, false);
    expect(wire.tensors).toBeUndefined();
    expect(wire.records).toEqual([
      [
        { name: "b", datatype: "BYTES", shape: [], json: ["x"] },
        {
          name: "a",
          datatype: "FP64",
          shape: [],
          raw: Buffer.from(Float64Array.of(1).buffer).toString("base64"),
        },
      ],
      [
        {
          name: "a",
          datatype: "INT64",
          shape: [2],
          raw: Buffer.from(BigInt64Array.of(1n, 2n).buffer).toString("base64"),
        },
      ],
    ]);
  });

  it("refuses a value numpy could not make an array of with numpy's message, as MLflow's _cast_schema_type does", () => {
    expect(() => untyped('{"inputs": [{"a": 1}, {"a": [[1], [2, 3]]}]}')).toThrow(
      "Invalid input. setting an array element with a sequence. The requested array has an inhomogeneous shape " +
        "after 1 dimensions. The detected shape was (2,) + inhomogeneous part.",
    );
  });

  it("leaves a typed model the records' columns, as before", () => {
    const input = request('{"inputs": [{"a": 1, "b": "x"}, {"a": 2.5, "b": "y"}]}').input;
    expect(adaptInput(input, NUMBER_AND_TEXT)).toEqual([
      { name: "a", datatype: "FP64", shape: [2], data: Float64Array.from([1, 2.5]) },
      { name: "b", datatype: "BYTES", shape: [2], data: ["x", "y"] },
    ]);
  });

  it("keeps the records through copyPredictRequest, for a shadow model", () => {
    const copy = copyPredictRequest(request('{"inputs": [{"a": 1}]}'));
    expect(recordListOf(adaptInput(copy.input, [])[0]!)).toHaveLength(1);
  });
});

describe("instances records of unequal keys for a model that declares no inputs", () => {
  // Regression: a missing key was filled with null, where MLflow's parse_instances_data refuses the body.
  it("refuses keys of different counts with MLflow's 400", () => {
    const refusal = (() => {
      try {
        untyped('{"instances": [{"a": 1, "b": 2}, {"a": 3}]}');
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(FlowOpsError);
    expect(refusal).toMatchObject({
      code: "BAD_REQUEST",
      httpStatus: 400,
      message: "Invalid input. The length of values for each input/column name are not the same",
    });
  });

  it("gives each key only the values of the records that have it", () => {
    const [a, b] = untyped('{"instances": [{"a": 1}, {"b": "x"}]}');
    expect(a).toEqual({
      name: "a",
      datatype: "INT64",
      shape: [1],
      data: BigInt64Array.from([1n]),
      instanceRecords: true,
    });
    expect(b).toMatchObject({ name: "b", datatype: "BYTES", shape: [1], jsonData: ["x"] });
  });

  it("leaves a typed model the padded frame, as before", () => {
    const input = request('{"instances": [{"a": 1, "b": 2}, {"a": 3}]}').input;
    const numbers: TensorSpec[] = ["a", "b"].map((name) => ({ name, datatype: "FP64", shape: [-1] }));
    expect(adaptInput(input, numbers)).toEqual([
      { name: "a", datatype: "FP64", shape: [2], data: Float64Array.from([1, 3]) },
      { name: "b", datatype: "FP64", shape: [2], data: Float64Array.from([2, NaN]) },
    ]);
  });
});
