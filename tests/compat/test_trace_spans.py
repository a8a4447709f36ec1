"""Spans in the tracking store (MLflow >= 3.4 servers): the client reads `/version`, posts each trace's spans
as OTLP protobuf to `/v1/traces`, and the server tags the trace `mlflow.trace.spansLocation = TRACKING_STORE`;
`mlflow.get_trace` then reads them back through `traces/get` and `search_traces` through `traces/batchGet`.
"""

from __future__ import annotations

import mlflow
import pytest
import requests
from mlflow import MlflowClient
from packaging.version import Version

MLFLOW_VERSION = Version(mlflow.__version__)

pytestmark = pytest.mark.skipif(
    MLFLOW_VERSION < Version("3.4"), reason="clients before 3.4 upload spans as an artifact only"
)


@mlflow.trace(span_type="TOOL", attributes={"kind": "inner", "weight": 1.5, "flags": [True, None]})
def _scale(x: int) -> dict:
    return {"x": x * 2, "label": "ünï"}


@mlflow.trace(name="root")
def _root(x: int) -> int:
    mlflow.update_current_trace(tags={"team": "spans"})
    return _scale(x)["x"] + 1


@mlflow.trace
def _broken(x: int) -> int:
    raise ValueError(f"bad input {x}")


def _flush() -> None:
    mlflow.flush_trace_async_logging()


def test_server_version_lets_the_client_log_spans(flowops_server):
    answer = requests.get(f"{flowops_server.url}/version", timeout=10)
    assert answer.status_code == 200
    assert Version(answer.text) >= Version("3.4")


def test_spans_are_kept_by_the_server_and_read_back(experiment_id: str):
    _root(4)
    _flush()
    trace_id = mlflow.get_last_active_trace_id()

    trace = mlflow.get_trace(trace_id)
    info = trace.info
    assert info.tags["mlflow.trace.spansLocation"] == "TRACKING_STORE"
    assert info.tags["team"] == "spans"
    assert info.state.value == "OK"
    assert info.request_preview == '{"x": 4}'
    assert info.response_preview == "9"

    spans = {span.name: span for span in trace.data.spans}
    assert set(spans) == {"root", "_scale"}
    root, child = spans["root"], spans["_scale"]
    assert trace.data.spans[0].name == "root"
    assert root.parent_id is None and child.parent_id == root.span_id
    assert root.trace_id == trace_id == child.trace_id
    assert (root.inputs, root.outputs) == ({"x": 4}, 9)
    assert child.outputs == {"x": 8, "label": "ünï"}
    assert child.span_type == "TOOL"
    assert child.attributes["kind"] == "inner"
    assert child.attributes["weight"] == 1.5
    assert child.attributes["flags"] == [True, None]
    assert child.start_time_ns <= child.end_time_ns
    assert root.start_time_ns <= child.start_time_ns


def test_error_span_keeps_its_status_and_exception_event(experiment_id: str):
    with pytest.raises(ValueError):
        _broken(1)
    _flush()
    trace = mlflow.get_trace(mlflow.get_last_active_trace_id())
    assert trace.info.state.value == "ERROR"
    assert trace.info.tags["mlflow.trace.spansLocation"] == "TRACKING_STORE"
    [span] = trace.data.spans
    assert span.status.status_code.value == "ERROR"
    assert "bad input 1" in span.status.description
    [event] = [e for e in span.events if e.name == "exception"]
    assert event.attributes["exception.type"] == "ValueError"


def test_search_traces_returns_spans_from_the_server(experiment_id: str):
    ids = []
    for x in range(2):
        _root(x)
        _flush()
        ids.append(mlflow.get_last_active_trace_id())
    found = mlflow.search_traces(locations=[experiment_id], return_type="list")
    assert sorted(t.info.trace_id for t in found) == sorted(ids)
    assert all(len(t.data.spans) == 2 for t in found)
    assert all(t.info.tags["mlflow.trace.spansLocation"] == "TRACKING_STORE" for t in found)

    store = MlflowClient()._tracking_client.store
    infos = store.batch_get_trace_infos(ids)
    assert [i.trace_id for i in infos] == ids
    traces = store.batch_get_traces(ids)
    assert [t.info.trace_id for t in traces] == ids
    assert store.batch_get_traces(ids, experiment_ids=["0"]) == []


def test_get_trace_of_unknown_id_is_not_found(experiment_id: str):
    store = MlflowClient()._tracking_client.store
    with pytest.raises(mlflow.exceptions.MlflowException, match="Trace with ID tr-0000 is not found."):
        store.get_trace("tr-0000")
