"""`dvc status <targets>` and `flowops data status <targets>` on the same workspace: the same stages and
`.dvc` files for stage names, `file:name`, dvc.yaml and `.dvc` files, output paths and --with-deps, and the
same refusal of a target that names nothing."""

from __future__ import annotations

import pytest

from conftest import Workspace

DVC_YAML = """\
stages:
  prep:
    cmd: cat data.txt > prep.txt
    deps:
    - data.txt
    outs:
    - prep.txt
  train:
    cmd: cat prep.txt > model.txt
    deps:
    - prep.txt
    outs:
    - model.txt
  other:
    cmd: echo x > o.txt
    outs:
    - o.txt
"""

SUB_DVC_YAML = """\
stages:
  s1:
    cmd: echo s > s.txt
    outs:
    - s.txt
"""


@pytest.fixture
def changed(workspace: Workspace) -> Workspace:
    """Every stage and the .dvc file have something to report, except `train`'s deps."""
    workspace.write("data.txt", "a\n")
    workspace.write("raw.txt", "raw\n")
    workspace.write("dvc.yaml", DVC_YAML)
    workspace.write("sub/dvc.yaml", SUB_DVC_YAML)
    workspace.dvc("add", "-q", "raw.txt")
    workspace.dvc("repro", "-q", "dvc.yaml", "sub/dvc.yaml")
    workspace.git("add", "-A")
    workspace.git("commit", "-q", "-m", "pipeline")
    workspace.write("data.txt", "b\n")
    workspace.write("model.txt", "changed\n")
    workspace.write("raw.txt", "rawb\n")
    (workspace.root / "o.txt").unlink()
    (workspace.root / "sub" / "s.txt").unlink()
    return workspace


TARGETS = [
    ["train"],
    ["prep"],
    [":train"],
    ["dvc.yaml:other"],
    ["dvc.yaml"],
    ["sub/dvc.yaml"],
    ["sub/dvc.yaml:s1"],
    ["raw.txt.dvc"],
    ["raw.txt"],
    ["prep.txt"],
    ["sub/s.txt"],
    ["train", "raw.txt"],
    ["other", "prep"],
    ["train", "--with-deps"],
    ["-d", "dvc.yaml:train"],
    ["model.txt", "-d"],
    ["dvc.yaml", "-d"],
    ["raw.txt.dvc", "-d"],
    ["-d", "raw.txt", "train"],
]


@pytest.mark.parametrize("targets", TARGETS, ids=" ".join)
def test_status_targets_select_what_dvc_selects(changed: Workspace, targets: list[str]):
    expected = changed.dvc("status", "--json", *targets).json()
    assert changed.flowops("data", "status", "--json", *targets).json() == expected


def test_status_targets_list_stages_and_dvc_files_in_the_targets_order(changed: Workspace):
    targets = ["train", "raw.txt", "other"]
    expected = changed.dvc("status", *targets).stdout
    assert changed.flowops("data", "status", *targets).stdout == expected


def test_status_targets_from_a_subdirectory_are_relative_to_it(changed: Workspace):
    sub = changed.root / "sub"
    for targets in (["s1"], ["../dvc.yaml:train"], ["../o.txt"]):
        expected = changed.dvc("status", "--json", *targets, cwd=sub).json()
        assert changed.flowops("data", "status", "--json", *targets, cwd=sub).json() == expected


@pytest.mark.parametrize("target", ["nosuch", "data.txt", "sub/dvc.yaml:x", "nofile.dvc"])
def test_status_targets_refuse_a_target_that_names_nothing_as_dvc_does(changed: Workspace, target: str):
    dvc = changed.dvc("status", "--json", target, check=False)
    ours = changed.flowops("data", "status", "--json", target, check=False)
    assert (ours.returncode, dvc.returncode) == (1, 1)
    message = dvc.stderr.strip().removeprefix("ERROR: ")
    assert message in ours.stderr


@pytest.mark.parametrize(
    "targets",
    [["-R", "sub"], ["-R", "."], ["-R", "sub", "train"], ["-R", "raw.txt"], ["-R", "sub", "-d"]],
    ids=" ".join,
)
def test_status_recursive_selects_what_is_defined_inside_a_directory(changed: Workspace, targets: list[str]):
    # A nested .dvc file too, so -R has one to find below the root.
    changed.write("sub/inner.txt", "inner\n")
    changed.dvc("add", "-q", "sub/inner.txt")
    changed.write("sub/inner.txt", "changed inner\n")
    expected = changed.dvc("status", "--json", *targets).json()
    assert changed.flowops("data", "status", "--json", *targets).json() == expected


def test_status_recursive_on_a_directory_with_nothing_defined_is_empty(changed: Workspace):
    (changed.root / "empty").mkdir()
    assert changed.dvc("status", "--json", "-R", "empty").json() == {}
    assert changed.flowops("data", "status", "--json", "-R", "empty").json() == {}
