"""A dvc.lock that no dvc.yaml stands beside, or whose entries no stage declares: dvc reads a lock only
through its dvc.yaml (`fill_from_lock` fills the outs a stage declares), so such entries track nothing for
push, status -c, gc or checkout, in the workspace and in the commits a scope names."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Workspace

PIPELINE = "stages:\n  s:\n    cmd: sh run.sh\n    deps: [dep.txt]\n    outs: [out.txt]\n    metrics: [m.json]\n"


def _objects(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _locked_project(ws: Workspace) -> Path:
    """A stage run and committed by dvc, its outs pushed; then dvc.yaml deleted and committed without it."""
    remote = ws.root.parent / f"{ws.root.name}-remote"
    ws.dvc("remote", "add", "-d", "r", str(remote))
    ws.write("dep.txt", "one\n")
    ws.write("run.sh", 'cp dep.txt out.txt\necho \'{"a": 1}\' > m.json\n')
    ws.write("dvc.yaml", PIPELINE)
    ws.dvc("repro", "-q")
    ws.git("add", "-A")
    ws.git("commit", "-qm", "pipeline")
    ws.git("rm", "-q", "dvc.yaml")
    ws.git("commit", "-qm", "no pipeline")
    return remote


def _outcome(ws: Workspace, tool: str, *args: str) -> tuple[int, str, str]:
    result = ws.dvc(*args, check=False) if tool == "dvc" else ws.flowops("data", *args, check=False)
    # Only the first line of the "nothing tracked" hint is shared wording (the second names each tool's docs).
    return result.returncode, result.stdout.splitlines()[0] if result.stdout else "", result.stderr


@pytest.mark.parametrize("args", [["push"], ["status", "-c"], ["gc", "-w", "-f"]])
def test_a_lock_without_its_pipeline_tracks_nothing(make_ws, args: list[str]) -> None:
    seen = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        remote = _locked_project(ws)
        seen[tool] = (_outcome(ws, tool, *args), _objects(remote), _objects(ws.root / ".dvc" / "cache"))
    assert seen["flowops"] == seen["dvc"]
    assert seen["dvc"][1] == set(), "dvc pushes nothing the lock alone records"


def test_lock_entries_no_stage_declares_track_nothing(make_ws) -> None:
    seen = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        remote = _locked_project(ws)
        # A dvc.yaml again, with another stage only: the lock still holds stage `s` and its outs.
        ws.write("dvc.yaml", "stages:\n  s:\n    cmd: sh run.sh\n    deps: [dep.txt]\n    outs: [out.txt]\n")
        seen[tool] = (_outcome(ws, tool, "push"), _objects(remote))
    assert seen["flowops"] == seen["dvc"]
    assert len(seen["dvc"][1]) == 1, "only out.txt, which dvc.yaml still declares, is pushed"


@pytest.mark.parametrize("args", [["push", "-a"], ["status", "-c", "-a"], ["gc", "-a", "-f"]])
def test_a_branch_lock_without_its_pipeline_tracks_nothing(make_ws, args: list[str]) -> None:
    seen = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        remote = _locked_project(ws)
        ws.git("branch", "-q", "lock-only")
        ws.git("rm", "-q", "dvc.lock")
        ws.git("commit", "-qm", "bare")
        seen[tool] = (_outcome(ws, tool, *args), _objects(remote), _objects(ws.root / ".dvc" / "cache"))
    assert seen["flowops"] == seen["dvc"]
