"""search_runs and search_experiments: the filter grammar, ordering and pagination as the client sends them."""

from __future__ import annotations

import mlflow
import pytest
from mlflow.entities import ViewType


@pytest.fixture
def scored_runs(client, experiment_id):
    """Three finished runs with distinct params, metrics and tags; returns their ids by name."""
    ids = {}
    for name, model, acc, team in [("lr-a", "lr", 0.7, "red"), ("lr-b", "lr", 0.9, "blue"), ("rf-a", "rf", 0.8, "red")]:
        with mlflow.start_run(run_name=name) as run:
            mlflow.log_param("model", model)
            mlflow.log_metric("acc", acc)
            mlflow.set_tag("team", team)
        ids[name] = run.info.run_id
    return ids


def _names(runs) -> list[str]:
    return [r.info.run_name for r in runs]


def test_search_runs_filters_on_metrics_and_params(client, experiment_id, scored_runs):
    runs = client.search_runs([experiment_id], filter_string="metrics.acc > 0.75 and params.model = 'lr'")
    assert _names(runs) == ["lr-b"]


def test_search_runs_orders_by_a_metric(client, experiment_id, scored_runs):
    runs = client.search_runs([experiment_id], order_by=["metrics.acc DESC"])
    assert _names(runs) == ["lr-b", "rf-a", "lr-a"]
    runs = client.search_runs([experiment_id], order_by=["metrics.acc ASC"])
    assert _names(runs) == ["lr-a", "rf-a", "lr-b"]


def test_search_runs_orders_by_param_then_attribute(client, experiment_id, scored_runs):
    runs = client.search_runs([experiment_id], order_by=["params.model DESC", "attributes.run_name ASC"])
    assert _names(runs) == ["rf-a", "lr-a", "lr-b"]


def test_search_runs_filters_on_tags_with_like_and_in(client, experiment_id, scored_runs):
    assert sorted(_names(client.search_runs([experiment_id], filter_string="tags.team = 'red'"))) == ["lr-a", "rf-a"]
    assert sorted(_names(client.search_runs([experiment_id], filter_string="tags.team LIKE 'bl%'"))) == ["lr-b"]
    assert sorted(_names(client.search_runs([experiment_id], filter_string="tags.team ILIKE 'RE%'"))) == [
        "lr-a",
        "rf-a",
    ]
    ids = ", ".join(f"'{scored_runs[n]}'" for n in ("lr-a", "rf-a"))
    assert sorted(_names(client.search_runs([experiment_id], filter_string=f"attributes.run_id IN ({ids})"))) == [
        "lr-a",
        "rf-a",
    ]


def test_search_runs_filters_on_attributes(client, experiment_id, scored_runs):
    runs = client.search_runs([experiment_id], filter_string="attributes.run_name = 'rf-a'")
    assert _names(runs) == ["rf-a"]
    runs = client.search_runs([experiment_id], filter_string="attributes.status = 'FINISHED'")
    assert len(runs) == 3
    runs = client.search_runs([experiment_id], filter_string="params.model != 'lr'")
    assert _names(runs) == ["rf-a"]


def test_search_runs_paginates_with_page_tokens(client, experiment_id, scored_runs):
    first = client.search_runs([experiment_id], max_results=2, order_by=["metrics.acc DESC"])
    assert _names(first) == ["lr-b", "rf-a"]
    assert first.token
    second = client.search_runs([experiment_id], max_results=2, order_by=["metrics.acc DESC"], page_token=first.token)
    assert _names(second) == ["lr-a"]
    assert not second.token


def test_fluent_search_runs_returns_a_dataframe(experiment_id, scored_runs):
    frame = mlflow.search_runs(
        experiment_ids=[experiment_id], filter_string="metrics.acc >= 0.8", order_by=["metrics.acc DESC"]
    )
    assert list(frame["tags.mlflow.runName"]) == ["lr-b", "rf-a"]
    assert list(frame["metrics.acc"]) == [0.9, 0.8]
    assert list(frame["params.model"]) == ["lr", "rf"]


def test_search_runs_with_a_bad_filter_is_rejected(client, experiment_id):
    with pytest.raises(mlflow.exceptions.MlflowException) as raised:
        client.search_runs([experiment_id], filter_string="metrics.acc >>> 1")
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"


def test_search_experiments_filters_by_name_and_view_type(client, unique):
    kept = client.create_experiment(f"compat-search-exp-{unique}-kept", tags={"purpose": "search"})
    gone = client.create_experiment(f"compat-search-exp-{unique}-gone")
    client.delete_experiment(gone)
    found = client.search_experiments(filter_string=f"name LIKE 'compat-search-exp-{unique}%'")
    assert [e.experiment_id for e in found] == [kept]
    everything = client.search_experiments(
        filter_string=f"name LIKE 'compat-search-exp-{unique}%'", view_type=ViewType.ALL, order_by=["name ASC"]
    )
    assert [e.experiment_id for e in everything] == [gone, kept]
    tagged = client.search_experiments(filter_string=f"tags.purpose = 'search' and name LIKE '%{unique}%'")
    assert [e.experiment_id for e in tagged] == [kept]


def test_search_experiments_finds_experiments_without_or_with_a_tag(client, unique):
    tagged = client.create_experiment(f"compat-null-tag-{unique}-tagged", tags={"owner": "ml"})
    untagged = client.create_experiment(f"compat-null-tag-{unique}-untagged")
    name = f"name LIKE 'compat-null-tag-{unique}%'"
    assert [e.experiment_id for e in client.search_experiments(filter_string=f"tags.owner IS NULL AND {name}")] == [
        untagged
    ]
    assert [
        e.experiment_id for e in client.search_experiments(filter_string=f"tags.owner IS NOT NULL AND {name}")
    ] == [tagged]
