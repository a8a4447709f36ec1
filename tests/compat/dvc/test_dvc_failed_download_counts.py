"""A directory's file missing on the remote, beside dvc 3.67.1: each failed object is "ERROR: failed to
transfer '<oid>' - [Errno 2] No such file or directory: '<remote object path>'", the directory's manifest
fetched with it fails too ("2 files failed to download" for one file), `repro --pull` fails the stage before
any checkout or run (exit 255), and push counts a manifest held back for a file missing everywhere as pushed,
warning only of the file."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from conftest import Workspace, data_outcome

WARNING = "WARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:"
PIPELINE = (
    "stages:\n  prep:\n    cmd: mkdir -p out && cp data.txt out/a && echo b > out/b && echo ran >> runs.log\n"
    "    deps:\n    - data.txt\n    outs:\n    - out\n"
)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _object(root: Path, oid: str) -> Path:
    return root / "files" / "md5" / oid[:2] / oid[2:]


def _remote(ws: Workspace) -> Path:
    return ws.root.parent / f"remote-{ws.root.name}"


def _twins(make_ws) -> dict[str, Workspace]:
    twins = {tool: make_ws(tool) for tool in ("dvc", "flowops")}
    for ws in twins.values():
        ws.dvc("remote", "add", "-d", "r", str(_remote(ws)))
    return twins


def _outcome(ws: Workspace, tool: str, *args: str) -> tuple[int, str, str]:
    code, out, err = data_outcome(ws, tool, *args)
    return code, out, err.replace(str(_remote(ws)), "REMOTE")


def test_a_directory_file_missing_on_the_remote_fails_with_its_manifest(make_ws) -> None:
    twins = _twins(make_ws)
    for ws in twins.values():
        ws.write("d/x", "x\n")
        ws.write("d/y", "y\n")
        ws.dvc("add", "-q", "d")
        ws.dvc("push", "-q")
        shutil.rmtree(ws.root / "d")
        shutil.rmtree(ws.root / ".dvc" / "cache" / "files")
        _object(_remote(ws), _md5("x\n")).unlink()
    x = _md5("x\n")
    line = f"failed to transfer '{x}' - [Errno 2] No such file or directory: 'REMOTE/files/md5/{x[:2]}/{x[2:]}'"
    for command in ("fetch", "pull"):
        # The manifest fetched before is in the cache: only then does it count as a failure.
        for ws in twins.values():
            shutil.rmtree(ws.root / ".dvc" / "cache" / "files", ignore_errors=True)
        outcomes = {tool: _outcome(ws, tool, command) for tool, ws in twins.items()}
        expected = (1, "", f"{line}\nfailed to {command} data from the cloud - 2 files failed to download")
        assert outcomes["flowops"] == outcomes["dvc"] == expected, command
        assert not any((ws.root / "d").exists() for ws in twins.values())


def test_repro_pull_fails_the_stage_on_a_failed_download_without_checking_out(make_ws) -> None:
    twins = _twins(make_ws)
    for ws in twins.values():
        ws.write("data.txt", "data\n")
        ws.write("dvc.yaml", PIPELINE)
        ws.dvc("repro", "-q")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        ws.dvc("push", "-q")
        shutil.rmtree(ws.root / "out")
        shutil.rmtree(ws.root / ".dvc" / "cache")
        _object(_remote(ws), _md5("b\n")).unlink()
        shutil.rmtree(_remote(ws) / "runs", ignore_errors=True)
    results = {
        "dvc": twins["dvc"].dvc("repro", "--pull", check=False),
        "flowops": twins["flowops"].flowops("repro", "--pull", check=False),
    }
    b = _md5("b\n")
    for tool, ws in twins.items():
        result = results[tool]
        assert result.returncode == 255, (tool, result.stderr)
        stderr = result.stderr.replace(str(_remote(ws)), "REMOTE")
        assert (
            f"ERROR: failed to transfer '{b}' - [Errno 2] No such file or directory: 'REMOTE/files/md5/{b[:2]}/{b[2:]}'"
            in stderr
        ), tool
        assert "failed to reproduce 'prep': 2 files failed to download" in result.stdout + stderr, tool
        # Nothing checked out, and the stage never ran.
        assert not (ws.root / "out").exists(), tool
        assert ws.read("runs.log") == "ran\n", tool


def test_push_counts_a_directory_held_back_for_a_file_missing_everywhere_as_pushed(make_ws) -> None:
    twins = _twins(make_ws)
    for ws in twins.values():
        ws.write("d/x", "x\n")
        ws.write("d/y", "y\n")
        ws.write("a.txt", "a\n")
        ws.dvc("add", "-q", "d", "a.txt")
        _object(ws.root / ".dvc" / "cache", _md5("x\n")).unlink()
    outcomes = {tool: _outcome(ws, tool, "push") for tool, ws in twins.items()}
    expected = (0, "3 files pushed", f"{WARNING}\nmd5: {_md5('x' + chr(10))}")
    assert outcomes["flowops"] == outcomes["dvc"] == expected
    # Neither sends the manifest before all of its files are there.
    remote_files = {tool: sorted(p.name for p in _remote(ws).rglob("*") if p.is_file()) for tool, ws in twins.items()}
    assert remote_files["flowops"] == remote_files["dvc"]
