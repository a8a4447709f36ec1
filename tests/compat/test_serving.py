"""Serving: a scikit-learn model logged and registered with the official mlflow client, served by `flowops serve`
through its Python runtime, answers the MLflow scoring protocol and KServe V2 with sklearn's own predictions."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import mlflow
import pandas as pd
import pytest
import requests
from mlflow.models import infer_signature
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from conftest import REPO_ROOT, _free_port


def _wait_until_ready(url: str, process: subprocess.Popen, log_path: Path, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"flowops serve exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if requests.get(f"{url}/ping", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"flowops serve was not ready within {timeout_s} s:\n{log_path.read_text()}")


@pytest.fixture
def registered_sklearn_model(flowops_server, unique):
    features, labels = make_classification(n_samples=200, n_features=4, random_state=0)
    frame = pd.DataFrame(features, columns=["a", "b", "c", "d"])
    model = LogisticRegression().fit(frame, labels)
    name = f"compat-serve-{unique}"
    with mlflow.start_run():
        mlflow.sklearn.log_model(
            model, "model", registered_model_name=name, signature=infer_signature(frame, model.predict(frame))
        )
    return name, model, frame


def test_flowops_serves_a_registered_sklearn_model_with_sklearns_predictions(
    flowops_server, registered_sklearn_model, tmp_path
):
    name, model, frame = registered_sklearn_model
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    command = ["node", str(REPO_ROOT / "bin" / "flowops.js"), "serve", f"models:/{name}/1", "--port", str(port)]
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": flowops_server.url,
        "FLOWOPS_PYTHON": sys.executable,
        "FLOWOPS_HOME": str(tmp_path / "home"),
    }
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log_file, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_until_ready(url, process, log_path)
        rows = frame.head(5)
        expected = model.predict(rows).tolist()

        split = requests.post(f"{url}/invocations", json={"dataframe_split": rows.to_dict(orient="split")}, timeout=30)
        assert split.status_code == 200, split.text
        assert split.json()["predictions"] == expected
        assert split.headers["x-request-id"]

        records = requests.post(
            f"{url}/invocations", json={"dataframe_records": rows.to_dict(orient="records")}, timeout=30
        )
        assert records.json()["predictions"] == expected

        # MLflow 3 takes pandas' own Parquet bytes too.
        parquet = requests.post(
            f"{url}/invocations",
            data=rows.to_parquet(),
            headers={"Content-Type": "application/vnd.apache.parquet"},
            timeout=30,
        )
        assert parquet.status_code == 200, parquet.text
        assert parquet.json()["predictions"] == expected

        v2 = requests.post(
            f"{url}/v2/models/{name}/infer",
            json={
                "id": "req-1",
                "inputs": [
                    {"name": column, "shape": [5], "datatype": "FP64", "data": rows[column].tolist()}
                    for column in rows.columns
                ],
            },
            timeout=30,
        )
        assert v2.status_code == 200, v2.text
        body = v2.json()
        assert body["id"] == "req-1"
        assert [int(value) for value in body["outputs"][0]["data"]] == expected

        wrong = requests.post(
            f"{url}/invocations", json={"dataframe_split": {"columns": ["a"], "data": [[1.0]]}}, timeout=30
        )
        assert wrong.status_code == 400
        assert wrong.json()["error_code"] in ("BAD_REQUEST", "INVALID_PARAMETER_VALUE")
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_flowops_predict_writes_parquet_and_csv_that_pandas_reads_with_sklearns_predictions(
    flowops_server, registered_sklearn_model, tmp_path
):
    """Batch prediction over 150,000 rows: three parts of 65,536 rows, whose row groups are finished in place
    into one Parquet file (one footer written after them), must read back in pandas with every input row and
    sklearn's own prediction beside it."""
    name, model, frame = registered_sklearn_model
    rows = pd.concat([frame] * 750, ignore_index=True)
    rows.insert(0, "id", range(len(rows)))
    source = tmp_path / "rows.parquet"
    rows.to_parquet(source)
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": flowops_server.url,
        "FLOWOPS_PYTHON": sys.executable,
        "FLOWOPS_HOME": str(tmp_path / "home"),
    }
    expected = model.predict(rows[["a", "b", "c", "d"]])
    for suffix in ("parquet", "csv"):
        output = tmp_path / f"scored.{suffix}"
        command = [
            *["node", str(REPO_ROOT / "bin" / "flowops.js"), "predict", f"models:/{name}/1"],
            *["--input", str(source), "--output", str(output), "--columns", "a,b,c,d", "--json"],
        ]
        run = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr
        assert not (tmp_path / f"scored.{suffix}.parts").exists()
        scored = pd.read_parquet(output) if suffix == "parquet" else pd.read_csv(output)
        assert list(scored.columns[:5]) == ["id", "a", "b", "c", "d"]
        assert len(scored) == len(rows)
        assert scored["id"].tolist() == list(range(len(rows)))
        assert scored.iloc[:, -1].tolist() == expected.tolist()
        if suffix == "parquet":
            import pyarrow.parquet as pq

            assert pq.ParquetFile(output).metadata.num_row_groups == 3
            # Parquet keeps the inputs' doubles exactly.
            pd.testing.assert_frame_equal(scored[["a", "b", "c", "d"]], rows[["a", "b", "c", "d"]])
