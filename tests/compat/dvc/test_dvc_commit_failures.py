"""`commit` targets that fail: dvc commits one target at a time and stops at the first that fails, saying
"failed to commit <target> - <reason>" ("failed to commit - ..." without targets), exit 1 and nothing on
stdout; what the targets before it committed stays committed. Also `repro ../dvc.yaml` from a folder, with a
corrupt params.yaml: dvc's "unable to read: '../params.yaml', YAML file structure is corrupted: " then its
parser's account, which FlowOps gives in its own words."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conftest import Workspace, data_outcome, error_lines, make_workspace

PIPELINE = """\
stages:
  s:
    cmd: echo s > s.txt
    outs: [s.txt]
  t:
    cmd: echo t > t.txt
    outs: [t.txt]
  u:
    cmd: echo u > u.txt
    deps: [in.txt]
    outs: [u.txt]
"""


def _in_cache(ws: Workspace, text: str) -> bool:
    md5 = hashlib.md5(text.encode()).hexdigest()
    return (ws.root / ".dvc" / "cache" / "files" / "md5" / md5[:2] / md5[2:]).exists()


@pytest.fixture
def twins(tmp_path: Path):
    """The same --no-commit pipeline run in two workspaces, one for each tool."""
    made = {}
    for tool in ("dvc", "flowops"):
        ws = make_workspace(tmp_path / tool)
        ws.write("dvc.yaml", PIPELINE)
        ws.write("in.txt", "in\n")
        ws.dvc("repro", "--no-commit", "-q")
        made[tool] = ws
    return made


@pytest.mark.parametrize(
    "args",
    [["t"], ["s", "t"], ["t", "s"], []],
    ids=["one", "second-fails", "first-fails", "no-targets"],
)
def test_a_changed_stage_is_named_and_ends_the_command(twins, args: list[str]) -> None:
    outcomes = {}
    for tool, ws in twins.items():
        ws.write("t.txt", "edited\n")
        outcomes[tool] = (data_outcome(ws, tool, "commit", *args), _in_cache(ws, "s\n"), _in_cache(ws, "u\n"))
    assert outcomes["flowops"] == outcomes["dvc"]
    (code, stdout, error), s_cached, _ = outcomes["dvc"]
    named = " t" if args else ""
    assert (code, stdout) == (1, "")
    assert error == f"failed to commit{named} - unable to commit changed stage: 't'. Use `-f|--force` to force."
    assert s_cached == (args != ["t", "s"] and args != ["t"])


def test_a_forced_commit_names_what_is_missing(twins) -> None:
    for ws in twins.values():
        (ws.root / "t.txt").unlink()
        (ws.root / "in.txt").unlink()
        (ws.root / "sub").mkdir()
    for args in (["-f", "t"], ["-f", "u"], ["-f", "nosuch"]):
        dvc = data_outcome(twins["dvc"], "dvc", "commit", *args)
        assert data_outcome(twins["flowops"], "flowops", "commit", *args) == dvc, args
        assert dvc[0] == 1 and dvc[2].startswith(f"failed to commit {args[1]} - "), dvc
    dvc = twins["dvc"].dvc("commit", "-f", "../dvc.yaml:u", check=False, cwd=twins["dvc"].root / "sub")
    flowops = twins["flowops"].flowops(
        "data", "commit", "-f", "../dvc.yaml:u", check=False, cwd=twins["flowops"].root / "sub"
    )
    outcome = (flowops.returncode, flowops.stdout, error_lines(flowops.stderr))
    assert outcome == (dvc.returncode, dvc.stdout, error_lines(dvc.stderr))
    assert dvc.stderr == "ERROR: failed to commit ../dvc.yaml:u - dependency '../in.txt' does not exist\n"


@pytest.mark.parametrize("target", ["../dvc.yaml", "../dvc.yaml:a", "../dvc.yaml:nosuch"])
def test_repro_of_a_parent_dvc_yaml_reports_the_corrupt_params_yaml(workspace: Workspace, target: str) -> None:
    workspace.write("dvc.yaml", "stages:\n  a:\n    cmd: echo a > a.txt\n    outs:\n    - a.txt\n")
    workspace.write("params.yaml", "a: [\n")
    sub = workspace.root / "sub"
    sub.mkdir()
    dvc = workspace.dvc("repro", target, check=False, cwd=sub)
    flowops = workspace.flowops("repro", target, check=False, cwd=sub)
    head = "ERROR: unable to read: '../params.yaml', YAML file structure is corrupted: "
    assert (dvc.returncode, dvc.stdout) == (flowops.returncode, flowops.stdout) == (255, "")
    assert dvc.stderr.startswith(head) and flowops.stderr.startswith(head)
    assert flowops.stderr.count("\n") == 1
