"""`flowops data init`, `checkout` and `pull` beside dvc's: the same workspace and Git index afterwards and the
same lines printed, for the cases where a checkout touches only part of what is tracked."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import Workspace, clone_without_data


def _tracked_dir(ws: Workspace) -> None:
    ws.write("data/a.txt", "a\n")
    ws.write("data/sub/b.txt", "b\n")
    ws.write("data/sub/c.txt", "c\n")
    ws.dvc("add", "data")


def test_a_path_inside_a_tracked_directory_restores_only_that_path(make_ws):
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        _tracked_dir(ws)
        (ws.root / "data/sub/b.txt").unlink()
        (ws.root / "data/sub/c.txt").unlink()
        ws.write("data/a.txt", "my edit\n")
        run = ws.dvc if tool == "dvc" else lambda *args: ws.flowops("data", *args)
        result = run("checkout", "data/sub")
        assert result.stdout.splitlines()[-1].split() == ["M", "data/"], (tool, result.stdout)
        assert ws.read("data/a.txt") == "my edit\n", tool
        assert ws.read("data/sub/b.txt") == "b\n", tool
        # The edit outside the target is still unsaved for both tools.
        assert "modified" in ws.dvc("status").stdout


def test_checkout_and_pull_restore_a_tracked_directory_with_no_files(workspace: Workspace, make_ws, tmp_path: Path):
    (workspace.root / "empty" / "sub").mkdir(parents=True)
    workspace.write("one.txt", "one\n")
    workspace.flowops("data", "add", "empty", "one.txt")
    workspace.dvc("remote", "add", "-d", "storage", str(tmp_path / "remote"))
    workspace.flowops("data", "push")

    (workspace.root / "empty" / "sub").rmdir()
    (workspace.root / "empty").rmdir()
    assert "A       empty/" in workspace.flowops("data", "checkout").stdout
    assert (workspace.root / "empty").is_dir()
    assert workspace.dvc("status", "--json").json() == {}

    pulled = {}
    for tool in ("dvc", "flowops"):
        clone = clone_without_data(workspace, make_ws, f"clone-{tool}")
        result = clone.dvc("pull") if tool == "dvc" else clone.flowops("data", "pull")
        assert (clone.root / "empty").is_dir(), tool
        pulled[tool] = result.stdout.splitlines()[-1]
    # The empty directory is a change but no file: "... and 1 file added" for both.
    assert pulled["flowops"] == pulled["dvc"]


def test_init_stages_the_same_files_in_git_as_dvc_init(tmp_path: Path):
    staged = {}
    for tool in ("dvc", "flowops"):
        ws = Workspace(tmp_path / tool)
        ws.root.mkdir()
        ws.git("init", "-q")
        if tool == "dvc":
            ws.dvc("init", "-q")
        else:
            ws.flowops("data", "init")
        staged[tool] = sorted(ws.git("diff", "--cached", "--name-only").stdout.split())
    assert staged["flowops"] == staged["dvc"] == [".dvc/.gitignore", ".dvc/config", ".dvcignore"]


DVC2_FIXTURE = Path(__file__).resolve().parents[3] / "test" / "fixtures" / "data" / "dvc2-crlf.tar"


def test_a_dvc2_workspace_with_crlf_text_is_clean_and_restored_alike(make_ws):
    """Made by dvc 2.58.2 (test/fixtures/data/README.md): DVC 2 recorded text files by md5-dos2unix."""
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        subprocess.run(["tar", "-xf", str(DVC2_FIXTURE), "-C", str(ws.root)], check=True)
        run = ws.dvc if tool == "dvc" else lambda *args: ws.flowops("data", *args)
        assert run("status").stdout.strip() == "Data and pipelines are up to date.", tool
        assert run("checkout").stdout.strip() == "", tool
        ws.write("data/sub/deep.txt", "edited\r\n")
        (ws.root / "single.txt").unlink()
        result = run("checkout", "--force")
        assert sorted(result.stdout.split()) == ["A", "M", "data/", "single.txt"], (tool, result.stdout)
        assert (ws.root / "data/sub/deep.txt").read_bytes() == b"deep\r\n", tool
        assert (ws.root / "single.txt").read_bytes() == b"x\r\n", tool
