"""The server-info capability endpoint, as the MLflow 3 client reads it (mlflow/utils/server_info.py)."""

from __future__ import annotations

import mlflow
import pytest
from mlflow.exceptions import MlflowException

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])

pytestmark = pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="the client reads /api/3.0/mlflow/server-info from MLflow 3")


def test_server_info_answers_every_field_the_client_reads(flowops_server):
    from mlflow.utils.rest_utils import MlflowHostCreds
    from mlflow.utils.server_info import _clear_server_info_cache, fetch_server_info

    _clear_server_info_cache()
    response = fetch_server_info(MlflowHostCreds(flowops_server.url))
    assert response.status_code == 200
    assert set(response.data) == {
        "store_type",
        "workspaces_enabled",
        "trace_archival_enabled",
        "multipart_uploads_enabled",
        "multipart_downloads_enabled",
        "presigned_upload_run_id_supported",
        "presigned_upload_model_id_supported",
        "features_enabled",
    }
    # SqlStore, not FileStore: the UI keeps its SQL-only views, telemetry reports "http-sql".
    assert response.data["store_type"] == "SqlStore"
    assert response.data["workspaces_enabled"] is False
    assert response.data["trace_archival_enabled"] is False
    assert response.data["multipart_uploads_enabled"] is False
    assert response.data["multipart_downloads_enabled"] is False
    assert isinstance(response.data["features_enabled"], dict)


def test_an_active_workspace_is_refused_as_unsupported(client, monkeypatch):
    # Without server-info the client cannot tell and answers INVALID_PARAMETER_VALUE ("could not determine
    # whether the server supports workspaces"); `mlflow server` without --enable-workspaces says this instead.
    from mlflow.utils.server_info import _clear_server_info_cache

    _clear_server_info_cache()
    mlflow.set_workspace("compat-team")
    try:
        with pytest.raises(MlflowException) as raised:
            client.search_experiments(max_results=1)
    finally:
        mlflow.set_workspace(None)
    assert raised.value.error_code == "FEATURE_DISABLED"
    assert "does not support workspaces" in raised.value.message
    client.search_experiments(max_results=1)


def test_a_file_above_the_multipart_threshold_uploads_in_one_piece(experiment_id, monkeypatch, tmp_path):
    # The client asks server-info whether to split a large upload; the answer must lead to a path that works.
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", "1024")
    payload = bytes(range(256)) * 64
    source = tmp_path / "big.bin"
    source.write_bytes(payload)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(source))
    downloaded = mlflow.artifacts.download_artifacts(
        run_id=run.info.run_id, artifact_path="big.bin", dst_path=str(tmp_path / "out")
    )
    with open(downloaded, "rb") as file:
        assert file.read() == payload
