import { describe, expect, it } from "vitest";
import { agreementOf, predictionsOf } from "./shadowRequests.js";

describe("agreementOf", () => {
  it("counts rows whose predictions are equal", () => {
    expect(agreementOf([1, 0, "cat"], [1, 1, "cat"])).toEqual({ compared: 3, agreed: 2 });
  });

  it("counts a row only one side answered as a disagreement", () => {
    expect(agreementOf([1, 2], [1])).toEqual({ compared: 2, agreed: 1 });
  });

  it("treats two NaN predictions as agreeing", () => {
    expect(agreementOf([Number.NaN], [Number.NaN])).toEqual({ compared: 1, agreed: 1 });
  });
});

describe("predictionsOf", () => {
  it("reads one value per row of the first output", () => {
    expect(
      predictionsOf([{ name: "y", datatype: "FP64", shape: [2], data: new Float64Array([4, 5]) }]),
    ).toEqual([4, 5]);
  });
});
