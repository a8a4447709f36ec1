"""Model registry through MlflowClient: registered models, versions, aliases, tags, stages, search, rename, delete."""

from __future__ import annotations

import warnings

import mlflow
import pytest
import requests
from mlflow.exceptions import MlflowException

PASSING_POLICY = "name: compat-gate\nconditions:\n  - accuracy >= 0.5\n"


@pytest.fixture
def registered(client, experiment_id, unique):
    """A registered model with three versions whose sources point into one run's artifacts."""
    name = f"compat-registry-{unique}"
    client.create_registered_model(name, tags={"domain": "fraud"}, description="first model")
    run = client.create_run(experiment_id)
    for _ in range(3):
        client.create_model_version(name, f"{run.info.artifact_uri}/model", run_id=run.info.run_id)
    return name


def gate(flowops_server, client, name: str, version: str) -> dict:
    """Evaluates a FlowOps quality gate for a version (on its run's metrics), as `flowops gate` does."""
    run_id = client.get_model_version(name, version).run_id
    response = requests.post(
        f"{flowops_server.url}/api/v1/gates/evaluate",
        json={"policy_yaml": PASSING_POLICY, "run_id": run_id, "model_name": name, "version": version},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["gate"]


def test_create_registered_model_and_get_it(client, registered):
    model = client.get_registered_model(registered)
    assert model.name == registered
    assert model.description == "first model"
    assert model.tags == {"domain": "fraud"}
    assert model.creation_timestamp > 0


def test_create_registered_model_twice_is_rejected(client, registered):
    with pytest.raises(MlflowException) as raised:
        client.create_registered_model(registered)
    assert raised.value.error_code == "RESOURCE_ALREADY_EXISTS"


def test_model_versions_are_numbered_and_ready(client, registered):
    versions = [client.get_model_version(registered, str(n)) for n in (1, 2, 3)]
    assert [v.version for v in versions] == ["1", "2", "3"]
    assert {v.status for v in versions} == {"READY"}
    assert versions[0].current_stage == "None"


def test_a_version_created_without_a_description_has_an_empty_one(client, registered):
    # As mlflow server stores the request's unset description: "", which the client reads as "" (not None).
    assert client.get_model_version(registered, "1").description == ""


def test_aliases_point_at_versions_and_can_move_and_be_deleted(client, registered):
    client.set_registered_model_alias(registered, "champion", "1")
    client.set_registered_model_alias(registered, "challenger", "2")
    assert client.get_model_version_by_alias(registered, "champion").version == "1"
    client.set_registered_model_alias(registered, "champion", "3")
    assert client.get_model_version_by_alias(registered, "champion").version == "3"
    assert client.get_registered_model(registered).aliases == {"champion": "3", "challenger": "2"}
    assert client.get_model_version(registered, "3").aliases == ["champion"]
    client.delete_registered_model_alias(registered, "challenger")
    # MLflow's store reports an unknown alias as a bad parameter, not as a missing resource.
    with pytest.raises(MlflowException) as raised:
        client.get_model_version_by_alias(registered, "challenger")
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"


def test_registered_model_and_version_tags(client, registered):
    client.set_registered_model_tag(registered, "owner", "risk-team")
    client.delete_registered_model_tag(registered, "domain")
    assert client.get_registered_model(registered).tags == {"owner": "risk-team"}
    client.set_model_version_tag(registered, "2", "validated", "true")
    assert client.get_model_version(registered, "2").tags == {"validated": "true"}
    client.delete_model_version_tag(registered, "2", "validated")
    assert client.get_model_version(registered, "2").tags == {}


def test_update_descriptions(client, registered):
    client.update_registered_model(registered, description="better words")
    client.update_model_version(registered, "1", description="baseline")
    assert client.get_registered_model(registered).description == "better words"
    assert client.get_model_version(registered, "1").description == "baseline"


def test_transition_stage_archives_existing_versions_and_drives_latest_versions(flowops_server, client, registered):
    client.log_metric(client.get_model_version(registered, "1").run_id, "accuracy", 0.9)
    for version in ("1", "3"):
        assert gate(flowops_server, client, registered, version)["passed"] is True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client.transition_model_version_stage(registered, "1", "Production")
        client.transition_model_version_stage(registered, "2", "Staging")
        moved = client.transition_model_version_stage(registered, "3", "Production", archive_existing_versions=True)
        assert moved.current_stage == "Production"
        assert client.get_model_version(registered, "1").current_stage == "Archived"
        latest = {v.current_stage: v.version for v in client.get_latest_versions(registered)}
        assert latest == {"Production": "3", "Staging": "2", "Archived": "1"}
        assert [v.version for v in client.get_latest_versions(registered, stages=["Staging"])] == ["2"]


def test_protected_alias_and_stage_are_refused_without_a_passing_gate(flowops_server, client, registered):
    with pytest.raises(MlflowException) as raised:
        client.set_registered_model_alias(registered, "production", "2")
    assert raised.value.error_code == "PERMISSION_DENIED"
    assert "no passing quality gate record" in raised.value.message
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(MlflowException) as staged:
            client.transition_model_version_stage(registered, "2", "Production")
    assert staged.value.error_code == "PERMISSION_DENIED"
    client.log_metric(client.get_model_version(registered, "2").run_id, "accuracy", 0.2)
    assert gate(flowops_server, client, registered, "2")["passed"] is False
    with pytest.raises(MlflowException):
        client.set_registered_model_alias(registered, "production", "2")
    client.log_metric(client.get_model_version(registered, "2").run_id, "accuracy", 0.8)
    assert gate(flowops_server, client, registered, "2")["passed"] is True
    client.set_registered_model_alias(registered, "production", "2")
    assert client.get_model_version_by_alias(registered, "production").version == "2"
    with pytest.raises(MlflowException) as reserved:
        client.set_model_version_tag(registered, "2", "flowops.gate.status", "passed")
    assert reserved.value.error_code == "INVALID_PARAMETER_VALUE"


def test_transition_to_an_unknown_stage_is_rejected(client, registered):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(MlflowException) as raised:
            client.transition_model_version_stage(registered, "1", "Shipping")
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"


def test_search_model_versions_and_registered_models(client, registered, unique):
    versions = client.search_model_versions(f"name = '{registered}'", order_by=["version_number DESC"])
    assert [v.version for v in versions] == ["3", "2", "1"]
    page = client.search_model_versions(f"name = '{registered}'", max_results=2, order_by=["version_number ASC"])
    assert [v.version for v in page] == ["1", "2"]
    assert page.token
    client.create_registered_model(f"compat-registry-other-{unique}")
    models = client.search_registered_models(filter_string=f"name LIKE '%{unique}'", order_by=["name DESC"])
    assert [m.name for m in models] == [f"compat-registry-other-{unique}", registered]
    models = client.search_registered_models(filter_string=f"name ILIKE 'COMPAT-REGISTRY-OTHER-{unique.upper()}'")
    assert [m.name for m in models] == [f"compat-registry-other-{unique}"]
    tagged = client.search_registered_models(filter_string=f"tags.domain = 'fraud' and name = '{registered}'")
    assert [m.name for m in tagged] == [registered]


def test_rename_registered_model_keeps_its_versions(client, registered):
    new_name = f"{registered}-renamed"
    client.rename_registered_model(registered, new_name)
    assert [v.version for v in client.search_model_versions(f"name = '{new_name}'")] in (
        ["3", "2", "1"],
        ["1", "2", "3"],
    )
    with pytest.raises(MlflowException) as raised:
        client.get_registered_model(registered)
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_delete_model_version_then_registered_model(client, registered):
    client.delete_model_version(registered, "2")
    remaining = sorted(v.version for v in client.search_model_versions(f"name = '{registered}'"))
    assert remaining == ["1", "3"]
    client.delete_registered_model(registered)
    with pytest.raises(MlflowException) as raised:
        client.get_registered_model(registered)
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert client.search_model_versions(f"name = '{registered}'") == []


def test_model_version_download_uri_points_at_the_source(client, registered):
    source = client.get_model_version(registered, "1").source
    assert client.get_model_version_download_uri(registered, "1") == source


def test_register_model_from_a_run_uri(client, experiment_id, unique):
    with mlflow.start_run() as run:
        mlflow.log_text("minimal MLmodel", "model/MLmodel")
    version = mlflow.register_model(f"runs:/{run.info.run_id}/model", f"compat-register-{unique}")
    assert version.version == "1"
    assert version.run_id == run.info.run_id


@pytest.mark.parametrize("name", ["team/churn", "team:churn"])
def test_model_names_with_a_slash_or_colon_are_rejected(client, name):
    with pytest.raises(MlflowException, match=r"Names cannot contain '/' or ':'"):
        client.create_registered_model(name)


def test_search_model_versions_by_a_list_of_names(client, registered):
    versions = client.search_model_versions(f"name IN ('{registered}', 'no-such-model')")
    assert sorted(v.version for v in versions) == ["1", "2", "3"]


def test_a_runs_source_naming_an_unknown_run_registers_when_run_id_names_it(client, unique):
    # MLflow checks only that run_id is the runs:/ id, not that the run exists (it may be tracked elsewhere).
    name = f"compat-unknown-run-{unique}"
    client.create_registered_model(name)
    run_id = "0123456789abcdef0123456789abcdef"
    source = f"runs:/{run_id}/model"
    version = client.create_model_version(name, source, run_id=run_id)
    assert (version.source, version.run_id) == (source, run_id)
    assert client.get_model_version_download_uri(name, version.version) == source
    with pytest.raises(MlflowException, match=r"The run_id request parameter must identify the resource"):
        client.create_model_version(name, source)
