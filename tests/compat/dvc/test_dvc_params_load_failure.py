"""Params files dvc cannot read, in `params diff`: a corrupt (or non-UTF-8) params.yaml fails the whole revision,
as dvc reads it while loading dvc.yaml, with a warning in dvc's words ("unable to read: 'params.yaml', YAML file
structure is corrupted", the file relative to the cwd); a missing or corrupt params file that a stage lists reads
as no params without a warning. Either way one closing stderr line names the revisions, and the exit status is 0.

dvc lists files in Python set order, which changes from run to run: table rows are compared sorted, JSON parsed."""

from __future__ import annotations

import json

import pytest

from conftest import Result, Workspace

DVC_YAML = """\
params:
- top.yaml
stages:
  train:
    cmd: echo
    params:
    - lr
    - other.yaml:
      - x
    - o.json:
      - x
    - o.toml:
      - x
    - o.py:
      - x
"""


def _repo(ws: Workspace) -> None:
    ws.write("dvc.yaml", DVC_YAML)
    ws.write("params.yaml", "lr: 0.1\nb: 2\n")
    ws.write("other.yaml", "x: 1\n")
    ws.write("o.json", '{"x": 1}')
    ws.write("o.toml", "x = 1\n")
    ws.write("o.py", "x = 1\n")
    ws.write("top.yaml", "a: 1\n")
    ws.write("sub/keep", "")
    ws.git("add", "-A")
    ws.git("commit", "-qm", "one")


def _corrupt_yaml(ws: Workspace) -> None:
    ws.write("params.yaml", "lr: [0.1\nb: 2\n")


def _duplicate_key(ws: Workspace) -> None:
    ws.write("params.yaml", "lr: 1\nlr: 2\n")


def _not_utf8(ws: Workspace) -> None:
    ws.write("params.yaml", b"lr: 0.1\n\xff\xfe: 2\n")


def _missing_default(ws: Workspace) -> None:
    (ws.root / "params.yaml").unlink()


def _missing_others(ws: Workspace) -> None:
    (ws.root / "other.yaml").unlink()
    (ws.root / "top.yaml").unlink()


def _corrupt_others(ws: Workspace) -> None:
    ws.write("other.yaml", "x: [1\ny: 2\n")
    ws.write("o.json", '{"x": 1')
    ws.write("o.toml", "x = = 1\n")
    ws.write("o.py", "x = (\n")


def _corrupt_in_history(ws: Workspace) -> None:
    _corrupt_yaml(ws)
    ws.git("commit", "-qam", "corrupt")
    ws.write("params.yaml", "lr: 0.2\nb: 2\n")
    ws.git("commit", "-qam", "fixed")


EDITS = {
    "corrupt-yaml": _corrupt_yaml,
    "duplicate-key": _duplicate_key,
    "not-utf8": _not_utf8,
    "missing-params-yaml": _missing_default,
    "missing-listed-files": _missing_others,
    "corrupt-json-toml-py-yaml": _corrupt_others,
    "corrupt-at-HEAD~1": _corrupt_in_history,
}

COMMANDS = [
    ["params", "diff"],
    ["params", "diff", "--json"],
    ["params", "diff", "--all"],
    ["params", "diff", "HEAD~1"],
    ["params", "diff", "HEAD~1", "HEAD", "--json"],
    ["params", "diff", "--targets", "nothere.yaml"],
]
SUBDIR_EDITS = ["corrupt-yaml", "not-utf8", "corrupt-at-HEAD~1"]


def _outcome(result: Result, args: list[str]) -> tuple[int, object, str]:
    if "--json" in args:
        stdout: object = json.loads(result.stdout)
    else:
        lines = result.stdout.splitlines()
        stdout = lines[:1] + sorted(lines[1:])
    return result.returncode, stdout, result.stderr


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_params_diff_reports_unreadable_params_as_dvc(workspace: Workspace, edit: str, args: list[str]) -> None:
    _compare(workspace, edit, args, "root")


@pytest.mark.parametrize("edit", SUBDIR_EDITS, ids=SUBDIR_EDITS)
def test_params_diff_names_the_file_relative_to_the_cwd(workspace: Workspace, edit: str) -> None:
    _compare(workspace, edit, ["params", "diff", "HEAD~1"], "sub")


def _compare(ws: Workspace, edit: str, args: list[str], cwd: str) -> None:
    _repo(ws)
    if args[2:3] == ["HEAD~1"] and edit != "corrupt-at-HEAD~1":
        ws.write("other.yaml", "x: 2\n")
        ws.git("commit", "-qam", "two")
    EDITS[edit](ws)
    where = ws.root if cwd == "root" else ws.root / "sub"
    dvc = ws.dvc(*args, check=False, cwd=where)
    flowops = ws.flowops(*args, check=False, cwd=where)
    assert _outcome(flowops, args) == _outcome(dvc, args)
    assert dvc.returncode == 0
