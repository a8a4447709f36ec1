"""Artifact downloads over raw HTTP from an S3 artifact destination (a moto server).

Recorded from `mlflow server` 3.17.2 (uvicorn) with `--artifacts-destination s3://<bucket>/<prefix>` on moto:
MLflow downloads the object to a temporary file per request and answers from that copy, so
- the Flask route `/get-artifact` is werkzeug's send_file: ETag `"<st_mtime>-<size>-<adler32 of the temp path>"`
  and Last-Modified of the copy (new on every request), `Cache-Control: no-cache`, one range as 206, several
  ranges or one past the end as 416 `Requested Range Not Satisfiable` with `Content-Range: bytes */<size>`,
  If-None-Match `*` or a later If-Modified-Since as 304, If-Match `*` as 412 with the body;
- the proxy's GET (`/api/2.0/mlflow-artifacts/artifacts/<path>`) is a StreamingResponse: chunked, the whole file
  whatever Range, no ETag, no Accept-Ranges;
- the proxy's HEAD has no FastAPI route, so Flask answers it with send_file, ranges and validators included.
Set FLOWOPS_COMPAT_S3_REFERENCE=mlflow to run these against `mlflow server` itself.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import _free_port
from test_artifacts_multipart_upload import _moto_server, _wait_for

REPO_ROOT = Path(__file__).resolve().parents[2]
BUCKET = "downloads-compat"
PREFIX = "mlartifacts"
BIG = bytes(range(256)) * 8192  # 2 MiB
WERKZEUG_ETAG = re.compile(r'^"\d+\.\d+-(\d+)-\d+"$')
REFUSED = "Requested Range Not Satisfiable"


def _stop(process: subprocess.Popen) -> None:
    # Each server runs in its own session: `mlflow server` starts job-runner children that must go with it.
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def start_server(command: list[str], workdir: Path, env: dict[str, str]) -> subprocess.Popen:
    """A server in its own session (so _stop takes its children too), logging to workdir/server.log."""
    with open(workdir / "server.log", "wb") as log_file:
        return subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=log_file, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


def _server_command(port: int, workdir: Path) -> list[str]:
    args = [
        "server",
        "--port",
        str(port),
        "--backend-store-uri",
        f"sqlite:///{workdir / 'db.sqlite'}",
        "--artifacts-destination",
        f"s3://{BUCKET}/{PREFIX}",
    ]
    if os.environ.get("FLOWOPS_COMPAT_S3_REFERENCE") == "mlflow":
        return [str(Path(sys.executable).parent / "mlflow"), *args, "--host", "127.0.0.1"]
    return ["node", str(REPO_ROOT / "bin" / "flowops.js"), *args]


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """A server whose artifact proxy keeps files in a moto S3 bucket."""
    binary = _moto_server()
    if binary is None:
        if os.environ.get("FLOWOPS_REQUIRE_S3") == "1":
            pytest.fail("moto_server is required (FLOWOPS_REQUIRE_S3=1) but was not found")
        pytest.skip("moto_server not found (FLOWOPS_MOTO_SERVER or .venv/bin/moto_server)")
    boto3 = pytest.importorskip("boto3")
    workdir = Path(tempfile.mkdtemp(prefix="flowops-compat-s3dl-"))
    endpoint = f"http://127.0.0.1:{_free_port()}"
    moto = subprocess.Popen(
        [binary, "-H", "127.0.0.1", "-p", endpoint.rsplit(":", 1)[1]],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = None
    try:
        _wait_for(f"{endpoint}/moto-api/", moto, "moto_server")
        credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **credentials).create_bucket(Bucket=BUCKET)
        port = _free_port()
        env = {
            **os.environ,
            "FLOWOPS_HOME": str(workdir / "home"),
            "MLFLOW_S3_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        server = start_server(_server_command(port, workdir), workdir, env)
        url = f"http://127.0.0.1:{port}"
        _wait_for(f"{url}/health", server, "server", timeout_s=90)
        yield url
    finally:
        if server is not None:
            _stop(server)
        _stop(moto)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def logged(s3_server: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A run with plain.txt, empty.txt and big.bin; its id and its proxy URL."""
    from mlflow import MlflowClient

    local = tmp_path_factory.mktemp("files")
    (local / "plain.txt").write_bytes(b"0123456789")
    (local / "empty.txt").write_bytes(b"")
    (local / "big.bin").write_bytes(BIG)
    client = MlflowClient(tracking_uri=s3_server)
    experiment_id = client.create_experiment(f"s3dl-{os.urandom(5).hex()}")
    run = client.create_run(experiment_id)
    client.log_artifacts(run.info.run_id, str(local))
    root = run.info.artifact_uri.removeprefix("mlflow-artifacts:").lstrip("/")
    return run.info.run_id, f"{s3_server}/api/2.0/mlflow-artifacts/artifacts/{root}"


def _run_file(server: str, run_id: str, path: str, **headers: str) -> requests.Response:
    return requests.get(f"{server}/get-artifact", params={"run_id": run_id, "path": path}, headers=headers, timeout=30)


def test_run_file_serves_ranges_of_the_object(s3_server, logged):
    run_id, _ = logged
    whole = _run_file(s3_server, run_id, "plain.txt")
    assert (whole.status_code, whole.content) == (200, b"0123456789")
    assert whole.headers["Cache-Control"] == "no-cache"
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Content-Length"] == "10"
    assert WERKZEUG_ETAG.match(whole.headers["ETag"]).group(1) == "10"
    assert "Last-Modified" in whole.headers

    for spec, body, content_range in [
        ("bytes=2-5", b"2345", "bytes 2-5/10"),
        ("bytes=-3", b"789", "bytes 7-9/10"),
        ("bytes=5-100", b"56789", "bytes 5-9/10"),
    ]:
        part = _run_file(s3_server, run_id, "plain.txt", Range=spec)
        assert (part.status_code, part.content, part.headers["Content-Range"]) == (206, body, content_range), spec
        assert part.headers["Content-Length"] == str(len(body))
    middle = _run_file(s3_server, run_id, "big.bin", Range="bytes=1048576-1049599")
    assert (middle.status_code, middle.content) == (206, BIG[1048576:1049600])
    assert middle.headers["Content-Range"] == f"bytes 1048576-1049599/{len(BIG)}"
    # werkzeug skips the ranges of an empty file.
    assert _run_file(s3_server, run_id, "empty.txt", Range="bytes=0-5").status_code == 200


def test_run_file_refusals_and_conditions(s3_server, logged):
    run_id, _ = logged
    for spec in ["bytes=10-", "bytes=0-1,4-5"]:
        refused = _run_file(s3_server, run_id, "plain.txt", Range=spec)
        assert (refused.status_code, refused.reason, refused.headers["Content-Range"]) == (416, REFUSED, "bytes */10")
        assert refused.headers["Content-Type"] == "text/html; charset=utf-8"
    # The temporary copy is new for every request, so its tag never matches a later one.
    first = _run_file(s3_server, run_id, "plain.txt")
    time.sleep(0.01)
    again = _run_file(s3_server, run_id, "plain.txt", **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]
    assert _run_file(s3_server, run_id, "plain.txt", **{"If-None-Match": "*"}).status_code == 304
    later = {"If-Modified-Since": "Mon, 07 Dec 2099 00:00:00 GMT"}
    assert _run_file(s3_server, run_id, "plain.txt", **later).status_code == 304
    failed = _run_file(s3_server, run_id, "plain.txt", **{"If-Match": "*"})
    assert (failed.status_code, failed.content) == (412, b"0123456789")


def test_proxy_get_streams_the_whole_object(s3_server, logged):
    _, proxy = logged
    for headers in [{}, {"Range": "bytes=2-5"}, {"Range": "bytes=0-1,4-5"}, {"If-None-Match": "*"}]:
        answer = requests.get(f"{proxy}/plain.txt", headers=headers, timeout=30)
        assert (answer.status_code, answer.content) == (200, b"0123456789"), headers
        assert answer.headers["Content-Disposition"] == "attachment; filename=plain.txt"
        assert "ETag" not in answer.headers and "Accept-Ranges" not in answer.headers, headers
    assert requests.get(f"{proxy}/big.bin", timeout=30).content == BIG


def test_proxy_head_is_flasks_send_file(s3_server, logged):
    _, proxy = logged
    whole = requests.head(f"{proxy}/big.bin", timeout=30)
    assert (whole.status_code, whole.headers["Content-Length"]) == (200, str(len(BIG)))
    assert whole.headers["Cache-Control"] == "no-cache"
    assert WERKZEUG_ETAG.match(whole.headers["ETag"]).group(1) == str(len(BIG))
    part = requests.head(f"{proxy}/plain.txt", headers={"Range": "bytes=2-5"}, timeout=30)
    assert (part.status_code, part.headers["Content-Range"], part.headers["Content-Length"]) == (
        206,
        "bytes 2-5/10",
        "4",
    )
    refused = requests.head(f"{proxy}/plain.txt", headers={"Range": "bytes=0-1,4-5"}, timeout=30)
    assert (refused.status_code, refused.reason) == (416, REFUSED)
    assert requests.head(f"{proxy}/plain.txt", headers={"If-None-Match": "*"}, timeout=30).status_code == 304
