/**
 * Regression: values numpy cannot cast to the signature's types were refused in FlowOps' own words ("is not a
 * rectangular nested list", "holds an object", "mixes strings with numbers") where MLflow's parsing gives numpy's
 * message. Expected answers are mlflow 3.17.2's scoring_server.invocations (numpy 2.4) for ONNX Identity graphs of
 * tensor(float) and tensor(string) input x, under a column signature, a (-1,) tensor signature and none.
 */
import { describe, expect, it } from "vitest";
import type { ModelSignature } from "../signature.js";
import type { TensorSpec } from "../tensor.js";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { v1Request } from "./v1Payload.js";
import { thrownError } from "../../../test/support/thrownError.js";

const FLOAT_SPECS: TensorSpec[] = [{ name: "x", datatype: "FP32", shape: [-1] }];
const TEXT_SPECS: TensorSpec[] = [{ name: "x", datatype: "BYTES", shape: [-1] }];
const FLOAT_COLUMN: ModelSignature = {
  kind: "columns",
  inputs: [{ name: "x", type: "float", required: true }],
};
const FLOAT_TENSOR: ModelSignature = {
  kind: "tensors",
  inputs: [{ name: "x", dtype: "float32", shape: [-1] }],
};
const TEXT_COLUMN: ModelSignature = {
  kind: "columns",
  inputs: [{ name: "x", type: "string", required: true }],
};
const OBJECT_TENSOR: ModelSignature = {
  kind: "tensors",
  inputs: [{ name: "x", dtype: "object", shape: [-1] }],
};

const adapted = (body: unknown, specs: TensorSpec[], signature?: ModelSignature) =>
  adaptInput(
    mlflowRequest(JSON.stringify(body), "application/json", { typedInputs: true, textForStringInputs: true })
      .input,
    specs,
    signature,
  );
const answer = (body: unknown, specs: TensorSpec[], signature?: ModelSignature) => {
  const error = thrownError(() => adapted(body, specs, signature));
  return { code: (error as { code?: string }).code, message: error.message };
};
const invalid = (message: string) => ({ code: "BAD_REQUEST", message: `Invalid input. ${message}` });
const inhomogeneous = (dims: number, shape: string) =>
  "setting an array element with a sequence. The requested array has an inhomogeneous shape after " +
  `${dims} dimensions. The detected shape was ${shape} + inhomogeneous part.`;
const NOT_DICT = "float() argument must be a string or a real number, not 'dict'";

describe("a dict among values for a float input", () => {
  it.each([
    { inputs: { x: [{ k: 1 }, 2.0] } },
    { instances: { x: [{ k: 1 }, 2.0] } },
    { inputs: [{ k: 1 }, 2.0] },
  ])("%j is refused with numpy's TypeError under column and tensor signatures", (body) => {
    expect(answer(body, FLOAT_SPECS, FLOAT_COLUMN)).toEqual(invalid(NOT_DICT));
    expect(answer(body, FLOAT_SPECS, FLOAT_TENSOR)).toEqual(invalid(NOT_DICT));
  });

  it("is refused for the first leaf numpy cannot cast, text before a later dict", () => {
    expect(answer({ inputs: { x: ["1.5", "a", { k: 1 }] } }, FLOAT_SPECS, FLOAT_COLUMN)).toEqual(
      invalid("could not convert string to float: 'a'"),
    );
    expect(answer({ inputs: { x: [{ k: 1 }, "a"] } }, FLOAT_SPECS, FLOAT_TENSOR)).toEqual(invalid(NOT_DICT));
    expect(answer({ inputs: { x: ["a", 1] } }, FLOAT_SPECS, FLOAT_COLUMN)).toEqual(
      invalid("could not convert string to float: 'a'"),
    );
  });
});

describe("ragged lists", () => {
  const bodies: [unknown, string][] = [
    [
      {
        inputs: {
          x: [
            [1, 2],
            [1, 2, 3],
          ],
        },
      },
      inhomogeneous(1, "(2,)"),
    ],
    [
      {
        instances: {
          x: [
            [1, 2],
            [1, 2, 3],
          ],
        },
      },
      inhomogeneous(1, "(2,)"),
    ],
    [
      {
        inputs: [
          [1, 2],
          [1, 2, 3],
        ],
      },
      inhomogeneous(1, "(2,)"),
    ],
    [
      {
        instances: [
          [1, 2],
          [1, 2, 3],
        ],
      },
      inhomogeneous(1, "(2,)"),
    ],
    [{ inputs: { x: [["a", "b"], ["a"]] } }, inhomogeneous(1, "(2,)")],
    [{ inputs: { x: [[1, 2], 3] } }, inhomogeneous(1, "(2,)")],
    [
      {
        inputs: {
          x: [
            [1, [2]],
            [3, 4],
          ],
        },
      },
      inhomogeneous(2, "(2, 2)"),
    ],
  ];

  it.each(bodies)(
    "%j is refused with numpy's ValueError for float, string and no signatures",
    (body, message) => {
      expect(answer(body, FLOAT_SPECS, FLOAT_COLUMN)).toEqual(invalid(message));
      expect(answer(body, FLOAT_SPECS, FLOAT_TENSOR)).toEqual(invalid(message));
      expect(answer(body, FLOAT_SPECS)).toEqual(invalid(message));
      expect(answer(body, TEXT_SPECS, TEXT_COLUMN)).toEqual(invalid(message));
      expect(answer(body, TEXT_SPECS)).toEqual(invalid(message));
    },
  );

  it("reach a (-1,) object tensor signature as an object array of the lists' text", () => {
    expect(
      adapted(
        {
          inputs: {
            x: [
              [1, 2],
              [1, 2, 3],
            ],
          },
        },
        TEXT_SPECS,
        OBJECT_TENSOR,
      ),
    ).toEqual([{ name: "x", datatype: "BYTES", shape: [2], data: ["[1, 2]", "[1, 2, 3]"] }]);
    expect(adapted({ inputs: { x: [[1, 2], 3] } }, TEXT_SPECS, OBJECT_TENSOR)[0]?.data).toEqual([
      "[1, 2]",
      "3",
    ]);
    expect(adapted({ inputs: { x: [[[1], [2]], [[1]]] } }, TEXT_SPECS, OBJECT_TENSOR)[0]?.data).toEqual([
      "[[1], [2]]",
      "[[1]]",
    ]);
  });

  it("keep KServe V1's own wording", () => {
    const error = thrownError(() =>
      v1Request({
        inputs: {
          x: [
            [1, 2],
            [1, 2, 3],
          ],
        },
      }),
    );
    expect(error.message).toMatch(/is not a rectangular nested list/);
  });
});

describe("uneven instances records", () => {
  const stacking = (shape: string) =>
    invalid(
      `Ensure that the input is a valid JSON-formatted string.\nError: ValueError('${inhomogeneous(1, shape)}')`,
    );

  it("refuses text for a float signature with float()'s message before the stacking", () => {
    const body = { instances: [{ x: ["a", "b"] }, { x: ["a", "b", "c"] }] };
    expect(answer(body, FLOAT_SPECS, FLOAT_COLUMN)).toEqual(
      invalid("could not convert string to float: 'a'"),
    );
    expect(answer(body, FLOAT_SPECS, FLOAT_TENSOR)).toEqual(
      invalid("could not convert string to float: 'a'"),
    );
    expect(answer(body, FLOAT_SPECS)).toEqual(stacking("(2,)"));
    expect(answer(body, TEXT_SPECS, TEXT_COLUMN)).toEqual(stacking("(2,)"));
  });

  it("casts every record before stacking: a later record's text or dict comes first", () => {
    const text = { instances: [{ x: [1, 2] }, { x: ["a", "b", "c"] }] };
    expect(answer(text, FLOAT_SPECS, FLOAT_COLUMN)).toEqual(
      invalid("could not convert string to float: 'a'"),
    );
    const dict = { instances: [{ x: [1, 2] }, { x: [{ k: 1 }, 2, 3] }] };
    expect(answer(dict, FLOAT_SPECS, FLOAT_TENSOR)).toEqual(invalid(NOT_DICT));
    expect(answer(dict, TEXT_SPECS, TEXT_COLUMN)).toEqual(stacking("(2,)"));
  });

  it("lets an object tensor signature take a ragged record value, refusing only the stacking", () => {
    const body = { instances: [{ x: [1, [2]] }, { x: ["a"] }] };
    expect(answer(body, TEXT_SPECS, OBJECT_TENSOR)).toEqual(stacking("(2,)"));
    expect(answer(body, TEXT_SPECS, TEXT_COLUMN)).toEqual(invalid(inhomogeneous(1, "(2,)")));
  });
});
