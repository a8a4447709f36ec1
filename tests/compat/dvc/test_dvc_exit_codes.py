"""The exit codes of `dvc` and of FlowOps' dvc commands for the same failures, so scripts read them alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Workspace, _run, DVC_BIN, FLOWOPS_BIN

CASES = [
    # (dvc's arguments, flowops' arguments)
    (["status", "--bogus"], ["data", "status", "--bogus"]),
    (["push", "nowhere.dvc"], ["data", "push", "nowhere.dvc"]),
    (["status", "nowhere"], ["data", "status", "nowhere"]),
    (["repro", "nowhere"], ["repro", "nowhere"]),
    (["dag", "nowhere"], ["dag", "nowhere"]),
    (["checkout"], ["data", "checkout"]),
    (["repro"], ["repro"]),
]


@pytest.mark.parametrize(("dvc_args", "flowops_args"), CASES)
def test_the_same_failure_exits_the_same(workspace: Workspace, dvc_args: list[str], flowops_args: list[str]):
    # f.txt's object is gone from the cache (checkout fails), and the one stage's command fails (repro fails).
    workspace.write("f.txt", "f\n")
    workspace.dvc("add", "f.txt")
    (workspace.root / "f.txt").unlink()
    for obj in (workspace.root / ".dvc" / "cache").rglob("*"):
        if obj.is_file():
            obj.unlink()
    workspace.write("dvc.yaml", "stages:\n  broken:\n    cmd: exit 3\n    outs: [never.txt]\n")
    by_dvc = workspace.dvc(*dvc_args, check=False)
    by_flowops = workspace.flowops(*flowops_args, check=False)
    assert by_flowops.returncode == by_dvc.returncode != 0, (by_dvc.stderr, by_flowops.stderr)


def test_outside_a_repository_both_exit_253(tmp_path: Path):
    outside = tmp_path / "plain"
    outside.mkdir()
    env = {"DVC_NO_ANALYTICS": "1", "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    by_dvc = _run([str(DVC_BIN), "status"], outside, False, env)
    by_flowops = _run(["node", str(FLOWOPS_BIN), "data", "status"], outside, False, env)
    assert by_dvc.returncode == by_flowops.returncode == 253


@pytest.mark.parametrize(
    "args",
    [["add", "-q", "g.txt"], ["push", "-q"], ["checkout", "-q"], ["diff", "-q"], ["gc", "-w", "-f", "-q"]],
)
def test_quiet_prints_nothing_as_dvc_does(make_ws, args: list[str]):
    # dvc takes -q/--quiet on every command; a script's `dvc push -q` must keep working as `flowops data push -q`.
    pair = make_ws("by_dvc"), make_ws("by_flowops")
    for ws in pair:
        ws.write("g.txt", "g\n")
        ws.dvc("remote", "add", "-d", "store", str(ws.root.parent / f"{ws.root.name}-remote"))
    by_dvc = pair[0].dvc(*args)
    by_flowops = pair[1].flowops("data", *args)
    assert (by_flowops.stdout, by_flowops.stderr) == (by_dvc.stdout, by_dvc.stderr) == ("", "")
