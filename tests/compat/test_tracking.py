"""Experiments, runs, params, metrics and tags through the official client's fluent API and MlflowClient."""

from __future__ import annotations

import math
import time

import mlflow
import pytest
from mlflow.entities import Metric, Param, RunTag, ViewType
from mlflow.exceptions import MlflowException


def test_set_experiment_creates_then_reuses_the_experiment(flowops_server, unique):
    name = f"compat-set-experiment-{unique}"
    created = mlflow.set_experiment(name)
    again = mlflow.set_experiment(name)
    assert created.experiment_id == again.experiment_id
    assert created.name == name
    assert created.lifecycle_stage == "active"
    assert created.artifact_location
    fetched = mlflow.get_experiment_by_name(name)
    assert fetched.experiment_id == created.experiment_id


def test_get_experiment_by_name_of_a_missing_name_returns_none(flowops_server, unique):
    assert mlflow.get_experiment_by_name(f"compat-missing-{unique}") is None


def test_default_experiment_exists(client):
    default = client.get_experiment("0")
    assert default.name == "Default"


def test_experiment_tags_are_stored(client, experiment_id):
    client.set_experiment_tag(experiment_id, "team", "vision")
    assert client.get_experiment(experiment_id).tags["team"] == "vision"


def test_start_run_with_nested_runs_links_child_to_parent(client, experiment_id):
    with mlflow.start_run(run_name="parent") as parent:
        with mlflow.start_run(run_name="child", nested=True) as child:
            pass
    child_run = client.get_run(child.info.run_id)
    assert child_run.data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert child_run.info.run_name == "child"
    assert child_run.info.status == "FINISHED"
    assert client.get_run(parent.info.run_id).info.status == "FINISHED"
    children = mlflow.search_runs(
        experiment_ids=[experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
        output_format="list",
    )
    assert [r.info.run_id for r in children] == [child.info.run_id]


def test_run_ends_failed_when_the_block_raises(client, experiment_id):
    with pytest.raises(ValueError):
        with mlflow.start_run() as run:
            raise ValueError("boom")
    info = client.get_run(run.info.run_id).info
    assert info.status == "FAILED"
    assert info.end_time is not None


def test_log_param_and_log_params_are_readable_from_get_run(client, experiment_id):
    with mlflow.start_run() as run:
        mlflow.log_param("alpha", 0.5)
        mlflow.log_params({"solver": "lbfgs", "max_iter": 100})
    params = client.get_run(run.info.run_id).data.params
    assert params == {"alpha": "0.5", "solver": "lbfgs", "max_iter": "100"}


def test_logging_the_same_param_value_twice_is_allowed(client, experiment_id):
    with mlflow.start_run() as run:
        mlflow.log_param("seed", 1)
        mlflow.log_param("seed", 1)
    assert client.get_run(run.info.run_id).data.params["seed"] == "1"


def test_logging_a_different_value_for_an_existing_param_is_rejected(experiment_id):
    with mlflow.start_run():
        mlflow.log_param("lr", 0.1)
        with pytest.raises(MlflowException) as raised:
            mlflow.log_param("lr", 0.2)
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"


def test_log_metric_with_steps_and_timestamps_keeps_the_history(client, experiment_id):
    base = int(time.time() * 1000) - 10_000
    with mlflow.start_run() as run:
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step, timestamp=base + step)
    history = client.get_metric_history(run.info.run_id, "loss")
    assert sorted((m.step, m.timestamp, m.value) for m in history) == [
        (step, base + step, 1.0 / (step + 1)) for step in range(5)
    ]
    # The run's summary shows the value at the largest step.
    assert client.get_run(run.info.run_id).data.metrics["loss"] == pytest.approx(0.2)


def test_latest_metric_prefers_the_largest_step_over_the_latest_timestamp(client, experiment_id):
    with mlflow.start_run() as run:
        mlflow.log_metric("acc", 0.9, step=10, timestamp=1_000)
        mlflow.log_metric("acc", 0.1, step=1, timestamp=2_000)
    assert client.get_run(run.info.run_id).data.metrics["acc"] == pytest.approx(0.9)


def test_nan_and_infinite_metrics_round_trip(client, experiment_id):
    with mlflow.start_run() as run:
        mlflow.log_metric("nan", float("nan"))
        mlflow.log_metric("pos_inf", float("inf"))
        mlflow.log_metric("neg_inf", float("-inf"))
    metrics = client.get_run(run.info.run_id).data.metrics
    # MLflow's SQL store keeps NaN but clamps +-inf to +-max double (1.7976931348623157e308), and so do we.
    assert math.isnan(metrics["nan"])
    assert metrics["pos_inf"] >= 1.79e308
    assert metrics["neg_inf"] <= -1.79e308
    [history] = client.get_metric_history(run.info.run_id, "pos_inf")
    assert history.value >= 1.79e308
    [history] = client.get_metric_history(run.info.run_id, "nan")
    assert math.isnan(history.value)


def test_metric_history_is_in_time_order_when_steps_start_again(client, experiment_id):
    # MLflow's SQL store orders a history by timestamp, then step: a resumed run keeps its time order.
    with mlflow.start_run() as run:
        mlflow.log_metric("loss", 0.5, step=10, timestamp=1_000)
        mlflow.log_metric("loss", 0.9, step=0, timestamp=2_000)
    history = client.get_metric_history(run.info.run_id, "loss")
    assert [(m.step, m.timestamp, m.value) for m in history] == [(10, 1_000, 0.5), (0, 2_000, 0.9)]


def test_a_non_integer_experiment_id_is_an_invalid_parameter(client):
    with pytest.raises(MlflowException) as raised:
        client.get_experiment("abc")
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "Experiment ID must be a valid integer" in str(raised.value)


def test_get_metric_history_of_an_unlogged_key_is_empty(client, experiment_id):
    with mlflow.start_run() as run:
        mlflow.log_metric("present", 1.0)
    assert list(client.get_metric_history(run.info.run_id, "absent")) == []


def test_log_batch_writes_metrics_params_and_tags_in_one_call(client, experiment_id):
    run = client.create_run(experiment_id)
    now = int(time.time() * 1000)
    metrics = [Metric(f"m{i % 25}", float(i), now + i, i // 25) for i in range(250)]
    params = [Param(f"p{i}", f"value-{i}") for i in range(50)]
    tags = [RunTag(f"t{i}", f"tag-{i}") for i in range(10)]
    client.log_batch(run.info.run_id, metrics=metrics, params=params, tags=tags)
    data = client.get_run(run.info.run_id).data
    assert len(data.metrics) == 25
    assert data.metrics["m3"] == 228.0
    assert data.params["p49"] == "value-49"
    assert data.tags["t9"] == "tag-9"
    assert len(client.get_metric_history(run.info.run_id, "m0")) == 10


def test_set_tag_and_delete_tag(client, experiment_id):
    with mlflow.start_run() as run:
        mlflow.set_tag("stage", "dev")
        mlflow.set_tags({"owner": "alice", "stage": "prod"})
    tags = client.get_run(run.info.run_id).data.tags
    assert tags["stage"] == "prod"
    assert tags["owner"] == "alice"
    client.delete_tag(run.info.run_id, "owner")
    assert "owner" not in client.get_run(run.info.run_id).data.tags


def test_run_name_is_renamed_through_the_mlflow_run_name_tag(client, experiment_id):
    run = client.create_run(experiment_id, run_name="before")
    client.set_tag(run.info.run_id, "mlflow.runName", "after")
    assert client.get_run(run.info.run_id).info.run_name == "after"


def test_delete_run_and_restore_run(client, experiment_id):
    run = client.create_run(experiment_id)
    run_id = run.info.run_id
    client.delete_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    active = client.search_runs([experiment_id], run_view_type=ViewType.ACTIVE_ONLY)
    deleted = client.search_runs([experiment_id], run_view_type=ViewType.DELETED_ONLY)
    assert run_id not in [r.info.run_id for r in active]
    assert run_id in [r.info.run_id for r in deleted]
    client.restore_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "active"


def test_delete_experiment_and_restore_experiment(client, flowops_server, unique):
    name = f"compat-delete-experiment-{unique}"
    experiment_id = client.create_experiment(name)
    client.delete_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "deleted"
    with pytest.raises(MlflowException):
        mlflow.set_experiment(name)
    client.restore_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "active"
    assert mlflow.set_experiment(name).experiment_id == experiment_id


def test_the_default_experiment_can_be_deleted_and_restored(client):
    client.delete_experiment("0")
    try:
        assert client.get_experiment("0").lifecycle_stage == "deleted"
    finally:
        client.restore_experiment("0")
    assert client.get_experiment("0").lifecycle_stage == "active"


def test_rename_experiment(client, unique):
    experiment_id = client.create_experiment(f"compat-rename-{unique}")
    client.rename_experiment(experiment_id, f"compat-renamed-{unique}")
    assert client.get_experiment(experiment_id).name == f"compat-renamed-{unique}"


def test_creating_an_experiment_twice_is_rejected(client, unique):
    client.create_experiment(f"compat-twice-{unique}")
    with pytest.raises(MlflowException) as raised:
        client.create_experiment(f"compat-twice-{unique}")
    assert raised.value.error_code == "RESOURCE_ALREADY_EXISTS"


def test_get_run_of_a_missing_id_raises_resource_does_not_exist(client, flowops_server):
    with pytest.raises(MlflowException) as raised:
        client.get_run("0" * 32)
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_get_experiment_of_a_missing_id_raises_resource_does_not_exist(client, flowops_server):
    with pytest.raises(MlflowException) as raised:
        client.get_experiment("987654321")
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_update_run_status_and_end_time(client, experiment_id):
    run = client.create_run(experiment_id)
    client.set_terminated(run.info.run_id, status="KILLED", end_time=1_700_000_000_000)
    info = client.get_run(run.info.run_id).info
    assert info.status == "KILLED"
    assert info.end_time == 1_700_000_000_000


def test_keys_with_a_colon_long_values_and_int64_steps_are_stored_as_mlflow_stores_them(client, experiment_id):
    run = client.create_run(experiment_id)
    run_id = run.info.run_id
    client.log_param(run_id, "opt:lr", "x" * 6001)
    client.set_tag(run_id, "note:long", "y" * 8001)
    client.log_metric(run_id, "eval:loss", 0.5, step=2**62)
    client.set_experiment_tag(experiment_id, "doc:readme", "z" * 20000)
    data = client.get_run(run_id).data
    assert len(data.params["opt:lr"]) == 6000
    assert len(data.tags["note:long"]) == 8000
    assert [m.step for m in client.get_metric_history(run_id, "eval:loss")] == [2**62]
    assert len(client.get_experiment(experiment_id).tags["doc:readme"]) == 20000


def test_search_runs_by_a_missing_or_present_param(client, experiment_id):
    with_lr = client.create_run(experiment_id)
    client.log_param(with_lr.info.run_id, "lr", "0.1")
    without = client.create_run(experiment_id)
    missing = client.search_runs([experiment_id], "params.lr IS NULL")
    present = client.search_runs([experiment_id], "params.lr IS NOT NULL")
    assert [r.info.run_id for r in missing] == [without.info.run_id]
    assert [r.info.run_id for r in present] == [with_lr.info.run_id]
