"""examples/sklearn: train.py, run as a user runs it, records its run, dataset, model version and alias through
the official client, and the version it registered deploys on FlowOps' embedded endpoints and answers the MLflow
scoring protocol with the predictions the model gives when mlflow loads it locally."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass

import mlflow
import mlflow.pyfunc
import pandas as pd
import pytest
import requests

from conftest import REPO_ROOT

TRAIN_SCRIPT = REPO_ROOT / "examples" / "sklearn" / "train.py"

def _load_train_module():
    spec = importlib.util.spec_from_file_location("sklearn_example_train", TRAIN_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


train_example = _load_train_module()
FEATURES = train_example.FEATURES


@dataclass
class TrainedExample:
    run_id: str
    model_name: str
    experiment: str
    version: str
    metrics: dict[str, float]


@pytest.fixture(scope="module")
def trained_example(flowops_server) -> TrainedExample:
    suffix = os.urandom(5).hex()
    model_name = f"sklearn-churn-{suffix}"
    experiment = f"example-sklearn-{suffix}"
    env = {**os.environ, "MLFLOW_TRACKING_URI": flowops_server.url}
    completed = subprocess.run(
        [sys.executable, str(TRAIN_SCRIPT), "--model-name", model_name, "--experiment", experiment, "--seed", "7"],
        cwd=TRAIN_SCRIPT.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, f"train.py failed:\n{completed.stdout}\n{completed.stderr}"
    summary = json.loads(completed.stdout.strip().splitlines()[-1])
    assert summary["model_uri"] == f"models:/{model_name}@champion"
    return TrainedExample(summary["run_id"], model_name, experiment, summary["version"], summary["metrics"])


def test_sklearn_example_records_its_run_dataset_model_version_and_alias(trained_example, client):
    experiment = client.get_experiment_by_name(trained_example.experiment)
    assert experiment is not None
    runs = client.search_runs([experiment.experiment_id])
    assert [run.info.run_id for run in runs] == [trained_example.run_id]

    run = client.get_run(trained_example.run_id)
    assert run.info.status == "FINISHED"
    assert run.data.params["C"] == "1.0"
    assert run.data.params["seed"] == "7"
    for metric in ("accuracy", "roc_auc", "f1"):
        assert run.data.metrics[metric] == pytest.approx(trained_example.metrics[metric])
        assert 0.5 < run.data.metrics[metric] <= 1.0

    inputs = run.inputs.dataset_inputs
    assert len(inputs) == 1
    assert inputs[0].dataset.name == "customers-train"
    assert [(tag.key, tag.value) for tag in inputs[0].tags] == [("mlflow.data.context", "training")]
    schema = json.loads(inputs[0].dataset.schema)["mlflow_colspec"]
    assert [column["name"] for column in schema] == [*FEATURES, "churned"]

    version = client.get_model_version_by_alias(trained_example.model_name, "champion")
    assert version.version == trained_example.version
    assert version.run_id == trained_example.run_id
    assert "champion" in client.get_registered_model(trained_example.model_name).aliases


def test_sklearn_example_deploys_on_flowops_and_scores_like_the_local_model(trained_example, flowops_server):
    if os.environ.get("FLOWOPS_COMPAT_SERVER_URL"):
        pytest.skip("deployments are FlowOps' own API, absent from another tracking server")
    model_uri = f"models:/{trained_example.model_name}@champion"
    endpoint = f"churn-{trained_example.run_id[:8]}"
    api = f"{flowops_server.url}/api/v1/deployments"

    created = requests.post(api, json={"name": endpoint, "model_uri": model_uri}, timeout=300)
    assert created.status_code == 200, created.text
    try:
        deployment = created.json()["deployment"]
        assert deployment["name"] == endpoint
        assert deployment["stable"] == f"models:/{trained_example.model_name}/{trained_example.version}"
        assert deployment["phase"] == "Healthy"

        # One customer the local model calls a churner and one it does not, so a constant answer cannot pass.
        local_model = mlflow.pyfunc.load_model(model_uri)
        candidates = train_example.make_customers(200, seed=11)[FEATURES]
        labels = pd.Series(local_model.predict(candidates), index=candidates.index)
        rows = pd.concat([candidates[labels == 1].head(1), candidates[labels == 0].head(1)])
        assert len(rows) == 2, "the local model predicts a single class for every generated customer"
        expected = local_model.predict(rows)
        scored = requests.post(
            f"{flowops_server.url}/endpoints/{endpoint}/invocations",
            json={"dataframe_split": rows.to_dict(orient="split")},
            timeout=120,
        )
        assert scored.status_code == 200, scored.text
        assert scored.headers["x-request-id"]
        assert scored.json()["predictions"] == [int(value) for value in expected]
    finally:
        requests.delete(f"{api}/{endpoint}", timeout=60)
