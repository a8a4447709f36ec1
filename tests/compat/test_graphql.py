"""MLflow's `/graphql` endpoint, as the MLflow UI queries it: the official client writes experiments, runs, metrics,
artifacts and model versions, then GraphQL reads them back with `requests`.

Recorded from `mlflow server` 3.17.2 (`FLOWOPS_COMPAT_SERVER_URL` runs this file against one): the answer is always
`{"data": ..., "errors": [message, ...] | null}` with status 200, an unset proto field reads as its default ("0" for
a running run's end time), a NaN metric value as null, and a query that does not parse is a 500.
"""

from __future__ import annotations

import math
import uuid

import pytest
import requests
from mlflow import MlflowClient

# The UI's own operations (mlflow/server/js), trimmed to the fields these tests read.
GET_RUN = """
query GetRun($data: MlflowGetRunInput!) @component(name: "MLflow.ExperimentRunTracking") {
  mlflowGetRun(input: $data) {
    apiError { helpUrl code message }
    run {
      info { runName status runUuid experimentId artifactUri endTime lifecycleStage startTime userId }
      experiment { experimentId name tags { key value } artifactLocation lifecycleStage lastUpdateTime }
      modelVersions { status version name source }
      data { metrics { key value step timestamp } params { key value } tags { key value } }
      inputs { datasetInputs { dataset { digest name } tags { key value } } modelInputs { modelId } }
      outputs { modelOutputs { modelId step } }
    }
  }
}
"""

SEARCH_RUNS = """
query SearchRuns($data: MlflowSearchRunsInput!) {
  mlflowSearchRuns(input: $data) {
    apiError { helpUrl code message }
    runs { info { runName status runUuid } modelVersions { version name } }
  }
}
"""

METRIC_HISTORY = """
query GetMetricHistoryBulkInterval($data: MlflowGetMetricHistoryBulkIntervalInput!)
  @component(name: "MLflow.ExperimentRunTracking") {
  mlflowGetMetricHistoryBulkInterval(input: $data) {
    __typename
    metrics { timestamp step runId key value }
    apiError { code message }
  }
}
"""

GET_EXPERIMENT = """
query MlflowGetExperimentQuery($input: MlflowGetExperimentInput!) @component(name: "MLflow.ExperimentRunTracking") {
  mlflowGetExperiment(input: $input) {
    apiError { code message }
    experiment { experimentId name lifecycleStage effectiveTraceArchivalRetention tags { key value } }
  }
}
"""


def _graphql(server, query: str, variables: dict | None = None) -> requests.Response:
    return requests.post(f"{server.url}/graphql", json={"query": query, "variables": variables}, timeout=30)


def _ok(server, query: str, variables: dict | None = None) -> dict:
    response = _graphql(server, query, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["errors"] is None, body
    return body["data"]


@pytest.fixture(scope="module")
def tracked(flowops_server):
    client = MlflowClient()
    experiment_id = client.create_experiment(f"graphql-{uuid.uuid4().hex[:8]}", tags={"team": "a"})
    finished = client.create_run(experiment_id, run_name="finished", start_time=1700000000000)
    run_id = finished.info.run_id
    client.log_param(run_id, "lr", "0.1")
    for step in range(3):
        client.log_metric(run_id, "loss", 1.0 / (step + 1), step=step, timestamp=1700000000000 + step)
    client.log_metric(run_id, "nan", math.nan, step=0, timestamp=1700000000000)
    client.log_text(run_id, "hello", "notes/a.txt")
    client.set_terminated(run_id, "FINISHED", end_time=1700000100000)
    running = client.create_run(experiment_id, run_name="running", start_time=1700000200000)
    model_name = f"graphql-model-{uuid.uuid4().hex[:8]}"
    client.create_registered_model(model_name)
    client.create_model_version(model_name, f"runs:/{run_id}/model", run_id=run_id)
    return {
        "experiment_id": experiment_id,
        "run_id": run_id,
        "running_id": running.info.run_id,
        "model_name": model_name,
    }


def test_the_ui_reads_a_run_with_its_experiment_metrics_and_model_versions(flowops_server, tracked):
    run = _ok(flowops_server, GET_RUN, {"data": {"runId": tracked["run_id"]}})["mlflowGetRun"]
    assert run["apiError"] is None
    info = run["run"]["info"]
    assert info["runUuid"] == tracked["run_id"]
    assert (info["runName"], info["status"], info["lifecycleStage"]) == ("finished", "FINISHED", "active")
    # int64 fields are LongString: decimal strings, so JavaScript never rounds them.
    assert (info["startTime"], info["endTime"]) == ("1700000000000", "1700000100000")
    assert run["run"]["experiment"]["experimentId"] == tracked["experiment_id"]
    assert run["run"]["experiment"]["tags"] == [{"key": "team", "value": "a"}]
    metrics = {metric["key"]: metric for metric in run["run"]["data"]["metrics"]}
    assert metrics["loss"] == {"key": "loss", "value": 1 / 3, "step": "2", "timestamp": "1700000000002"}
    # GraphQL's Float cannot carry NaN; MLflow's extension answers null for it.
    assert metrics["nan"]["value"] is None
    assert run["run"]["data"]["params"] == [{"key": "lr", "value": "0.1"}]
    [version] = run["run"]["modelVersions"]
    assert (version["name"], version["version"], version["status"]) == (tracked["model_name"], "1", "READY")
    assert run["run"]["inputs"] == {"datasetInputs": [], "modelInputs": []}
    assert run["run"]["outputs"] == {"modelOutputs": []}


def test_unset_fields_read_as_their_proto_defaults(flowops_server, tracked):
    query = "query($id: String) { mlflowGetRun(input: {runId: $id}) { run { info { endTime status } } } }"
    info = _ok(flowops_server, query, {"id": tracked["running_id"]})["mlflowGetRun"]["run"]["info"]
    assert info == {"endTime": "0", "status": "RUNNING"}


def test_search_runs_by_query_and_by_mutation(flowops_server, tracked):
    variables = {"data": {"experimentIds": [tracked["experiment_id"]], "filter": "attributes.run_name = 'finished'"}}
    runs = _ok(flowops_server, SEARCH_RUNS, variables)["mlflowSearchRuns"]["runs"]
    assert [run["info"]["runUuid"] for run in runs] == [tracked["run_id"]]
    assert runs[0]["modelVersions"] == [{"version": "1", "name": tracked["model_name"]}]
    mutation = SEARCH_RUNS.replace("query SearchRuns", "mutation SearchRuns")
    order = {"data": {"experimentIds": [tracked["experiment_id"]], "orderBy": ["attributes.start_time ASC"]}}
    runs = _ok(flowops_server, mutation, order)["mlflowSearchRuns"]["runs"]
    assert [run["info"]["runName"] for run in runs] == ["finished", "running"]


def test_metric_history_experiment_artifacts_and_model_versions(flowops_server, tracked):
    history = _ok(flowops_server, METRIC_HISTORY, {"data": {"runIds": [tracked["run_id"]], "metricKey": "loss"}})
    answer = history["mlflowGetMetricHistoryBulkInterval"]
    assert answer["__typename"] == "MlflowGetMetricHistoryBulkIntervalResponse"
    assert [(m["step"], m["runId"], m["key"]) for m in answer["metrics"]] == [
        (str(step), tracked["run_id"], "loss") for step in range(3)
    ]
    experiment = _ok(flowops_server, GET_EXPERIMENT, {"input": {"experimentId": tracked["experiment_id"]}})
    assert experiment["mlflowGetExperiment"]["experiment"]["effectiveTraceArchivalRetention"] == ""
    assert experiment["mlflowGetExperiment"]["experiment"]["lifecycleStage"] == "active"
    listing = (
        'query($id: String) { mlflowListArtifacts(input: {runId: $id, path: "notes"}) '
        "{ files { path isDir fileSize } } }"
    )
    files = _ok(flowops_server, listing, {"id": tracked["run_id"]})["mlflowListArtifacts"]["files"]
    assert files == [{"path": "notes/a.txt", "isDir": False, "fileSize": "5"}]
    search = "query($f: String) { mlflowSearchModelVersions(input: {filter: $f}) { modelVersions { name runId } } }"
    versions = _ok(flowops_server, search, {"f": f"name = '{tracked['model_name']}'"})
    assert versions["mlflowSearchModelVersions"]["modelVersions"] == [
        {"name": tracked["model_name"], "runId": tracked["run_id"]}
    ]


def test_errors_are_messages_beside_the_data(flowops_server):
    missing = (
        '{ a: mlflowGetRun(input: {runId: "no-such-run"}) { run { info { runId } } } '
        'b: test(inputString: "x") { output } }'
    )
    response = _graphql(flowops_server, missing)
    assert response.status_code == 200
    assert response.json() == {
        "data": {"a": None, "b": {"output": "x"}},
        "errors": ["Run with id=no-such-run not found"],
    }
    response = _graphql(flowops_server, "{ nope }")
    assert (response.status_code, response.json()) == (
        200,
        {"data": None, "errors": ["Cannot query field 'nope' on type 'Query'."]},
    )
    assert _graphql(flowops_server, "{ test(").status_code == 500


def test_query_limits(flowops_server):
    aliases = "{ test(inputString: \"x\") { " + " ".join(f"o{i}: output" for i in range(11)) + " } }"
    assert _graphql(flowops_server, aliases).json() == {
        "data": None,
        "errors": [
            "GraphQL queries should have at most 10 aliases, got 11 aliases. To increase the limit, set the "
            "MLFLOW_SERVER_GRAPHQL_MAX_ALIASES environment variable."
        ],
    }
    deep = "{ a { b { c { d { e { f { g { h { i { j { k } } } } } } } } } } }"
    assert _graphql(flowops_server, deep).json() == {"data": None, "errors": ["Query exceeds maximum depth of 10"]}


def test_introspection_names_mlflows_types(flowops_server):
    query = """{ run: __type(name: "MlflowRunExtension") { fields { name } }
      long: __type(name: "LongString") { kind description }
      status: __type(name: "MlflowRunStatus") { enumValues { name } } }"""
    data = _ok(flowops_server, query)
    assert [field["name"] for field in data["run"]["fields"]] == [
        "info", "data", "inputs", "outputs", "experiment", "modelVersions"
    ]
    assert data["long"] == {
        "kind": "SCALAR",
        "description": "LongString Scalar type to prevent truncation to max integer in JavaScript.",
    }
    assert [value["name"] for value in data["status"]["enumValues"]] == [
        "RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"
    ]
