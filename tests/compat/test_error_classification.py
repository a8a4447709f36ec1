"""MLflow 3.17's error bodies: `serialize_as_json` (mlflow/exceptions.py) adds `sqlstate` and `error_class`,
derived from the error code in the client namespace (mlflow/error_classification.py), after `error_code` and
`message`, written by json.dumps under `application/json`. A path no route takes gets Werkzeug's HTML pages.

Recorded from `mlflow server` 3.17.2 (SQLite) with curl: a missing run is
`{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Run with id=nope not found", "sqlstate": "KAM00",
"error_class": "RESOURCE_NOT_FOUND"}`; `/api/2.0/mlflow/nope` is a 207-byte `text/html; charset=utf-8` 404;
`DELETE /api/2.0/mlflow/runs/get` a 153-byte 405 page.
"""

from __future__ import annotations

import mlflow
import pytest
import requests
from mlflow.exceptions import MlflowException

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])
API = "/api/2.0/mlflow"
FIELDS = ["error_code", "message", "sqlstate", "error_class"]
HTML = "text/html; charset=utf-8"


def _get(server, path: str, **params) -> requests.Response:
    return requests.get(f"{server.url}{path}", params=params, timeout=30)


def _post(server, path: str, body: str, content_type: str = "application/json") -> requests.Response:
    return requests.post(f"{server.url}{path}", data=body.encode(), headers={"Content-Type": content_type}, timeout=30)


def _assert_error(response: requests.Response, status: int, code: str, sqlstate: str, error_class: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == FIELDS, body
    assert (body["error_code"], body["sqlstate"], body["error_class"]) == (code, sqlstate, error_class)
    return body


def test_a_missing_run_answers_mlflows_exact_bytes(flowops_server):
    response = _get(flowops_server, f"{API}/runs/get", run_id="nope")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.content == (
        b'{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Run with id=nope not found", '
        b'"sqlstate": "KAM00", "error_class": "RESOURCE_NOT_FOUND"}'
    )


def test_missing_experiment_and_registered_model_are_resource_not_found(flowops_server, unique):
    _assert_error(_get(flowops_server, f"{API}/experiments/get", experiment_id="987654321"),
                  404, "RESOURCE_DOES_NOT_EXIST", "KAM00", "RESOURCE_NOT_FOUND")
    body = _assert_error(_get(flowops_server, f"{API}/registered-models/get", name=f"missing-{unique}"),
                         404, "RESOURCE_DOES_NOT_EXIST", "KAM00", "RESOURCE_NOT_FOUND")
    assert body["message"] == f"Registered Model with name=missing-{unique} not found"


def test_a_taken_experiment_name_is_resource_already_exists(flowops_server, unique):
    name = f"taken-{unique}"
    assert _post(flowops_server, f"{API}/experiments/create", f'{{"name": "{name}"}}').status_code == 200
    body = _assert_error(_post(flowops_server, f"{API}/experiments/create", f'{{"name": "{name}"}}'),
                         400, "RESOURCE_ALREADY_EXISTS", "KAM00", "RESOURCE_ALREADY_EXISTS")
    assert body["message"].startswith(f"Experiment(name={name}) already exists.")


def test_invalid_parameters_are_invalid_parameter_value(flowops_server):
    body = _assert_error(_get(flowops_server, f"{API}/experiments/search", max_results="-1"),
                         400, "INVALID_PARAMETER_VALUE", "KAM00", "INVALID_PARAMETER_VALUE")
    assert body["message"] == "Invalid value -1 for parameter 'max_results' supplied. It must be a positive integer"
    _assert_error(_get(flowops_server, f"{API}/experiments/search", max_results="abc"),
                  400, "INVALID_PARAMETER_VALUE", "KAM00", "INVALID_PARAMETER_VALUE")
    response = _post(flowops_server, f"{API}/experiments/create", "{}")
    assert response.content == (
        b'{"error_code": "INVALID_PARAMETER_VALUE", "message": "Missing value for required parameter \'name\'. '
        b'See the API docs for more information about request parameters.", "sqlstate": "KAM00", '
        b'"error_class": "INVALID_PARAMETER_VALUE"}'
    )


def test_bodies_that_are_not_json_are_invalid_parameter_value(flowops_server):
    # MLflow reads a malformed body as empty and names the first missing field; both are 400s of this class.
    _assert_error(_post(flowops_server, f"{API}/experiments/create", "{bad"),
                  400, "INVALID_PARAMETER_VALUE", "KAM00", "INVALID_PARAMETER_VALUE")
    _assert_error(_post(flowops_server, f"{API}/experiments/create", "{}", "text/plain"),
                  400, "INVALID_PARAMETER_VALUE", "KAM00", "INVALID_PARAMETER_VALUE")


def test_text_outside_ascii_is_escaped_as_json_dumps_does(flowops_server):
    response = _get(flowops_server, f"{API}/registered-models/get", name="\u00e9t\u00e9 \u2713")
    assert b'"message": "Registered Model with name=\\u00e9t\\u00e9 \\u2713 not found"' in response.content


@pytest.mark.parametrize("path", [f"{API}/nope", "/ajax-api/2.0/mlflow/nope", "/api/3.0/mlflow/nope", "/nope"])
def test_a_path_no_route_takes_is_werkzeugs_404_page(flowops_server, path):
    for response in (_get(flowops_server, path), _post(flowops_server, path, "{}")):
        assert response.status_code == 404
        assert response.headers["Content-Type"] == HTML
        assert response.content.startswith(b"<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n")
        assert len(response.content) == 207


def test_a_known_path_under_another_method_is_werkzeugs_405_page(flowops_server):
    response = requests.delete(f"{flowops_server.url}{API}/runs/get", timeout=30)
    assert response.status_code == 405
    assert response.headers["Content-Type"] == HTML
    assert b"<title>405 Method Not Allowed</title>" in response.content
    assert len(response.content) == 153
    # A Python set's order in MLflow; the members are what a client can rely on.
    assert sorted(response.headers["Allow"].split(", ")) == ["GET", "HEAD", "OPTIONS"]


@pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="MlflowException has sqlstate and error_class from MLflow 3.17")
def test_the_client_keeps_the_servers_classification(client, unique):
    # Without the fields in the body, RestException would derive the server namespace (KAMC2, CP_RESOURCE_NOT_FOUND).
    with pytest.raises(MlflowException) as raised:
        client.get_run("0" * 32)
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert (raised.value.sqlstate, raised.value.error_class) == ("KAM00", "RESOURCE_NOT_FOUND")
    with pytest.raises(MlflowException) as raised:
        client.get_registered_model(f"missing-{unique}")
    assert (raised.value.sqlstate, raised.value.error_class) == ("KAM00", "RESOURCE_NOT_FOUND")
