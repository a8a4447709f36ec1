"""`flowops data import-url` of s3:// sources beside `dvc import-url` (dvc-s3), both reading one moto S3 server
through AWS_ENDPOINT_URL: the same .dvc bytes (an object's ETag, a prefix's tree of ETags), data, output,
errors, status and update."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from conftest import data_twins, workspace_files

REPO_ROOT = Path(__file__).resolve().parents[3]


def _moto_server() -> str | None:
    for candidate in (os.environ.get("FLOWOPS_MOTO_SERVER"), str(REPO_ROOT / ".venv" / "bin" / "moto_server")):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("moto_server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch):
    binary = _moto_server()
    if binary is None:
        if os.environ.get("FLOWOPS_REQUIRE_S3") == "1":
            pytest.fail("moto_server is required (FLOWOPS_REQUIRE_S3=1) but was not found")
        pytest.skip("moto_server not found (FLOWOPS_MOTO_SERVER or .venv/bin/moto_server)")
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [binary, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        for name, value in {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            monkeypatch.setenv(name, value)
        import botocore.session

        client = botocore.session.get_session().create_client("s3", endpoint_url=endpoint, region_name="us-east-1")
        client.create_bucket(Bucket="src")
        yield client
    finally:
        server.terminate()
        server.wait(timeout=10)


def _put(client, key: str, body: bytes) -> None:
    client.put_object(Bucket="src", Key=key, Body=body)


def _status_json_equal(twins) -> dict:
    ours = twins["flowops"].flowops("data", "status", "--json").json()
    theirs = twins["dvc"].dvc("status", "--json").json()
    assert ours == theirs
    return theirs


def test_object_import_status_update_match_dvc(s3, make_ws) -> None:
    _put(s3, "data/a.csv", b"x,y\n1,2\n")
    twins, both = data_twins(make_ws)
    assert both("import-url", "s3://src/data/a.csv", files=("a.csv.dvc", "a.csv", ".gitignore"))[0] == 0
    assert "etag: " in twins["flowops"].read("a.csv.dvc")
    assert both("import-url", "--no-download", "s3://src/data/a.csv", "nd.csv", files=("nd.csv.dvc",))[0] == 0
    assert both("import-url", "--no-exec", "s3://src/data/a.csv", "ne.csv", files=("ne.csv.dvc",))[0] == 0
    assert both("update", "a.csv.dvc")[1] == "'a.csv.dvc' didn't change, skipping"

    # A new body is a new ETag: an unfrozen import shows a changed dep, update imports the new data.
    _put(s3, "data/a.csv", b"x,y\n1,2\n3,4\n")
    for ws in twins.values():
        ws.dvc("unfreeze", "a.csv.dvc")
    assert _status_json_equal(twins)["a.csv.dvc"] == [{"changed deps": {"s3://src/data/a.csv": "modified"}}]
    both("update", "a.csv.dvc", files=("a.csv.dvc", "a.csv"))
    assert twins["flowops"].read("a.csv") == "x,y\n1,2\n3,4\n"
    both("update", "--no-download", "nd.csv.dvc", files=("nd.csv.dvc",))

    s3.delete_object(Bucket="src", Key="data/a.csv")
    assert _status_json_equal(twins)["a.csv.dvc"] == [{"changed deps": {"s3://src/data/a.csv": "deleted"}}]


def test_prefix_import_is_a_directory_recorded_by_its_etag_tree(s3, make_ws) -> None:
    _put(s3, "dir/one.txt", b"one\n")
    _put(s3, "dir/sub/two.txt", b"two\n")
    _put(s3, "dirty/other.txt", b"not under dir/\n")
    twins, both = data_twins(make_ws)
    assert both("import-url", "s3://src/dir", files=("dir.dvc", ".gitignore"))[0] == 0
    assert both("import-url", "s3://src/dir/", "slash", files=("slash.dvc",))[0] == 0
    assert workspace_files(twins["flowops"]) == workspace_files(twins["dvc"])
    assert twins["flowops"].read("dir/sub/two.txt") == "two\n"
    assert not (twins["flowops"].root / "dir" / "other.txt").exists()

    _put(s3, "dir/three.txt", b"3\n")
    for ws in twins.values():
        ws.dvc("unfreeze", "dir.dvc")
    assert _status_json_equal(twins)["dir.dvc"] == [{"changed deps": {"s3://src/dir": "modified"}}]
    both("update", "dir.dvc", files=("dir.dvc", "dir/three.txt"))
    assert workspace_files(twins["flowops"]) == workspace_files(twins["dvc"])


def test_missing_key_and_missing_bucket_fail_as_in_dvc(s3, make_ws) -> None:
    _, both = data_twins(make_ws)
    code, stdout, errors = both("import-url", "s3://src/nothing-here")
    assert code == 1
    assert "dependency 's3://src/nothing-here' does not exist" in errors
    code, _, errors = both("import-url", "s3://no-such-bucket/x")
    assert code == 1
    assert "dependency 's3://no-such-bucket/x' does not exist" in errors


def test_fs_config_is_recorded_in_the_dep_and_used_by_status_and_update(
    s3, make_ws, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    _put(s3, "data/a.csv", b"x,y\n1,2\n")
    twins, both = data_twins(make_ws)
    config = ("--fs-config", f"endpointurl={endpoint}", "region=us-east-1")
    assert both("import-url", "s3://src/data/a.csv", *config, files=("a.csv.dvc", "a.csv"))[0] == 0
    assert "fs_config:" in twins["flowops"].read("a.csv.dvc")
    assert both("import-url", "--no-exec", "s3://src/data/a.csv", "ne.csv", *config, files=("ne.csv.dvc",))[0] == 0
    assert both("update", "a.csv.dvc")[1] == "'a.csv.dvc' didn't change, skipping"
    _put(s3, "data/a.csv", b"x,y\n5,6\n")
    for ws in twins.values():
        ws.dvc("unfreeze", "a.csv.dvc")
    assert _status_json_equal(twins)["a.csv.dvc"] == [{"changed deps": {"s3://src/data/a.csv": "modified"}}]
    both("update", "a.csv.dvc", files=("a.csv.dvc", "a.csv"))


def test_remote_path_reads_with_the_remote_s_endpoint(s3, make_ws, monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    _put(s3, "data/a.csv", b"x,y\n1,2\n")
    _put(s3, "dir/one.txt", b"one\n")
    twins, both = data_twins(make_ws)
    for ws in twins.values():
        ws.dvc("remote", "add", "bucket", "s3://src")
        ws.dvc("remote", "modify", "bucket", "endpointurl", endpoint)
    assert both("import-url", "remote://bucket/data/a.csv", "ra.csv", files=("ra.csv.dvc", "ra.csv"))[0] == 0
    assert both("import-url", "remote://bucket/dir", "rdir", files=("rdir.dvc", "rdir/one.txt"))[0] == 0
    assert "endpointurl" not in twins["flowops"].read("ra.csv.dvc")  # the remote's options stay in its config
    code, _, errors = both("import-url", "remote://bucket/absent", "absent")
    assert code == 1 and "dependency 'remote://bucket/absent' does not exist" in errors
    _put(s3, "data/a.csv", b"x,y\n7,8\n")
    for ws in twins.values():
        ws.dvc("unfreeze", "ra.csv.dvc")
    assert _status_json_equal(twins)["ra.csv.dvc"] == [{"changed deps": {"remote://bucket/data/a.csv": "modified"}}]
    both("update", "ra.csv.dvc", files=("ra.csv.dvc", "ra.csv"))


def test_get_url_of_an_object_and_a_prefix_matches_dvc(s3, tmp_path: Path) -> None:
    """`data get-url` and `ls-url` (dvc's get-url and ls-url) of s3:// sources: the same files, nothing
    tracked, and the same listings."""
    from conftest import Workspace

    _put(s3, "one/a.csv", b"a,b\n1,2\n")
    _put(s3, "dir/x.txt", b"x\n")
    _put(s3, "dir/sub/y.txt", b"y\n")
    for tool in ("dvc", "flowops"):
        here = tmp_path / tool
        here.mkdir()
        ws = Workspace(here)
        run = ws.dvc if tool == "dvc" else (lambda *args, **kw: ws.flowops("data", *args, **kw))
        run("get-url", "s3://src/one/a.csv")
        run("get-url", "s3://src/dir", "copied")
        assert run("get-url", "s3://src/missing", check=False).returncode == 1
    assert workspace_files(Workspace(tmp_path / "flowops")) == workspace_files(Workspace(tmp_path / "dvc"))
    assert (tmp_path / "flowops" / "copied" / "sub" / "y.txt").read_text() == "y\n"
    # ls-url of the same prefix and object: the same entries and sizes (s3 has no directory sizes).
    here = Workspace(tmp_path)
    for args in (["s3://src/dir"], ["s3://src/dir", "-R", "--size"], ["s3://src/one/a.csv"], ["s3://src", "--size"]):
        # s3 lists by key: the same order in both.
        assert here.flowops("data", "ls-url", *args).stdout == here.dvc("ls-url", *args).stdout, args
    for args in (["s3://src/dir", "-T", "--size"], ["s3://src", "-T", "-L", "1"]):
        assert here.flowops("data", "ls-url", *args).stdout == here.dvc("ls-url", *args).stdout, args
