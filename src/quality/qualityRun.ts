/**
 * Where quality results go when a check runs inside an MLflow run: `--run <id>`, or MLFLOW_RUN_ID as
 * `flowops repro` sets it for each stage and as MLflow's own clients read it. Results are logged as metrics
 * (what gates read) and as a JSON report plus files under `quality/` in the run's artifacts. Outside a run
 * nothing is logged: the checks work offline.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FlowOpsClient } from "../client/index.js";
import type { Metric } from "../client/index.js";

export interface QualityRun {
  client: FlowOpsClient;
  runId: string;
}

export interface QualityRunSettings {
  run?: string | undefined;
  trackingUri?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/** The run to log into, or undefined when neither `--run` nor MLFLOW_RUN_ID names one. */
export function qualityRunFor(settings: QualityRunSettings): QualityRun | undefined {
  const env = settings.env ?? process.env;
  const runId = settings.run ?? env.MLFLOW_RUN_ID;
  if (runId === undefined || runId === "") return undefined;
  const trackingUri = settings.trackingUri ?? env.MLFLOW_TRACKING_URI;
  const client = new FlowOpsClient({ ...(trackingUri ? { trackingUri } : {}), env });
  return { client, runId };
}

export interface QualityResults {
  /** Logged as the run's metrics; values that are not finite (an undefined ratio) are left out. */
  metrics: Record<string, number>;
  /** The report, saved as `quality/<name>.json`. */
  report: { name: string; value: unknown };
  /** Local files to upload, each into the artifact directory given. */
  files?: ReadonlyArray<{ path: string; artifactDir: string }>;
}

/** MLflow's log-batch accepts at most this many metrics per request. */
const BATCH_LIMIT = 1000;

/** Logs the results; returns the names of metrics left out because they were not finite. */
export async function logQualityResults(run: QualityRun, results: QualityResults): Promise<string[]> {
  const timestamp = Date.now();
  const skipped: string[] = [];
  const metrics: Metric[] = [];
  for (const [key, value] of Object.entries(results.metrics)) {
    if (Number.isFinite(value)) metrics.push({ key, value, timestamp, step: 0 });
    else skipped.push(key);
  }
  for (let i = 0; i < metrics.length; i += BATCH_LIMIT) {
    await run.client.runs.logBatch(run.runId, { metrics: metrics.slice(i, i + BATCH_LIMIT) });
  }
  const dir = await mkdtemp(join(tmpdir(), "flowops-quality-"));
  try {
    const reportPath = join(dir, `${results.report.name}.json`);
    await writeFile(reportPath, `${JSON.stringify(results.report.value, null, 2)}\n`);
    await run.client.artifacts.uploadArtifact({ runId: run.runId }, reportPath, "quality");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  for (const file of results.files ?? []) {
    await run.client.artifacts.uploadArtifact({ runId: run.runId }, file.path, file.artifactDir);
  }
  return skipped;
}
