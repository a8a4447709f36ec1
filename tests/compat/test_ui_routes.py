"""The UI's own routes outside /api (mlflow/server/__init__.py): model version and logged model file downloads,
a trace's data, the UI's artifact upload, and UI telemetry. Raw HTTP, since the Python client never calls them;
the client sets things up.

Recorded from `mlflow server` 3.17.2 (SQLite, --artifacts-destination): files go out as attachments
(`Content-Disposition: attachment; filename=<name>`, a type guessed from the name, `nosniff`); a trace whose
spans are in the database comes back as `{"spans":[...]}` named traces.json; traversal in any path is a 400
INVALID_PARAMETER_VALUE before anything is looked up. MLflow itself answers 500 for a model version whose
source is `runs:/...` when its tracking store is SQL, so the versions here use artifact URIs.
"""

from __future__ import annotations

import json
from pathlib import Path

import mlflow
import pytest
import requests

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])
# Logged models and 3.x traces (LiveSpan.trace_id) exist in the 3.x client only.
needs_mlflow_3 = pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="MLflow 3 client API")

TRAVERSALS = ["../secret.txt", "/etc/passwd", "..%2f..%2fx", "a/../../x"]


def _get(server, route: str, /, **params):
    return requests.get(f"{server.url}{route}", params=params, timeout=30)


def _assert_attachment(response, name: str, body: bytes, content_type: str = "text/plain") -> None:
    assert response.status_code == 200, response.text
    assert response.content == body
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def _error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error_code"]


@pytest.fixture
def run_with_model(experiment_id, tmp_path: Path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "MLmodel").write_text("flavors: {}\n")
    (tmp_path / "model" / "weights.bin").write_bytes(b"\x00\x01\x02")
    (tmp_path / "secret.txt").write_text("outside the model")
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(tmp_path))
    return run


def test_model_version_files_download_as_attachments(flowops_server, client, run_with_model, unique):
    name = f"ui-model-{unique}"
    client.create_registered_model(name)
    source = f"{run_with_model.info.artifact_uri}/model"
    version = client.create_model_version(name, source, run_id=run_with_model.info.run_id).version
    route = "/model-versions/get-artifact"
    _assert_attachment(_get(flowops_server, route, name=name, version=version, path="MLmodel"), "MLmodel", b"flavors: {}\n")
    _assert_attachment(
        _get(flowops_server, route, name=name, version=version, path="weights.bin"),
        "weights.bin",
        b"\x00\x01\x02",
        "application/octet-stream",
    )
    for path in TRAVERSALS:
        assert _error(_get(flowops_server, route, name=name, version=version, path=path)) == (
            400,
            "INVALID_PARAMETER_VALUE",
        ), path
    missing = _get(flowops_server, route, name=name, version="99", path="MLmodel")
    assert missing.status_code == 404
    assert missing.json()["message"] == f"Model Version (name={name}, version=99) not found"
    assert _error(_get(flowops_server, route, version=version, path="MLmodel")) == (400, "INVALID_PARAMETER_VALUE")
    assert _error(_get(flowops_server, route, name=name, version="abc", path="MLmodel")) == (
        400,
        "INVALID_PARAMETER_VALUE",
    )
    assert _get(flowops_server, route, name=name, version=version).status_code == 400
    assert _get(flowops_server, f"/ajax-api/2.0/mlflow{route}", name=name, version=version, path="MLmodel").status_code == 404


@needs_mlflow_3
def test_logged_model_files_download_as_attachments(flowops_server, client, experiment_id, tmp_path, unique):
    model = client.create_logged_model(experiment_id, name=f"lm-{unique}")
    (tmp_path / "MLmodel").write_text("lm: 1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.txt").write_text("x")
    client.log_model_artifacts(model.model_id, str(tmp_path))
    route = f"/ajax-api/2.0/mlflow/logged-models/{model.model_id}/artifacts/files"
    _assert_attachment(_get(flowops_server, route, artifact_file_path="MLmodel"), "MLmodel", b"lm: 1\n")
    _assert_attachment(_get(flowops_server, route, artifact_file_path="sub/x.txt"), "x.txt", b"x")
    for params in ({}, {"artifact_file_path": ""}):
        answer = _get(flowops_server, route, **params)
        assert answer.status_code == 400
        assert answer.json()["error_code"] == "BAD_REQUEST"
        assert answer.json()["message"] == 'Request must include the "artifact_file_path" query parameter.'
    for path in TRAVERSALS:
        assert _error(_get(flowops_server, route, artifact_file_path=path)) == (400, "INVALID_PARAMETER_VALUE"), path
    assert _error(_get(flowops_server, route, artifact_file_path="nope")) == (404, "RESOURCE_DOES_NOT_EXIST")
    unknown = _get(flowops_server, "/ajax-api/2.0/mlflow/logged-models/m-nosuch/artifacts/files", artifact_file_path="a")
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "Logged model with ID 'm-nosuch' not found."
    assert _get(flowops_server, route.replace("/ajax-api/", "/api/"), artifact_file_path="MLmodel").status_code == 404


@needs_mlflow_3
@pytest.mark.parametrize("version", ["2.0", "3.0"])
def test_trace_data_comes_back_as_traces_json(flowops_server, experiment_id, version):
    with mlflow.start_span("root") as root:
        root.set_inputs({"q": 1})
        with mlflow.start_span("child") as child:
            child.set_attribute("k", "v")
    mlflow.flush_trace_async_logging()
    route = f"/ajax-api/{version}/mlflow/get-trace-artifact"
    answer = _get(flowops_server, route, request_id=root.trace_id)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "text/plain"
    assert answer.headers["Content-Disposition"] == "attachment; filename=traces.json"
    assert answer.text.startswith('{"spans":[{"trace_id": ')
    spans = json.loads(answer.text)["spans"]
    assert [span["name"] for span in spans] == ["root", "child"]
    assert spans[0]["parent_span_id"] is None
    assert spans[0]["attributes"]["mlflow.spanInputs"] == '{"q": 1}'
    assert spans[1]["attributes"]["k"] == '"v"'


@needs_mlflow_3
def test_trace_data_from_the_database_serves_ranges_without_validators(flowops_server, experiment_id):
    # MLflow send_file()s an in-memory buffer: werkzeug has no time or path to tag, so the answer carries no
    # ETag or Last-Modified and no conditional header changes it, while one byte range is still served.
    with mlflow.start_span("root"):
        pass
    trace_id = mlflow.get_last_active_trace_id()
    mlflow.flush_trace_async_logging()
    url = f"{flowops_server.url}/ajax-api/2.0/mlflow/get-trace-artifact"

    def get(**headers):
        return requests.get(url, params={"request_id": trace_id}, headers=headers, timeout=30)

    whole = get()
    assert whole.status_code == 200, whole.text
    body, size = whole.content, len(whole.content)
    assert (whole.headers["Accept-Ranges"], whole.headers["Cache-Control"]) == ("bytes", "no-cache")
    assert "ETag" not in whole.headers and "Last-Modified" not in whole.headers
    ranged = get(Range="bytes=-5")
    assert (ranged.status_code, ranged.content) == (206, body[-5:])
    assert ranged.headers["Content-Range"] == f"bytes {size - 5}-{size - 1}/{size}"
    assert ranged.headers["Content-Disposition"] == "attachment; filename=traces.json"
    assert get(Range="bytes=0-9").headers["Content-Range"] == f"bytes 0-9/{size}"
    for range_ in ("bytes=0-1,4-5", "garbage", f"bytes={size}-"):
        refused = get(Range=range_)
        assert refused.status_code == 416, range_
        assert refused.headers["Content-Range"] == f"bytes */{size}"
        assert refused.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "<title>416 Requested Range Not Satisfiable</title>" in refused.text
    for headers in (
        {"If-None-Match": "*"},
        {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
        {"If-Match": '"x"'},
        {"Range": "bytes=0-9", "If-Range": "Fri, 01 Jan 2100 00:00:00 GMT"},
    ):
        answer = get(**headers)
        assert (answer.status_code, answer.content) == (200, body), headers


@needs_mlflow_3
def test_trace_data_errors(flowops_server, experiment_id):
    route = "/ajax-api/2.0/mlflow/get-trace-artifact"
    for params in ({}, {"request_id": ""}):
        answer = _get(flowops_server, route, **params)
        assert (answer.status_code, answer.json()["error_code"], answer.json()["message"]) == (
            400,
            "BAD_REQUEST",
            'Request must include the "request_id" query parameter.',
        )
    missing = _get(flowops_server, route, request_id="tr-0000")
    assert (missing.status_code, missing.json()["message"]) == (404, "Trace with ID tr-0000 is not found.")
    with mlflow.start_span("root") as root:
        pass
    mlflow.flush_trace_async_logging()
    bad = _get(flowops_server, route, request_id=root.trace_id, path="x.txt")
    assert (bad.status_code, bad.json()["message"]) == (
        400,
        "Invalid attachment path: 'x.txt'. Attachment path must be a valid UUID.",
    )
    for path in TRAVERSALS:
        assert _error(_get(flowops_server, route, request_id=root.trace_id, path=path)) == (
            400,
            "INVALID_PARAMETER_VALUE",
        ), path


def _upload(server, data=None, **params):
    return requests.post(f"{server.url}/ajax-api/2.0/mlflow/upload-artifact", params=params, data=data, timeout=60)


def test_ui_upload_writes_a_run_artifact(flowops_server, client, experiment_id):
    with mlflow.start_run() as run:
        pass
    run_id = run.info.run_id
    answer = _upload(flowops_server, b"uploaded", run_uuid=run_id, path="up/new.txt")
    assert (answer.status_code, answer.content) == (200, b"")
    assert answer.headers["Content-Type"].startswith("application/json")
    assert [f.path for f in client.list_artifacts(run_id, "up")] == ["up/new.txt"]
    _assert_attachment(_get(flowops_server, "/get-artifact", run_id=run_id, path="up/new.txt"), "new.txt", b"uploaded")


@pytest.mark.parametrize(
    ("params", "data", "status", "message"),
    [
        ({"path": "x"}, b"x", 400, "Request must specify run_uuid."),
        ({"run_id": "RUN", "path": "x"}, b"x", 400, "Request must specify run_uuid."),
        ({"run_uuid": "RUN"}, b"x", 400, "Request must specify path."),
        ({"run_uuid": "RUN", "path": "x"}, None, 400, "Request must specify data."),
        ({"run_uuid": "RUN", "path": "x"}, b"x" * (10 * 1024 * 1024 + 1), 400, "Artifact size is too large. Max size is 10MB."),
        ({"run_uuid": "nosuch", "path": "x"}, b"x", 404, "Run with id=nosuch not found"),
    ],
)  # fmt: skip
def test_ui_upload_errors(flowops_server, experiment_id, params, data, status, message):
    with mlflow.start_run() as run:
        pass
    params = {key: run.info.run_id if value == "RUN" else value for key, value in params.items()}
    answer = _upload(flowops_server, data, **params)
    assert (answer.status_code, answer.json()["message"]) == (status, message)


def test_ui_upload_refuses_traversal(flowops_server, experiment_id):
    with mlflow.start_run() as run:
        pass
    for path in TRAVERSALS:
        answer = _upload(flowops_server, b"x", run_uuid=run.info.run_id, path=path)
        assert _error(answer) == (400, "INVALID_PARAMETER_VALUE"), path


def test_ui_telemetry_is_off(flowops_server):
    route = f"{flowops_server.url}/ajax-api/3.0/mlflow/ui-telemetry"
    config = requests.get(route, timeout=30)
    assert config.status_code == 200
    assert config.json() == {"disable_ui_events": [], "disable_ui_telemetry": True, "ui_rollout_percentage": 0}
    records = {"records": [{"event_name": "x", "timestamp_ns": 1, "params": {}}]}
    assert requests.post(route, json=records, timeout=30).json() == {"status": "disabled"}
    assert requests.post(route, data="zz", headers={"Content-Type": "text/plain"}, timeout=30).json() == {
        "status": "disabled"
    }
