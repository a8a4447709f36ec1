import { describe, expect, it } from "vitest";
import { createAnalysisRun, recordMeasurement, type MeasurementOutcome } from "./analysisRun.js";
import { judged, T0, template, unsure } from "./analysisRunFixtures.js";

describe("judging a measurement", () => {
  const judge = (conditions: Record<string, string>, outcome: MeasurementOutcome) =>
    recordMeasurement(createAnalysisRun(template([{ ...conditions }]), {}, T0), "m", outcome, T0).results[0]
      ?.measurements[0];

  it("fails a value that meets the failure condition even if it meets the success condition", () => {
    expect(
      judge({ successCondition: "result < 1", failureCondition: "result >= 0" }, { value: 0 })?.phase,
    ).toBe("Failed");
  });

  it("is inconclusive when neither condition holds", () => {
    expect(judge(judged, unsure)?.phase).toBe("Inconclusive");
  });

  it("fails a value that misses the success condition when there is no failure condition (Argo)", () => {
    expect(judge({ successCondition: "result < 0.1" }, unsure)?.phase).toBe("Failed");
  });

  it("passes a value that misses the failure condition when there is no success condition", () => {
    expect(judge({ failureCondition: "result > 0.9" }, unsure)?.phase).toBe("Successful");
  });

  it("passes any value when there are no conditions", () => {
    expect(judge({}, { value: [1, 2] })?.phase).toBe("Successful");
  });

  it("records an evaluation failure as an Error measurement with the reason", () => {
    expect(judge({ successCondition: "result[2] < 1" }, { value: [0.5] })).toMatchObject({
      phase: "Error",
      message: "index 2 out of range for a vector of length 1",
    });
  });

  it("keeps the value and the conditions so an event can say what failed", () => {
    expect(judge(judged, { value: [0.95] as unknown as number })).toMatchObject({
      phase: "Error",
      value: [0.95],
      successCondition: "result < 0.1",
      failureCondition: "result > 0.9",
      finishedAt: T0,
    });
    expect(judge({ failureCondition: "result[0] > 0.9" }, { value: [0.95] })).toMatchObject({
      phase: "Failed",
      value: [0.95],
      failureCondition: "result[0] > 0.9",
    });
  });
});
