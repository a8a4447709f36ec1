import { describe, expect, it } from "vitest";

import { answerJson } from "./answerJson.js";

describe("answerJson's shared builder", () => {
  it("gives each answer its own bytes, before and after a large one", () => {
    const first = answerJson({ predictions: new Float64Array([7, 2.5]) }, "mlflow");
    const large = answerJson({ predictions: new Float64Array(300_000).fill(1.25) }, "mlflow");
    const second = answerJson({ predictions: new Float32Array([1e-5]) }, "orjson");
    expect(first.toString()).toBe('{"predictions":[7.0,2.5]}');
    expect(large.length).toBeGreaterThan(1 << 20);
    expect(second.toString()).toBe('{"predictions":[9.999999747378752e-6]}');
  });

  it("starts the next answer clean after a write that threw", () => {
    const failing = {
      get predictions(): never {
        throw new Error("no value");
      },
      before: "x",
    };
    expect(() => answerJson({ a: 1, nested: failing }, "mlflow")).toThrow("no value");
    expect(answerJson({ predictions: [1, 2] }, "mlflow").toString()).toBe('{"predictions":[1,2]}');
  });
});
