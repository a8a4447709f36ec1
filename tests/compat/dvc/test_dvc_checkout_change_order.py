"""The order pull lists the outs they restored: dvc sorts each change list with directories first,
then files, alphabetically, whatever file tracks them (`.dvc` files and dvc.lock alike)."""

from __future__ import annotations

import shutil

from conftest import Workspace, data_outcome


def _project(ws: Workspace) -> None:
    ws.dvc("remote", "add", "-d", "r", str(ws.root.parent / f"{ws.root.name}-remote"))
    ws.write("zdir/z.txt", "z\n")
    ws.write("m.txt", "m\n")
    ws.write("b.txt", "b\n")
    ws.write("dvc.yaml", "stages:\n  zz:\n    cmd: echo out > c.txt\n    outs: [c.txt]\n")
    ws.dvc("add", "-q", "zdir", "m.txt", "b.txt")
    ws.dvc("repro", "-q")
    ws.dvc("push", "-q")


def test_pulled_outs_are_listed_directories_first_then_by_path(make_ws) -> None:
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        _project(ws)
        shutil.rmtree(ws.root / ".dvc" / "cache")
        for name in ("zdir", "m.txt", "b.txt", "c.txt"):
            path = ws.root / name
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        outcomes[tool] = data_outcome(ws, tool, "pull")
    assert outcomes["flowops"] == outcomes["dvc"]
    assert [line.split()[1] for line in outcomes["dvc"][1].splitlines()[:4]] == ["zdir/", "b.txt", "c.txt", "m.txt"]


def _changed_workspace(ws: Workspace) -> None:
    """Two outs modified, two deleted: checkout lists every M line before every A line."""
    ws.write("m.txt", "changed\n")
    ws.write("zdir/z.txt", "changed\n")
    (ws.root / "b.txt").unlink()
    (ws.root / "c.txt").unlink()


def test_checkout_lists_modified_outs_before_added_ones(make_ws) -> None:
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        _project(ws)
        _changed_workspace(ws)
        outcomes[tool] = data_outcome(ws, tool, "checkout", "--force")
    assert outcomes["flowops"] == outcomes["dvc"]
    assert [line.split()[0] for line in outcomes["dvc"][1].splitlines()[:4]] == ["M", "M", "A", "A"]


def test_pull_summary_counts_modified_before_added(make_ws) -> None:
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        _project(ws)
        _changed_workspace(ws)
        shutil.rmtree(ws.root / ".dvc" / "cache")
        outcomes[tool] = data_outcome(ws, tool, "pull", "--force")
    assert outcomes["flowops"] == outcomes["dvc"]
    assert "modified and" in outcomes["dvc"][1]
