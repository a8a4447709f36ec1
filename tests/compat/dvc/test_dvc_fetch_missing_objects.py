"""`fetch/pull` of an out whose object neither the cache nor the remote has, beside dvc 3.67.1: dvc warns
"Some of the cache files do not exist neither locally nor on remote. Missing cache files:" with one
`md5: <oid>` line each (no path: dvc-data's `_log_missing`), prints its count ("Everything is up to date." or
"1 file fetched") and exits 0, with or without -A, for a file's object and a directory's manifest alike.
pull's checkout then fails on an out of the workspace whose object is gone: "failed to pull data from the
cloud - Checkout failed for following targets:\\na.txt\\nIs your cache up to date?\\n<https://error.dvc.org/
missing-files>" and exit 1. dvc warns once per remote, the default remote's block first; inside a block, and in
the list of failed targets, its order is a Python set's (it changes with PYTHONHASHSEED), so those are compared
sorted and ours keeps the outs' order. A file listed by a directory's manifest that the remote lacks is still a
failed download: "N files failed to download" (plural even for 1), no summary on stdout, and pull stops before
checkout, --allow-missing or not."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
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


LINK = "<https://error.dvc.org/missing-files>"


def _blocks_sorted(outcome: tuple[int, str, str]) -> tuple[int, str, str]:
    """The outcome with each run of `md5:` lines, and the lines between "Checkout failed for following
    targets:" and "Is your cache up to date?", sorted: dvc prints both from Python sets."""
    run: list[str] = []
    out: list[str] = []
    in_targets = False
    for line in outcome[2].splitlines():
        if line.startswith("md5: ") or in_targets and line != "Is your cache up to date?":
            run.append(line)
            continue
        out.extend(sorted(run))
        run = []
        out.append(line)
        in_targets = line.endswith("Checkout failed for following targets:")
    out.extend(sorted(run))
    return outcome[0], outcome[1], "\n".join(out)


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
        f"Is your cache up to date?\n{LINK}"
    )
    for args in (["pull", "a.txt"], ["pull", "-A", "a.txt"], ["pull"]):
        outcomes = {tool: data_outcome(ws, tool, *args) for tool, ws in twins.items()}
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


def _transfer_errors_apart(outcome: tuple[int, str, str]) -> tuple[int, str, str, int]:
    """The outcome without the per-object error lines, and how many there were. dvc's are "failed to transfer
    '<oid>' - [Errno 2] No such file or directory: '<remote path>'"; ours name the out and the remote instead."""
    per_object = ("failed to transfer '", "'d/")
    errors = outcome[2].splitlines()
    kept = [line for line in errors if not line.startswith(per_object)]
    return outcome[0], outcome[1], "\n".join(kept), len(errors) - len(kept)


@pytest.mark.parametrize("gone", [("x\n",), ("x\n", "y\n")], ids=["one", "two"])
def test_files_of_a_directory_missing_everywhere_are_failed_downloads(make_ws, gone) -> None:
    twins, _ = _directory_twins(make_ws)
    for ws in twins.values():
        for text in gone:
            _forget(ws, _md5(text))
        ws.write("a.txt", "a\n")
        ws.dvc("add", "-q", "a.txt")
        ws.dvc("push", "-q", "a.txt")
        (ws.root / "a.txt").unlink()
    for command, args in (("fetch", ()), ("pull", ()), ("pull", ("--allow-missing",))):
        outcomes = {tool: _transfer_errors_apart(data_outcome(ws, tool, command, *args)) for tool, ws in twins.items()}
        # No summary on stdout, and pull's checkout never ran: a.txt, whose object the cache has, stays absent.
        expected = (1, "", f"failed to {command} data from the cloud - {len(gone)} files failed to download", len(gone))
        assert outcomes["flowops"] == outcomes["dvc"] == expected, (command, args)
        assert not any((ws.root / "a.txt").exists() for ws in twins.values())


def test_several_missing_objects_warn_in_one_block_in_a_set_order(make_ws) -> None:
    twins, both = data_twins(make_ws)
    texts = ("a\n", "b\n", "c\n", "d\n")
    for ws in twins.values():
        ws.dvc("remote", "add", "-d", "r", str(ws.root.parent / f"remote-{ws.root.name}"))
        for index, text in enumerate(texts):
            ws.write(f"f{index}.txt", text)
        ws.dvc("add", "-q", *(f"f{index}.txt" for index in range(len(texts))))
        ws.dvc("push", "-q")
        for index, text in enumerate(texts[1:], start=1):
            _forget(ws, _md5(text))
            (ws.root / f"f{index}.txt").unlink()
    block = "\n".join([WARNING, *sorted(f"md5: {_md5(text)}" for text in texts[1:])])
    fetched = {tool: data_outcome(ws, tool, "fetch") for tool, ws in twins.items()}
    assert _blocks_sorted(fetched["flowops"]) == _blocks_sorted(fetched["dvc"]) == (0, "Everything is up to date.", block)
    # Ours lists them as the outs come (f1, f2, f3), the same in every run.
    assert fetched["flowops"][2] == "\n".join([WARNING, *(f"md5: {_md5(text)}" for text in texts[1:])])
    pulled = {tool: data_outcome(ws, tool, "pull") for tool, ws in twins.items()}
    failed = "\n".join(
        [block, "failed to pull data from the cloud - Checkout failed for following targets:"]
        + [f"f{index}.txt" for index in range(1, len(texts))]
        + ["Is your cache up to date?", LINK]
    )
    assert _blocks_sorted(pulled["flowops"]) == _blocks_sorted(pulled["dvc"]) == (1, "Everything is up to date.", failed)


def test_objects_missing_on_several_remotes_warn_once_per_remote_the_default_first(make_ws) -> None:
    twins, _ = data_twins(make_ws)
    for ws in twins.values():
        remote = ws.root.parent / f"remote-{ws.root.name}"
        other = ws.root.parent / f"other-{ws.root.name}"
        ws.dvc("remote", "add", "-d", "r", str(remote))
        ws.dvc("remote", "add", "other", str(other))
        for name in ("a", "b", "c"):
            ws.write(f"{name}.txt", f"{name}\n")
        ws.dvc("add", "-q", "a.txt", "b.txt", "c.txt")
        # a.txt and c.txt (before and after the default remote's b.txt) go to the other remote.
        for name in ("a", "c"):
            ws.write(f"{name}.txt.dvc", ws.read(f"{name}.txt.dvc") + "  remote: other\n")
        ws.dvc("push", "-q")
        shutil.rmtree(ws.root / ".dvc" / "cache")
        _object(other, _md5("a\n")).unlink()
        _object(remote, _md5("b\n")).unlink()
    blocks = f"{WARNING}\nmd5: {_md5('b' + chr(10))}\n{WARNING}\nmd5: {_md5('a' + chr(10))}"
    fetched = {tool: data_outcome(ws, tool, "fetch") for tool, ws in twins.items()}
    assert fetched["flowops"] == fetched["dvc"] == (0, "1 file fetched", blocks)
    for ws in twins.values():
        for name in ("a", "b", "c"):
            (ws.root / f"{name}.txt").unlink()
    pulled = {tool: _blocks_sorted(data_outcome(ws, tool, "pull")) for tool, ws in twins.items()}
    failed = (
        f"{blocks}\nfailed to pull data from the cloud - Checkout failed for following targets:\na.txt\nb.txt\n"
        f"Is your cache up to date?\n{LINK}"
    )
    assert pulled["flowops"] == pulled["dvc"] == (1, "A       c.txt\n1 file added", failed)
