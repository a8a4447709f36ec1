"""runs/log-batch with values of other types than the proto's, and the order of a trace's metadata and tags.

log-batch: protobuf reads the body in the order it was written and stops at the first value it cannot read
(that field keeps its default, everything written after it is lost), MLflow's handler checks the raw body for
required fields, and the store gets the partial message. So a param or tag value that is no string is stored
as "", a key of 5 reaches the store as "" and is refused as a path, "1.5" is a metric value of 1.5, and a
run_id written after an unreadable value is "".

Trace metadata and tags: `mlflow server` lists them in no stable order (neither insertion nor key order; get
and search of one trace differ, and search changes between calls), so only the mapping is compared.
"""

from __future__ import annotations

import uuid

import pytest
import requests

BAD_PATH = (
    "Names may be treated as files in certain cases, and must not resolve to other names when treated as such. "
    "This name would resolve to '.'"
)
HINT = "See the API docs for more information about request parameters."


def _api(server, path: str) -> str:
    return f"{server.url}/api/2.0/mlflow/{path}"


def _new_run(server, unique: str) -> str:
    name = f"batch-values-{unique}-{uuid.uuid4().hex[:6]}"
    experiment = requests.post(_api(server, "experiments/create"), json={"name": name}, timeout=30).json()
    run = requests.post(_api(server, "runs/create"), json={"experiment_id": experiment["experiment_id"]}, timeout=30)
    return run.json()["run"]["info"]["run_id"]


def _log(server, text: str) -> requests.Response:
    return requests.post(
        _api(server, "runs/log-batch"), data=text, headers={"Content-Type": "application/json"}, timeout=30
    )


def _logged(server, unique: str, fields: str) -> tuple[requests.Response, dict]:
    run_id = _new_run(server, unique)
    answer = _log(server, f'{{"run_id": "{run_id}", {fields}}}')
    data = requests.get(_api(server, "runs/get"), params={"run_id": run_id}, timeout=30).json()["run"]["data"]
    data["tags"] = [t for t in data.get("tags", []) if not t["key"].startswith("mlflow.")]
    return answer, data


@pytest.mark.parametrize("value", ["5", "1.5", "true", "null", "[1, 2]", '{"a": 1}'])
def test_param_value_that_is_no_string_is_stored_empty(flowops_server, unique, value):
    fields = f'"params": [{{"key": "p", "value": {value}}}], "tags": [{{"key": "t"}}]'
    answer, data = _logged(flowops_server, unique, fields)
    assert answer.status_code == 200, answer.text
    assert data["params"] == [{"key": "p", "value": ""}]
    # null clears the field and the read goes on; any other unreadable value ends it, losing the tag.
    assert data["tags"] == ([{"key": "t", "value": ""}] if value == "null" else [])


def test_values_after_an_unreadable_one_are_lost(flowops_server, unique):
    answer, data = _logged(
        flowops_server,
        unique,
        '"params": [{"key": "p", "value": 5}, {"key": "q", "value": "x"}], "tags": [{"key": "t", "value": "v"}]',
    )
    assert answer.status_code == 200, answer.text
    assert data["params"] == [{"key": "p", "value": ""}]
    assert data["tags"] == []


def test_run_id_after_an_unreadable_value_is_empty(flowops_server, unique):
    run_id = _new_run(flowops_server, unique)
    answer = _log(flowops_server, f'{{"tags": [{{"key": "t", "value": 5}}], "run_id": "{run_id}"}}')
    assert answer.status_code == 400
    assert answer.json()["message"] == "Invalid value \"\" for parameter 'run_id' supplied."


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ('"params": [{"key": 5, "value": "v"}]', "params[0].key"),
        ('"params": [{"value": 5, "key": "p"}]', "params[0].key"),
        ('"tags": [{"key": 5, "value": "v"}]', "tags[0].key"),
        ('"metrics": [{"key": 5, "value": 1, "timestamp": 1}]', "metrics[0].name"),
    ],
)
def test_key_that_is_no_string_is_refused_as_an_empty_name(flowops_server, unique, fields, path):
    answer, _ = _logged(flowops_server, unique, fields)
    assert answer.status_code == 400
    assert answer.json()["message"] == f"Invalid value \"\" for parameter '{path}' supplied: {BAD_PATH}"


@pytest.mark.parametrize(
    ("value", "timestamp", "step", "expected"),
    [
        ('"1.5"', "1", "0", (1.5, 1, 0)),
        ('"Infinity"', "1", "0", (1.7976931348623157e308, 1, 0)),
        ("true", "1", "0", (1.0, 1, 0)),
        ('"nan"', "1", "0", (0.0, 0, 0)),
        ('"abc"', "1", "0", (0.0, 0, 0)),
        ("1", '"7"', '"3"', (1.0, 7, 3)),
        ("1", "7.0", "3.5", (1.0, 7, 0)),
        ("1", '"7.5"', '"3"', (1.0, 0, 0)),
        ("1", "5", '"1e3"', (1.0, 5, 1000)),
        ("1", "5", '" 3"', (1.0, 5, 0)),
        ("1", "5", "null", (1.0, 5, 0)),
    ],
)
def test_metric_fields_written_as_text(flowops_server, unique, value, timestamp, step, expected):
    metric = f'{{"key": "m", "value": {value}, "timestamp": {timestamp}, "step": {step}}}'
    answer, data = _logged(flowops_server, unique, f'"metrics": [{metric}]')
    assert answer.status_code == 200, answer.text
    [logged] = data["metrics"]
    assert (logged["value"], logged["timestamp"], logged["step"]) == expected


def test_metric_value_nan_text(flowops_server, unique):
    answer, data = _logged(flowops_server, unique, '"metrics": [{"key": "m", "value": "NaN", "timestamp": 1}]')
    assert answer.status_code == 200, answer.text
    assert data["metrics"] == [{"key": "m", "value": "NaN", "timestamp": 1, "step": 0}]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            '"metrics": [{"key": "m", "value": null, "timestamp": 1}]',
            f"Missing value for required parameter 'metrics[0].value'. {HINT}",
        ),
        (
            '"params": {"value": "v", "key": "p"}',
            "Invalid value {\"key\":\"p\",\"value\":\"v\"} for parameter 'params' supplied:  "
            f"Hint: Value was of type 'dict'. {HINT}",
        ),
    ],
)
def test_refusals(flowops_server, unique, fields, message):
    answer, _ = _logged(flowops_server, unique, fields)
    assert answer.status_code == 400
    assert answer.json()["message"] == message


def test_trace_metadata_and_tags_round_trip_as_mappings(flowops_server, unique):
    experiment = requests.post(
        _api(flowops_server, "experiments/create"), json={"name": f"trace-order-{unique}"}, timeout=30
    ).json()["experiment_id"]
    trace_id = f"tr-{uuid.uuid4().hex}"
    keys = ["zeta", "alpha", "mike", "bravo"]
    location = {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": experiment}}
    info = {
        "trace_id": trace_id,
        "trace_location": location,
        "request_time": "2024-01-01T00:00:00Z",
        "state": "OK",
        "trace_metadata": {k: f"m-{k}" for k in keys},
        "tags": {k: f"t-{k}" for k in keys},
    }
    v3 = f"{flowops_server.url}/api/3.0/mlflow/traces"
    assert requests.post(v3, json={"trace": {"trace_info": info}}, timeout=30).status_code == 200
    assert requests.patch(f"{v3}/{trace_id}/tags", json={"key": "delta", "value": "d"}, timeout=30).status_code == 200
    got = requests.get(f"{v3}/{trace_id}", timeout=30).json()["trace"]["trace_info"]
    found = requests.post(f"{v3}/search", json={"locations": [location]}, timeout=30).json()["traces"][0]
    for answer in (got, found):
        metadata = {k: v for k, v in answer["trace_metadata"].items() if not k.startswith("mlflow.")}
        tags = {k: v for k, v in answer["tags"].items() if not k.startswith("mlflow.")}
        assert metadata == {k: f"m-{k}" for k in keys}
        assert tags == {**{k: f"t-{k}" for k in keys}, "delta": "d"}
