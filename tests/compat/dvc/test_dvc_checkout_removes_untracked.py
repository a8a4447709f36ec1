"""A checkout (or pull) without targets removes the outs it once wrote from the cache that nothing tracks any
more, as dvc's `_remove_unused_links` does, printing `D` for each; an out the user changed since, a file
never written by the tool, and an out a stage still declares are left alone."""

from __future__ import annotations

import os

from conftest import Workspace, data_outcome, workspace_files


def _project(ws: Workspace, tool: str) -> None:
    """Each tool adds and pushes its own data: it removes only outs it wrote itself."""
    run = ws.dvc if tool == "dvc" else lambda *args: ws.flowops("data", *args)
    run("remote", "add", "-d", "r", str(ws.root.parent / f"{ws.root.name}-remote"))
    for name, text in {"a.txt": "a\n", "b.txt": "b\n", "d/x": "x\n", "h.txt": "h\n", "sub/s.txt": "s\n"}.items():
        ws.write(name, text)
    ws.write("o.txt", "o\n")
    run("add", "-q", "a.txt", "b.txt", "d", "h.txt", "sub/s.txt", "o.txt")
    run("push", "-q")
    ws.git("add", "-A")
    ws.git("commit", "-qm", "add")


def _untrack(ws: Workspace) -> None:
    """b.txt edited by the user and hand.txt never tracked; o.txt becomes a stage's (uncached) out."""
    ws.write("b.txt", "b\nbb\n")
    ws.write("hand.txt", "hand\n")
    for name in ("a.txt", "b.txt", "d", "sub/s.txt", "o.txt"):
        (ws.root / f"{name}.dvc").unlink()
    ws.write("dvc.yaml", "stages:\n  s:\n    cmd: echo o > o.txt\n    outs:\n    - o.txt:\n        cache: false\n")


def test_checkout_removes_untracked_outs_it_wrote(make_ws) -> None:
    outcomes, files = {}, {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        _project(ws, tool)
        _untrack(ws)
        outcomes[tool] = [data_outcome(ws, tool, "checkout"), data_outcome(ws, tool, "checkout")]
        files[tool] = workspace_files(ws)
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][0][1] == "D       d/\nD       a.txt\nD       sub/s.txt"
    assert files["flowops"] == files["dvc"]


def test_outs_restored_by_checkout_are_removed_unless_changed_and_paths_print_from_the_cwd(make_ws) -> None:
    outcomes, files = {}, {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        _project(ws, tool)
        for name in ("a.txt", "h.txt", "sub/s.txt"):
            (ws.root / name).unlink()
        run = [data_outcome(ws, tool, "checkout")]
        # h.txt was written by this checkout and touched since: a changed file, never removed.
        os.utime(ws.root / "h.txt", (1, 1))
        ws.write("d/extra", "mine\n")
        for name in ("a.txt", "h.txt", "sub/s.txt", "d"):
            (ws.root / f"{name}.dvc").unlink()
        sub = ws.root / "sub"
        result = ws.dvc("checkout", cwd=sub, check=False) if tool == "dvc" else ws.flowops("data", "checkout", cwd=sub, check=False)
        run.append((result.returncode, result.stdout))
        outcomes[tool] = run
        files[tool] = workspace_files(ws)
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][1][1] == "D       a.txt\nD       sub/s.txt\n"
    assert files["flowops"] == files["dvc"]


def test_pull_and_summary_count_removed_outs(make_ws) -> None:
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        _project(ws, tool)
        (ws.root / "a.txt.dvc").unlink()
        (ws.root / "h.txt").unlink()
        run = [data_outcome(ws, tool, "pull")]
        (ws.root / "b.txt.dvc").unlink()
        run.append(data_outcome(ws, tool, "checkout", "--summary"))
        outcomes[tool] = run
    assert outcomes["flowops"] == outcomes["dvc"]
    assert "D       a.txt" in outcomes["dvc"][0][1]
