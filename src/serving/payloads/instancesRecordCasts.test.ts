/**
 * Regression: `instances` records whose list values differ in shape were written as text (a column signature's
 * string input got "['1', '2']" and "['1', '2', '3']") or refused in FlowOps' own words, where MLflow's
 * parse_instances_data fails to stack them with numpy for every model. Expected messages are mlflow 3.17.2's
 * scoring_server.invocations answers (400 BAD_REQUEST) for ONNX Identity graphs over tensor(string) and
 * tensor(float) under column, tensor and no signatures alike.
 */
import { describe, expect, it } from "vitest";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { thrownError } from "../../../test/support/thrownError.js";
import { numpyShape } from "./numpyShape.js";

const raggedShape = (value: unknown) => {
  const { shape, ragged } = numpyShape(value);
  return ragged ? shape : undefined;
};
const refusal = (body: unknown) => {
  const error = thrownError(() => {
    const request = mlflowRequest(JSON.stringify(body), "application/json", {
      typedInputs: true,
      textForStringInputs: true,
    });
    adaptInput(request.input, [{ name: "x", datatype: "BYTES", shape: [-1] }], undefined);
  });
  return { code: (error as { code?: string }).code, message: error.message };
};
const inhomogeneous = (dims: number, shape: string) =>
  "setting an array element with a sequence. The requested array has an inhomogeneous shape after " +
  `${dims} dimensions. The detected shape was ${shape} + inhomogeneous part.`;
const stacking = (dims: number, shape: string) => ({
  code: "BAD_REQUEST",
  message:
    "Invalid input. Ensure that the input is a valid JSON-formatted string.\n" +
    `Error: ValueError('${inhomogeneous(dims, shape)}')`,
});

describe("instances records numpy cannot stack", () => {
  it("are refused with numpy's error wrapped as MLflow wraps it", () => {
    expect(refusal({ instances: [{ x: [1, 2] }, { x: [1, 2, 3] }] })).toEqual(stacking(1, "(2,)"));
    expect(refusal({ instances: [{ x: ["a", "b"] }, { x: ["a", "b", "c"] }] })).toEqual(stacking(1, "(2,)"));
    expect(refusal({ instances: [{ x: 1 }, { x: [1, 2] }] })).toEqual(stacking(1, "(2,)"));
    expect(refusal({ instances: [{ x: [[1, 2]] }, { x: [[1, 2, 3]] }] })).toEqual(stacking(2, "(2, 1)"));
    expect(refusal({ instances: [{ x: [1, 2], z: 1 }, { x: [1, 2] }, { z: [1, 2] }] })).toEqual(
      stacking(1, "(2,)"),
    );
  });

  it("refuses a record's own ragged value with convert_data_type's message", () => {
    expect(refusal({ instances: [{ x: [[1, 2], [3]] }, { x: [[1, 2], [3]] }] })).toEqual({
      code: "BAD_REQUEST",
      message: `Invalid input. ${inhomogeneous(1, "(2,)")}`,
    });
  });

  it("still reads records of one shape", () => {
    const body = { instances: [{ x: ["a", "b"] }, { x: ["c", "d"] }] };
    expect(() => mlflowRequest(JSON.stringify(body), "application/json")).not.toThrow();
  });

  it("finds the shape numpy reports", () => {
    expect(
      raggedShape([
        [0, 0],
        [
          [0, 0, 0],
          [0, 0, 0],
        ],
      ]),
    ).toEqual([2, 2]);
    expect(
      raggedShape([
        [
          [0, 0],
          [0, 0],
        ],
        [
          [0, 0],
          [0, 0],
          [0, 0],
        ],
      ]),
    ).toEqual([2]);
    expect(
      raggedShape([
        [0, 0],
        [0, 0],
        [0, 0, 0],
      ]),
    ).toEqual([3]);
    expect(raggedShape([[], [0]])).toEqual([2]);
    expect(
      raggedShape([
        [0, 0],
        [0, 0],
      ]),
    ).toBeUndefined();
    expect(raggedShape(1)).toBeUndefined();
  });
});
