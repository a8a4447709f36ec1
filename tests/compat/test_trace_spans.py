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


@mlflow.trace(span_type="LLM", attributes={"model": "Claude"})
def _answer(question: str) -> str:
    return f"Answer {question}"


@mlflow.trace(name="caller")
def _caller(x: int) -> str:
    try:
        _broken(x)
    except ValueError:
        pass
    return _answer("hello World")


def _log_span_filter_traces() -> dict[str, str]:
    """Traces whose spans differ in name, type, status, attributes and content, by what they are."""
    ids = {}
    _root(4)
    _flush()
    ids["root"] = mlflow.get_last_active_trace_id()
    _answer("Mixed Case")
    _flush()
    ids["answer"] = mlflow.get_last_active_trace_id()
    with pytest.raises(ValueError):
        _broken(1)
    _flush()
    ids["broken"] = mlflow.get_last_active_trace_id()
    _caller(2)
    _flush()
    ids["caller"] = mlflow.get_last_active_trace_id()
    return ids


def _matching(experiment_id: str, ids: dict[str, str], filter_string: str) -> list[str]:
    names = {trace_id: name for name, trace_id in ids.items()}
    found = mlflow.search_traces(
        locations=[experiment_id], filter_string=filter_string, return_type="list", include_spans=False
    )
    return sorted(names[t.info.trace_id] for t in found)


SPAN_FILTERS = pytest.mark.skipif(
    MLFLOW_VERSION < Version("3.5"), reason="span filters came with spans in the tracking store"
)


@SPAN_FILTERS
def test_search_traces_filters_on_spans(experiment_id: str):
    ids = _log_span_filter_traces()

    def matching(filter_string: str) -> list[str]:
        return _matching(experiment_id, ids, filter_string)

    # Every span clause of a filter must hold for one span; `!=` asks for a span that differs.
    assert matching("span.name = '_scale'") == ["root"]
    assert matching("span.name != '_broken'") == ["answer", "caller", "root"]
    assert matching("span.name IN ('_scale', '_answer')") == ["answer", "caller", "root"]
    assert matching("span.name NOT IN ('_broken', 'caller')") == ["answer", "caller", "root"]
    assert matching("span.name LIKE '_sc%'") == ["root"]
    assert matching("span.name LIKE '_SC%'") == []
    assert matching("span.name ILIKE '_SC%'") == ["root"]
    assert matching("span.name RLIKE '^_b'") == ["broken", "caller"]
    assert matching("span.type = 'LLM'") == ["answer", "caller"]
    assert matching("span.type = 'llm'") == []
    assert matching("span.status = 'ERROR'") == ["broken", "caller"]
    assert matching("span.name = '_answer' AND span.type = 'LLM'") == ["answer", "caller"]
    assert matching("span.type = 'LLM' AND span.status = 'ERROR'") == []
    assert matching("span.name = 'caller' AND trace.text LIKE '%hello World%'") == ["caller"]
    assert matching("span.name = '_broken' AND trace.text LIKE '%Answer%'") == []

    assert matching("span.content LIKE '%ünï%'") == ["root"]
    assert matching("span.content LIKE '%mixed%'") == []
    assert matching("span.content ILIKE '%mixed%'") == ["answer"]
    assert matching("trace.text LIKE '%Mixed%'") == ["answer"]
    assert matching("attributes.text like '%Answer%'") == ["answer", "caller"]

    assert matching("span.attributes.kind LIKE '%inner%'") == ["root"]
    assert matching("span.attributes.model ILIKE '%claude%'") == ["answer", "caller"]
    assert matching("span.attributes.model = 'Claude'") == []
    assert matching("span.attributes.model RLIKE '^Cl.*e$'") == ["answer", "caller"]
    assert matching("span.attributes.weight RLIKE '1.5'") == []
    assert matching("span.attributes.`mlflow.spanType` LIKE '%TOOL%'") == ["root"]


@SPAN_FILTERS
@pytest.mark.parametrize(
    ("filter_string", "message"),
    [
        ("span.content = 'x'", "span.content comparator '=' not one of '{"),
        ("trace.text = 'x'", "span.content comparator '=' not one of '{"),
        ("span.name like 'x'", "span.name comparator 'like' not one of '{"),
        ("span.name IS NULL", "span.name comparator 'IS NULL' not one of '{"),
        (
            "span.foo = 'x'",
            "Invalid span attribute 'foo'. "
            "Supported attributes: name, status, type, attributes.<attribute_name>.",
        ),
        ("span.attributes. LIKE '%x%'", "Span attribute name cannot be empty after 'attributes.'"),
        ("span.name = 1", "Expected a quoted string value for span (e.g. 'my-value'). Got value 1"),
        ("span.name IN 'x'", "Invalid clause(s) in filter string: 'span.name', 'IN', ''x''"),
        ("text LIKE '%x%'", "Invalid clause(s) in filter string: 'text', 'LIKE', ''%x%''"),
        (
            "span.attributes.model IN ('a')",
            "IN expression list, SELECT construct, or bound parameter object expected, "
            "got '%\"model\"(\\'a\\',)%'.",
        ),
    ],
)
def test_search_traces_refuses_span_filters_as_mlflow_does(
    experiment_id: str, filter_string: str, message: str
):
    with pytest.raises(mlflow.exceptions.MlflowException) as raised:
        mlflow.search_traces(locations=[experiment_id], filter_string=filter_string, return_type="list")
    assert message in str(raised.value)
