import { describe, expect, it } from "vitest";
import { toOutcome } from "./metricProvider.js";

describe("toOutcome", () => {
  it("passes a measured value on to the run, and an empty one as nil", () => {
    expect(toOutcome({ phase: "Successful", value: [0.2, 0.3] })).toEqual({ value: [0.2, 0.3] });
    expect(toOutcome({ phase: "Successful" })).toEqual({ value: null });
  });

  it("turns a provider error into an Error outcome with its message", () => {
    expect(toOutcome({ phase: "Error", message: "timeout after 30 s" })).toEqual({
      error: "timeout after 30 s",
    });
    expect(toOutcome({ phase: "Error" })).toEqual({
      error: "the provider reported an error without a message",
    });
  });

  it("records nothing while a measurement is still running", () => {
    expect(toOutcome({ phase: "Running", resumeAt: 5 })).toBeUndefined();
  });
});
