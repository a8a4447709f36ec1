"""Revision flags in a repo that dvc does not run under Git (`dvc init --no-scm`, or `core.no_scm` inside a Git
repo): dvc's NoSCM lists no branch, tag or commit, so `-a`, `-T`, `-A` and `--date` find the workspace alone,
while `--rev`, experiments and every diff (`params diff`, `metrics diff`, `plots diff`, `diff`) fail with
NoSCMError's words. Each command runs in twin repos, one driven by dvc and one by FlowOps, and must answer alike:
exit code, stdout and stderr."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Workspace

# Commands that are top-level in FlowOps too; every other one is under `flowops data`.
TOP_LEVEL = {"params", "metrics", "plots"}

PIPELINE = """\
stages:
  train:
    cmd: echo hi > out.txt && cp m.src m.json
    params: [lr]
    outs: [out.txt]
    metrics:
    - m.json:
        cache: false
"""


def no_scm_repo(path: Path, git_with_no_scm: bool) -> Workspace:
    """A repo with a tracked file, a stage run once that writes a metrics file, and an empty local remote."""
    path.mkdir(parents=True)
    ws = Workspace(path)
    if git_with_no_scm:
        ws.git("init", "-q")
        ws.git("config", "user.email", "compat@flowops.test")
        ws.git("config", "user.name", "compat")
        ws.dvc("init", "-q")
    else:
        ws.dvc("init", "-q", "--no-scm")
    ws.write("params.yaml", "lr: 0.1\n")
    ws.write("dvc.yaml", PIPELINE)
    ws.write("m.src", '{"acc": 0.5}\n')
    ws.write("d.txt", "data\n")
    ws.dvc("add", "-q", "d.txt")
    ws.dvc("repro", "-q")
    ws.dvc("remote", "add", "-q", "-d", "r", str(path.parent / f"{path.name}-remote"))
    if git_with_no_scm:
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        ws.git("tag", "v1")
        ws.dvc("config", "core.no_scm", "true")
    return ws


def outcome(ws: Workspace, tool: str, args: list[str]) -> tuple[int, str, str]:
    if tool == "dvc":
        done = ws.dvc(*args, check=False)
    else:
        done = ws.flowops(*([] if args[0] in TOP_LEVEL else ["data"]), *args, check=False)
    return done.returncode, done.stdout, done.stderr.replace(str(ws.root), "<ws>")


CASES = [
    ["params", "diff"],
    ["params", "diff", "--json"],
    ["metrics", "diff"],
    ["plots", "diff"],
    ["plots", "diff", "--json"],
    ["diff"],
    ["diff", "--json"],
    ["metrics", "show", "-A"],
    ["metrics", "show", "-a", "--json"],
    ["metrics", "show", "-T"],
    ["push", "-T"],
    ["push", "-A"],
    ["status", "-c", "-a"],
    ["fetch", "-a"],
    ["pull", "-A"],
    ["gc", "-a", "-f"],
    ["gc", "-T", "-f"],
    ["gc", "-A", "-f"],
    ["gc", "--date", "2020-01-01", "-f"],
    ["gc", "--all-experiments", "-f"],
]


@pytest.mark.parametrize("git_with_no_scm", [False, True], ids=["init-no-scm", "git-core-no-scm"])
def test_revision_flags_without_git(tmp_path: Path, git_with_no_scm: bool) -> None:
    twins = {tool: no_scm_repo(tmp_path / tool, git_with_no_scm) for tool in ("dvc", "flowops")}
    for args in CASES:
        outcomes = {tool: outcome(ws, tool, args) for tool, ws in twins.items()}
        assert outcomes["flowops"] == outcomes["dvc"], args


def test_gc_rev_without_git(tmp_path: Path) -> None:
    """`gc --rev` must resolve a name, which NoSCM cannot: dvc's NoSCMError, exit 255, nothing removed."""
    twins = {tool: no_scm_repo(tmp_path / tool, False) for tool in ("dvc", "flowops")}
    outcomes = {tool: outcome(ws, tool, ["gc", "--rev", "HEAD", "-f"]) for tool, ws in twins.items()}
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][0] == 255
    assert "Only supported for Git repositories" in outcomes["dvc"][2]
    assert sorted(p.name for p in (twins["flowops"].root / ".dvc" / "cache").rglob("*") if p.is_file()) == sorted(
        p.name for p in (twins["dvc"].root / ".dvc" / "cache").rglob("*") if p.is_file()
    )
