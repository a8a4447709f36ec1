"""Artifact downloads over raw HTTP: validators, byte ranges, conditional answers, directories, file names.

Recorded from `mlflow server` 3.17.2 (uvicorn, SQLite, local --artifacts-destination). The Flask routes
(`/get-artifact`, `/model-versions/get-artifact`, logged model files) answer through werkzeug's send_file:
ETag, Last-Modified, `Cache-Control: no-cache`, `Accept-Ranges: bytes`, one range as 206, anything else it
cannot serve (several ranges, other units, past the end) as 416 with `Content-Range: bytes */<size>`, 304 for
a matching If-None-Match or an If-Modified-Since not before the file, 412 for a failed If-Match. The proxy's GET
is FastAPI's FileResponse: ranges, but no Cache-Control and no 304. A directory asked for as a file is a 400 on
all of them; a non-ASCII name has an NFKD-stripped ASCII fallback beside `filename*`.
"""

from __future__ import annotations

from pathlib import Path

import mlflow
import pytest
import requests

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])
# Logged models and 3.x traces (LiveSpan.trace_id) exist in the 3.x client only.
needs_mlflow_3 = pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="MLflow 3 client API")

BIG = bytes(range(256)) * 4096  # 1 MiB


@pytest.fixture
def logged(experiment_id, tmp_path: Path):
    (tmp_path / "plain.txt").write_text("0123456789")
    (tmp_path / "a b é.json").write_text('{"x": 1}')
    (tmp_path / "日本語").write_text("jp")
    (tmp_path / "big.bin").write_bytes(BIG)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inner.txt").write_text("inner")
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(tmp_path))
    return run


def _run_file(server, run, path: str, **headers):
    return requests.get(
        f"{server.url}/get-artifact", params={"run_id": run.info.run_id, "path": path}, headers=headers, timeout=30
    )


def _proxy_root(run) -> str:
    assert run.info.artifact_uri.startswith("mlflow-artifacts:/")
    return run.info.artifact_uri.removeprefix("mlflow-artifacts:/").lstrip("/")


def _proxy_file(server, run, path: str, **headers):
    url = f"{server.url}/api/2.0/mlflow-artifacts/artifacts/{_proxy_root(run)}/{path}"
    return requests.get(url, headers=headers, timeout=30)


def test_run_files_carry_validators_and_serve_ranges(flowops_server, logged):
    whole = _run_file(flowops_server, logged, "plain.txt")
    assert whole.status_code == 200
    assert whole.content == b"0123456789"
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Cache-Control"] == "no-cache"
    assert whole.headers["Content-Length"] == "10"
    etag = whole.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('-10-' + etag.split("-")[-1])
    last_modified = whole.headers["Last-Modified"]

    for spec, body, content_range in [
        ("bytes=2-5", b"2345", "bytes 2-5/10"),
        ("bytes=-3", b"789", "bytes 7-9/10"),
        ("bytes=7-", b"789", "bytes 7-9/10"),
        ("bytes=5-100", b"56789", "bytes 5-9/10"),
    ]:
        part = _run_file(flowops_server, logged, "plain.txt", Range=spec)
        assert (part.status_code, part.content, part.headers["Content-Range"]) == (206, body, content_range), spec
        assert part.headers["Content-Length"] == str(len(body))
        assert part.headers["ETag"] == etag
    for spec in ["bytes=10-", "bytes=-20", "bytes=0-1,4-5", "items=0-1", "garbage", "bytes=5-2"]:
        refused = _run_file(flowops_server, logged, "plain.txt", Range=spec)
        assert (refused.status_code, refused.headers["Content-Range"]) == (416, "bytes */10"), spec

    tail = _run_file(flowops_server, logged, "big.bin", Range="bytes=1048570-")
    assert (tail.status_code, tail.content) == (206, BIG[-6:])
    assert tail.headers["Content-Range"] == "bytes 1048570-1048575/1048576"
    middle = _run_file(flowops_server, logged, "big.bin", Range="bytes=300000-700000")
    assert middle.content == BIG[300000:700001]

    # If-Range: a date not before the file, or the file's own tag, keeps the range; anything else sends it whole.
    assert _run_file(flowops_server, logged, "plain.txt", Range="bytes=0-1", **{"If-Range": etag}).status_code == 206
    kept = _run_file(flowops_server, logged, "plain.txt", Range="bytes=0-1", **{"If-Range": last_modified})
    assert kept.status_code == 206
    stale = _run_file(flowops_server, logged, "plain.txt", Range="bytes=0-1", **{"If-Range": '"other"'})
    assert (stale.status_code, stale.content) == (200, b"0123456789")


def test_run_files_answer_conditional_requests(flowops_server, logged):
    whole = _run_file(flowops_server, logged, "plain.txt")
    etag, last_modified = whole.headers["ETag"], whole.headers["Last-Modified"]
    for headers in [
        {"If-None-Match": etag},
        {"If-None-Match": f"W/{etag}"},
        {"If-None-Match": '"x", ' + etag},
        {"If-None-Match": "*"},
        {"If-Modified-Since": last_modified},
        {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    ]:
        cached = _run_file(flowops_server, logged, "plain.txt", **headers)
        assert (cached.status_code, cached.content) == (304, b""), headers
        assert cached.headers["ETag"] == etag
        assert "Content-Type" not in cached.headers
    for headers in [{"If-None-Match": '"x"'}, {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}]:
        assert _run_file(flowops_server, logged, "plain.txt", **headers).status_code == 200, headers
    assert _run_file(flowops_server, logged, "plain.txt", **{"If-Match": etag}).status_code == 200
    assert _run_file(flowops_server, logged, "plain.txt", **{"If-Match": '"x"'}).status_code == 412


def test_directories_are_refused_as_files(flowops_server, logged):
    root = _proxy_root(logged)
    for path in ["sub", "sub/", ""]:
        answer = _run_file(flowops_server, logged, path)
        assert answer.status_code == 400, path
        assert answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"
        assert answer.json()["message"] == f"Artifact path refers to a directory, not a file: '{root}/{path}'"
    for path in ["sub", "sub/"]:
        answer = _proxy_file(flowops_server, logged, path)
        assert answer.status_code == 400, path
        assert answer.json() == {"detail": f"Artifact path refers to a directory, not a file: '{root}/{path}'"}


def test_non_ascii_names_have_an_ascii_fallback(flowops_server, logged):
    for get in (_run_file, _proxy_file):
        accented = get(flowops_server, logged, "a b é.json")
        assert accented.headers["Content-Disposition"] == (
            "attachment; filename=\"a b e.json\"; filename*=UTF-8''a%20b%20%C3%A9.json"
        )
        japanese = get(flowops_server, logged, "日本語")
        assert japanese.headers["Content-Disposition"] == (
            "attachment; filename=download; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E"
        )
        assert japanese.content == b"jp"


def test_proxy_downloads_serve_ranges_without_conditional_answers(flowops_server, logged):
    whole = _proxy_file(flowops_server, logged, "plain.txt")
    assert whole.status_code == 200
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert "ETag" in whole.headers and "Last-Modified" in whole.headers
    assert "Cache-Control" not in whole.headers
    # FastAPI's FileResponse has no 304.
    assert _proxy_file(flowops_server, logged, "plain.txt", **{"If-None-Match": whole.headers["ETag"]}).status_code == 200
    part = _proxy_file(flowops_server, logged, "plain.txt", Range="bytes=2-5")
    assert (part.status_code, part.content, part.headers["Content-Range"]) == (206, b"2345", "bytes 2-5/10")
    past = _proxy_file(flowops_server, logged, "plain.txt", Range="bytes=50-")
    assert (past.status_code, past.headers["Content-Range"], past.content) == (416, "bytes */10", b"")
    backwards = _proxy_file(flowops_server, logged, "plain.txt", Range="bytes=5-2")
    assert (backwards.status_code, backwards.text) == (400, "Range header: start must be less than end")
    assert _proxy_file(flowops_server, logged, "plain.txt", Range="garbage").text == "Malformed range header."
    several = _proxy_file(flowops_server, logged, "plain.txt", Range="bytes=0-1,4-5")
    assert several.status_code == 206
    boundary = several.headers["Content-Type"].removeprefix("multipart/byteranges; boundary=")
    assert several.content == (
        f"--{boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/10\r\n\r\n01\r\n"
        f"--{boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 4-5/10\r\n\r\n45\r\n--{boundary}--"
    ).encode()
    assert several.headers["Content-Length"] == str(len(several.content))


@needs_mlflow_3
def test_model_version_and_logged_model_files_serve_ranges(flowops_server, client, logged, experiment_id, unique, tmp_path):
    name = f"dl-model-{unique}"
    client.create_registered_model(name)
    version = client.create_model_version(name, logged.info.artifact_uri, run_id=logged.info.run_id).version
    params = {"name": name, "version": version, "path": "big.bin"}
    part = requests.get(
        f"{flowops_server.url}/model-versions/get-artifact", params=params, headers={"Range": "bytes=-4"}, timeout=30
    )
    assert (part.status_code, part.content) == (206, BIG[-4:])
    params["path"] = "sub"
    assert requests.get(f"{flowops_server.url}/model-versions/get-artifact", params=params, timeout=30).status_code == 400

    model = client.create_logged_model(experiment_id, name=f"lm-{unique}")
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "MLmodel").write_text("lm: 1\n")
    (tmp_path / "m" / "d").mkdir()
    (tmp_path / "m" / "d" / "x").write_text("x")
    client.log_model_artifacts(model.model_id, str(tmp_path / "m"))
    route = f"{flowops_server.url}/ajax-api/2.0/mlflow/logged-models/{model.model_id}/artifacts/files"
    ranged = requests.get(route, params={"artifact_file_path": "MLmodel"}, headers={"Range": "bytes=0-1"}, timeout=30)
    assert (ranged.status_code, ranged.content, ranged.headers["Content-Range"]) == (206, b"lm", "bytes 0-1/6")
    assert requests.get(route, params={"artifact_file_path": "d"}, timeout=30).status_code == 400
