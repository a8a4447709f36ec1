import { describe, expect, it } from "vitest";
import { mlflowResponseBody } from "./mlflowPayload.js";

describe("mlflowResponseBody", () => {
  it("leaves a finite answer to the server's serializer", () => {
    const answer = {
      predictions: [
        [1, 2.5],
        [null, 3],
      ],
    };
    expect(mlflowResponseBody(answer)).toBe(answer);
  });

  it("writes NaN and the infinities as Python's json.dump does, anywhere in the answer", () => {
    const answer = {
      predictions: [
        { p: Number.NaN, q: "NaN" },
        { p: Number.POSITIVE_INFINITY, q: [Number.NEGATIVE_INFINITY, 1] },
      ],
    };
    // Observed: json.dump({"predictions": [...]}, cls=NumpyEncoder) in MLflow's scoring server.
    expect(mlflowResponseBody(answer)).toBe(
      '{"predictions":[{"p":NaN,"q":"NaN"},{"p":Infinity,"q":[-Infinity,1]}]}',
    );
  });
});
