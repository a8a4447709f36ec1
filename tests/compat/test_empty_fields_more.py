"""Empty fields in the trace and promptlab answers, as mlflow 3.17.2's `message_to_json` writes them: a 2.x trace
started without request_metadata has no such key, a 2.x search that finds nothing is `{}`, an OTLP trace without
metadata has no `trace_metadata`, and a promptlab run without metrics has no `metrics` (with `"inputs": {}`).
OTLP/JSON's decimal-string nanoseconds are read, so the mlflow client finds a trace a JSON exporter sent.
"""

from __future__ import annotations

import json
import time
import uuid

import mlflow
import pytest
import requests

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])


def test_v2_trace_without_metadata_and_an_empty_search(flowops_server, experiment_id):
    url = flowops_server.url
    started = requests.post(f"{url}/api/2.0/mlflow/traces", json={"experiment_id": experiment_id, "timestamp_ms": 1})
    assert started.status_code == 200
    info = started.json()["trace_info"]
    assert "request_metadata" not in info
    read = requests.get(f"{url}/api/2.0/mlflow/traces/{info['request_id']}/info").json()["trace_info"]
    assert "request_metadata" not in read
    none = requests.get(
        f"{url}/api/2.0/mlflow/traces",
        params={"experiment_ids": experiment_id, "filter": "tags.t = 'none'"},
    )
    assert none.status_code == 200
    assert none.json() == {}


@pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="MLflow 2's client reads spans from the artifact store, not from OTLP")
def test_otlp_json_trace_reads_through_the_client(flowops_server, experiment_id, client):
    trace_hex = uuid.uuid4().hex
    now = time.time_ns()
    body = {
        "resourceSpans": [
            {
                "resource": {},
                "scopeSpans": [
                    {
                        "scope": {},
                        "spans": [
                            {
                                "traceId": trace_hex,
                                "spanId": "0123456789abcdef",
                                "name": "root",
                                "kind": 1,
                                "startTimeUnixNano": str(now),
                                "endTimeUnixNano": str(now + 1000),
                                "status": {},
                            }
                        ],
                    }
                ],
            }
        ]
    }
    answer = requests.post(
        f"{flowops_server.url}/v1/traces",
        data=json.dumps(body),
        headers={"content-type": "application/json", "x-mlflow-experiment-id": experiment_id},
    )
    assert answer.status_code == 200
    trace_id = f"tr-{trace_hex}"
    wire = requests.get(f"{flowops_server.url}/api/3.0/mlflow/traces/get", params={"trace_id": trace_id}).json()
    assert "trace_metadata" not in wire["trace"]["trace_info"]
    assert set(wire["trace"]["spans"][0]) == {
        "trace_id",
        "span_id",
        "name",
        "start_time_unix_nano",
        "end_time_unix_nano",
        "attributes",
        "status",
    }
    trace = client.get_trace(trace_id)
    assert [span.name for span in trace.data.spans] == ["root"]
    assert trace.data.spans[0].start_time_ns == now


def test_promptlab_run_without_metrics(flowops_server, experiment_id):
    answer = requests.post(
        f"{flowops_server.url}/ajax-api/2.0/mlflow/runs/create-promptlab-run",
        json={
            "experiment_id": experiment_id,
            "prompt_template": "hi {{a}}",
            "prompt_parameters": [{"key": "a", "value": "b"}],
            "model_route": "r",
            "model_parameters": [],
            "model_input": "hi",
            "model_output": "o",
            "model_output_parameters": [],
            "mlflow_version": "3.17.2",
            "user_id": "u",
            "start_time": 1,
        },
    )
    assert answer.status_code == 200
    run = answer.json()["run"]
    assert "metrics" not in run["data"]
    assert run["inputs"] == {}
    assert run["outputs"] == {}
