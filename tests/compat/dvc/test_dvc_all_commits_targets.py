"""`push/fetch/pull/status -c` with `-a/-T/-A` and a target some revisions lack, beside dvc 3.67.1: dvc warns
"failed to collect '<rev>', skipping" for 'workspace' and then each revision by its brancher name (a full
hash under -A, "branch,tag" for one commit reached both ways), and raises the last revision's error; status
fails on the first revision that lacks the target, the workspace first, with the reason read from that
revision's own files."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import Workspace, data_outcome


def _commit(ws: Workspace, message: str, day: int) -> None:
    # A day apart: dvc's -A walks commits by commit time, so commits made in one second have no set order.
    env = {**os.environ, "GIT_COMMITTER_DATE": f"2024-01-{day:02d}T12:00:00"}
    ws.git("add", "-A")
    subprocess.run(["git", "commit", "-qm", message], cwd=ws.root, env=env, check=True)


def _history(ws: Workspace, remote: Path) -> None:
    ws.dvc("remote", "add", "-d", "r", str(remote))
    for day, (name, text) in enumerate((("a.txt", "a\n"), ("b.txt", "b\n"), ("a.txt", "a2\n")), start=1):
        ws.write(name, text)
        ws.dvc("add", "-q", name)
        _commit(ws, f"{name} {text.strip()}", day)
    ws.git("branch", "same")
    ws.git("branch", "other", "HEAD~1")
    ws.git("tag", "-a", "v2", "-m", "annotated", "HEAD~1")
    ws.git("tag", "v1", "HEAD~2")


@pytest.mark.parametrize("scope", [["-A"], ["-a"], ["-T"], ["-a", "-T"]])
@pytest.mark.parametrize("command", ["push", "fetch", "pull"])
def test_every_revision_is_warned_about_before_the_error(
    workspace: Workspace, tmp_path: Path, command: str, scope: list[str]
) -> None:
    _history(workspace, tmp_path / "remote")
    dvc = data_outcome(workspace, "dvc", command, *scope, "nosuch")
    assert data_outcome(workspace, "flowops", command, *scope, "nosuch") == dvc
    warnings = [line for line in dvc[2].splitlines() if line.startswith("WARNING: failed to collect")]
    assert warnings[0] == "WARNING: failed to collect 'workspace', skipping"
    if scope == ["-a", "-T"]:
        expected = [f"WARNING: failed to collect '{rev}', skipping" for rev in ("master,same", "other,v2", "v1")]
        assert warnings[1:] == expected
    assert dvc[0] == 1 and dvc[2].endswith(": 'dvc.yaml' does not exist"), dvc


def test_status_names_the_first_revision_that_lacks_the_target(workspace: Workspace, tmp_path: Path) -> None:
    _history(workspace, tmp_path / "remote")
    outcomes = {}
    for args in (["-A", "nosuch"], ["-a", "-T", "b.txt"], ["-A", "b.txt.dvc"]):
        dvc = data_outcome(workspace, "dvc", "status", "-c", *args)
        assert data_outcome(workspace, "flowops", "status", "-c", *args) == dvc
        outcomes[args[-1]] = dvc[2]
    assert outcomes["nosuch"] == (
        "Failed to collect 'workspace': 'nosuch' does not exist as an output or a stage name in 'dvc.yaml': "
        "'dvc.yaml' does not exist"
    )
    assert outcomes["b.txt"].startswith("Failed to collect 'v1': 'b.txt' does not exist"), outcomes
    assert outcomes["b.txt.dvc"].endswith(": '/b.txt.dvc' does not exist"), outcomes
    # A stage missing from a revision's dvc.yaml, by bare name and by `file:name` (dvc shows a revision's file
    # relative to the cwd from its Git filesystem's root "/").
    workspace.write("dvc.yaml", "stages:\n  y:\n    cmd: echo y > y.txt\n    outs: [y.txt]\n")
    workspace.dvc("repro", "-q", "y")
    _commit(workspace, "y", 4)
    workspace.git("tag", "-d", "v1", "v2")
    workspace.git("tag", "w")
    workspace.write("dvc.yaml", "stages:\n  x:\n    cmd: echo x > x.txt\n    outs: [x.txt]\n")
    workspace.dvc("repro", "-q", "x")
    for target in ("x", "dvc.yaml:x"):
        dvc = data_outcome(workspace, "dvc", "status", "-c", "-T", target)
        assert data_outcome(workspace, "flowops", "status", "-c", "-T", target) == dvc
        assert "Stage 'x' not found inside '" in dvc[2], dvc
    # Only the workspace has the stage: push warns about the tag and sends the workspace's x.txt.
    dvc = data_outcome(workspace, "dvc", "push", "-T", "x")
    flowops = data_outcome(workspace, "flowops", "push", "-T", "x")
    assert (flowops[0], flowops[2]) == (dvc[0], dvc[2]) == (0, "WARNING: failed to collect 'w', skipping")
