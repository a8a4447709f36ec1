"""Outs a dvc.yaml declares cached but its dvc.lock records no hash for (no dvc.lock at all included): `dvc gc`
and `dvc status -c` warn about each, "is missing version info", with a `dvc commit` hint when the out exists,
per revision collected (the workspace first), the stage named by its dvc.yaml relative to the cwd (at a commit,
from `/`); `push: false` outs only in gc; `cache: false` outs never."""

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
