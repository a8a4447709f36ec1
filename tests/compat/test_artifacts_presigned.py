"""MLflow's presigned artifact downloads: with an S3 artifact destination the server advertises
`multipart_downloads_enabled`, and the official 3.x client then asks `GET /mlflow-artifacts/presigned/<path>` for
each proxied file and fetches it from S3 itself in parallel byte ranges. Recorded against `mlflow server` 3.17.2
with the same moto setup: server-info true, `{"url", "headers": {}, "file_size"}`, ranged GETs to S3; with a local
destination, server-info false and the presigned GET answers 501.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from test_artifacts_multipart_upload import BUCKET, PREFIX, s3_flowops  # noqa: F401 (the fixture)

FILE_SIZE = 10 * 1024 * 1024
CHUNK = 4 * 1024 * 1024  # three ranged GETs for the 10 MiB file


def _client_downloads_presigned() -> bool:
    from mlflow.store.artifact.http_artifact_repo import HttpArtifactRepository

    return hasattr(HttpArtifactRepository, "_get_presigned_download_url")


def test_server_info_advertises_multipart_download_on_s3(s3_flowops) -> None:  # noqa: F811
    import requests

    url, _ = s3_flowops
    info = requests.get(f"{url}/api/3.0/mlflow/server-info", timeout=10).json()
    assert info["multipart_downloads_enabled"] is True


def test_presigned_get_answers_url_headers_and_size(s3_flowops) -> None:  # noqa: F811
    import requests

    url, _ = s3_flowops
    requests.put(f"{url}/api/2.0/mlflow-artifacts/artifacts/p/hello.txt", data=b"hello", timeout=10)
    answer = requests.get(f"{url}/api/2.0/mlflow-artifacts/presigned/p/hello.txt", timeout=10)
    assert answer.status_code == 200
    body = answer.json()
    assert list(body) == ["url", "headers", "file_size"]
    assert body["headers"] == {} and body["file_size"] == 5
    assert requests.get(body["url"], timeout=10).content == b"hello"


def test_client_downloads_a_large_file_through_presigned_ranges(
    s3_flowops,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not _client_downloads_presigned():
        pytest.skip("this mlflow client has no presigned (multipart) download")
    from mlflow import MlflowClient
    from mlflow.store.artifact.http_artifact_repo import HttpArtifactRepository

    url, s3 = s3_flowops
    # Decided by server-info alone, as a user's client would; the chunk size makes three ranged GETs.
    monkeypatch.delenv("MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD", raising=False)
    monkeypatch.setenv("MLFLOW_MULTIPART_DOWNLOAD_CHUNK_SIZE", str(CHUNK))
    ranged: list[tuple[str, int]] = []
    original = HttpArtifactRepository._multipart_download

    def spy(self, presigned_response, remote_file_path, local_path, file_size, chunk_size):
        ranged.append((presigned_response.url, file_size))
        return original(self, presigned_response, remote_file_path, local_path, file_size, chunk_size)

    monkeypatch.setattr(HttpArtifactRepository, "_multipart_download", spy)

    local = tmp_path / "weights.bin"
    local.write_bytes(os.urandom(FILE_SIZE))
    digest = hashlib.sha256(local.read_bytes()).hexdigest()
    client = MlflowClient(tracking_uri=url)
    run_id = client.create_run(client.create_experiment(f"pre-{os.urandom(5).hex()}")).info.run_id
    client.log_artifact(run_id, str(local), "model")
    (tmp_path / "download").mkdir()
    copy = Path(client.download_artifacts(run_id, "model/weights.bin", str(tmp_path / "download")))

    assert hashlib.sha256(copy.read_bytes()).hexdigest() == digest
    # The bytes came from S3 through the signed URL, not through the server's proxy.
    assert len(ranged) == 1
    signed_url, size = ranged[0]
    assert size == FILE_SIZE
    assert f"/{BUCKET}/{PREFIX}/" in signed_url and signed_url.split("?")[0].endswith(f"{run_id}/artifacts/model/weights.bin")
    assert s3.head_object(Bucket=BUCKET, Key=signed_url.split(f"/{BUCKET}/", 1)[1].split("?")[0])["ContentLength"] == FILE_SIZE


def test_local_destination_refuses_presigned_downloads(flowops_server) -> None:
    import requests

    info = requests.get(f"{flowops_server.url}/api/3.0/mlflow/server-info", timeout=10).json()
    assert info["multipart_downloads_enabled"] is False
    answer = requests.get(f"{flowops_server.url}/api/2.0/mlflow-artifacts/presigned/x/a.bin", timeout=10)
    assert answer.status_code == 501
    assert answer.json() == {
        "error_code": "NOT_IMPLEMENTED",
        "message": "Multipart download is not supported for the current artifact repository",
    }
