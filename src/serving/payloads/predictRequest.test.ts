import { describe, expect, it } from "vitest";
import { adaptInput } from "./adaptInput.js";
import { mlflowRequest } from "./mlflowPayload.js";
import { copyPredictRequest } from "./predictRequest.js";

describe("copyPredictRequest", () => {
  it("copies a frame that remembers float literals (structuredClone cannot copy its function)", () => {
    const request = mlflowRequest(
      '{"dataframe_split": {"columns": ["a", "b"], "data": [[1.0, 1], [2, 2]]}}',
      "application/json",
    );
    expect(() => structuredClone(request)).toThrow();
    const copy = copyPredictRequest(request);
    if (copy.input.kind !== "frame" || request.input.kind !== "frame") throw new Error("expected frames");
    expect(copy.input.rows).toEqual(request.input.rows);
    expect(copy.input.rows).not.toBe(request.input.rows);
    const types = (r: typeof request) => adaptInput(r.input, []).map((t) => `${t.name}:${t.datatype}`);
    expect(types(copy)).toEqual(["a:FP64", "b:INT64"]);
    expect(types(request)).toEqual(["a:FP64", "b:INT64"]);
  });

  it("copies any other request whole", () => {
    const request = mlflowRequest('{"inputs": [[1, 2]]}', "application/json");
    expect(copyPredictRequest(request)).toEqual(request);
  });
});
