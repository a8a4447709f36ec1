"""MLflow 3 tracing: the client's exporter creates each finished trace (StartTraceV3) and uploads its spans
as traces.json under the trace's artifact location; get_trace and search_traces read both back.

Span data is read from the artifact store, so the server must proxy artifacts (`mlflow-artifacts:/`).
"""

from __future__ import annotations

import time

import mlflow
import pytest
from mlflow import MlflowClient

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])

pytestmark = pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="the v3 trace API and TraceInfo exist from MLflow 3")


def _flush() -> None:
    # The exporter logs traces on a background thread by default; tests read them right after.
    mlflow.flush_trace_async_logging()


@mlflow.trace(span_type="TOOL", attributes={"kind": "inner"})
def _double(x: int) -> int:
    return x * 2


@mlflow.trace(name="outer")
def _outer(x: int) -> int:
    mlflow.update_current_trace(tags={"team": "search"})
    return _double(x) + 1


@mlflow.trace
def _fails(x: int) -> int:
    raise ValueError(f"bad input {x}")


def _traced(x: int) -> str:
    _outer(x)
    _flush()
    return mlflow.get_last_active_trace_id()


def test_decorated_trace_round_trips_with_nested_spans(experiment_id: str):
    trace_id = _traced(3)

    trace = mlflow.get_trace(trace_id)
    assert trace is not None
    info = trace.info
    assert info.experiment_id == experiment_id
    assert info.state.value == "OK"
    assert info.tags["team"] == "search"
    assert info.tags["mlflow.traceName"] == "outer"
    assert info.tags["mlflow.artifactLocation"].endswith(f"/traces/{trace_id}/artifacts")
    assert info.trace_metadata["mlflow.trace.infoFinalized"] == "true"
    assert info.execution_duration is not None and info.execution_duration >= 0
    assert info.request_preview == '{"x": 3}'
    assert info.response_preview == "7"

    spans = {span.name: span for span in trace.data.spans}
    assert set(spans) == {"outer", "_double"}
    root, child = spans["outer"], spans["_double"]
    assert root.parent_id is None
    assert child.parent_id == root.span_id
    assert (root.inputs, root.outputs) == ({"x": 3}, 7)
    assert (child.inputs, child.outputs) == ({"x": 3}, 6)
    assert child.span_type == "TOOL"
    assert child.attributes["kind"] == "inner"


def test_exception_marks_trace_and_span_error(experiment_id: str):
    with pytest.raises(ValueError):
        _fails(1)
    _flush()
    trace = mlflow.get_trace(mlflow.get_last_active_trace_id())
    assert trace.info.state.value == "ERROR"
    [span] = trace.data.spans
    assert span.status.status_code.value == "ERROR"
    assert any(event.name == "exception" for event in span.events)


def test_start_span_with_attributes(experiment_id: str):
    with mlflow.start_span(name="parent") as parent:
        parent.set_inputs({"q": "hi"})
        with mlflow.start_span(name="child", attributes={"n": 2}) as child:
            child.set_outputs("ok")
        parent.set_outputs({"a": 1})
    _flush()
    trace = mlflow.get_trace(parent.trace_id)
    spans = {span.name: span for span in trace.data.spans}
    assert spans["parent"].inputs == {"q": "hi"}
    assert spans["parent"].outputs == {"a": 1}
    assert spans["child"].attributes["n"] == 2
    assert spans["child"].parent_id == spans["parent"].span_id


def test_search_filters_orders_and_pages(experiment_id: str):
    ids = []
    for x in range(3):
        ids.append(_traced(x))
        time.sleep(0.01)
    client = MlflowClient()
    client.set_trace_tag(ids[0], "split", "a")
    client.set_trace_tag(ids[1], "split", "b")

    newest_first = mlflow.search_traces(locations=[experiment_id], return_type="list")
    assert [t.info.trace_id for t in newest_first] == ids[::-1]
    assert all(len(t.data.spans) == 2 for t in newest_first)

    oldest_first = mlflow.search_traces(
        locations=[experiment_id], order_by=["timestamp_ms ASC"], return_type="list"
    )
    assert [t.info.trace_id for t in oldest_first] == ids

    tagged = mlflow.search_traces(
        locations=[experiment_id], filter_string="tags.split = 'b'", return_type="list"
    )
    assert [t.info.trace_id for t in tagged] == [ids[1]]
    untagged = mlflow.search_traces(
        locations=[experiment_id], filter_string="tags.split IS NULL", return_type="list"
    )
    assert [t.info.trace_id for t in untagged] == [ids[2]]
    by_name = mlflow.search_traces(
        locations=[experiment_id],
        filter_string="name = 'outer' AND status = 'OK' AND request_metadata.`mlflow.trace.infoFinalized` = 'true'",
        return_type="list",
    )
    assert len(by_name) == 3
    first = client.search_traces(locations=[experiment_id], max_results=2)
    assert [t.info.trace_id for t in first] == ids[:0:-1]
    assert first.token
    second = client.search_traces(locations=[experiment_id], max_results=2, page_token=first.token)
    assert [t.info.trace_id for t in second] == [ids[0]]

    frame = mlflow.search_traces(locations=[experiment_id], filter_string="tags.split LIKE '%'")
    assert sorted(frame["trace_id"]) == sorted(ids[:2])
    assert "spans" in frame.columns

    with pytest.raises(mlflow.exceptions.MlflowException, match="Invalid attribute key"):
        mlflow.search_traces(locations=[experiment_id], filter_string="attribute.bogus = 'x'")


def test_trace_tags_set_and_delete(experiment_id: str):
    trace_id = _traced(1)
    client = MlflowClient()
    client.set_trace_tag(trace_id, "reviewed", "yes")
    assert mlflow.get_trace(trace_id).info.tags["reviewed"] == "yes"
    client.delete_trace_tag(trace_id, "reviewed")
    assert "reviewed" not in mlflow.get_trace(trace_id).info.tags
    with pytest.raises(mlflow.exceptions.MlflowException, match="No trace tag with key 'reviewed'"):
        client.delete_trace_tag(trace_id, "reviewed")


def test_delete_traces_by_age_count_and_ids(experiment_id: str):
    ids = []
    for x in range(4):
        ids.append(_traced(x))
        time.sleep(0.01)
    client = MlflowClient()
    deleted = client.delete_traces(
        experiment_id, max_timestamp_millis=int(time.time() * 1000), max_traces=1
    )
    assert deleted == 1
    assert mlflow.get_trace(ids[0]) is None
    assert client.delete_traces(experiment_id, trace_ids=[ids[2], "tr-unknown"]) == 1
    remaining = mlflow.search_traces(locations=[experiment_id], return_type="list")
    assert sorted(t.info.trace_id for t in remaining) == sorted([ids[1], ids[3]])


def test_trace_under_active_run_is_linked_to_it(experiment_id: str):
    outside = _traced(5)
    with mlflow.start_run() as run:
        inside = _traced(6)
    assert mlflow.get_trace(inside).info.trace_metadata["mlflow.sourceRun"] == run.info.run_id
    found = mlflow.search_traces(locations=[experiment_id], run_id=run.info.run_id, return_type="list")
    assert [t.info.trace_id for t in found] == [inside]
    assert outside not in [t.info.trace_id for t in found]
