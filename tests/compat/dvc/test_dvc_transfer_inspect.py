"""`flowops data pull`, `checkout --relink`, `ls -R`, `gc` and `remote list|default` beside dvc's, on twin
workspaces: the same workspace afterwards and the same lines printed (paths made relative to each twin)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from conftest import Workspace


def _tracked(ws: Workspace, remote: Path) -> None:
    ws.write("data/a.txt", "a\n")
    ws.write("data/sub/b.txt", "b\n")
    ws.write("f.txt", "f\n")
    ws.dvc("add", "data", "f.txt")
    ws.dvc("remote", "add", "-d", "storage", str(remote))
    ws.dvc("push")
    ws.git("add", "-A")
    ws.git("commit", "-qm", "one")


def _runner(ws: Workspace, tool: str):
    return ws.dvc if tool == "dvc" else (lambda *args, **kw: ws.flowops("data", *args, **kw))


def _twins(make_ws, tmp_path: Path):
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        _tracked(ws, tmp_path / f"remote-{tool}")
        yield tool, ws, _runner(ws, tool)


def test_pull_replaces_a_corrupt_cache_object_from_the_remote(make_ws, tmp_path: Path):
    for tool, ws, run in _twins(make_ws, tmp_path):
        obj = ws.root / ".dvc/cache/files/md5/9a/8ad92c50cae39aa2c5604fd0ab6d8c"  # md5 of "f\n"
        obj.chmod(stat.S_IRUSR | stat.S_IWUSR)
        obj.write_text("tampered\n")
        (ws.root / "f.txt").unlink()
        result = run("pull", check=False)
        assert result.returncode == 0, (tool, result.stdout, result.stderr)
        assert result.stdout.splitlines() == ["A       f.txt", "1 file fetched and 1 file added"], tool
        assert ws.read("f.txt") == "f\n", tool


def test_checkout_relink_reports_only_restored_outs_then_relinked(make_ws, tmp_path: Path):
    outputs = {}
    for tool, ws, run in _twins(make_ws, tmp_path):
        ws.dvc("config", "cache.type", "symlink")
        (ws.root / "f.txt").unlink()
        outputs[tool] = run("checkout", "--relink").stdout
        assert os.path.islink(ws.root / "data/a.txt"), tool
    assert outputs["flowops"] == outputs["dvc"] == "A       f.txt\nRelinked successfully\n"


def test_ls_recursive_orders_whole_paths(make_ws, tmp_path: Path):
    outputs = {tool: run("ls", ".", "-R").stdout if tool == "dvc" else run("ls", "-R").stdout
               for tool, _, run in _twins(make_ws, tmp_path)}
    assert outputs["flowops"] == outputs["dvc"]
    assert outputs["dvc"].index("data.dvc") < outputs["dvc"].index("data/a.txt")


def test_gc_dry_and_branch_tag_wording(make_ws, tmp_path: Path):
    outputs = {}
    for tool, ws, run in _twins(make_ws, tmp_path):
        ws.write("f.txt", "f2\n")
        ws.dvc("add", "f.txt")
        result = run("gc", "-w", "--dry")
        outputs[tool] = (result.stdout.replace(str(ws.root), "WS"), result.stderr)
        assert (ws.root / ".dvc/cache/files/md5/9a/8ad92c50cae39aa2c5604fd0ab6d8c").exists(), tool
        warning = run("gc", "-a", "-T", "--dry").stderr
        assert "the workspace and all git branches and tags of the current repo." in warning, tool
    assert outputs["flowops"][0] == outputs["dvc"][0]
    assert outputs["dvc"][0].splitlines() == [
        "Removing WS/.dvc/cache/files/md5/9a/8ad92c50cae39aa2c5604fd0ab6d8c",
        "Removed 1 objects from repo cache.",
        "No unused 'legacy' cache to remove.",
    ]


def test_remote_list_and_default_print_as_dvc(make_ws, tmp_path: Path):
    outputs = {}
    for tool, ws, run in _twins(make_ws, tmp_path):
        # Short urls: dvc's rich console wraps lines at 80 columns when not on a terminal.
        ws.dvc("remote", "modify", "storage", "url", "/r")
        ws.dvc("remote", "add", "verylongremotename", "s3://bucket/prefix")
        ws.dvc("remote", "add", "--local", "mine", "/y")
        listed = run("remote", "list").stdout
        local = run("remote", "list", "--local").stdout
        ws.dvc("remote", "default", "--unset")
        missing = run("remote", "default", check=False)
        outputs[tool] = (listed, local, missing.stdout, missing.returncode)
    assert outputs["flowops"] == outputs["dvc"]
