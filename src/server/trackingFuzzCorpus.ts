/**
 * The valid requests the tracking-server fuzz test starts from: one per main MLflow endpoint (experiments, runs,
 * run logging, metric histories, the registry, the artifact proxy, logged models), aimed at objects the test
 * creates first. Each must be answered with a 2xx as it stands. None deletes a fixture, so later requests still
 * find them. Test-only; nothing in the product imports it.
 */

import { createHash } from "node:crypto";

export const MLFLOW = "/api/2.0/mlflow";
export const ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";
const MULTIPART = "/api/2.0/mlflow-artifacts/mpu";

/** Objects the fuzz test creates before it starts, which the corpus names. */
export interface FuzzFixtures {
  experimentId: string;
  runId: string;
  modelName: string;
  modelVersion: string;
  loggedModelId: string;
  /** A file that exists in the artifact proxy, relative to its root: `fixture.txt` of the fixture run. */
  artifactPath: string;
}

export type QueryValue = string | readonly string[];

/** One request before mutation. `unique` makes names that do not collide with earlier requests. */
export interface TrackingSeed {
  name: string;
  method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT";
  /** Path without query; artifact seeds keep their file path apart so it can be mutated. */
  path: string;
  query?: Record<string, QueryValue>;
  json?: Record<string, unknown>;
  /** Raw bytes, for artifact uploads. */
  bytes?: Buffer;
  /** The artifact path the seed's URL ends with (after `path`), for artifact seeds. */
  artifactPath?: string;
}

export function trackingSeeds(f: FuzzFixtures, unique: string): TrackingSeed[] {
  const run = f.runId;
  const metric = { key: "m", value: 1.5, timestamp: 1_700_000_000_000, step: 3 };
  const post = (name: string, json: Record<string, unknown>): TrackingSeed => ({
    name,
    method: "POST",
    path: `${MLFLOW}/${name}`,
    json,
  });
  const get = (name: string, query: Record<string, QueryValue>): TrackingSeed => ({
    name,
    method: "GET",
    path: `${MLFLOW}/${name}`,
    query,
  });
  const model = `${MLFLOW}/logged-models/${f.loggedModelId}`;
  return [
    post("experiments/create", { name: `fuzz-exp-${unique}`, tags: [{ key: "t", value: "v" }] }),
    get("experiments/get", { experiment_id: f.experimentId }),
    get("experiments/get-by-name", { experiment_name: "fuzz-fixture" }),
    post("experiments/search", { max_results: 10, filter: "name LIKE 'fuzz%'", order_by: ["name DESC"] }),
    get("experiments/search", { max_results: "5", view_type: "ALL" }),
    post("experiments/update", { experiment_id: f.experimentId, new_name: "fuzz-fixture" }),
    post("experiments/set-experiment-tag", { experiment_id: f.experimentId, key: "k", value: "v" }),
    post("runs/create", {
      experiment_id: f.experimentId,
      run_name: `fuzz-run-${unique}`,
      start_time: 1_700_000_000_000,
      tags: [{ key: "mlflow.user", value: "fuzz" }],
    }),
    get("runs/get", { run_id: run }),
    post("runs/update", { run_id: run, status: "RUNNING", run_name: "fuzz-fixture-run" }),
    post("runs/search", {
      experiment_ids: [f.experimentId],
      filter: "metrics.m > 0 and params.p = 'v'",
      max_results: 5,
      order_by: ["metrics.m DESC"],
      run_view_type: "ACTIVE_ONLY",
    }),
    post("runs/log-metric", { run_id: run, ...metric }),
    post("runs/log-parameter", { run_id: run, key: `p-${unique}`, value: "v" }),
    post("runs/log-batch", {
      run_id: run,
      metrics: [{ ...metric, key: "b" }],
      params: [{ key: `bp-${unique}`, value: "1" }],
      tags: [{ key: "bt", value: "x" }],
    }),
    post("runs/set-tag", { run_id: run, key: "k", value: "v" }),
    post("runs/delete-tag", { run_id: run, key: "k" }),
    post("runs/log-inputs", {
      run_id: run,
      datasets: [
        {
          tags: [{ key: "mlflow.data.context", value: "training" }],
          dataset: { name: "d", digest: "abc", source_type: "local", source: "{}", schema: "{}" },
        },
      ],
    }),
    get("metrics/get-history", { run_id: run, metric_key: "m", max_results: "10" }),
    get("metrics/get-history-bulk-interval", {
      run_ids: [run],
      metric_key: "m",
      start_step: "0",
      end_step: "10",
      max_results: "5",
    }),
    get("artifacts/list", { run_id: run, path: "" }),
    post("registered-models/create", { name: `fuzz-model-${unique}`, description: "d" }),
    get("registered-models/get", { name: f.modelName }),
    get("registered-models/search", { filter: "name LIKE 'fuzz%'", max_results: "5" }),
    post("registered-models/set-tag", { name: f.modelName, key: "k", value: "v" }),
    post("registered-models/alias", { name: f.modelName, alias: "champion", version: f.modelVersion }),
    get("registered-models/alias", { name: f.modelName, alias: "champion" }),
    post("model-versions/create", { name: f.modelName, source: `runs:/${run}/model`, run_id: run }),
    get("model-versions/get", { name: f.modelName, version: f.modelVersion }),
    get("model-versions/search", { filter: `name = '${f.modelName}'`, max_results: "5" }),
    post("model-versions/set-tag", { name: f.modelName, version: f.modelVersion, key: "k", value: "v" }),
    post("logged-models", { experiment_id: f.experimentId, name: "m", source_run_id: run }),
    { name: "logged-models/get", method: "GET", path: model },
    post("logged-models/search", {
      experiment_ids: [f.experimentId],
      filter: "name = 'fuzz-logged'",
      max_results: 5,
      order_by: [{ field_name: "creation_timestamp", ascending: false }],
    }),
    {
      name: "logged-models/tags",
      method: "PATCH",
      path: `${model}/tags`,
      json: { tags: [{ key: "k", value: "v" }] },
    },
    {
      name: "logged-models/params",
      method: "POST",
      path: `${model}/params`,
      json: { params: [{ key: `p${unique}`, value: "v" }] },
    },
    {
      name: "logged-models/artifacts/directories",
      method: "GET",
      path: `${model}/artifacts/directories`,
      query: { artifact_directory_path: "" },
    },
    {
      name: "artifacts/upload",
      method: "PUT",
      path: ARTIFACTS,
      artifactPath: `fuzz/${unique}.txt`,
      bytes: Buffer.from("fuzz bytes\n"),
    },
    { name: "artifacts/download", method: "GET", path: ARTIFACTS, artifactPath: f.artifactPath },
    { name: "artifacts/list-proxy", method: "GET", path: ARTIFACTS, query: { path: "fuzz" } },
    {
      name: "artifacts/mpu-create",
      method: "POST",
      path: `${MULTIPART}/create`,
      artifactPath: `fuzz/${unique}.bin`,
      json: { path: `${unique}.bin`, num_parts: 2 },
    },
    {
      name: "artifacts/mpu-complete",
      method: "POST",
      path: `${MULTIPART}/complete`,
      artifactPath: `fuzz/${unique}.bin`,
      json: { path: `${unique}.bin`, upload_id: "u", parts: [{ part_number: 1, etag: "e", url: "" }] },
    },
    {
      name: "get-artifact",
      method: "GET",
      path: "/get-artifact",
      query: { run_id: run, path: "fixture.txt" },
    },
    post("runs/outputs", { run_id: run, models: [{ model_id: f.loggedModelId, step: 1 }] }),
    {
      name: "datasets/versions",
      method: "POST",
      path: "/api/v1/datasets/versions",
      json: {
        name: "fuzz-data",
        path: "data/x.csv",
        md5: createHash("md5").update(unique).digest("hex"),
        size: 10,
      },
    },
    {
      name: "datasets/versions/list",
      method: "GET",
      path: "/api/v1/datasets/versions",
      query: { name: "fuzz-data", max_results: "5" },
    },
  ];
}
