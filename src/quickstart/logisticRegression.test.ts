import { describe, expect, it } from "vitest";
import { evaluate, makeBlobs, train } from "./logisticRegression.js";

describe("quickstart logistic regression", () => {
  it("learns the two blobs: loss falls and accuracy ends above 0.9", () => {
    const data = makeBlobs(200, 7);
    const epochs: number[] = [];
    const model = train(data, { learningRate: 0.5, epochs: 20, samples: 200, seed: 7 }, (m) =>
      epochs.push(m.loss),
    );
    expect(epochs[epochs.length - 1]).toBeLessThan(epochs[0] as number);
    expect(evaluate(model, data).accuracy).toBeGreaterThan(0.9);
  });

  it("is deterministic for a seed", () => {
    expect(makeBlobs(10, 3)).toEqual(makeBlobs(10, 3));
    expect(makeBlobs(10, 3)).not.toEqual(makeBlobs(10, 4));
  });
});
