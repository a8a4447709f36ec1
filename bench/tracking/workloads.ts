/**
 * The three tracking workloads, run the same way against any MLflow-compatible server over its REST API:
 * concurrent log-batch ingest, reading a 100k-point metric history, and a filtered, ordered run search.
 */
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import type { BenchServer } from "./servers.js";

async function call<T>(server: BenchServer, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}/api/2.0/mlflow/${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${server.kind} ${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function createExperiment(server: BenchServer, name: string): Promise<string> {
  const created = await call<{ experiment_id: string }>(server, "POST", "experiments/create", { name });
  return created.experiment_id;
}

async function createRun(server: BenchServer, experimentId: string): Promise<string> {
  const created = await call<{ run: { info: { run_id: string } } }>(server, "POST", "runs/create", {
    experiment_id: experimentId,
    start_time: Date.now(),
  });
  return created.run.info.run_id;
}

function metricBatch(
  batch: number,
  keys: number,
  size: number,
): { key: string; value: number; timestamp: number; step: number }[] {
  const now = Date.now();
  return Array.from({ length: size }, (_, i) => ({
    key: `m${i % keys}`,
    value: Math.sin(batch * size + i),
    timestamp: now,
    step: batch * Math.ceil(size / keys) + Math.floor(i / keys),
  }));
}

export interface IngestResult {
  points: number;
  seconds: number;
  pointsPerSecond: number;
}

/** `clients` concurrent writers, each logging `batches` log-batch requests of 1000 metrics to its own run. */
export async function ingest(server: BenchServer, clients: number, batches: number): Promise<IngestResult> {
  const experimentId = await createExperiment(server, `ingest-${randomUUID()}`);
  const runIds = await Promise.all(Array.from({ length: clients }, () => createRun(server, experimentId)));
  const started = performance.now();
  await Promise.all(
    runIds.map(async (runId) => {
      for (let b = 0; b < batches; b++) {
        await call(server, "POST", "runs/log-batch", { run_id: runId, metrics: metricBatch(b, 10, 1000) });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const points = clients * batches * 1000;
  return { points, seconds, pointsPerSecond: points / seconds };
}

/** Logs `points` values of one metric (untimed), then times full get-history reads; returns the median ms. */
export async function history(server: BenchServer, points: number, repeats: number): Promise<number> {
  const experimentId = await createExperiment(server, `history-${randomUUID()}`);
  const runId = await createRun(server, experimentId);
  for (let b = 0; b < points / 1000; b++) {
    const now = Date.now();
    const metrics = Array.from({ length: 1000 }, (_, i) => ({
      key: "loss",
      value: 1 / (b * 1000 + i + 1),
      timestamp: now,
      step: b * 1000 + i,
    }));
    await call(server, "POST", "runs/log-batch", { run_id: runId, metrics });
  }
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    const result = await call<{ metrics?: unknown[] }>(
      server,
      "GET",
      `metrics/get-history?run_id=${runId}&metric_key=loss`,
    );
    times.push(performance.now() - started);
    if ((result.metrics?.length ?? 0) !== points) {
      throw new Error(
        `${server.kind} get-history returned ${result.metrics?.length ?? 0} of ${points} points`,
      );
    }
  }
  return median(times);
}

/**
 * Seeds `runs` runs straight into the server's SQLite file (creating 100k runs through MLflow's API would take
 * most of an hour; seeding is not what is measured), then times a search filtering on a metric and a param,
 * ordered by a metric. Returns the median ms and the number of runs the first page held.
 */
export async function search(
  server: BenchServer,
  runs: number,
  repeats: number,
): Promise<{ ms: number; hits: number }> {
  const experimentId = await createExperiment(server, `search-${randomUUID()}`);
  seedRuns(server, Number(experimentId), runs);
  const body = {
    experiment_ids: [experimentId],
    filter: "metrics.acc > 0.9 AND params.optimizer = 'adam'",
    order_by: ["metrics.acc DESC"],
    max_results: 100,
  };
  const times: number[] = [];
  let hits = 0;
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    const result = await call<{ runs?: unknown[] }>(server, "POST", "runs/search", body);
    times.push(performance.now() - started);
    hits = result.runs?.length ?? 0;
  }
  return { ms: median(times), hits };
}

function seedRuns(server: BenchServer, experimentId: number, runs: number): void {
  const db = new Database(server.dbPath);
  db.pragma("busy_timeout = 30000");
  const optimizers = ["adam", "sgd", "rmsprop"];
  const now = Date.now();
  const insertRun =
    server.kind === "flowops"
      ? db.prepare(
          "insert into runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri) values (?, ?, ?, 'bench', 'FINISHED', ?, ?, 'active', ?)",
        )
      : db.prepare(
          "insert into runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id) values (?, ?, 'LOCAL', '', '', 'bench', 'FINISHED', ?, ?, '', 'active', ?, ?)",
        );
  const latest = db.prepare(
    "insert into latest_metrics (run_uuid, key, value, timestamp, step, is_nan) values (?, ?, ?, ?, 0, 0)",
  );
  const metric = db.prepare(
    "insert into metrics (run_uuid, key, value, timestamp, step, is_nan) values (?, ?, ?, ?, 0, 0)",
  );
  const param = db.prepare("insert into params (run_uuid, key, value) values (?, ?, ?)");
  const tag = db.prepare("insert into tags (run_uuid, key, value) values (?, ?, ?)");
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  db.transaction(() => {
    for (let i = 0; i < runs; i++) {
      const id = randomUUID().replace(/-/g, "");
      const start = now - i * 1000;
      const uri = `mlflow-artifacts:/${experimentId}/${id}/artifacts`;
      if (server.kind === "flowops") insertRun.run(id, `run-${i}`, experimentId, start, start + 500, uri);
      else insertRun.run(id, `run-${i}`, start, start + 500, uri, experimentId);
      for (const [key, value] of [
        ["acc", random()],
        ["loss", random()],
      ] as const) {
        latest.run(id, key, value, start);
        metric.run(id, key, value, start);
      }
      param.run(id, "optimizer", optimizers[i % 3]);
      param.run(id, "lr", String(random()));
      tag.run(id, "mlflow.runName", `run-${i}`);
    }
  })();
  db.close();
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
