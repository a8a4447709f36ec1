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
} from "./analysisRun.js";
import { bad, broken, judged, ok, phases, record, T0, template, unsure } from "./analysisRunFixtures.js";

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
