"""Paging and request checks over plain REST, as `mlflow server` 3.17.2 answers them.

Search defaults when max_results is left out, the text of page tokens, how odd tokens are read or refused, and
the messages for names, keys and values of the wrong type or spelling. Each answer here was read off the real
server first; run with FLOWOPS_COMPAT_SERVER_URL pointing at `mlflow server` to check the tests themselves.
"""

from __future__ import annotations

import base64
import uuid

import pytest
import requests

API_DOCS = "See the API docs for more information about request parameters."


def _token(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def api(flowops_server):
    def call(method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        url = f"{flowops_server.url}/api/2.0/mlflow/{path}"
        if method == "GET":
            response = requests.get(url, params=body or {}, timeout=30)
        else:
            response = requests.request(method, url, json=body or {}, timeout=30)
        return response.status_code, response.json()

    return call


@pytest.fixture
def paged(api):
    """Two experiments, two runs in the first, two registered models and two versions, all named uniquely."""
    prefix = f"paged-{uuid.uuid4().hex[:8]}"
    experiment_ids = [api("POST", "experiments/create", {"name": f"{prefix}-{i}"})[1]["experiment_id"] for i in (0, 1)]
    run_ids = [
        api("POST", "runs/create", {"experiment_id": experiment_ids[0], "start_time": 1000 + i})[1]["run"]["info"]["run_id"]
        for i in (0, 1)
    ]
    for i in (0, 1):
        assert api("POST", "registered-models/create", {"name": f"{prefix}-m{i}"})[0] == 200
        source = {"name": f"{prefix}-m0", "source": f"runs:/{run_ids[0]}/model", "run_id": run_ids[0]}
        assert api("POST", "model-versions/create", source)[0] == 200
    return {"prefix": prefix, "experiment_ids": experiment_ids, "run_ids": run_ids}


def _refusal(message: str) -> tuple[int, dict]:
    return 400, {"error_code": "INVALID_PARAMETER_VALUE", "message": message}


def _without_extras(answer: tuple[int, dict]) -> tuple[int, dict]:
    status, body = answer
    return status, {k: v for k, v in body.items() if k in ("error_code", "message")}


# ------------------------------------------------------------------------------------------ default page sizes
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_experiment_search_without_max_results_is_refused(api, method):
    # SearchExperiments.max_results has no proto default; the store refuses the 0 it is handed.
    message = "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer"
    assert _without_extras(api(method, "experiments/search", {})) == _refusal(message)


def test_other_searches_without_max_results_answer_one_page(api, paged):
    prefix = paged["prefix"]
    status, runs = api("POST", "runs/search", {"experiment_ids": [paged["experiment_ids"][0]]})
    assert (status, len(runs["runs"]), runs.get("next_page_token")) == (200, 2, None)
    status, models = api("GET", "registered-models/search", {"filter": f"name LIKE '{prefix}%'"})
    assert (status, len(models["registered_models"]), models.get("next_page_token")) == (200, 2, None)
    status, versions = api("GET", "model-versions/search", {"filter": f"name = '{prefix}-m0'"})
    assert (status, len(versions["model_versions"]), versions.get("next_page_token")) == (200, 2, None)


# ------------------------------------------------------------------------------------------------ token text
def test_tokens_are_base64_of_pythons_json_dumps(api, paged):
    prefix, first = paged["prefix"], _token('{"offset": 1}')
    experiments = api("POST", "experiments/search", {"filter": f"name LIKE '{prefix}%'", "max_results": 1})[1]
    runs = api("POST", "runs/search", {"experiment_ids": [paged["experiment_ids"][0]], "max_results": 1})[1]
    models = api("GET", "registered-models/search", {"filter": f"name LIKE '{prefix}%'", "max_results": 1})[1]
    versions = api("GET", "model-versions/search", {"filter": f"name = '{prefix}-m0'", "max_results": 1})[1]
    assert first == "eyJvZmZzZXQiOiAxfQ=="
    assert [body["next_page_token"] for body in (experiments, runs, models, versions)] == [first] * 4


def test_an_exactly_full_last_page_of_runs_has_no_token(api, paged):
    status, body = api("POST", "runs/search", {"experiment_ids": [paged["experiment_ids"][0]], "max_results": 2})
    assert (status, len(body["runs"]), body.get("next_page_token")) == (200, 2, None)


# ------------------------------------------------------------------------------------------------ odd tokens
def _searches(paged):
    prefix = paged["prefix"]
    return [
        ("POST", "experiments/search", {"filter": f"name LIKE '{prefix}%'", "max_results": 1}, "experiments"),
        ("POST", "runs/search", {"experiment_ids": [paged["experiment_ids"][0]], "max_results": 1}, "runs"),
        ("GET", "registered-models/search", {"filter": f"name LIKE '{prefix}%'", "max_results": 1}, "registered_models"),
        ("GET", "model-versions/search", {"filter": f"name = '{prefix}-m0'", "max_results": 1}, "model_versions"),
    ]


def test_a_negative_offset_answers_the_first_page_and_pages_on_from_itself(api, paged):
    for method, path, body, key in _searches(paged):
        first = api(method, path, body)[1]
        status, answer = api(method, path, {**body, "page_token": _token('{"offset": -1}')})
        assert (status, answer[key], answer["next_page_token"]) == (200, first[key], _token('{"offset": 0}')), path
        # ... and mlflow refuses the token it just handed out: a zero offset is not truthy.
        refused = api(method, path, {**body, "page_token": answer["next_page_token"]})
        assert _without_extras(refused) == _refusal("Invalid page token, parsed value={'offset': 0}"), path


def test_offsets_are_read_with_pythons_int(api, paged):
    for method, path, body, key in _searches(paged):
        second = api(method, path, {**body, "page_token": _token('{"offset": 1}')})[1]
        for offset in ("1.5", '"1"', "true"):
            status, answer = api(method, path, {**body, "page_token": _token(f'{{"offset": {offset}}}')})
            assert (status, answer[key]) == (200, second[key]), (path, offset)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("!!!", "Invalid page token, decoded value=b''"),
        ("abc", "Invalid page token, could not base64-decode"),
        (_token("notjson"), "Invalid page token, decoded value=b'notjson'"),
        (_token('{"foo": 1}'), "Invalid page token, parsed value={'foo': 1}"),
        (_token('{"offset": "x"}'), "Invalid page token, not stringable x"),
    ],
)
def test_bad_tokens_are_refused_with_mlflows_messages(api, paged, token, message):
    for method, path, body, _key in _searches(paged):
        assert _without_extras(api(method, path, {**body, "page_token": token})) == _refusal(message), path


# ------------------------------------------------------------------------------------- names, keys and values
@pytest.fixture
def run_id(api):
    experiment_id = api("POST", "experiments/create", {"name": f"keys-{uuid.uuid4().hex[:8]}"})[1]["experiment_id"]
    return api("POST", "runs/create", {"experiment_id": experiment_id, "run_name": "named"})[1]["run"]["info"]["run_id"]


@pytest.mark.parametrize(
    ("value", "shown", "type_name"),
    [(5, "5", "int"), (1.5, "1.5", "float"), (True, "true", "bool"), ([1], "[1]", "list"), ({"a": 1}, '{"a":1}', "dict")],
)
def test_string_fields_of_another_type_get_pythons_type_hint(api, run_id, value, shown, type_name):
    requests_by_field = [
        ("experiments/create", {"name": value}, "name"),
        ("experiments/update", {"experiment_id": "0", "new_name": value}, "new_name"),
        ("experiments/set-experiment-tag", {"experiment_id": "0", "key": value, "value": "1"}, "key"),
        ("experiments/set-experiment-tag", {"experiment_id": "0", "key": "k", "value": value}, "value"),
        ("experiments/delete-experiment-tag", {"experiment_id": "0", "key": value}, "key"),
        ("runs/create", {"experiment_id": "0", "run_name": value}, "run_name"),
        ("runs/update", {"run_id": run_id, "run_name": value}, "run_name"),
        ("runs/log-parameter", {"run_id": run_id, "key": value, "value": "1"}, "key"),
        ("runs/log-parameter", {"run_id": run_id, "key": "p", "value": value}, "value"),
        ("runs/log-metric", {"run_id": run_id, "key": value, "value": 1, "timestamp": 1}, "key"),
        ("runs/set-tag", {"run_id": run_id, "key": value, "value": "1"}, "key"),
        ("runs/set-tag", {"run_id": run_id, "key": "t", "value": value}, "value"),
        ("runs/delete-tag", {"run_id": run_id, "key": value}, "key"),
    ]
    for path, body, field in requests_by_field:
        message = f"Invalid value {shown} for parameter '{field}' supplied:  Hint: Value was of type '{type_name}'. {API_DOCS}"
        assert _without_extras(api("POST", path, body)) == _refusal(message), path


def test_a_null_run_name_is_unset(api, run_id):
    status, created = api("POST", "runs/create", {"experiment_id": "0", "run_name": None})
    assert status == 200 and created["run"]["info"]["run_name"]
    status, updated = api("POST", "runs/update", {"run_id": run_id, "run_name": None})
    assert (status, updated["run_info"]["run_name"]) == (200, "named")


RESOLVES = "Names may be treated as files in certain cases, and must not resolve to other names when treated as such."
CHARACTERS = "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/)."


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("a/../b", f"{RESOLVES} This name would resolve to 'b'"),
        ("/lead", f"{RESOLVES} This name would resolve to '/lead'"),
        ("a\nb", CHARACTERS),
        ("a$b", CHARACTERS),
    ],
)
def test_invalid_keys_are_refused_with_mlflows_messages(api, run_id, key, reason):
    shown = '"' + key.replace("\n", "\\n") + '"'
    assert _without_extras(api("POST", "runs/log-parameter", {"run_id": run_id, "key": key, "value": "1"})) == _refusal(
        f"Invalid value {shown} for parameter 'key' supplied: {reason}"
    )
    batch = {"run_id": run_id, "metrics": [{"key": key, "value": 1, "timestamp": 1}]}
    assert _without_extras(api("POST", "runs/log-batch", batch)) == _refusal(
        f"Invalid value {shown} for parameter 'metrics[0].name' supplied: {reason}"
    )


def test_empty_and_overlong_keys_are_refused_with_mlflows_messages(api, run_id):
    empty = api("POST", "runs/log-parameter", {"run_id": run_id, "key": "", "value": "1"})
    assert _without_extras(empty) == _refusal(f"Missing value for required parameter 'key'. {API_DOCS}")
    long_key = api("POST", "runs/log-parameter", {"run_id": run_id, "key": "x" * 251, "value": "1"})
    assert _without_extras(long_key) == _refusal("'Param key' exceeds the maximum length of 250 characters")
    long_name = api("POST", "experiments/create", {"name": "x" * 501})
    assert _without_extras(long_name) == _refusal("'name' exceeds the maximum length of 500 characters")


def test_logged_model_tokens_carry_their_query(api, paged):
    """mlflow's SearchLoggedModelsPaginationToken: the query and offset as `json.dumps` writes them."""
    experiment_id = paged["experiment_ids"][1]
    for _ in range(3):
        assert api("POST", "logged-models", {"experiment_id": experiment_id})[0] == 200
    search = {"experiment_ids": [experiment_id], "max_results": 2}
    status, body = api("POST", "logged-models/search", search)
    assert status == 200 and len(body["models"]) == 2
    expected = f'{{"experiment_ids": ["{experiment_id}"], "filter_string": null, "order_by": null, "offset": 2}}'
    assert body["next_page_token"] == _token(expected)
    status, last = api("POST", "logged-models/search", {**search, "page_token": body["next_page_token"]})
    assert status == 200 and len(last["models"]) == 1 and "next_page_token" not in last

    other = {"experiment_ids": [paged["experiment_ids"][0]], "page_token": body["next_page_token"]}
    assert _without_extras(api("POST", "logged-models/search", other)) == _refusal(
        "Experiment IDs in the page token do not match the requested experiment IDs. "
        f"Expected: ['{paged['experiment_ids'][0]}']. Found: ['{experiment_id}']"
    )
    ordered = {**search, "order_by": [{"field_name": "creation_time", "ascending": False}]}
    status, body = api("POST", "logged-models/search", ordered)
    expected = (
        f'{{"experiment_ids": ["{experiment_id}"], "filter_string": null, "order_by": [{{"field_name": '
        '"creation_time", "ascending": false, "dataset_name": null, "dataset_digest": null}], "offset": 2}'
    )
    assert status == 200 and body["next_page_token"] == _token(expected)
