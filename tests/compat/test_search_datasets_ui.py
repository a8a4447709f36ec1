"""The UI's dataset list (`POST /ajax-api/2.0/mlflow/experiments/search-datasets`, SearchDatasets), which MLflow
serves under /ajax-api alone: one summary per (experiment, name, digest, context) that runs consumed.

Recorded from `mlflow server` 3.17.2 on SQLite: no summaries is `{}`; a missing context is left out; the
limits and messages below; the rule MLflow's endpoint table also lists without the slash after "2.0" is an
empty 404. Raw HTTP, since the Python client never calls it.
"""

from __future__ import annotations

import mlflow
import pandas as pd
import pytest
import requests


def _search(server, body, prefix: str = "/ajax-api/2.0/mlflow"):
    return requests.post(f"{server.url}{prefix}/experiments/search-datasets", json=body, timeout=30)


def _key(summary: dict) -> tuple:
    return (summary["experiment_id"], summary["name"], summary["digest"], summary.get("context"))


def test_summaries_list_each_dataset_and_context_runs_consumed(flowops_server, client, experiment_id, unique):
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, 6.0]})
    train = mlflow.data.from_pandas(frame.iloc[:2], source="https://example.com/t.csv", name=f"train-{unique}")
    test = mlflow.data.from_pandas(frame.iloc[2:], source="https://example.com/t.csv", name=f"test-{unique}")
    with mlflow.start_run():
        mlflow.log_input(train, context="training")
        mlflow.log_input(test, context="evaluation")
    with mlflow.start_run():
        mlflow.log_input(train, context="training")
        mlflow.log_input(test)
    other = client.create_experiment(f"other-{unique}")
    got = _search(flowops_server, {"experiment_ids": [experiment_id, other]})
    assert got.status_code == 200, got.text
    assert sorted(map(_key, got.json()["dataset_summaries"]), key=str) == sorted(
        [
            (experiment_id, train.name, train.digest, "training"),
            (experiment_id, test.name, test.digest, "evaluation"),
            (experiment_id, test.name, test.digest, None),
        ],
        key=str,
    )
    assert _search(flowops_server, {"experiment_ids": [other]}).json() == {}


def test_a_deleted_experiment_still_lists_its_datasets(flowops_server, client, experiment_id, unique):
    # Its own experiment: deleting the fixture's, which the fluent API has active, would break later tests.
    doomed = client.create_experiment(f"doomed-{unique}")
    dataset = mlflow.data.from_pandas(pd.DataFrame({"x": [1]}), source="https://e.com/d.csv", name=f"d-{unique}")
    with mlflow.start_run(experiment_id=doomed):
        mlflow.log_input(dataset, context="training")
    client.delete_experiment(doomed)
    got = _search(flowops_server, {"experiment_ids": [doomed]})
    assert [_key(s) for s in got.json()["dataset_summaries"]] == [(doomed, dataset.name, dataset.digest, "training")]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "SearchDatasets request must specify at least one experiment_id."),
        ({"experiment_ids": []}, "SearchDatasets request must specify at least one experiment_id."),
        (
            {"experiment_ids": [str(i) for i in range(21)]},
            "SearchDatasets request cannot specify more than 20 experiment_ids. Received 21 experiment_ids.",
        ),
        (
            {"experiment_ids": ["abc"]},
            "Invalid experiment ID 'abc'. Experiment ID must be a valid integer.",
        ),
    ],
)
def test_bad_requests_are_refused_as_mlflow(flowops_server, body, message):
    got = _search(flowops_server, body)
    assert got.status_code == 400, got.text
    answer = got.json()
    assert (answer["error_code"], answer["message"]) == ("INVALID_PARAMETER_VALUE", message)


def test_only_the_ajax_path_serves_it(flowops_server):
    assert _search(flowops_server, {"experiment_ids": ["0"]}, "/api/2.0/mlflow").status_code == 404
    for prefix in ("/api/2.0mlflow", "/ajax-api/2.0mlflow"):
        got = _search(flowops_server, {"experiment_ids": ["0"]}, prefix)
        assert (got.status_code, got.text) == (404, "")
