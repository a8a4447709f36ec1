"""`flowops dag` and `dvc dag` on the same repo: the dot and mermaid texts match byte for byte.

The ASCII drawing is FlowOps' own (dvc lays it out with grandalf), so only the machine-readable formats are
compared. Stages are defined out of run order, the pipeline has two parts, a foreach group, a second dvc.yaml
and a `.dvc` file, so node order, edge order and per-component numbering all matter.
"""

from __future__ import annotations

import pytest

from conftest import Workspace

DVC_YAML = """\
stages:
  train:
    cmd: cat b.out c.out > model
    deps: [b.out, c.out]
    outs: [model]
  zeta:
    cmd: echo > c.out
    outs: [c.out]
  beta:
    cmd: cat a.out data/raw.txt > b.out
    deps: [a.out, data]
    outs: [b.out]
  alpha:
    cmd: echo a > a.out
    outs: [a.out]
  solo:
    cmd: echo s > s.out
    outs: [s.out, s2.out]
  eval:
    foreach: [x, y]
    do:
      cmd: cat model > ${item}.json
      deps: [model]
      metrics: [{"${item}.json": {cache: false}}]
"""

SUB_DVC_YAML = """\
stages:
  use:
    cmd: cat ../a.out > u
    deps: [../a.out]
    outs: [u]
"""


def _project(ws: Workspace) -> None:
    ws.write("dvc.yaml", DVC_YAML)
    ws.write("sub/dvc.yaml", SUB_DVC_YAML)
    ws.write("data/raw.txt", "raw\n")
    ws.dvc("add", "-q", "data")


@pytest.mark.parametrize(
    "args",
    [
        ["--dot"],
        ["--mermaid"],
        ["--md"],
        ["--dot", "beta"],
        ["--mermaid", "--full", "beta"],
        ["--dot", "--outs"],
        ["--mermaid", "--outs"],
        ["--mermaid", "--outs", "beta"],
        ["--mermaid", "a.out"],
        ["--mermaid", "data.dvc"],
        ["--dot", "sub/dvc.yaml:use"],
        ["--mermaid", "--collapse-foreach-matrix", "train"],
    ],
)
def test_both_tools_print_the_same_dag(workspace: Workspace, args: list[str]):
    _project(workspace)
    assert workspace.flowops("dag", *args).stdout == workspace.dvc("dag", *args).stdout


def test_from_a_subdirectory_both_tools_name_nodes_relative_to_it(workspace: Workspace):
    _project(workspace)
    sub = workspace.root / "sub"
    for args in (["--mermaid", "use"], ["--mermaid", "--outs"]):
        assert (
            workspace.flowops("dag", *args, cwd=sub).stdout == workspace.dvc("dag", *args, cwd=sub).stdout
        )
