import { describe, expect, it } from "vitest";
import type { ModelSignature } from "../signature.js";
import { signatureInputSpecs } from "../signature.js";
import type { TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { v1Request } from "./v1Payload.js";
import { v2Request } from "./v2Payload.js";
import { thrownError } from "../../../test/support/thrownError.js";

const COLUMNS: ModelSignature = {
  kind: "columns",
  inputs: [
    { name: "a", type: "double", required: true },
    { name: "b", type: "double", required: true },
  ],
};
/** mlflow 3.17.2's answer to ragged `instances` rows, for any model (numpy refuses them while parsing). */
const RAGGED =
  "Invalid input. setting an array element with a sequence. The requested array has an inhomogeneous shape " +
  "after 1 dimensions. The detected shape was (2,) + inhomogeneous part.";
const mlflow = (body: unknown) => mlflowRequest(JSON.stringify(body), "application/json").input;

describe("regression: inputs with unequal row counts were padded with NaN instead of refused", () => {
  // mlflow 3.17.2 answers a column signature's dict as pandas refuses to make it a DataFrame.
  it("refuses MLflow column lists of different lengths as MLflow's DataFrame cast does", () => {
    const error = thrownError(() =>
      adaptInput(mlflow({ inputs: { a: [1, 30], b: [1] } }), signatureInputSpecs(COLUMNS), COLUMNS),
    );
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toMatch(
      /^Failed to predict data '\{'a': array\(\[ 1\., 30\.\]\), 'b': array\(\[1\.\]\)\}'.*All arrays must be of the same length$/s,
    );
  });

  it("refuses V2 inputs of different batch sizes", () => {
    const specs: TensorSpec[] = [
      { name: "x", datatype: "FP32", shape: [-1] },
      { name: "y", datatype: "FP32", shape: [-1] },
    ];
    const request = v2Request({
      inputs: [
        { name: "x", shape: [1], datatype: "FP32", data: [1] },
        { name: "y", shape: [3], datatype: "FP32", data: [1, 2, 3] },
      ],
    });
    expect(thrownError(() => adaptInput(request.input, specs)).message).toMatch(/'x' has 1 rows.*'y' has 3/);
  });

  it("refuses ONNX inputs shaped [1,2] and [2,2] rather than letting the model broadcast them", () => {
    const specs: TensorSpec[] = [
      { name: "x", datatype: "FP32", shape: [-1, 2] },
      { name: "y", datatype: "FP32", shape: [-1, 2] },
    ];
    const request = v2Request({
      inputs: [
        { name: "x", shape: [1, 2], datatype: "FP32", data: [1, 2] },
        { name: "y", shape: [2, 2], datatype: "FP32", data: [1, 2, 3, 4] },
      ],
    });
    expect(thrownError(() => adaptInput(request.input, specs)).code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("leaves alone inputs whose first dimension is fixed, so it is not the batch", () => {
    const specs: TensorSpec[] = [
      { name: "x", datatype: "FP32", shape: [-1, 2] },
      { name: "table", datatype: "FP32", shape: [3] },
    ];
    const request = v2Request({
      inputs: [
        { name: "x", shape: [1, 2], datatype: "FP32", data: [1, 2] },
        { name: "table", shape: [3], datatype: "FP32", data: [1, 2, 3] },
      ],
    });
    expect(adaptInput(request.input, specs).map((t) => t.shape)).toEqual([[1, 2], [3]]);
  });

  it("refuses instance rows of different widths for a column model (V1; MLflow with numpy's message)", () => {
    const specs = signatureInputSpecs(COLUMNS);
    const v1 = v1Request({ instances: [[1, 2], [30]] }).input;
    expect(thrownError(() => adaptInput(v1, specs, COLUMNS)).message).toMatch(
      /^row 1 has 1 values but the model takes 2 columns/,
    );
    expect(thrownError(() => adaptInput(mlflow({ instances: [[1, 2], [30]] }), specs, COLUMNS)).message).toBe(
      RAGGED,
    );
  });

  it("refuses instance rows of different widths for a model without specs", () => {
    expect(thrownError(() => adaptInput(mlflow({ instances: [[1, 2], [30]] }), [])).message).toBe(RAGGED);
  });
});
