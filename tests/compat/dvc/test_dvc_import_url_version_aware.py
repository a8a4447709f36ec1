"""`flowops data import-url --version-aware` beside `dvc import-url --version-aware` (dvc-s3) on one moto S3
server with a versioned bucket: the same .dvc bytes (an object's etag, size and version_id; a prefix's `files`
list with each object's version; `push: false` on the out), the same status and update, `update --rev` back to
a recorded version after an overwrite, and each tool reading the other's file."""

from __future__ import annotations

import shutil

import pytest
from conftest import data_outcome, data_twins, workspace_files
from test_dvc_import_url_s3 import s3  # noqa: F401  (the moto fixture)


@pytest.fixture
def versioned(s3):  # noqa: F811
    s3.put_bucket_versioning(Bucket="src", VersioningConfiguration={"Status": "Enabled"})
    s3.create_bucket(Bucket="plain")
    return s3


def _put(client, key: str, body: bytes, bucket: str = "src") -> str:
    return client.put_object(Bucket=bucket, Key=key, Body=body).get("VersionId", "")


def _status_json_equal(twins) -> dict:
    ours = twins["flowops"].flowops("data", "status", "--json").json()
    theirs = twins["dvc"].dvc("status", "--json").json()
    assert ours == theirs
    return theirs


def _each_reads_the_other(twins) -> None:
    """dvc's status of the flowops-made files and flowops's of dvc's: both clean."""
    assert twins["flowops"].dvc("status", "--json").json() == {}
    assert twins["dvc"].flowops("data", "status", "--json").json() == {}


def test_object_records_its_version_and_update_rev_fetches_it_back(versioned, make_ws) -> None:
    v1 = _put(versioned, "data/a.csv", b"x,y\n1,2\n")
    twins, both = data_twins(make_ws)
    files = ("a.csv.dvc", "a.csv", ".gitignore")
    assert both("import-url", "--version-aware", "s3://src/data/a.csv", files=files)[0] == 0
    text = twins["flowops"].read("a.csv.dvc")
    assert f"  version_id: {v1}\n" in text and "    version_aware: true\n" in text and "  push: false\n" in text
    _each_reads_the_other(twins)

    # A new version: "update available" although the import is frozen; update takes the latest.
    v2 = _put(versioned, "data/a.csv", b"x,y\n1,2\n3,4\n")
    assert _status_json_equal(twins)["a.csv.dvc"] == [{"changed deps": {"s3://src/data/a.csv": "update available"}}]
    both("update", "a.csv.dvc", files=("a.csv.dvc", "a.csv"))
    assert f"version_id: {v2}\n" in twins["flowops"].read("a.csv.dvc")
    assert _status_json_equal(twins) == {}

    # --rev names a version: the overwritten bytes come back, recorded by that version.
    both("update", "--rev", v1, "a.csv.dvc", files=("a.csv.dvc", "a.csv"))
    assert twins["flowops"].read("a.csv") == "x,y\n1,2\n"
    assert _status_json_equal(twins)["a.csv.dvc"] == [{"changed deps": {"s3://src/data/a.csv": "update available"}}]

    # The same bytes written again are still a new version of an object.
    _put(versioned, "data/a.csv", b"x,y\n1,2\n3,4\n")
    both("update", "a.csv.dvc", files=("a.csv.dvc", "a.csv"))
    _each_reads_the_other(twins)


def test_prefix_records_each_object_version_in_a_files_list(versioned, make_ws) -> None:
    _put(versioned, "dir/one.txt", b"one\n")
    _put(versioned, "dir/sub/two.txt", b"two\n")
    twins, both = data_twins(make_ws)
    assert both("import-url", "--version-aware", "s3://src/dir", files=("dir.dvc", ".gitignore"))[0] == 0
    assert "  files:\n  - relpath: one.txt\n" in twins["flowops"].read("dir.dvc")
    assert workspace_files(twins["flowops"]) == workspace_files(twins["dvc"])
    _each_reads_the_other(twins)

    # The same bytes again: a prefix is compared by its ETags, so nothing to update.
    _put(versioned, "dir/one.txt", b"one\n")
    assert _status_json_equal(twins) == {}
    assert both("update", "dir.dvc", files=("dir.dvc",))[1] == "'dir.dvc' didn't change, skipping"

    _put(versioned, "dir/one.txt", b"ONE\n")
    _put(versioned, "dir/three.txt", b"3\n")
    assert _status_json_equal(twins)["dir.dvc"] == [{"changed deps": {"s3://src/dir": "modified"}}]
    both("update", "dir.dvc", files=("dir.dvc", "dir/one.txt", "dir/three.txt"))
    assert twins["flowops"].read("dir/one.txt") == "ONE\n"
    _each_reads_the_other(twins)

    # A prefix has no version: --rev is not looked at, as in dvc.
    assert both("update", "--rev", "anything", "dir.dvc")[1] == "'dir.dvc' didn't change, skipping"


def test_no_download_no_exec_and_to_remote_with_version_aware(versioned, make_ws) -> None:
    _put(versioned, "data/a.csv", b"x,y\n1,2\n")
    _put(versioned, "dir/one.txt", b"one\n")
    twins, both = data_twins(make_ws)
    assert both("import-url", "--version-aware", "--no-download", "s3://src/dir", "nd", files=("nd.dvc",))[0] == 0
    no_exec = ("import-url", "--version-aware", "--no-exec", "s3://src/data/a.csv", "ne.csv")
    assert both(*no_exec, files=("ne.csv.dvc",))[0] == 0
    assert _status_json_equal(twins)
    code, _, errors = both("import-url", "--version-aware", "--to-remote", "s3://src/data/a.csv", "tr.csv")
    assert code == 1 and "--no-exec/--no-download/--version-aware cannot be combined with --to-remote" in errors


def test_unversioned_bucket_records_no_version_for_an_object_and_null_in_a_prefix(versioned, make_ws) -> None:
    _put(versioned, "data/a.csv", b"x,y\n1,2\n", bucket="plain")
    _put(versioned, "dir/one.txt", b"one\n", bucket="plain")
    twins, both = data_twins(make_ws)
    assert both("import-url", "--version-aware", "s3://plain/data/a.csv", files=("a.csv.dvc", "a.csv"))[0] == 0
    assert both("import-url", "--version-aware", "s3://plain/dir", files=("dir.dvc", "dir/one.txt"))[0] == 0
    assert "version_id" not in twins["flowops"].read("a.csv.dvc")
    assert "    version_id: 'null'\n" in twins["flowops"].read("dir.dvc")
    _each_reads_the_other(twins)
    _put(versioned, "data/a.csv", b"x,y\n5,6\n", bucket="plain")
    assert _status_json_equal(twins)["a.csv.dvc"] == [{"changed deps": {"s3://plain/data/a.csv": "modified"}}]
    both("update", "a.csv.dvc", files=("a.csv.dvc", "a.csv"))


def test_a_url_naming_a_version_imports_that_version_and_dvc_reads_the_file(versioned, make_ws) -> None:
    """dvc 3.67.1 imports the *latest* bytes of `key?versionId=V`, records the latest version beside the URL's,
    and then refuses its own file ("Path version mismatch"); flowops imports version V and records V, a file
    dvc reads (its status compares the latest version with V, so it says "update available")."""
    v1 = _put(versioned, "pin.txt", b"pinned\n")
    _put(versioned, "pin.txt", b"later\n")
    ws = make_ws("flowops")
    url = f"s3://src/pin.txt?versionId={v1}"
    ws.flowops("data", "import-url", url, "pin.txt")
    assert ws.read("pin.txt") == "pinned\n"
    assert f"version_id: {v1}\n" in ws.read("pin.txt.dvc")
    assert ws.flowops("data", "status", "--json").json() == {}
    assert ws.dvc("status", "--json").json() == {"pin.txt.dvc": [{"changed deps": {url: "update available"}}]}
    ws.dvc("checkout", "pin.txt.dvc")
    assert ws.read("pin.txt") == "pinned\n"


NO_REMOTE = "No remote provided and no default remote set."


def _drop_cache(ws, *paths: str) -> None:
    for rel in (".dvc/cache", *paths):
        target = ws.root / rel
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def test_fetch_and_pull_read_the_recorded_versions_from_the_source_without_a_remote(versioned, make_ws) -> None:
    """dvc's fetch takes a versioned import's data from the dep's version-aware filesystem, never a remote
    (`push: false`): after an overwrite and with the cache gone, both bring the recorded bytes back, with the
    same "No remote" warning and counts, and `status -c` leaves such outs out."""
    _put(versioned, "data/a.csv", b"x,y\n1,2\n")
    _put(versioned, "dir/one.txt", b"one\n")
    _put(versioned, "dir/sub/two.txt", b"two\n")
    twins, both = data_twins(make_ws)
    both("import-url", "--version-aware", "s3://src/data/a.csv", files=("a.csv.dvc", "a.csv"))
    _put(versioned, "data/a.csv", b"x,y\nlater\n")
    for ws in twins.values():
        _drop_cache(ws, "a.csv")
    assert both("status", "-c") == (0, "Cache and remote 'None' are in sync.", "")
    assert both("pull", files=("a.csv",)) == (0, "A       a.csv\n1 file fetched and 1 file added", NO_REMOTE)
    assert twins["flowops"].read("a.csv") == "x,y\n1,2\n"
    for ws in twins.values():
        _drop_cache(ws)
    assert both("fetch") == (0, "1 file fetched", NO_REMOTE)

    # A prefix: each file at its recorded version, counted as a file; a newer object is not brought.
    both("import-url", "--version-aware", "s3://src/dir", files=("dir.dvc",))
    _put(versioned, "dir/one.txt", b"ONE\n")
    _put(versioned, "dir/three.txt", b"3\n")
    for ws in twins.values():
        _drop_cache(ws, "dir")
    assert both("pull", "dir.dvc", files=("dir/one.txt", "dir/sub/two.txt")) == (
        0,
        "A       dir/\n2 files fetched and 2 files added",
        NO_REMOTE,
    )
    assert workspace_files(twins["flowops"]) == workspace_files(twins["dvc"])
    assert not (twins["flowops"].root / "dir" / "three.txt").exists()

    # Each pulls into the other's workspace from the source alone.
    for ws in twins.values():
        _drop_cache(ws, "a.csv", "dir")
    twins["dvc"].flowops("data", "pull")
    twins["flowops"].dvc("pull")
    for ws in twins.values():
        assert ws.read("a.csv") == "x,y\n1,2\n" and ws.read("dir/one.txt") == "one\n"


def test_pull_with_a_remote_still_reads_a_versioned_import_from_its_source(versioned, make_ws, tmp_path) -> None:
    _put(versioned, "data/a.csv", b"x,y\n1,2\n")
    twins, both = data_twins(make_ws)
    for name, ws in twins.items():
        ws.dvc("remote", "add", "-d", "store", str(tmp_path / f"remote-{name}"))
    both("import-url", "--version-aware", "s3://src/data/a.csv", files=("a.csv.dvc",))
    assert both("push") == (0, "Everything is up to date.", "")
    _put(versioned, "data/a.csv", b"x,y\nlater\n")
    for ws in twins.values():
        _drop_cache(ws, "a.csv")
    assert both("status", "-c") == (0, "Cache and remote 'store' are in sync.", "")
    assert both("pull", files=("a.csv",)) == (0, "A       a.csv\n1 file fetched and 1 file added", "")


def test_a_deleted_recorded_version_fails_the_pull_and_flowops_names_the_version(versioned, make_ws) -> None:
    """dvc 3.67.1's fetch says nothing when the recorded version is gone (it counts the file as not fetched
    and exits 0), and its pull fails at checkout; flowops's pull fails at the same out, and its fetch fails
    too, naming the .dvc file and the version."""
    v1 = _put(versioned, "data/a.csv", b"x,y\n1,2\n")
    twins, both = data_twins(make_ws)
    both("import-url", "--version-aware", "s3://src/data/a.csv", files=("a.csv.dvc",))
    _put(versioned, "data/a.csv", b"x,y\nlater\n")
    versioned.delete_object(Bucket="src", Key="data/a.csv", VersionId=v1)
    for ws in twins.values():
        _drop_cache(ws, "a.csv")
    theirs = twins["dvc"].dvc("pull", check=False)
    ours = twins["flowops"].flowops("data", "pull", check=False)
    assert theirs.returncode == ours.returncode == 1
    for result in (theirs, ours):
        assert "Checkout failed for following targets:\na.csv\nIs your cache up to date?" in result.stderr
    assert f"a.csv.dvc records: s3://src/data/a.csv has no version '{v1}'" in ours.stderr
    fetched = twins["flowops"].flowops("data", "fetch", check=False)
    assert fetched.returncode == 1 and f"no version '{v1}'" in fetched.stderr
    assert not (twins["flowops"].root / "a.csv").exists()


def test_fetch_and_pull_bring_a_no_download_import_from_the_source_at_its_recorded_versions(
    versioned, make_ws
) -> None:
    """dvc 3.67.1 fetches an import made with `--version-aware --no-download` from its source at the versions
    its dep records, counts each file fetched, checks it out on pull, and leaves the `.dvc` file without a hash;
    flowops does the same, by target and without one."""
    _put(versioned, "data/a.csv", b"x,y\n1,2\n")
    _put(versioned, "dir/one.txt", b"one\n")
    _put(versioned, "dir/sub/two.txt", b"two\n")
    twins, both = data_twins(make_ws)
    both("import-url", "--version-aware", "--no-download", "s3://src/data/a.csv", "a.csv", files=("a.csv.dvc",))
    both("import-url", "--version-aware", "--no-download", "s3://src/dir", "nd", files=("nd.dvc",))
    _put(versioned, "data/a.csv", b"x,y\nlater\n")
    _put(versioned, "dir/one.txt", b"ONE\n")
    _put(versioned, "dir/three.txt", b"3\n")

    assert both("fetch", "a.csv.dvc") == (0, "1 file fetched", NO_REMOTE)
    assert both("pull", "nd.dvc", files=("nd/one.txt", "nd/sub/two.txt", "nd.dvc")) == (
        0,
        "A       nd/\n2 files fetched and 2 files added",
        NO_REMOTE,
    )
    assert both("pull", "a.csv", files=("a.csv", "a.csv.dvc")) == (
        0,
        "A       a.csv\n1 file fetched and 1 file added",
        NO_REMOTE,
    )
    assert twins["flowops"].read("a.csv") == "x,y\n1,2\n"
    assert not (twins["flowops"].root / "nd" / "three.txt").exists()
    assert "md5:" not in twins["flowops"].read("nd.dvc").split("outs:")[1]

    # Without targets, from an empty cache and workspace: every file at its recorded version.
    for ws in twins.values():
        _drop_cache(ws, "a.csv", "nd")
    # dvc lists the two outs in an order of its own; the lines are compared as a set.
    outcomes = {tool: data_outcome(ws, tool, "pull") for tool, ws in twins.items()}
    for code, out, errors in outcomes.values():
        assert (code, errors) == (0, NO_REMOTE)
        assert sorted(out.splitlines()) == ["3 files fetched and 3 files added", "A       a.csv", "A       nd/"]
    assert workspace_files(twins["flowops"]) == workspace_files(twins["dvc"])


def test_checkout_after_fetch_restores_a_no_download_import_by_what_fetch_brought(versioned, make_ws) -> None:
    """dvc 3.67.1 keeps what its fetch brought for a `--version-aware --no-download` import in its own index
    (`.dvc/cache/fs/`), so a later `dvc checkout` restores it although the `.dvc` file still records no hash;
    flowops keeps the hash fetch found in `.dvc/tmp/flowops/` and does the same, whole or by `.dvc` target."""
    _put(versioned, "data/a.csv", b"x,y\n1,2\n")
    _put(versioned, "dir/one.txt", b"one\n")
    twins, both = data_twins(make_ws)
    both("import-url", "--version-aware", "--no-download", "s3://src/data/a.csv", "a.csv", files=("a.csv.dvc",))
    both("import-url", "--version-aware", "--no-download", "s3://src/dir", "nd", files=("nd.dvc",))
    _put(versioned, "data/a.csv", b"x,y\nlater\n")

    # Before any fetch both fail on the two outs: nothing was kept to check them out from.
    for tool, ws in twins.items():
        code, _, errors = data_outcome(ws, tool, "checkout")
        assert code == 255 and "a.csv" in errors and "nd" in errors and "Is your cache up to date?" in errors
    assert both("fetch") == (0, "2 files fetched", NO_REMOTE)
    outcomes = {tool: data_outcome(ws, tool, "checkout") for tool, ws in twins.items()}
    for code, out, errors in outcomes.values():
        assert (code, sorted(out.splitlines()), errors) == (0, ["A       a.csv", "A       nd/"], "")
    assert workspace_files(twins["flowops"]) == workspace_files(twins["dvc"])
    assert twins["flowops"].read("a.csv") == "x,y\n1,2\n"
    for name in ("a.csv.dvc", "nd.dvc"):
        assert twins["flowops"].read(name) == twins["dvc"].read(name)
        assert "md5:" not in twins["flowops"].read(name).split("outs:")[1]

    for ws in twins.values():
        shutil.rmtree(ws.root / "nd")
    assert both("checkout", "nd.dvc", files=("nd/one.txt",)) == (0, "A       nd/", "")
