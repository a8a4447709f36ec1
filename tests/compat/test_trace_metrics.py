"""MLflow 3 trace analytics: `POST /api/3.0/mlflow/traces/metrics` (QueryTraceMetrics: counts, latencies, token
usage, span costs and assessment values of an experiment's traces, spans and assessments, grouped by dimensions
and time buckets, with `trace.`/`span.`/`assessment.` filters) and `traces/calculate-filter-correlation` (the NPMI
of two search filters, read by `TracingClient.calculate_trace_filter_correlation`). The official client has no
wrapper for the metrics RPC yet (the UI calls it), so it is called as the UI does, with its JSON body.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

import mlflow
import pytest
import requests

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])

pytestmark = pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="trace analytics exist from MLflow 3")

COUNT = {"aggregation_type": "COUNT"}


@mlflow.trace(name="llm", span_type="LLM")
def _llm(x: int) -> int:
    span = mlflow.get_current_active_span()
    span.set_attribute("mlflow.chat.tokenUsage", {"input_tokens": 10 * x, "output_tokens": x, "total_tokens": 11 * x})
    span.set_attribute("mlflow.llm.model", "gpt-x" if x % 2 else "claude")
    span.set_attribute("mlflow.llm.provider", "openai" if x % 2 else "anthropic")
    span.set_attribute("mlflow.llm.cost", {"input_cost": 0.5 * x, "output_cost": 0.25 * x, "total_cost": 0.75 * x})
    return x


@mlflow.trace(name="agent")
def _agent(x: int) -> int:
    mlflow.update_current_trace(metadata={"mlflow.trace.session": f"s{x % 2}"}, tags={"team": "a" if x < 3 else "b"})
    if x == 4:
        raise ValueError("boom")
    return _llm(x) + 1


@mlflow.trace(name="other")
def _other(x: int) -> int:
    return x


@pytest.fixture
def traces(experiment_id: str) -> list:
    """Five `agent` traces (x=1..5; x=4 fails before its LLM span) and one `other` trace, with assessments."""
    from mlflow.entities import AssessmentSource

    ids = []
    for x in range(1, 6):
        try:
            _agent(x)
        except ValueError:
            pass
        ids.append(mlflow.get_last_active_trace_id())
    _other(7)
    ids.append(mlflow.get_last_active_trace_id())
    mlflow.flush_trace_async_logging()
    human, judge = AssessmentSource("HUMAN", "u"), AssessmentSource("LLM_JUDGE", "j")
    mlflow.log_feedback(trace_id=ids[0], name="correct", value=True, source=human)
    mlflow.log_feedback(trace_id=ids[1], name="correct", value=False, source=human)
    mlflow.log_feedback(trace_id=ids[2], name="score", value=0.8, source=judge)
    mlflow.log_feedback(trace_id=ids[3], name="score", value=0.4, source=judge)
    mlflow.log_feedback(trace_id=ids[3], name="tone", value="yes", source=judge)
    mlflow.log_feedback(trace_id=ids[4], name="tone", value="rude", source=judge)
    mlflow.log_expectation(trace_id=ids[0], name="expected", value="hi")
    return [mlflow.get_trace(trace_id).info for trace_id in ids]


def _metrics(server_url: str, experiment_id: str, **body) -> requests.Response:
    return requests.post(
        f"{server_url}/api/3.0/mlflow/traces/metrics", json={"experiment_ids": [experiment_id], **body}, timeout=30
    )


def _points(server_url: str, experiment_id: str, **body) -> list[tuple[dict, dict]]:
    answer = _metrics(server_url, experiment_id, **body)
    assert answer.status_code == 200, answer.text
    return [(p.get("dimensions", {}), p["values"]) for p in answer.json().get("data_points", [])]


def _linear_percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = p / 100 * (len(ordered) - 1)
    low = int(index)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (index - low) * (ordered[high] - ordered[low])


def test_trace_counts_latency_and_tokens(flowops_server, experiment_id: str, traces):
    url = flowops_server.url
    assert _points(url, experiment_id, view_type="TRACES", metric_name="trace_count", aggregations=[COUNT]) == [
        ({}, {"COUNT": 6})
    ]
    assert _points(
        url,
        experiment_id,
        view_type="TRACES",
        metric_name="trace_count",
        aggregations=[COUNT],
        dimensions=["trace_name", "trace_status"],
    ) == [
        ({"trace_name": "agent", "trace_status": "ERROR"}, {"COUNT": 1}),
        ({"trace_name": "agent", "trace_status": "OK"}, {"COUNT": 4}),
        ({"trace_name": "other", "trace_status": "OK"}, {"COUNT": 1}),
    ]
    assert _points(url, experiment_id, view_type="TRACES", metric_name="session_count", aggregations=[COUNT]) == [
        ({}, {"COUNT": 2})
    ]

    durations = [info.execution_duration for info in traces[:5]]
    [(dims, values)] = _points(
        url,
        experiment_id,
        view_type="TRACES",
        metric_name="latency",
        aggregations=[
            {"aggregation_type": "AVG"},
            {"aggregation_type": "MIN"},
            {"aggregation_type": "MAX"},
            {"aggregation_type": "PERCENTILE", "percentile_value": 50},
            {"aggregation_type": "PERCENTILE", "percentile_value": 95},
        ],
        dimensions=["trace_name"],
        filters=["trace.tag.mlflow.traceName = 'agent'"],
    )
    assert dims == {"trace_name": "agent"}
    assert values == pytest.approx({
        "AVG": sum(durations) / 5,
        "MIN": min(durations),
        "MAX": max(durations),
        "P50.0": _linear_percentile(durations, 50),
        "P95.0": _linear_percentile(durations, 95),
    })

    # Token usage is summed over the LLM spans into the trace's metadata; the failed trace has none.
    assert _points(
        url,
        experiment_id,
        view_type="TRACES",
        metric_name="input_tokens",
        aggregations=[
            {"aggregation_type": "SUM"},
            {"aggregation_type": "AVG"},
            {"aggregation_type": "PERCENTILE", "percentile_value": 90},
        ],
    ) == [({}, {"SUM": 110, "AVG": 27.5, "P90.0": pytest.approx(44)})]
    assert _points(
        url,
        experiment_id,
        view_type="TRACES",
        metric_name="total_tokens",
        aggregations=[{"aggregation_type": "SUM"}],
        filters=["trace.tag.team = 'a'", "trace.metadata.mlflow.trace.session = 's1'"],
    ) == [({}, {"SUM": 11})]
    assert _points(
        url,
        experiment_id,
        view_type="TRACES",
        metric_name="trace_count",
        aggregations=[COUNT],
        filters=["trace.status = 'ERROR'"],
    ) == [({}, {"COUNT": 1})]


def test_time_buckets_ranges_and_limits(flowops_server, experiment_id: str, traces):
    url = flowops_server.url
    times = [info.request_time for info in traces]
    start, end = min(times), max(times)
    day_ms = 86_400_000
    expected = {}
    for t in times:
        bucket = datetime.fromtimestamp(t // day_ms * day_ms / 1000, tz=timezone.utc).isoformat()
        expected[bucket] = expected.get(bucket, 0) + 1
    assert _points(
        url,
        experiment_id,
        view_type="TRACES",
        metric_name="trace_count",
        aggregations=[COUNT],
        time_interval_seconds=86_400,
        start_time_ms=start,
        end_time_ms=end,
    ) == [({"time_bucket": bucket}, {"COUNT": count}) for bucket, count in sorted(expected.items())]
    # A range after every trace: a COUNT of nothing is 0, an average of nothing is no point.
    after = {"start_time_ms": end + 1, "end_time_ms": end + 1000}
    assert _points(url, experiment_id, view_type="TRACES", metric_name="trace_count", aggregations=[COUNT], **after) == [
        ({}, {"COUNT": 0})
    ]
    assert (
        _points(
            url, experiment_id, view_type="TRACES", metric_name="latency", aggregations=[{"aggregation_type": "AVG"}], **after
        )
        == []
    )
    assert _points(
        url,
        experiment_id,
        view_type="SPANS",
        metric_name="span_count",
        aggregations=[COUNT],
        dimensions=["span_name"],
        max_results=2,
    ) == [({"span_name": "agent"}, {"COUNT": 5}), ({"span_name": "llm"}, {"COUNT": 4})]


def test_span_counts_models_and_costs(flowops_server, experiment_id: str, traces):
    url = flowops_server.url
    assert _points(
        url,
        experiment_id,
        view_type="SPANS",
        metric_name="span_count",
        aggregations=[COUNT],
        dimensions=["span_name", "span_type", "span_status"],
    ) == [
        ({"span_name": "agent", "span_type": "UNKNOWN", "span_status": "ERROR"}, {"COUNT": 1}),
        ({"span_name": "agent", "span_type": "UNKNOWN", "span_status": "OK"}, {"COUNT": 4}),
        ({"span_name": "llm", "span_type": "LLM", "span_status": "OK"}, {"COUNT": 4}),
        ({"span_name": "other", "span_type": "UNKNOWN", "span_status": "OK"}, {"COUNT": 1}),
    ]
    assert _points(
        url,
        experiment_id,
        view_type="SPANS",
        metric_name="span_count",
        aggregations=[COUNT],
        dimensions=["span_model_name", "span_model_provider"],
    ) == [
        ({"span_model_name": "claude", "span_model_provider": "anthropic"}, {"COUNT": 1}),
        ({"span_model_name": "gpt-x", "span_model_provider": "openai"}, {"COUNT": 3}),
    ]
    assert _points(
        url,
        experiment_id,
        view_type="SPANS",
        metric_name="total_cost",
        aggregations=[
            {"aggregation_type": "SUM"},
            {"aggregation_type": "AVG"},
            {"aggregation_type": "PERCENTILE", "percentile_value": 25},
        ],
        dimensions=["span_model_name"],
    ) == [
        ({"span_model_name": "claude"}, {"SUM": 1.5, "AVG": 1.5, "P25.0": 1.5}),
        ({"span_model_name": "gpt-x"}, {"SUM": 6.75, "AVG": 2.25, "P25.0": 1.5}),
    ]
    [(dims, values)] = _points(
        url,
        experiment_id,
        view_type="SPANS",
        metric_name="latency",
        aggregations=[{"aggregation_type": "MAX"}],
        filters=["span.type = 'LLM'", "trace.tag.team = 'b'"],
    )
    assert dims == {} and values["MAX"] >= 0


def test_assessment_counts_and_values(flowops_server, experiment_id: str, traces):
    url = flowops_server.url
    assert _points(
        url,
        experiment_id,
        view_type="ASSESSMENTS",
        metric_name="assessment_count",
        aggregations=[COUNT],
        dimensions=["assessment_name", "assessment_value"],
    ) == [
        ({"assessment_name": "correct", "assessment_value": "false"}, {"COUNT": 1}),
        ({"assessment_name": "correct", "assessment_value": "true"}, {"COUNT": 1}),
        ({"assessment_name": "expected", "assessment_value": '"hi"'}, {"COUNT": 1}),
        ({"assessment_name": "score", "assessment_value": "0.4"}, {"COUNT": 1}),
        ({"assessment_name": "score", "assessment_value": "0.8"}, {"COUNT": 1}),
        ({"assessment_name": "tone", "assessment_value": '"rude"'}, {"COUNT": 1}),
        ({"assessment_name": "tone", "assessment_value": '"yes"'}, {"COUNT": 1}),
    ]
    # Booleans and "yes"/"no" count as 1 and 0; other text has no value.
    assert _points(
        url,
        experiment_id,
        view_type="ASSESSMENTS",
        metric_name="assessment_value",
        aggregations=[
            {"aggregation_type": "AVG"},
            {"aggregation_type": "MIN"},
            {"aggregation_type": "MAX"},
            {"aggregation_type": "PERCENTILE", "percentile_value": 50},
        ],
        dimensions=["assessment_name"],
    ) == [
        ({"assessment_name": "correct"}, {"AVG": 0.5, "MIN": 0, "MAX": 1, "P50.0": 0.5}),
        ({"assessment_name": "score"}, pytest.approx({"AVG": 0.6, "MIN": 0.4, "MAX": 0.8, "P50.0": 0.6})),
        ({"assessment_name": "tone"}, {"AVG": 1, "MIN": 1, "MAX": 1, "P50.0": 1}),
    ]
    assert _points(
        url,
        experiment_id,
        view_type="ASSESSMENTS",
        metric_name="assessment_count",
        aggregations=[COUNT],
        filters=["assessment.type = 'feedback'", "trace.status = 'OK'"],
    ) == [({}, {"COUNT": 4})]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"view_type": "TRACES", "metric_name": "nope", "aggregations": [COUNT]},
            "metric_name must be one of ['trace_count', 'session_count', 'latency', 'input_tokens', "
            "'output_tokens', 'total_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'], got 'nope'",
        ),
        (
            {
                "view_type": "TRACES",
                "metric_name": "trace_count",
                "aggregations": [{"aggregation_type": "SUM"}, {"aggregation_type": "AVG"}],
            },
            "Found invalid aggregation_type(s): ['AVG', 'SUM']. Supported aggregation types: ['COUNT']",
        ),
        (
            {
                "view_type": "TRACES",
                "metric_name": "latency",
                "aggregations": [{"aggregation_type": "AVG"}],
                "dimensions": ["trace_status", "x"],
            },
            "Found invalid dimension(s): ['trace_status', 'x']. Supported dimensions: ['trace_name']",
        ),
        (
            {"view_type": "TRACES", "metric_name": "trace_count", "aggregations": [COUNT], "time_interval_seconds": 60},
            "start_time_ms and end_time_ms are required if time_interval_seconds is set",
        ),
        (
            {"view_type": "TRACES", "metric_name": "trace_count", "aggregations": [COUNT], "filters": ["span.name = 'x'"]},
            "Filtering by span is only supported for SPANS view type, got TRACES",
        ),
        (
            {"view_type": "SPANS", "metric_name": "span_count", "aggregations": [COUNT], "filters": ["assessment.name = 'x'"]},
            "Filtering by assessment is only supported for ASSESSMENTS view type, got SPANS",
        ),
        (
            {"view_type": "TRACES", "metric_name": "trace_count", "aggregations": [COUNT], "filters": ["foo.status = 'x'"]},
            "Invalid view type 'foo'. Valid values are dict_keys(['trace', 'span', 'assessment'])",
        ),
        (
            {"view_type": "TRACES", "metric_name": "trace_count", "aggregations": [COUNT], "filters": ["trace.name = 'x'"]},
            "Invalid entity 'name' specified for view type 'trace'. Valid entities are ['status', 'tag', 'metadata']",
        ),
        (
            {"view_type": "TRACES", "metric_name": "trace_count", "aggregations": [COUNT], "filters": ["trace.tag = 'x'"]},
            "Filtering by tag requires a key, e.g. 'trace.tag.<key> = <value>'",
        ),
        (
            {"view_type": "TRACES", "metric_name": "trace_count", "aggregations": [COUNT], "filters": ["trace.status != 'x'"]},
            "Invalid comparator: '!=', only '=' operator is supported",
        ),
        (
            {
                "view_type": "TRACES",
                "metric_name": "trace_count",
                "aggregations": [COUNT],
                "filters": ["trace.status = 'x' AND trace.status = 'y'"],
            },
            "Invalid clause(s) in filter string: AND",
        ),
        (
            {"view_type": "TRACES", "metric_name": "trace_count", "aggregations": [COUNT], "filters": ["trace.status = 5"]},
            "Expected a quoted string value for status value (e.g. 'my-value'). Got value 5",
        ),
        (
            {"metric_name": "trace_count", "aggregations": [COUNT]},
            "Missing value for required parameter 'view_type'. See the API docs for more information about request "
            "parameters.",
        ),
    ],
)
def test_metric_query_validation(flowops_server, experiment_id: str, body: dict, message: str):
    answer = _metrics(flowops_server.url, experiment_id, **body)
    assert answer.status_code == 400
    assert answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert answer.json()["message"] == message


def test_percentile_without_value_is_refused(flowops_server, experiment_id: str):
    # mlflow's server fails with a 500 page here; FlowOps answers a 400. Either way, no data.
    answer = _metrics(
        flowops_server.url,
        experiment_id,
        view_type="TRACES",
        metric_name="latency",
        aggregations=[{"aggregation_type": "PERCENTILE"}],
    )
    assert answer.status_code in (400, 500)


def test_filter_correlation(flowops_server, experiment_id: str, traces):
    from mlflow.tracing.client import TracingClient

    client = TracingClient()
    result = client.calculate_trace_filter_correlation([experiment_id], "trace.status = 'ERROR'", "tags.team = 'b'")
    assert (result.filter1_count, result.filter2_count, result.joint_count, result.total_count) == (1, 3, 1, 6)
    assert result.npmi == pytest.approx(0.3868528072345415)
    assert result.npmi_smoothed == pytest.approx(0.24221673613591177)

    based = client.calculate_trace_filter_correlation(
        [experiment_id], "trace.status = 'OK'", "tags.team = 'a'", base_filter="name = 'agent'"
    )
    assert (based.filter1_count, based.filter2_count, based.joint_count, based.total_count) == (4, 2, 2, 5)
    assert based.npmi == pytest.approx(0.24352920263396993)

    disjoint = client.calculate_trace_filter_correlation([experiment_id], "trace.status = 'ERROR'", "tags.team = 'a'")
    assert disjoint.npmi == -1.0
    assert disjoint.npmi_smoothed == pytest.approx(-0.14624062518028913)
    same = client.calculate_trace_filter_correlation([experiment_id], "tags.team = 'a'", "tags.team = 'a'")
    assert same.npmi == 1.0

    # Without support the scores are undefined: left out of the answer, NaN in the client.
    raw = requests.post(
        f"{flowops_server.url}/api/3.0/mlflow/traces/calculate-filter-correlation",
        json={
            "experiment_ids": [experiment_id],
            "filter_string1": "trace.status = 'ERROR'",
            "filter_string2": "tags.team = 'zzz'",
        },
        timeout=30,
    )
    assert raw.status_code == 200
    assert raw.json() == {"filter1_count": 1, "filter2_count": 0, "joint_count": 0, "total_count": 6}
    assert math.isnan(
        client.calculate_trace_filter_correlation([experiment_id], "trace.status = 'ERROR'", "tags.team = 'zzz'").npmi
    )

    missing = requests.post(
        f"{flowops_server.url}/api/3.0/mlflow/traces/calculate-filter-correlation",
        json={"experiment_ids": [experiment_id], "filter_string1": "tags.team = 'a'"},
        timeout=30,
    )
    assert missing.status_code == 400
    assert missing.json()["message"] == (
        "Missing value for required parameter 'filter_string2'. See the API docs for more information about request "
        "parameters."
    )
    bad = requests.post(
        f"{flowops_server.url}/api/3.0/mlflow/traces/calculate-filter-correlation",
        json={"experiment_ids": [experiment_id], "filter_string1": "foo.x = 'y'", "filter_string2": "tags.team = 'a'"},
        timeout=30,
    )
    assert bad.status_code == 400
    assert bad.json()["error_code"] == "INVALID_PARAMETER_VALUE"
