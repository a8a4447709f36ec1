/**
 * Regression: integers beyond 64 bits an MLflow `inputs` or `instances` body sent to an ONNX model's string input
 * were refused as the body was read ("lies beyond the 64-bit integers"), before the input was known, where
 * MLflow's cast writes each as Python's str, every digit (checked against mlflow 3.17.2's
 * scoring_server.invocations through onnxruntime 1.32 over an Identity graph of tensor(string):
 * '123456789012345678901234567890', and '1.5', '1.0', 'None', 'True' beside it). A numeric input still gets the
 * refusal it got, and a model without MLflow's cast still refuses the body as it is read.
 */
import { describe, expect, it } from "vitest";
import type { TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { thrownError } from "../../../test/support/thrownError.js";

const BIG = "123456789012345678901234567890";
const TEXT: TensorSpec[] = [{ name: "x", datatype: "BYTES", shape: [-1] }];
const TEXT_COLUMN: TensorSpec[] = [{ name: "x", datatype: "BYTES", shape: [-1, 1] }];
const NUMBERS: TensorSpec[] = [{ name: "x", datatype: "FP64", shape: [-1] }];
const ONNX = { typedInputs: true, textForStringInputs: true };

const adapted = (body: string, specs: TensorSpec[], options: object = ONNX) =>
  adaptInput(mlflowRequest(body, "application/json", options).input, specs);
const textOf = (body: string, specs = TEXT): unknown[] =>
  Array.from(adapted(body, specs)[0]?.data as string[]);
const refusal = (where: string): string =>
  `Invalid input. ${where} cannot be typed as a tensor: ${BIG} lies beyond the 64-bit integers, so numpy would ` +
  "hold it as Python objects (dtype object); send integers within INT64, or within UINT64 from 0 up, or floats";

describe("integers beyond 64 bits sent to an ONNX string input", () => {
  it("writes every digit, beside the other leaves as Python's str", () => {
    expect(textOf(`{"inputs": [${BIG}, 1.5, 1.0, null, true]}`)).toEqual([BIG, "1.5", "1.0", "None", "True"]);
    expect(textOf(`{"inputs": {"x": [-${BIG}, 2]}}`)).toEqual([`-${BIG}`, "2"]);
    expect(textOf(`{"instances": [${BIG}, 2]}`)).toEqual([BIG, "2"]);
    expect(textOf(`{"instances": {"x": [${BIG}, 2]}}`)).toEqual([BIG, "2"]);
    expect(textOf(`{"inputs": [[${BIG}], [1]]}`, TEXT_COLUMN)).toEqual([BIG, "1"]);
    expect(textOf(`{"inputs": {"x": [[${BIG}], [2]]}}`, TEXT_COLUMN)).toEqual([BIG, "2"]);
  });

  it("gives a numeric input the refusal it got as the body was read", () => {
    expect(thrownError(() => adapted(`{"inputs": [${BIG}, 1]}`, NUMBERS)).message).toBe(refusal("inputs"));
    expect(thrownError(() => adapted(`{"inputs": {"x": [${BIG}]}}`, NUMBERS)).message).toBe(
      refusal("inputs 'x'"),
    );
    expect(thrownError(() => adapted(`{"instances": [${BIG}]}`, NUMBERS)).message).toBe(refusal("instances"));
    const two: TensorSpec[] = [TEXT[0] as TensorSpec, { name: "y", datatype: "INT64", shape: [-1] }];
    expect(thrownError(() => adapted(`{"inputs": {"x": ["a"], "y": [${BIG}]}}`, two)).message).toBe(
      refusal("inputs 'y'"),
    );
  });

  it("still refuses them as the body is read for a model without MLflow's string cast", () => {
    const read = () => mlflowRequest(`{"inputs": [${BIG}]}`, "application/json", { typedInputs: true });
    expect(thrownError(read).message).toBe(refusal("inputs"));
  });
});
