"""A server started with `--static-prefix`, used by the official client through `http://host:port/<prefix>`.

Recorded from `mlflow server` 3.17.2 with `--static-prefix /mlf`: every route (REST, ajax, artifact proxy,
/health, /version, /get-artifact, /graphql) sits under the prefix; the same paths without it, or under a path
that only starts like it, are Flask's HTML 404 page. The client's tracking, artifact and registry calls all go
through the prefixed tracking URI. Set FLOWOPS_COMPAT_STATIC_PREFIX_REFERENCE=mlflow to run this file against
`mlflow server` itself.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import _free_port
from test_artifact_downloads_s3 import _stop, start_server
from test_artifacts_multipart_upload import _wait_for

REPO_ROOT = Path(__file__).resolve().parents[2]
PREFIX = "/mlf/tracking"


def _server_command(port: int, workdir: Path) -> list[str]:
    args = [
        "server",
        "--port",
        str(port),
        "--backend-store-uri",
        f"sqlite:///{workdir / 'db.sqlite'}",
        "--artifacts-destination",
        str(workdir / "artifacts"),
        "--static-prefix",
        PREFIX,
    ]
    if os.environ.get("FLOWOPS_COMPAT_STATIC_PREFIX_REFERENCE") == "mlflow":
        return [str(Path(sys.executable).parent / "mlflow"), *args, "--host", "127.0.0.1"]
    return ["node", str(REPO_ROOT / "bin" / "flowops.js"), *args]


@pytest.fixture(scope="module")
def prefixed_server() -> Iterator[str]:
    """The server's address without the prefix."""
    workdir = Path(tempfile.mkdtemp(prefix="flowops-compat-prefix-"))
    port = _free_port()
    env = {**os.environ, "FLOWOPS_HOME": str(workdir / "home")}
    env.pop("MLFLOW_STATIC_PREFIX", None)
    server = None
    try:
        server = start_server(_server_command(port, workdir), workdir, env)
        url = f"http://127.0.0.1:{port}"
        _wait_for(f"{url}{PREFIX}/health", server, "server", timeout_s=90)
        yield url
    finally:
        if server is not None:
            _stop(server)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def prefixed_tracking_uri(prefixed_server) -> Iterator[str]:
    """The prefixed URI, also set globally: mlflow 2.x resolves mlflow-artifacts URIs through the global one."""
    import mlflow

    previous = mlflow.get_tracking_uri()
    uri = f"{prefixed_server}{PREFIX}"
    mlflow.set_tracking_uri(uri)
    try:
        yield uri
    finally:
        mlflow.set_tracking_uri(previous)


def test_the_client_tracks_logs_artifacts_and_registers_through_the_prefix(prefixed_tracking_uri, tmp_path):
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=prefixed_tracking_uri, registry_uri=prefixed_tracking_uri)
    experiment_id = client.create_experiment(f"prefix-{os.urandom(4).hex()}")
    run = client.create_run(experiment_id)
    run_id = run.info.run_id
    client.log_param(run_id, "alpha", "0.5")
    client.log_metric(run_id, "loss", 0.25, step=3)
    (tmp_path / "notes.txt").write_text("through the prefix")
    client.log_artifact(run_id, str(tmp_path / "notes.txt"), artifact_path="docs")
    client.set_terminated(run_id)

    fetched = client.get_run(run_id)
    assert fetched.data.params == {"alpha": "0.5"}
    assert fetched.data.metrics == {"loss": 0.25}
    assert [f.path for f in client.list_artifacts(run_id, "docs")] == ["docs/notes.txt"]
    (tmp_path / "out").mkdir()  # mlflow 2.x's client wants the destination to exist
    downloaded = client.download_artifacts(run_id, "docs/notes.txt", str(tmp_path / "out"))
    assert Path(downloaded).read_text() == "through the prefix"
    assert [r.info.run_id for r in client.search_runs([experiment_id])] == [run_id]

    name = f"prefixed-{os.urandom(4).hex()}"
    client.create_registered_model(name)
    version = client.create_model_version(name, f"runs:/{run_id}/docs", run_id=run_id)
    client.set_registered_model_alias(name, "champion", version.version)
    assert client.get_model_version_by_alias(name, "champion").version == version.version


def test_the_plain_routes_answer_under_the_prefix(prefixed_server):
    health = requests.get(f"{prefixed_server}{PREFIX}/health", timeout=10)
    assert (health.status_code, health.text) == (200, "OK")
    version = requests.get(f"{prefixed_server}{PREFIX}/version", timeout=10)
    assert version.status_code == 200
    search = requests.get(
        f"{prefixed_server}{PREFIX}/ajax-api/2.0/mlflow/experiments/search", params={"max_results": 1}, timeout=10
    )
    assert search.status_code == 200
    assert len(search.json()["experiments"]) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/health",
        "/api/2.0/mlflow/experiments/search?max_results=1",
        "/mlf/health",
        "/mlf/trackingx/health",
        "/version",
    ],
)
def test_paths_outside_the_prefix_are_flasks_404_page(prefixed_server, path):
    answer = requests.get(f"{prefixed_server}{path}", timeout=10)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert "<title>404 Not Found</title>" in answer.text
