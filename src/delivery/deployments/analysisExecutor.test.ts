import { describe, expect, it } from "vitest";
import { parseAnalysisTemplate, type AnalysisTemplate } from "../analysis/analysisTemplate.js";
import type { AnalysisMetric } from "../analysis/analysisTemplate.js";
import type { MetricProvider, ProviderMeasurement } from "../analysis/metricProvider.js";
import { parseRolloutSpec } from "../rollout/rolloutSpec.js";
import { createRollout, type RolloutAction } from "../rollout/rolloutState.js";
import { AnalysisExecutor } from "./analysisExecutor.js";

function template(
  name: string,
  metrics: { name: string; metric: string; failure: string }[],
): AnalysisTemplate {
  const lines = metrics.map(
    (m) => `    - name: ${m.name}
      interval: 1s
      failureCondition: ${m.failure}
      provider:
        flowops: {metric: ${m.metric}}`,
  );
  const yaml = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: ${name}}
spec:
  metrics:
${lines.join("\n")}
`;
  return parseAnalysisTemplate(yaml, `${name}.yaml`);
}

/** Answers each flowops metric with a fixed value; `gate` holds measurements back until released. */
class FixedProvider implements MetricProvider {
  readonly type = "flowops";
  calls = 0;
  gate: Promise<void> = Promise.resolve();

  constructor(private readonly values: Record<string, number>) {}

  async measure(metric: AnalysisMetric): Promise<ProviderMeasurement> {
    this.calls += 1;
    await this.gate;
    const name = metric.provider.flowops?.metric ?? "";
    return { phase: "Successful", value: this.values[name] ?? 0 };
  }
}

const state = createRollout(
  parseRolloutSpec("strategy:\n  canary:\n    steps:\n      - setWeight: 100\n", "rollout.yaml"),
  "v1",
);
const action = (templates: string[]): Extract<RolloutAction, { type: "startAnalysis" }> => ({
  type: "startAnalysis",
  runId: "rev1.0-background-1",
  kind: "background",
  templates,
  args: [],
});

describe("AnalysisExecutor", () => {
  it("completes a run over several templates with the worst phase and only the failing values", async () => {
    const templates = new Map([
      ["errors", template("errors", [{ name: "rate", metric: "error_rate", failure: "result > 0.05" }])],
      ["latency", template("latency", [{ name: "rate", metric: "latency_p99", failure: "result > 0.5" }])],
    ]);
    const executor = new AnalysisExecutor({
      providers: [new FixedProvider({ error_rate: 0.3, latency_p99: 0.1 })],
    });
    const started = executor.start("churn", action(["errors", "latency"]), templates, 0);
    expect(started.touched[0]?.state.metrics.map((m) => m.name)).toEqual(["rate", "latency.rate"]);

    const measured = await executor.measureDue("churn", state, 0);
    const update = executor.record("churn", measured, 10);
    expect(update.inputs).toEqual([
      {
        type: "analysisCompleted",
        runId: "rev1.0-background-1",
        phase: "Failed",
        failures: [{ metric: "rate", value: "0.3", condition: "result > 0.05" }],
      },
    ]);
    expect(executor.hasActive("churn")).toBe(false);
  });

  it("reports analysisJudged once every metric has a successful measurement", async () => {
    const templates = new Map([
      ["errors", template("errors", [{ name: "rate", metric: "error_rate", failure: "result > 0.05" }])],
    ]);
    const executor = new AnalysisExecutor({ providers: [new FixedProvider({ error_rate: 0.01 })] });
    executor.start("churn", action(["errors"]), templates, 0);
    const first = executor.record("churn", await executor.measureDue("churn", state, 0), 0);
    expect(first.inputs).toEqual([{ type: "analysisJudged", runId: "rev1.0-background-1" }]);
    const second = executor.record("churn", await executor.measureDue("churn", state, 1000), 1000);
    expect(second.inputs).toEqual([]);
    expect(second.touched).toHaveLength(1);
  });

  it("never starts a second measurement of a run while one is in flight", async () => {
    const templates = new Map([
      ["errors", template("errors", [{ name: "rate", metric: "error_rate", failure: "result > 0.05" }])],
    ]);
    const provider = new FixedProvider({ error_rate: 0.01 });
    let release = (): void => undefined;
    provider.gate = new Promise((resolve) => {
      release = resolve;
    });
    const executor = new AnalysisExecutor({ providers: [provider] });
    executor.start("churn", action(["errors"]), templates, 0);
    const slow = executor.measureDue("churn", state, 0);
    expect(await executor.measureDue("churn", state, 5000)).toEqual([]);
    release();
    executor.record("churn", await slow, 0);
    expect(provider.calls).toBe(1);
  });

  it("completes a run whose template is missing as Error", () => {
    const executor = new AnalysisExecutor({ providers: [] });
    const update = executor.start("churn", action(["nope"]), new Map(), 0);
    expect(update.inputs[0]).toMatchObject({ type: "analysisCompleted", phase: "Error" });
    expect(executor.hasActive("churn")).toBe(false);
  });

  it("records nothing for a run stopped while it was being measured", async () => {
    const templates = new Map([
      ["errors", template("errors", [{ name: "rate", metric: "error_rate", failure: "result > 0.05" }])],
    ]);
    const executor = new AnalysisExecutor({ providers: [new FixedProvider({ error_rate: 0.9 })] });
    executor.start("churn", action(["errors"]), templates, 0);
    const measured = await executor.measureDue("churn", state, 0);
    expect(executor.stop("churn", "rev1.0-background-1", 5)?.state.terminated).toBe(true);
    expect(executor.record("churn", measured, 10)).toEqual({ touched: [], inputs: [] });
  });
});
