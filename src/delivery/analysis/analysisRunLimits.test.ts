import { describe, expect, it } from "vitest";
import { createAnalysisRun } from "./analysisRun.js";
import { bad, broken, judged, ok, phases, record, T0, template, unsure } from "./analysisRunFixtures.js";

describe("limits", () => {
  it.each([
    [0, ["Failed"]],
    [1, ["Running", "Failed"]],
    [2, ["Running", "Running", "Failed"]],
  ])("fails when failures exceed failureLimit %d", (failureLimit, expected) => {
    const run = createAnalysisRun(template([{ interval: "10s", failureLimit, ...judged }]), {}, T0);
    expect(
      phases(
        record(
          run,
          expected.map(() => bad),
        ),
      ),
    ).toEqual(expected);
  });

  it("counts a provider's inconclusive measurement against inconclusiveLimit, with its message kept", () => {
    const run = createAnalysisRun(template([{ interval: "10s", inconclusiveLimit: 1, ...judged }]), {}, T0);
    const thin = { inconclusive: "3 requests to the candidate in the last 10s; 20 needed" };
    const states = record(run, [thin, thin]);
    expect(phases(states)).toEqual(["Running", "Inconclusive"]);
    const last = states[1]?.results[0]?.measurements.at(-1);
    expect(last?.phase).toBe("Inconclusive");
    expect(last?.message).toContain("20 needed");
  });

  it("never fails on failures when failureLimit is -1", () => {
    const run = createAnalysisRun(
      template([{ interval: "10s", count: 3, failureLimit: -1, ...judged }]),
      {},
      T0,
    );
    expect(phases(record(run, [bad, bad, bad]))).toEqual(["Running", "Running", "Successful"]);
  });

  it.each([
    [0, ["Inconclusive"]],
    [1, ["Running", "Inconclusive"]],
  ])(
    "is inconclusive when inconclusive measurements exceed inconclusiveLimit %d",
    (inconclusiveLimit, expected) => {
      const run = createAnalysisRun(template([{ interval: "10s", inconclusiveLimit, ...judged }]), {}, T0);
      expect(
        phases(
          record(
            run,
            expected.map(() => unsure),
          ),
        ),
      ).toEqual(expected);
    },
  );

  it("errors after more than the default 4 consecutive errors", () => {
    const run = createAnalysisRun(template([{ interval: "10s" }]), {}, T0);
    const states = record(run, [broken, broken, broken, broken, broken]);
    expect(phases(states)).toEqual(["Running", "Running", "Running", "Running", "Error"]);
    expect(states[4]?.results[0]?.message).toBe(
      "consecutiveErrors (5) > consecutiveErrorLimit (4): prometheus: connection refused",
    );
  });

  it("errors on the first error when consecutiveErrorLimit is 0", () => {
    const run = createAnalysisRun(template([{ interval: "10s", consecutiveErrorLimit: 0 }]), {}, T0);
    expect(phases(record(run, [broken]))).toEqual(["Error"]);
  });

  it("resets the consecutive error count on a measurement that is not an error", () => {
    const run = createAnalysisRun(
      template([{ interval: "10s", consecutiveErrorLimit: 1, inconclusiveLimit: 5, ...judged }]),
      {},
      T0,
    );
    const states = record(run, [broken, unsure, broken, bad]);
    expect(states[2]?.results[0]).toMatchObject({ error: 2, consecutiveError: 1, phase: "Running" });
    expect(states[3]?.phase).toBe("Failed");
  });

  it("does not count errors towards count", () => {
    const run = createAnalysisRun(template([{ interval: "10s", count: 2 }]), {}, T0);
    const states = record(run, [broken, ok, broken, ok]);
    expect(phases(states)).toEqual(["Running", "Running", "Running", "Successful"]);
    expect(states[3]?.results[0]).toMatchObject({ count: 2, error: 2, successful: 2 });
  });

  it("succeeds early once consecutiveSuccessLimit successes come in a row", () => {
    const run = createAnalysisRun(
      template([{ interval: "10s", count: 10, failureLimit: 3, consecutiveSuccessLimit: 2, ...judged }]),
      {},
      T0,
    );
    const states = record(run, [ok, bad, ok, ok]);
    expect(phases(states)).toEqual(["Running", "Running", "Running", "Successful"]);
    expect(states[3]?.results[0]?.message).toBe(
      "consecutiveSuccesses (2) reached consecutiveSuccessLimit (2)",
    );
  });

  it("is inconclusive when count is reached with neither limit reached", () => {
    const run = createAnalysisRun(
      template([{ interval: "10s", count: 4, failureLimit: 2, consecutiveSuccessLimit: 3, ...judged }]),
      {},
      T0,
    );
    expect(phases(record(run, [ok, bad, ok, ok]))).toEqual(["Running", "Running", "Running", "Inconclusive"]);
  });

  it("fails when count is reached without the required successes and failures do not apply", () => {
    const run = createAnalysisRun(
      template([{ interval: "10s", count: 3, failureLimit: -1, consecutiveSuccessLimit: 3, ...judged }]),
      {},
      T0,
    );
    expect(phases(record(run, [ok, bad, ok]))).toEqual(["Running", "Running", "Failed"]);
  });

  it("breaks a success streak with an error", () => {
    const run = createAnalysisRun(template([{ interval: "10s", consecutiveSuccessLimit: 2 }]), {}, T0);
    const states = record(run, [ok, broken, ok]);
    expect(states[2]?.results[0]).toMatchObject({ consecutiveSuccess: 1, phase: "Running" });
  });
});
