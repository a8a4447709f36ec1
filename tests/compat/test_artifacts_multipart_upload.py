"""MLflow's proxied multipart upload: the official client logs a file above MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE
with MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true, and downloads it back byte-identical.

With an S3 artifact destination (a moto server), the server opens an S3 multipart upload, the client PUTs the parts
straight to S3 through presigned URLs and asks the server to complete it; with the session's local destination the
server refuses with MLflow's 501 and the client falls back to one PUT. Recorded against `mlflow server` 3.17.2 the
same way: mpu/create, three part PUTs to S3, mpu/complete on S3; mpu/create -> 501 then PUT on a local directory.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BUCKET = "mpu-compat"
PREFIX = "mlartifacts"
CHUNK = 5 * 1024 * 1024  # S3's smallest part but the last
FILE_SIZE = 2 * CHUNK + 12345  # three parts


def _moto_server() -> str | None:
    for candidate in (os.environ.get("FLOWOPS_MOTO_SERVER"), str(REPO_ROOT / ".venv" / "bin" / "moto_server")):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("moto_server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer {url} within {timeout_s} s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def s3_flowops() -> Iterator[tuple[str, object]]:
    """A FlowOps server whose mlflow-artifacts proxy keeps files in a moto S3 bucket, and a boto3 client on it."""
    binary = _moto_server()
    if binary is None:
        if os.environ.get("FLOWOPS_REQUIRE_S3") == "1":
            pytest.fail("moto_server is required (FLOWOPS_REQUIRE_S3=1) but was not found")
        pytest.skip("moto_server not found (FLOWOPS_MOTO_SERVER or .venv/bin/moto_server)")
    # The moto S3 bucket is read with boto3, which only the 3.x client's venv holds.
    boto3 = pytest.importorskip("boto3")
    workdir = Path(tempfile.mkdtemp(prefix="flowops-compat-mpu-"))
    moto_port = _free_port()
    endpoint = f"http://127.0.0.1:{moto_port}"
    moto = subprocess.Popen(
        [binary, "-H", "127.0.0.1", "-p", str(moto_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    server = None
    try:
        _wait_for(f"{endpoint}/moto-api/", moto, "moto_server")
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        s3.create_bucket(Bucket=BUCKET)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "FLOWOPS_HOME": str(workdir / "home"),
            # The settings `mlflow server` reads for an S3 destination on another endpoint.
            "MLFLOW_S3_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        command = [
            "node",
            str(REPO_ROOT / "bin" / "flowops.js"),
            "server",
            "--port",
            str(port),
            "--backend-store-uri",
            f"sqlite:///{workdir / 'db.sqlite'}",
            "--artifacts-destination",
            f"s3://{BUCKET}/{PREFIX}",
        ]
        with open(workdir / "server.log", "wb") as log_file:
            server = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log_file, stderr=subprocess.STDOUT, env=env)
        _wait_for(f"{url}/health", server, "flowops server")
        yield url, s3
    finally:
        if server is not None:
            _stop(server)
        _stop(moto)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def big_file(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "weights.bin"
    path.write_bytes(os.urandom(FILE_SIZE))
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def multipart_on(monkeypatch: pytest.MonkeyPatch) -> None:
    # Read by the client on each upload; the minimum is lowered so a 10 MB file goes up in parts.
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", str(1024 * 1024))
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(CHUNK))


def _round_trip(tracking_uri: str, local: Path, tmp_path: Path) -> tuple[str, str]:
    """Logs `local` under `model/` of a new run and downloads it again; the run's id and the copy's sha256."""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri)
    experiment_id = client.create_experiment(f"mpu-{os.urandom(5).hex()}")
    run_id = client.create_run(experiment_id).info.run_id
    client.log_artifact(run_id, str(local), "model")
    assert [(f.path, f.file_size) for f in client.list_artifacts(run_id, "model")] == [("model/weights.bin", FILE_SIZE)]
    # mlflow 2.x wants the destination to exist; 3.x creates it.
    (tmp_path / "download").mkdir()
    copy = Path(client.download_artifacts(run_id, "model/weights.bin", str(tmp_path / "download")))
    return run_id, hashlib.sha256(copy.read_bytes()).hexdigest()


def test_server_info_advertises_multipart_upload_on_s3(s3_flowops) -> None:
    import requests

    url, _ = s3_flowops
    info = requests.get(f"{url}/api/3.0/mlflow/server-info", timeout=10).json()
    assert info["multipart_uploads_enabled"] is True
    # As mlflow's server on S3: downloads go through presigned ranged GETs (mlflow-artifacts/presigned/...).
    assert info["multipart_downloads_enabled"] is True


def test_large_artifact_goes_to_s3_in_parts_and_comes_back_identical(
    s3_flowops, big_file, multipart_on, tmp_path: Path
) -> None:
    url, s3 = s3_flowops
    local, digest = big_file
    run_id, copy_digest = _round_trip(url, local, tmp_path)
    assert copy_digest == digest

    objects = s3.list_objects_v2(Bucket=BUCKET, Prefix=PREFIX).get("Contents", [])
    stored = [o for o in objects if o["Key"].endswith(f"{run_id}/artifacts/model/weights.bin")]
    assert [o["Size"] for o in stored] == [FILE_SIZE]
    # S3 gives an object joined from N parts the ETag "<md5 of the part md5s>-N"; one PUT would have a plain md5.
    assert stored[0]["ETag"].strip('"').endswith("-3")
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


def test_large_artifact_on_a_local_destination_falls_back_to_one_put(
    flowops_server, big_file, multipart_on, tmp_path: Path
) -> None:
    import requests

    local, digest = big_file
    create = f"{flowops_server.url}/api/2.0/mlflow-artifacts/mpu/create/x"
    answer = requests.post(create, json={"path": str(local), "num_parts": 3}, timeout=10)
    assert answer.status_code == 501
    assert answer.json() == {
        "error_code": "NOT_IMPLEMENTED",
        "message": "Multipart upload is not supported for the current artifact repository",
    }
    _, copy_digest = _round_trip(flowops_server.url, local, tmp_path)
    assert copy_digest == digest
