import { describe, expect, it } from "vitest";
import {
  createAnalysisRun,
  dueMeasurements,
  ERROR_RETRY_INTERVAL_MS,
  nextWakeAt,
  recordMeasurement,
  recordMeasurements,
  terminate,
  type AnalysisRunState,
  type MeasurementOutcome,
} from "./analysisRun.js";
import { parseAnalysisTemplate, type AnalysisTemplate } from "./analysisTemplate.js";

const T0 = 1_700_000_000_000;
const provider = { flowops: { metric: "error_rate" } };

function template(metrics: Record<string, unknown>[], extra: Record<string, unknown> = {}): AnalysisTemplate {
  const doc = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: "t" },
    spec: { metrics: metrics.map((m) => ({ name: "m", provider, ...m })), ...extra },
  };
  return parseAnalysisTemplate(JSON.stringify(doc), "t.yaml");
}

/** Records outcomes for metric `m`, one per second, and returns the state after each. */
function record(state: AnalysisRunState, outcomes: MeasurementOutcome[], metric = "m"): AnalysisRunState[] {
  const states: AnalysisRunState[] = [];
  let current = state;
  outcomes.forEach((outcome, i) => {
    current = recordMeasurement(current, metric, outcome, T0 + (i + 1) * 1000);
    states.push(current);
  });
  return states;
}

const ok = { value: 0 };
const bad = { value: 1 };
const unsure = { value: 0.5 };
const broken = { error: "prometheus: connection refused" };
/** Success below 0.1, failure above 0.9, inconclusive in between. */
const judged = { successCondition: "result < 0.1", failureCondition: "result > 0.9" };

const phases = (states: AnalysisRunState[]): string[] => states.map((s) => s.phase);

describe("measurement schedule", () => {
  it("takes one measurement when neither interval nor count is given", () => {
    const run = createAnalysisRun(template([{}]), {}, T0);
    expect(run.phase).toBe("Pending");
    expect(dueMeasurements(run, T0)).toEqual(["m"]);
    const done = recordMeasurement(run, "m", ok, T0 + 5);
    expect(done.phase).toBe("Successful");
    expect(done.finishedAt).toBe(T0 + 5);
    expect(dueMeasurements(done, T0 + 3_600_000)).toEqual([]);
    expect(nextWakeAt(done)).toBeUndefined();
  });

  it("waits for initialDelay before the first measurement", () => {
    const run = createAnalysisRun(template([{ initialDelay: "1m" }]), {}, T0);
    expect(dueMeasurements(run, T0 + 59_999)).toEqual([]);
    expect(dueMeasurements(run, T0 + 60_000)).toEqual(["m"]);
    expect(nextWakeAt(run)).toBe(T0 + 60_000);
  });

  it("measures again one interval after the previous measurement finished", () => {
    let run = createAnalysisRun(template([{ interval: "30s", count: 3 }]), {}, T0);
    run = recordMeasurement(run, "m", ok, T0 + 2_000);
    expect(run.phase).toBe("Running");
    expect(nextWakeAt(run)).toBe(T0 + 32_000);
    expect(dueMeasurements(run, T0 + 31_999)).toEqual([]);
    expect(dueMeasurements(run, T0 + 32_000)).toEqual(["m"]);
  });

  it("stops at count and succeeds, failures under the limit notwithstanding", () => {
    const run = createAnalysisRun(
      template([{ interval: "10s", count: 3, failureLimit: 1, ...judged }]),
      {},
      T0,
    );
    const states = record(run, [ok, bad, ok]);
    expect(phases(states)).toEqual(["Running", "Running", "Successful"]);
    expect(states[2]?.results[0]?.message).toBe("count (3) reached");
  });

  it("keeps measuring forever with an interval and no count, until terminated", () => {
    let run = createAnalysisRun(template([{ interval: "10s" }]), {}, T0);
    for (const state of record(
      run,
      Array.from({ length: 20 }, () => ok),
    ))
      run = state;
    expect(run.phase).toBe("Running");
    expect(run.results[0]?.count).toBe(20);
    expect(run.results[0]?.measurements).toHaveLength(10);
    const stopped = terminate(run, T0 + 100_000);
    expect(stopped.phase).toBe("Successful");
    expect(stopped.results[0]?.message).toBe("run terminated");
    expect(dueMeasurements(stopped, T0 + 200_000)).toEqual([]);
  });

  it("retries an errored metric without an interval after 10 s, and with one after its interval", () => {
    const once = recordMeasurement(createAnalysisRun(template([{}]), {}, T0), "m", broken, T0 + 1);
    expect(once.phase).toBe("Running");
    expect(nextWakeAt(once)).toBe(T0 + 1 + ERROR_RETRY_INTERVAL_MS);
    const periodic = recordMeasurement(
      createAnalysisRun(template([{ interval: "1m" }]), {}, T0),
      "m",
      broken,
      T0 + 1,
    );
    expect(nextWakeAt(periodic)).toBe(T0 + 1 + 60_000);
  });

  it("wakes at the earliest due metric", () => {
    let run = createAnalysisRun(
      template([
        { name: "a", interval: "1m" },
        { name: "b", interval: "20s" },
      ]),
      {},
      T0,
    );
    expect(dueMeasurements(run, T0)).toEqual(["a", "b"]);
    run = recordMeasurement(run, "a", ok, T0);
    run = recordMeasurement(run, "b", ok, T0 + 5_000);
    expect(nextWakeAt(run)).toBe(T0 + 25_000);
  });
});

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

describe("run phase", () => {
  const two = () =>
    createAnalysisRun(
      template([
        { name: "errors", interval: "10s", ...judged },
        { name: "latency", interval: "10s", ...judged },
      ]),
      {},
      T0,
    );

  it("fails the run when one metric fails, and completes the others as Successful", () => {
    let run = recordMeasurement(two(), "latency", ok, T0);
    run = recordMeasurement(run, "errors", bad, T0 + 1);
    expect(run.phase).toBe("Failed");
    expect(run.results.map((r) => r.phase)).toEqual(["Failed", "Successful"]);
    expect(dueMeasurements(run, T0 + 60_000)).toEqual([]);
    expect(nextWakeAt(run)).toBeUndefined();
  });

  it.each([
    [{ a: unsure, c: broken }, "Error"],
    [{ a: bad, b: unsure, c: broken }, "Failed"],
    [{ a: unsure, b: ok }, "Inconclusive"],
    [{ a: ok, b: ok, c: ok }, "Successful"],
  ])("takes the worst phase of metrics measured together: %j is %s", (outcomes, expected) => {
    const run = createAnalysisRun(
      template([
        { name: "a", ...judged },
        { name: "b", ...judged },
        { name: "c", consecutiveErrorLimit: 0 },
      ]),
      {},
      T0,
    );
    const state = recordMeasurements(run, outcomes, T0);
    expect(state.phase).toBe(expected);
    for (const name of Object.keys(outcomes)) {
      expect(state.results.find((r) => r.name === name)?.measurements).toHaveLength(1);
    }
  });

  it("never lets a dry-run metric fail the run or stop the others", () => {
    const run = createAnalysisRun(
      template(
        [
          { name: "shadow", interval: "10s", ...judged },
          { name: "real", interval: "10s", count: 2, ...judged },
        ],
        { dryRun: [{ metricName: "shadow" }] },
      ),
      {},
      T0,
    );
    let state = recordMeasurement(run, "shadow", bad, T0);
    expect(state.results[0]?.phase).toBe("Failed");
    expect(state.phase).toBe("Running");
    expect(dueMeasurements(state, T0)).toEqual(["real"]);
    state = recordMeasurement(recordMeasurement(state, "real", ok, T0), "real", ok, T0 + 10_000);
    expect(state.phase).toBe("Successful");
  });

  it("completes metrics that never measured as Successful when terminated", () => {
    const run = terminate(createAnalysisRun(template([{ initialDelay: "5m" }]), {}, T0), T0 + 1);
    expect(run.phase).toBe("Successful");
    expect(run.finishedAt).toBe(T0 + 1);
  });

  it("refuses a measurement for a completed metric or an unknown one", () => {
    const done = recordMeasurement(createAnalysisRun(template([{}]), {}, T0), "m", ok, T0);
    expect(() => recordMeasurement(done, "m", ok, T0)).toThrow("metric 'm' is already Successful");
    expect(() => recordMeasurement(done, "nope", ok, T0)).toThrow("has no metric 'nope' (metrics: m)");
  });

  it("continues identically after a JSON round trip", () => {
    const run = recordMeasurement(two(), "errors", ok, T0);
    const revived = JSON.parse(JSON.stringify(run)) as AnalysisRunState;
    expect(recordMeasurement(revived, "latency", ok, T0 + 10_000)).toEqual(
      recordMeasurement(run, "latency", ok, T0 + 10_000),
    );
  });
});

describe("arguments", () => {
  const withArgs = (condition: string) =>
    template(
      [
        {
          successCondition: condition,
          provider: {
            prometheus: { address: "http://p:9090", query: 'rate(x{svc="{{args.service}}"}[1m])' },
          },
        },
      ],
      { args: [{ name: "service" }, { name: "threshold", value: "0.95" }] },
    );

  it("substitutes supplied arguments and template defaults", () => {
    const run = createAnalysisRun(withArgs("result >= {{ args.threshold }}"), { service: "iris" }, T0);
    expect(run.metrics[0]?.provider.prometheus?.query).toBe('rate(x{svc="iris"}[1m])');
    expect(run.metrics[0]?.successCondition).toBe("result >= 0.95");
  });

  it("rejects a run whose argument has no value", () => {
    expect(() => createAnalysisRun(withArgs("result > 0"), {}, T0)).toThrow(
      "argument 'service' has no value and none was supplied",
    );
  });

  it("rejects a condition that only breaks once its arguments are resolved", () => {
    expect(() =>
      createAnalysisRun(withArgs("result >= {{args.threshold}}"), { service: "a", threshold: "0.9)" }, T0),
    ).toThrow("spec.metrics[0].successCondition: unexpected ')' at column 14");
  });

  it("rejects an {{args.*}} reference to an undeclared argument", () => {
    expect(() => createAnalysisRun(withArgs("result > {{args.limit}}"), { service: "a" }, T0)).toThrow(
      "'{{args.limit}}' names an undeclared argument",
    );
  });
});
