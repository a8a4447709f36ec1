"""Outs a dvc.yaml declares cached but its dvc.lock records no hash for (no dvc.lock at all included): `dvc gc`
and `dvc status -c` warn about each, "is missing version info", with a `dvc commit` hint when the out exists,
per revision collected (the workspace first), the stage named by its dvc.yaml relative to the cwd (at a commit,
from `/`); `push: false` outs only in gc; `cache: false` outs never. `status -c <targets>` warns only about
what the targets name, in their order, once per naming; `gc -p` about each other project first."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Workspace

PIPELINE = """stages:
  s:
    cmd: echo hi > out.txt
    metrics:
    - m.json
    outs:
    - out.txt
    - other.txt
    - nc.txt:
        cache: false
    - np.txt:
        push: false
"""

SUB_PIPELINE = """stages:
  t:
    cmd: echo
    wdir: deep
    outs:
    - x.txt
"""


@pytest.fixture
def unlocked(workspace: Workspace, tmp_path: Path) -> Workspace:
    ws = workspace
    ws.dvc("remote", "add", "-d", "-q", "store", str(tmp_path / "remote"))
    ws.write("dvc.yaml", PIPELINE)
    ws.write("sub/dvc.yaml", SUB_PIPELINE)
    ws.write("sub/deep/x.txt", "x")
    ws.write(".gitignore", "/out.txt\n")
    ws.write("out.txt", "hi")
    ws.git("add", "-A")
    ws.git("commit", "-qm", "one")
    return ws


COMMANDS = [
    ["gc", "-w", "-f"],
    ["gc", "-A", "-f"],
    ["status", "-c"],
    ["status", "-c", "-a"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("where", [".", "sub/deep"])
def test_missing_version_info_warnings(unlocked: Workspace, args: list[str], where: str) -> None:
    ws = unlocked
    dvc = ws.dvc(*args, cwd=ws.root / where)
    flowops = ws.flowops("data", *args, cwd=ws.root / where)
    assert "missing version info" in dvc.stderr
    assert (flowops.returncode, flowops.stdout, flowops.stderr) == (dvc.returncode, dvc.stdout, dvc.stderr)


def test_locked_outs_do_not_warn(unlocked: Workspace) -> None:
    ws = unlocked
    (ws.root / "sub" / "dvc.yaml").unlink()
    ws.write("dvc.yaml", "stages:\n  s:\n    cmd: echo hi > out.txt\n    outs:\n    - out.txt\n")
    ws.dvc("commit", "-f", "-q", "s")
    for args in (["gc", "-w", "-f"], ["status", "-c"]):
        dvc = ws.dvc(*args)
        flowops = ws.flowops("data", *args)
        assert "missing version info" not in dvc.stderr
        assert (flowops.stdout, flowops.stderr) == (dvc.stdout, dvc.stderr), args


def test_push_and_checkout_do_not_warn(unlocked: Workspace) -> None:
    ws = unlocked
    for args in (["push"], ["checkout"], ["status"]):
        assert "missing version info" not in ws.dvc(*args, check=False).stderr, args
        assert "missing version info" not in ws.flowops("data", *args, check=False).stderr, args


TARGETED = [
    ["s"],
    ["out.txt"],
    ["m.json", "s"],
    ["dvc.yaml:s"],
    ["sub/dvc.yaml"],
    ["sub/dvc.yaml:t", "s", "s"],
    ["nc.txt"],
    ["np.txt"],
    ["-R", "sub"],
    ["-a", "out.txt"],
    ["-A", "other.txt", "--json"],
    ["-q", "s"],
]


@pytest.mark.parametrize("targets", TARGETED, ids=" ".join)
def test_cloud_status_of_targets_warns_about_what_they_name(unlocked: Workspace, targets: list[str]) -> None:
    ws = unlocked
    dvc = ws.dvc("status", "-c", *targets)
    flowops = ws.flowops("data", "status", "-c", *targets)
    assert (flowops.returncode, flowops.stdout, flowops.stderr) == (dvc.returncode, dvc.stdout, dvc.stderr)


@pytest.mark.parametrize("targets", [["x.txt"], ["t", "../../dvc.yaml"], ["../../out.txt"]], ids=" ".join)
def test_cloud_status_of_targets_from_a_subdirectory(unlocked: Workspace, targets: list[str]) -> None:
    ws = unlocked
    where = ws.root / "sub" / "deep"
    # `t` names no stage from sub/deep (no dvc.yaml there): both fail, neither warns.
    dvc = ws.dvc("status", "-c", *targets, cwd=where, check=False)
    flowops = ws.flowops("data", "status", "-c", *targets, cwd=where, check=False)
    assert (flowops.returncode, flowops.stdout) == (dvc.returncode, dvc.stdout)
    if dvc.returncode == 0:
        assert flowops.stderr == dvc.stderr
    else:
        assert "missing version info" not in dvc.stderr + flowops.stderr


@pytest.mark.parametrize("args", [["-w"], ["-A"]], ids=" ".join)
@pytest.mark.parametrize("where", [".", "sub/deep"])
def test_gc_warns_for_other_projects_first(
    unlocked: Workspace, make_ws, args: list[str], where: str
) -> None:
    ws = unlocked
    other = make_ws("other")
    other.write("dvc.yaml", "stages:\n  p:\n    cmd: echo\n    outs:\n    - pout.txt\n    - q.txt\n")
    other.write("pout.txt", "p")
    other.git("add", "-A")
    other.git("commit", "-qm", "other")
    cwd = ws.root / where
    dvc = ws.dvc("gc", *args, "-f", "-p", str(other.root), cwd=cwd)
    flowops = ws.flowops("data", "gc", *args, "-f", "-p", str(other.root), cwd=cwd)
    assert "'pout.txt'(stage: '" in dvc.stderr
    assert (flowops.returncode, flowops.stdout, flowops.stderr) == (dvc.returncode, dvc.stdout, dvc.stderr)
