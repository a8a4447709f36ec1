import { describe, expect, it } from "vitest";
import type { DeploymentStatus } from "../../delivery/deployments/deploymentStatus.js";
import type { DriftReport } from "../drift/datasetDrift.js";
import { exportedSeriesNames } from "../metricNames.js";
import { evaluateSlo } from "../slo/burnRate.js";
import { ServerMetrics } from "./serverMetrics.js";

const noGpu = { read: () => Promise.resolve([]) };

function deployment(): DeploymentStatus {
  return {
    name: "churn",
    phase: "Progressing",
    strategy: "canary",
    stable: "models:/churn/1",
    candidate: "models:/churn/2",
    weights: [
      { model: "models:/churn/1", weight: 90 },
      { model: "models:/churn/2", weight: 10 },
    ],
    stepIndex: 1,
    analyses: [{ runId: "rev2.background", kind: "background", phase: "Running", metrics: [] }],
    createdAt: 0,
    updatedAt: 0,
  };
}

const drift = (columns: string[]): DriftReport =>
  ({
    columns: columns.map((column) => ({ column, method: "psi", score: 0.3, drifted: true })),
    driftedColumns: columns.length,
    share: 1,
    datasetDrift: true,
    driftShare: 0.5,
  }) as unknown as DriftReport;

/** Sample lines of the exposition, without comments. */
async function samples(metrics: ServerMetrics): Promise<string[]> {
  return (await metrics.exposition()).split("\n").filter((line) => line !== "" && !line.startsWith("#"));
}

describe("ServerMetrics", () => {
  it("exports traffic weights by role and the current analysis phase read from the deployments", async () => {
    const metrics = new ServerMetrics({ gpu: noGpu });
    metrics.watchDeployments({ list: () => Promise.resolve([deployment()]) });
    const lines = await samples(metrics);
    expect(lines).toContain(
      'flowops_deployment_traffic_weight{endpoint="churn",version="models:/churn/2",role="candidate"} 10',
    );
    expect(lines).toContain(
      'flowops_deployment_traffic_weight{endpoint="churn",version="models:/churn/1",role="stable"} 90',
    );
    expect(lines).toContain(
      'flowops_analysis_phase{endpoint="churn",analysis="rev2.background",phase="Running"} 1',
    );
    expect(lines).toContain(
      'flowops_analysis_phase{endpoint="churn",analysis="rev2.background",phase="Failed"} 0',
    );
  });

  it("keeps only the latest window's features in the drift scores", async () => {
    const metrics = new ServerMetrics({ gpu: noGpu });
    metrics.observeDrift("churn", drift(["a", "b"]));
    metrics.observeDrift("churn", drift(["b"]));
    const lines = (await samples(metrics)).filter((line) => line.startsWith("flowops_drift"));
    expect(lines).toEqual([
      'flowops_drift_score{endpoint="churn",feature="b",method="psi"} 0.3',
      'flowops_drift_share{endpoint="churn"} 1',
    ]);
  });

  it("exports an SLO's burn rate per window and its remaining budget", async () => {
    const metrics = new ServerMetrics({ gpu: noGpu });
    const evaluation = evaluateSlo(
      { objective: 99, windowMs: 30 * 86_400_000 },
      () => ({ good: 98, total: 100 }),
      0,
    );
    metrics.observeSlo("churn", "availability", evaluation);
    const lines = await samples(metrics);
    expect(lines).toContain('flowops_slo_burn_rate{endpoint="churn",slo="availability",window="5m"} 2');
    expect(lines).toContain('flowops_slo_error_budget_remaining{endpoint="churn",slo="availability"} -1');
  });

  it("exports GPU series only when nvidia-smi reports a GPU", async () => {
    const gpu = {
      read: () =>
        Promise.resolve([{ index: "0", utilization: 0.5, memoryUsedBytes: 10, memoryTotalBytes: 20 }]),
    };
    expect(await samples(new ServerMetrics({ gpu }))).toContain('flowops_gpu_utilization_ratio{gpu="0"} 0.5');
    expect((await samples(new ServerMetrics({ gpu: noGpu }))).some((l) => l.startsWith("flowops_gpu"))).toBe(
      false,
    );
  });

  it("exports inference requests recorded into its serving metrics, and only listed series", async () => {
    const metrics = new ServerMetrics({ gpu: noGpu });
    metrics.serving.observeRequest({ model: "churn", version: "1" }, "v2", 200, 0.01);
    metrics.observePipeline("train", "succeeded", 12);
    metrics.observeStage("train", "fit", "succeeded", 10);
    const lines = await samples(metrics);
    expect(lines).toContain(
      'flowops_inference_requests_total{model="churn",version="1",protocol="v2",code="200"} 1',
    );
    const listed = exportedSeriesNames();
    const names = lines.map((line) => line.split(/[{ ]/)[0] ?? "");
    expect(names.filter((name) => !listed.has(name))).toEqual([]);
  });
});
