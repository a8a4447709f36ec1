"""Experiment ids in every spelling Python's `int()` reads ("0_7", " 7 ", "+7", "007"), as mlflow's SQL store reads
them (`_parse_experiment_id`), and the spellings it refuses. Raw HTTP, since the client always sends canonical ids.

Recorded from `mlflow server` 3.17.2 on SQLite: these spellings reach the experiment on experiments/get, update,
delete, restore, runs/search, scorers, label schemas, review queues and issues. runs/create takes " 7 " and "+7"
(and "0_7" fails there only because mlflow stores the text as sent and SQLite's foreign key refuses it, so it is
left out). Evaluation datasets keep experiment ids as the text sent instead of reading them.
"""

from __future__ import annotations

import mlflow
import pytest
import requests

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])
needs_mlflow_3 = pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="MLflow 3 endpoints")


def _call(server, method: str, path: str, body: dict | None = None, version: str = "2.0"):
    url = f"{server.url}/api/{version}/mlflow/{path}"
    if method == "GET":
        return requests.get(url, params=body, timeout=30)
    return requests.request(method, url, json=body, timeout=30)


def _spellings(experiment_id: str) -> list[str]:
    return [f"0_{experiment_id}", f" {experiment_id} ", f"+{experiment_id}", f"00{experiment_id}"]


def test_int_spellings_reach_the_experiment(flowops_server, client, experiment_id):
    run = client.create_run(experiment_id)
    for form in _spellings(experiment_id):
        got = _call(flowops_server, "GET", "experiments/get", {"experiment_id": form})
        assert got.status_code == 200, got.text
        assert got.json()["experiment"]["experiment_id"] == experiment_id
        found = _call(flowops_server, "POST", "runs/search", {"experiment_ids": [form]})
        assert found.status_code == 200, found.text
        assert [r["info"]["run_id"] for r in found.json()["runs"]] == [run.info.run_id]
        renamed = _call(flowops_server, "POST", "experiments/update", {"experiment_id": form, "new_name": form})
        assert renamed.status_code == 200, renamed.text
        assert client.get_experiment(experiment_id).name == form
    form = f"0_{experiment_id}"
    assert _call(flowops_server, "POST", "experiments/delete", {"experiment_id": form}).status_code == 200
    assert client.get_experiment(experiment_id).lifecycle_stage == "deleted"
    assert _call(flowops_server, "POST", "experiments/restore", {"experiment_id": form}).status_code == 200
    assert client.get_experiment(experiment_id).lifecycle_stage == "active"


def test_runs_are_created_under_spaced_and_signed_ids(flowops_server, client, experiment_id):
    for form in (f" {experiment_id} ", f"+{experiment_id}"):
        created = _call(flowops_server, "POST", "runs/create", {"experiment_id": form})
        assert created.status_code == 200, created.text
        run_id = created.json()["run"]["info"]["run_id"]
        assert client.get_run(run_id).info.experiment_id == experiment_id


@pytest.mark.parametrize("text", ["1__0", "_1", "1_", "1.0", "0x1", "1 0"])
def test_text_int_refuses_is_an_invalid_id(flowops_server, text):
    invalid = {
        "error_code": "INVALID_PARAMETER_VALUE",
        "message": f"Invalid experiment ID '{text}'. Experiment ID must be a valid integer.",
    }
    for method, path, body in [
        ("GET", "experiments/get", {"experiment_id": text}),
        ("POST", "runs/search", {"experiment_ids": [text]}),
        ("POST", "runs/create", {"experiment_id": text}),
        ("POST", "experiments/update", {"experiment_id": text, "new_name": "x"}),
    ]:
        response = _call(flowops_server, method, path, body)
        assert response.status_code == 400, (path, response.text)
        assert {k: response.json()[k] for k in invalid} == invalid


def test_a_missing_experiment_is_named_as_int_reads_it(flowops_server):
    for method, path in [("GET", "experiments/get"), ("POST", "experiments/delete")]:
        response = _call(flowops_server, method, path, {"experiment_id": " 9_999_999 "})
        assert response.status_code == 404, response.text
        assert response.json()["message"] == "No Experiment with id=9999999 exists"


@needs_mlflow_3
def test_mlflow_3_stores_read_int_spellings(flowops_server, experiment_id, unique):
    form = f"0_{experiment_id}"
    registered = _call(
        flowops_server,
        "POST",
        "scorers/register",
        {"experiment_id": form, "name": f"s-{unique}", "serialized_scorer": "{}"},
        "3.0",
    )
    assert registered.status_code == 200, registered.text
    assert str(registered.json()["experiment_id"]) == experiment_id
    listed = _call(flowops_server, "GET", "scorers/list", {"experiment_id": form}, "3.0")
    assert listed.status_code == 200, listed.text
    assert [str(s["experiment_id"]) for s in listed.json()["scorers"]] == [experiment_id]

    queue = _call(
        flowops_server,
        "POST",
        "review-queues/create",
        {"experiment_id": form, "name": f"q-{unique}", "queue_type": "CUSTOM"},
        "3.0",
    )
    assert queue.status_code == 200, queue.text
    assert queue.json()["review_queue"]["experiment_id"] == experiment_id
    queues = _call(flowops_server, "GET", "review-queues/list", {"experiment_id": f" {experiment_id} "}, "3.0")
    assert queues.status_code == 200, queues.text
    assert [q["name"] for q in queues.json()["review_queues"]] == [f"q-{unique}"]

    issue = _call(
        flowops_server,
        "POST",
        "issues",
        {"experiment_id": form, "name": f"i-{unique}", "description": "d"},
        "3.0",
    )
    assert issue.status_code == 200, issue.text
    assert issue.json()["issue"]["experiment_id"] == experiment_id
    issues = _call(flowops_server, "POST", "issues/search", {"experiment_id": f"+{experiment_id}"}, "3.0")
    assert issues.status_code == 200, issues.text
    assert [i["name"] for i in issues.json()["issues"]] == [f"i-{unique}"]

    schemas = _call(flowops_server, "GET", "label-schemas/list", {"experiment_id": form}, "3.0")
    assert schemas.status_code == 200, schemas.text
    assert {s["experiment_id"] for s in schemas.json().get("label_schemas", [])} <= {experiment_id}


@needs_mlflow_3
def test_evaluation_datasets_keep_experiment_ids_as_sent(flowops_server, experiment_id, unique):
    form = f"0_{experiment_id}"
    created = _call(
        flowops_server, "POST", "datasets/create", {"name": f"ds-{unique}", "experiment_ids": [form]}, "3.0"
    )
    assert created.status_code == 200, created.text
    dataset = created.json()["dataset"]
    assert dataset["experiment_ids"] == [form]
    found = _call(flowops_server, "POST", "datasets/search", {"experiment_ids": [form]}, "3.0")
    assert [d["dataset_id"] for d in found.json()["datasets"]] == [dataset["dataset_id"]]
    canonical = _call(flowops_server, "POST", "datasets/search", {"experiment_ids": [experiment_id]}, "3.0")
    assert canonical.json().get("datasets", []) == []
    # Linking compares the ids found, as text, with those sent: only the canonical spelling links.
    path = f"datasets/{dataset['dataset_id']}/add-experiments"
    refused = _call(flowops_server, "POST", path, {"experiment_ids": [f"00{experiment_id}"]}, "3.0")
    assert refused.status_code == 404, refused.text
    assert refused.json()["message"] == f"No Experiment with id=00{experiment_id}"
    linked = _call(flowops_server, "POST", path, {"experiment_ids": [experiment_id]}, "3.0")
    assert linked.status_code == 200, linked.text
