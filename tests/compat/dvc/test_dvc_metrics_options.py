"""`metrics show`, `metrics diff` and `params diff` options beyond the defaults (targets, directories,
revisions, --md, --no-path, --deps): both tools print the same bytes on the same repository."""

from __future__ import annotations

import json

import pytest
from conftest import Workspace


def _repository(ws: Workspace) -> None:
    ws.write("params.yaml", "lr: 0.1\nbs: 32\n")
    ws.write("other.yaml", "x: 1\n")
    ws.write(
        "dvc.yaml",
        "stages:\n  t:\n    cmd: echo\n    params: [lr]\n    metrics:\n    - m.json:\n        cache: false\n"
        "params:\n- other.yaml\n",
    )
    ws.write("m.json", '{"acc": 0.91234567, "loss": 0.2}')
    ws.write("eval/a.json", '{"auc": 0.8}')
    ws.write("eval/b.yaml", "f1: 0.5\n")
    ws.git("add", "-A")
    ws.git("commit", "-qm", "one")
    ws.git("branch", "-M", "main")
    ws.git("checkout", "-q", "-b", "feature")
    ws.write("m.json", '{"acc": 0.7}')
    ws.git("commit", "-qam", "feature")
    ws.git("tag", "v1")
    ws.git("checkout", "-q", "main")
    ws.write("params.yaml", "lr: 0.2\nbs: 32\n")
    ws.write("other.yaml", "x: 3\n")
    ws.write("eval/a.json", '{"auc": 0.9}')


@pytest.mark.parametrize(
    "args",
    [
        ["metrics", "show", "eval"],
        ["metrics", "show", "--md", "eval/a.json", "m.json"],
        ["metrics", "show", "--json", "eval"],
        ["metrics", "show", "-a", "-T"],
        ["metrics", "show", "-a", "--json"],
        ["metrics", "diff", "--targets", "eval"],
        ["metrics", "diff", "--targets", "eval", "--all", "--md"],
        ["metrics", "diff", "main", "feature", "--no-path", "--precision", "2"],
        ["params", "diff", "--no-path"],
        ["params", "diff", "--deps", "--all", "--json"],
        ["params", "diff", "--targets", "other.yaml", "--json"],
    ],
)
def test_both_tools_print_the_same(workspace: Workspace, args: list[str]):
    _repository(workspace)
    ours, theirs = workspace.flowops(*args).stdout, workspace.dvc(*args).stdout
    if "--json" in args:
        assert json.loads(ours) == json.loads(theirs)
        return
    # dvc orders the files of a diff by hash (a set), so rows compare as a set under the same header.
    assert ours.splitlines()[:1] == theirs.splitlines()[:1]
    assert sorted(ours.splitlines()) == sorted(theirs.splitlines())
