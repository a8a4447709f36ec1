"""Paging of trace, evaluation dataset and webhook searches, and trace links to runs, as `mlflow server` 3.17.2
answers them over plain REST and through MlflowClient.

Tokens are base64 of Python's `json.dumps({"offset": N})`, read with mlflow's messages and `int()`. Trace search
hands out a token whenever a page is full (so an exactly full last page has one, whose page is empty); the
dataset and webhook lists fetch one row more and hand out none there. Each answer here was read off the real
server first; run with FLOWOPS_COMPAT_SERVER_URL pointing at `mlflow server` to check the tests themselves
(started with MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS=true, as conftest starts FlowOps, for the webhook test).
"""

from __future__ import annotations

import base64
import uuid

import mlflow
import pytest
import requests
from mlflow import MlflowClient

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])


def _token(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


REFUSED = [
    ("!!!", "Invalid page token, decoded value=b''"),
    ("abc", "Invalid page token, could not base64-decode"),
    (_token('{"foo": 1}'), "Invalid page token, parsed value={'foo': 1}"),
    (_token('{"offset": 0}'), "Invalid page token, parsed value={'offset': 0}"),
]


@pytest.fixture
def traced(flowops_server):
    """An experiment with four traces, one second apart, listed newest first as tr[3] .. tr[0]."""
    url = flowops_server.url
    experiment_id = requests.post(
        f"{url}/api/2.0/mlflow/experiments/create", json={"name": f"paged-{uuid.uuid4().hex[:8]}"}, timeout=30
    ).json()["experiment_id"]
    location = {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": experiment_id}}
    trace_ids = []
    for i in range(4):
        trace_id = f"tr-{uuid.uuid4().hex}"
        info = {
            "trace_id": trace_id,
            "trace_location": location,
            "request_time": f"2024-01-01T00:00:0{i}Z",
            "execution_duration": "1s",
            "state": "OK",
        }
        response = requests.post(f"{url}/api/3.0/mlflow/traces", json={"trace": {"trace_info": info}}, timeout=30)
        assert response.status_code == 200, response.text
        trace_ids.append(trace_id)
    return {"url": url, "experiment_id": experiment_id, "location": location, "trace_ids": trace_ids}


def _trace_searches(traced):
    url, location, experiment_id = traced["url"], traced["location"], traced["experiment_id"]

    def v3(max_results=None, page_token=None):
        body = {"locations": [location]}
        if max_results is not None:
            body["max_results"] = max_results
        if page_token is not None:
            body["page_token"] = page_token
        response = requests.post(f"{url}/api/3.0/mlflow/traces/search", json=body, timeout=30)
        return response.status_code, response.json()

    def v2(max_results=None, page_token=None):
        params = {"experiment_ids": experiment_id}
        if max_results is not None:
            params["max_results"] = max_results
        if page_token is not None:
            params["page_token"] = page_token
        response = requests.get(f"{url}/api/2.0/mlflow/traces", params=params, timeout=30)
        return response.status_code, response.json()

    return {"v3": v3, "v2": v2}


def _ids(body: dict) -> list[str]:
    return [t.get("trace_id") or t.get("request_id") for t in body.get("traces", [])]


@pytest.mark.parametrize("api", ["v3", "v2"])
def test_trace_search_pages_with_pythons_tokens_and_a_token_after_a_full_last_page(traced, api):
    search = _trace_searches(traced)[api]
    newest_first = traced["trace_ids"][::-1]
    status, everything = search()
    assert (status, _ids(everything), everything.get("next_page_token")) == (200, newest_first, None)
    _, first = search(2)
    assert (_ids(first), first["next_page_token"]) == (newest_first[:2], _token('{"offset": 2}'))
    _, last = search(2, first["next_page_token"])
    assert (_ids(last), last["next_page_token"]) == (newest_first[2:], _token('{"offset": 4}'))
    status, after = search(2, last["next_page_token"])
    assert (status, _ids(after), after.get("next_page_token")) == (200, [], None)


@pytest.mark.parametrize("api", ["v3", "v2"])
@pytest.mark.parametrize(("page_token", "message"), REFUSED)
def test_trace_search_refuses_bad_tokens_with_mlflows_messages(traced, api, page_token, message):
    status, body = _trace_searches(traced)[api](1, page_token)
    assert (status, body["error_code"], body["message"]) == (400, "INVALID_PARAMETER_VALUE", message)


@pytest.mark.parametrize("api", ["v3", "v2"])
@pytest.mark.parametrize(
    ("text", "index", "next_offset"),
    [('{"offset": -1}', 0, 0), ('{"offset": 1.5}', 1, 2), ('{"offset": "2"}', 2, 3), ('{"offset":2}', 2, 3)],
)
def test_trace_search_reads_offsets_with_pythons_int(traced, api, text, index, next_offset):
    # A negative offset fetches from the start, yet the next token is written from it.
    status, body = _trace_searches(traced)[api](1, _token(text))
    expected = (200, [traced["trace_ids"][::-1][index]], _token(f'{{"offset": {next_offset}}}'))
    assert (status, _ids(body), body["next_page_token"]) == expected


def test_dataset_search_pages_with_pythons_tokens_and_reads_odd_ones(flowops_server):
    url = f"{flowops_server.url}/api/3.0/mlflow/datasets"
    prefix = f"pg-{uuid.uuid4().hex[:8]}"
    for i in range(3):
        assert requests.post(f"{url}/create", json={"name": f"{prefix}-{i}"}, timeout=30).status_code == 200

    def search(max_results=None, page_token=None):
        body = {"filter_string": f"name LIKE '{prefix}%'"}
        if max_results is not None:
            body["max_results"] = max_results
        if page_token is not None:
            body["page_token"] = page_token
        response = requests.post(f"{url}/search", json=body, timeout=30)
        return response.status_code, response.json()

    status, everything = search()
    assert (status, len(everything["datasets"]), everything.get("next_page_token")) == (200, 3, None)
    _, first = search(1)
    assert first["next_page_token"] == _token('{"offset": 1}')
    _, last = search(3)
    assert (len(last["datasets"]), last.get("next_page_token")) == (3, None)
    _, from_start = search(1, _token('{"offset": -1}'))
    assert from_start["next_page_token"] == _token('{"offset": 0}')
    _, fractional = search(1, _token('{"offset": 1.5}'))
    assert fractional["next_page_token"] == _token('{"offset": 2}')
    _, text = search(1, _token('{"offset": "2"}'))
    assert (len(text["datasets"]), text.get("next_page_token")) == (1, None)
    for page_token, message in REFUSED:
        status, body = search(1, page_token)
        assert (status, body["error_code"], body["message"]) == (400, "INVALID_PARAMETER_VALUE", message)


def test_webhook_list_pages_with_pythons_tokens_and_reads_odd_ones(flowops_server):
    url = f"{flowops_server.url}/api/2.0/mlflow/webhooks"
    for i in range(2):
        body = {
            "name": f"pg-{i}",
            "url": "http://127.0.0.1:9/hook",
            "events": [{"entity": "REGISTERED_MODEL", "action": "CREATED"}],
        }
        response = requests.post(url, json=body, timeout=30)
        assert response.status_code == 200, response.text

    def page(max_results=None, page_token=None):
        params = {}
        if max_results is not None:
            params["max_results"] = max_results
        if page_token is not None:
            params["page_token"] = page_token
        response = requests.get(url, params=params, timeout=30)
        return response.status_code, response.json()

    _, everything = page(1000)
    names = [w["webhook_id"] for w in everything["webhooks"]]
    _, first = page(1)
    assert first["next_page_token"] == _token('{"offset": 1}')
    _, from_start = page(1, _token('{"offset": -1}'))
    assert ([w["webhook_id"] for w in from_start["webhooks"]], from_start["next_page_token"]) == (
        names[:1],
        _token('{"offset": 0}'),
    )
    _, text = page(1, _token('{"offset": "1"}'))
    assert [w["webhook_id"] for w in text["webhooks"]] == names[1:2]
    # The last webhook, alone on a full page, has no token after it.
    status, last = page(1, _token(f'{{"offset": {len(names) - 1}}}'))
    assert (status, [w["webhook_id"] for w in last["webhooks"]], last.get("next_page_token")) == (
        200,
        names[-1:],
        None,
    )
    for page_token, message in REFUSED:
        status, body = page(1, page_token)
        assert (status, body["error_code"], body["message"]) == (400, "INVALID_PARAMETER_VALUE", message)


@pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="link_traces_to_run exists from MLflow 3")
def test_link_traces_to_run_skips_unknown_traces_reads_no_run_and_shows_no_metadata(traced):
    url, trace_ids = traced["url"], traced["trace_ids"]
    client = MlflowClient(tracking_uri=url)
    run_id = client.create_run(traced["experiment_id"]).info.run_id
    client.link_traces_to_run([trace_ids[0], "tr-unknown"], run_id)
    client.link_traces_to_run([trace_ids[1]], "no-such-run")
    client.link_traces_to_run(["tr-unknown"], "no-such-run")
    response = requests.post(
        f"{url}/api/2.0/mlflow/traces/link-to-run", json={"trace_ids": ["tr-unknown"], "run_id": "x"}, timeout=30
    )
    assert (response.status_code, response.json()) == (200, {})

    info = requests.get(f"{url}/api/3.0/mlflow/traces/{trace_ids[0]}", timeout=30).json()["trace"]["trace_info"]
    assert info["trace_metadata"] == {"mlflow.trace.infoFinalized": "true"}
    v2_info = requests.get(f"{url}/api/2.0/mlflow/traces/{trace_ids[0]}/info", timeout=30).json()["trace_info"]
    assert v2_info["request_metadata"] == [{"key": "mlflow.trace.infoFinalized", "value": "true"}]

    search = _trace_searches(traced)
    for api, filter_string, expected in [
        ("v3", f"run_id = '{run_id}'", [trace_ids[0]]),
        ("v3", f"metadata.`mlflow.sourceRun` = '{run_id}'", [trace_ids[0]]),
        ("v3", "run_id = 'no-such-run'", [trace_ids[1]]),
        ("v3", f"metadata.`mlflow.sourceRun` != '{run_id}'", []),
        ("v3", "metadata.`mlflow.sourceRun` IS NULL", trace_ids[::-1]),
        ("v2", f"request_metadata.`mlflow.sourceRun` = '{run_id}'", [trace_ids[0]]),
    ]:
        if api == "v3":
            body = {"locations": [traced["location"]], "filter": filter_string}
            response = requests.post(f"{url}/api/3.0/mlflow/traces/search", json=body, timeout=30)
        else:
            params = {"experiment_ids": traced["experiment_id"], "filter": filter_string}
            response = requests.get(f"{url}/api/2.0/mlflow/traces", params=params, timeout=30)
        assert (response.status_code, _ids(response.json())) == (200, expected), filter_string
    assert search["v3"]()[1]["traces"][-1].get("trace_metadata") == {"mlflow.trace.infoFinalized": "true"}
