"""`fetch/pull` of an out whose object neither the cache nor the remote has, beside dvc 3.67.1: dvc warns
"Some of the cache files do not exist neither locally nor on remote. Missing cache files:" with one
`md5: <oid>` line each (no path: dvc-data's `_log_missing`), prints its count ("Everything is up to date." or
"1 file fetched") and exits 0, with or without -A, for a file's object and a directory's manifest alike.
pull's checkout then fails on an out of the workspace whose object is gone: "failed to pull data from the
cloud - Checkout failed for following targets:\\na.txt\\nIs your cache up to date?" and exit 1. A file listed
by a directory's manifest that the remote lacks is still a failed download (exit 1)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from conftest import Workspace, data_outcome, data_twins

WARNING = "WARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


OLD, CURRENT = _md5("a1\n"), _md5("a2\n")


def _commit(ws: Workspace, message: str, day: int) -> None:
    # A day apart: -A walks commits by commit time.
    env = {**os.environ, "GIT_COMMITTER_DATE": f"2024-01-{day:02d}T12:00:00"}
    ws.git("add", "-A")
    subprocess.run(["git", "commit", "-qm", message], cwd=ws.root, env=env, check=True)


def _object(root: Path, oid: str) -> Path:
    return root / "files" / "md5" / oid[:2] / oid[2:]


def _forget(ws: Workspace, oid: str, remote: bool = True) -> None:
    """Deletes an object from the cache and, unless told otherwise, from the remote."""
    _object(ws.root / ".dvc" / "cache", oid).unlink()
    if remote:
        _object(ws.root.parent / f"remote-{ws.root.name}", oid).unlink()


def _history(ws: Workspace) -> None:
    """a.txt at "a1" then "a2" (b.txt beside it), each committed, all pushed to a remote of its own."""
    ws.dvc("remote", "add", "-d", "r", str(ws.root.parent / f"remote-{ws.root.name}"))
    ws.write("a.txt", "a1\n")
    ws.write("b.txt", "b\n")
    ws.dvc("add", "-q", "a.txt", "b.txt")
    _commit(ws, "one", 1)
    ws.write("a.txt", "a2\n")
    ws.dvc("add", "-q", "a.txt")
    _commit(ws, "two", 2)
    ws.dvc("push", "-q", "-A")


def _without_link(outcome: tuple[int, str, str]) -> tuple[int, str, str]:
    # dvc ends a CheckoutError with a link to its own docs; ours does not point FlowOps users there.
    errors = "\n".join(line for line in outcome[2].splitlines() if line != "<https://error.dvc.org/missing-files>")
    return outcome[0], outcome[1], errors


def test_an_old_version_missing_everywhere_is_a_warning(make_ws) -> None:
    twins, both = data_twins(make_ws)
    for ws in twins.values():
        _history(ws)
        _forget(ws, OLD)
        # The current version is on the remote only: the first fetch brings it, warning of the old one.
        _forget(ws, CURRENT, remote=False)
    warned = f"{WARNING}\nmd5: {OLD}"
    assert both("fetch", "-A", "a.txt") == (0, "1 file fetched", warned)
    assert both("pull", "-A", "a.txt") == (0, "Everything is up to date.", warned)
    assert both("fetch", "-A") == (0, "Everything is up to date.", warned)
    assert both("pull", "-A") == (0, "Everything is up to date.", warned)
    # The workspace's revision uses no missing object.
    assert both("fetch") == (0, "Everything is up to date.", "")


def test_the_workspace_version_missing_everywhere_fails_only_pulls_checkout(make_ws) -> None:
    twins, both = data_twins(make_ws)
    for ws in twins.values():
        _history(ws)
        _forget(ws, CURRENT)
    warned = f"{WARNING}\nmd5: {CURRENT}"
    for args in (["fetch", "a.txt"], ["fetch", "-A", "a.txt"], ["fetch"], ["pull", "a.txt"], ["pull", "-A"]):
        # a.txt is still in the workspace: pull's checkout has nothing to restore.
        assert both(*args) == (0, "Everything is up to date.", warned), args
    for ws in twins.values():
        (ws.root / "a.txt").unlink()
    failed = (
        f"{warned}\nfailed to pull data from the cloud - Checkout failed for following targets:\na.txt\n"
        "Is your cache up to date?"
    )
    for args in (["pull", "a.txt"], ["pull", "-A", "a.txt"], ["pull"]):
        outcomes = {tool: _without_link(data_outcome(ws, tool, *args)) for tool, ws in twins.items()}
        assert outcomes["flowops"] == outcomes["dvc"] == (1, "Everything is up to date.", failed), args


def _directory_twins(make_ws) -> tuple[dict[str, Workspace], str]:
    """d/ (x, y) added and pushed by each tool's workspace to a remote of its own, the workspace copy gone;
    with the manifest's oid."""
    twins = {tool: make_ws(tool) for tool in ("dvc", "flowops")}
    for ws in twins.values():
        ws.dvc("remote", "add", "-d", "r", str(ws.root.parent / f"remote-{ws.root.name}"))
        ws.write("d/x", "x\n")
        ws.write("d/y", "y\n")
        ws.dvc("add", "-q", "d")
        ws.dvc("push", "-q")
        shutil.rmtree(ws.root / "d")
    manifest = next(line.split()[-1] for line in twins["dvc"].read("d.dvc").splitlines() if "md5:" in line)
    return twins, manifest


def test_a_directory_manifest_missing_everywhere_is_a_warning(make_ws) -> None:
    twins, manifest = _directory_twins(make_ws)
    for ws in twins.values():
        _forget(ws, manifest)
        shutil.rmtree(ws.root / ".dvc" / "cache" / "files")
    outcomes = {tool: data_outcome(ws, tool, "fetch") for tool, ws in twins.items()}
    expected = (0, "Everything is up to date.", f"{WARNING}\nmd5: {manifest}")
    assert outcomes["flowops"] == outcomes["dvc"] == expected


def test_a_file_of_a_directory_missing_everywhere_is_a_failed_download(make_ws) -> None:
    twins, _ = _directory_twins(make_ws)
    for ws in twins.values():
        _forget(ws, _md5("x\n"))
    outcomes = {tool: data_outcome(ws, tool, "fetch") for tool, ws in twins.items()}
    # dvc: "failed to transfer '<oid>' - [Errno 2] No such file or directory: '<remote path>'" and "failed to
    # fetch data from the cloud - 1 files failed to download"; ours names the out and the remote instead.
    assert outcomes["flowops"][0] == outcomes["dvc"][0] == 1, outcomes
    assert outcomes["dvc"][2].endswith("failed to fetch data from the cloud - 1 files failed to download")
