"""Model logging and loading: mlflow.sklearn.log_model with registration, then models:/ URIs through pyfunc.

A 3.x client logs a model as a LoggedModel (logged-models endpoints, artifacts under the model's own
location); a 2.x client logs it under the run's artifacts. The tests pass whichever argument the installed
client names the model with, so the same file runs against both lines.
"""

from __future__ import annotations

import inspect

import mlflow
import mlflow.sklearn
import numpy as np
import pytest
import sklearn
from mlflow.models import infer_signature
from sklearn.linear_model import LogisticRegression

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])


def _log_sklearn_model(model, features, **kwargs):
    signature = infer_signature(features, model.predict(features))
    # Explicit requirements skip the client's requirement inference, a subprocess that reloads the model and
    # takes tens of seconds on a small CI machine without touching the server at all.
    kwargs.setdefault("pip_requirements", [f"scikit-learn=={sklearn.__version__}"])
    if "name" in inspect.signature(mlflow.sklearn.log_model).parameters:
        return mlflow.sklearn.log_model(model, name="model", signature=signature, **kwargs)
    return mlflow.sklearn.log_model(model, artifact_path="model", signature=signature, **kwargs)


@pytest.fixture(scope="module")
def fitted_model(tiny_dataset):
    features, target = tiny_dataset
    return LogisticRegression(max_iter=200).fit(features, target)


def test_log_model_registers_a_version_loadable_by_number_and_alias(
    client, experiment_id, unique, tiny_dataset, fitted_model
):
    features, _ = tiny_dataset
    name = f"compat-sklearn-{unique}"
    with mlflow.start_run() as run:
        info = _log_sklearn_model(fitted_model, features, registered_model_name=name)
    version = client.get_model_version(name, "1")
    assert version.status == "READY"
    assert version.run_id == run.info.run_id
    assert info.registered_model_version in (1, "1", None)
    expected = fitted_model.predict(features)

    by_number = mlflow.pyfunc.load_model(f"models:/{name}/1")
    np.testing.assert_array_equal(np.asarray(by_number.predict(features)).ravel(), expected)

    client.set_registered_model_alias(name, "champion", "1")
    by_alias = mlflow.pyfunc.load_model(f"models:/{name}@champion")
    np.testing.assert_array_equal(np.asarray(by_alias.predict(features)).ravel(), expected)

    native = mlflow.sklearn.load_model(f"models:/{name}/1")
    assert list(native.predict(features)) == list(expected)


def test_logged_model_is_loadable_from_its_model_uri(experiment_id, tiny_dataset, fitted_model):
    features, _ = tiny_dataset
    with mlflow.start_run():
        info = _log_sklearn_model(fitted_model, features)
    loaded = mlflow.pyfunc.load_model(info.model_uri)
    np.testing.assert_array_equal(np.asarray(loaded.predict(features)).ravel(), fitted_model.predict(features))
    assert loaded.metadata.signature is not None


def test_registering_a_second_version_of_the_same_model(client, experiment_id, unique, tiny_dataset, fitted_model):
    features, _ = tiny_dataset
    name = f"compat-two-versions-{unique}"
    with mlflow.start_run():
        _log_sklearn_model(fitted_model, features, registered_model_name=name)
    with mlflow.start_run():
        _log_sklearn_model(fitted_model, features, registered_model_name=name)
    versions = sorted(int(v.version) for v in client.search_model_versions(f"name = '{name}'"))
    assert versions == [1, 2]
    latest = mlflow.pyfunc.load_model(f"models:/{name}/latest")
    assert latest.metadata is not None


def test_a_version_from_a_runs_uri_downloads_through_that_uri(
    client, experiment_id, unique, tiny_dataset, fitted_model, tmp_path
):
    # mlflow server 3.17.2 answers get-download-uri with the runs:/ source as registered (and a models:/ source
    # naming that version with the same URI); the client then reads the run's artifacts. The model is saved
    # as run artifacts, not logged: a 3.x client does not look for a logged model behind that URI, against
    # MLflow's server either.
    features, _ = tiny_dataset
    name = f"compat-runs-uri-{unique}"
    saved = tmp_path / "model"
    mlflow.sklearn.save_model(fitted_model, str(saved), pip_requirements=[f"scikit-learn=={sklearn.__version__}"])
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(saved), "model")
    source = f"runs:/{run.info.run_id}/model"
    client.create_registered_model(name)
    client.create_model_version(name, source, run_id=run.info.run_id)
    client.create_model_version(name, f"models:/{name}/1")
    assert client.get_model_version_download_uri(name, "1") == source
    assert client.get_model_version_download_uri(name, "2") == source
    for version in ("1", "2"):
        loaded = mlflow.pyfunc.load_model(f"models:/{name}/{version}")
        np.testing.assert_array_equal(np.asarray(loaded.predict(features)).ravel(), fitted_model.predict(features))


@pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="LoggedModel entities exist from MLflow 3")
def test_log_model_creates_a_ready_logged_model_linked_to_the_run(client, experiment_id, tiny_dataset, fitted_model):
    from mlflow.entities import LoggedModelStatus

    features, _ = tiny_dataset
    with mlflow.start_run() as run:
        info = _log_sklearn_model(fitted_model, features, params={"C": "1.0"})
        mlflow.log_metric("accuracy", 0.95, model_id=info.model_id)
    model = client.get_logged_model(info.model_id)
    assert model.status == LoggedModelStatus.READY
    assert model.source_run_id == run.info.run_id
    assert model.experiment_id == experiment_id
    assert model.name == "model"
    assert model.params == {"C": "1.0"}
    assert [(m.key, m.value) for m in model.metrics] == [("accuracy", 0.95)]
    found = mlflow.search_logged_models(experiment_ids=[experiment_id], output_format="list")
    assert [m.model_id for m in found] == [info.model_id]
    outputs = client.get_run(run.info.run_id).outputs
    assert info.model_id in [o.model_id for o in outputs.model_outputs]


@pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="LoggedModel entities exist from MLflow 3")
def test_registered_versions_are_listed_on_the_logged_model(client, experiment_id, unique, tiny_dataset, fitted_model):
    features, _ = tiny_dataset
    with mlflow.start_run():
        info = _log_sklearn_model(fitted_model, features)
    mlflow.register_model(info.model_uri, f"listed-{unique}")
    client.create_registered_model(f"listed2-{unique}")
    client.create_model_version(f"listed2-{unique}", info.model_uri, model_id=info.model_id)
    # mlflow server 3.17.2 answers exactly this: its own entry (version an int), the client's (a string), then
    # the server's entry for the second version, which the low-level create_model_version does not add to.
    assert client.get_logged_model(info.model_id).tags["mlflow.modelVersions"] == (
        f'[{{"name": "listed-{unique}", "version": 1}}, {{"name": "listed-{unique}", "version": "1"}}, '
        f'{{"name": "listed2-{unique}", "version": 1}}]'
    )


@pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="LoggedModel entities exist from MLflow 3")
@pytest.mark.parametrize("prefix", ["metric", "attribute", "param", "tag"])
def test_logged_model_search_takes_only_plural_entity_prefixes(client, experiment_id, prefix):
    from mlflow.exceptions import MlflowException

    with pytest.raises(MlflowException, match=rf"Invalid entity type: '{prefix}'\. Expected one of"):
        client.search_logged_models(experiment_ids=[experiment_id], filter_string=f"{prefix}.x = '1'")


@pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="LoggedModel entities exist from MLflow 3")
@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("last_updated_time", "Invalid order by field name: last_updated_time"),
        ("params.C", r"Invalid order by field name: params\.C\. Only metrics are supported\."),
    ],
)
def test_logged_model_search_order_by_refuses_what_mlflow_refuses(client, experiment_id, field, message):
    from mlflow.exceptions import MlflowException

    with pytest.raises(MlflowException, match=message):
        client.search_logged_models(experiment_ids=[experiment_id], order_by=[{"field_name": field}])
