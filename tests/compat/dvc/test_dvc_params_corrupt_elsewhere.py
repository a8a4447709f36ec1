"""A params.yaml dvc cannot read (corrupt YAML, not UTF-8), in the commands other than `params diff` that load
the pipeline: `metrics show|diff` and `plots show` warn or report it in dvc's words ("unable to read:
'params.yaml', YAML file structure is corrupted", the file relative to the cwd, with dvc's exception type in
--json) and exit 0; `metrics diff HEAD~1 HEAD` warns about the broken workspace, which dvc loads first; `repro`
stops with dvc's message (exit 255), after which dvc's parser account differs from FlowOps' line and reason."""

from __future__ import annotations

import json

import pytest

from conftest import Result, Workspace

DVC_YAML = """\
stages:
  train:
    cmd: echo
    params:
    - lr
    metrics:
    - m.json:
        cache: false
    plots:
    - p.json:
        cache: false
"""

BROKEN = {"corrupt-yaml": "lr: [0.1\nb: 2\n", "not-utf8": b"lr: 0.1\n\xff\xfe: 2\n"}

COMMANDS = [
    ["metrics", "show"],
    ["metrics", "show", "--json"],
    ["metrics", "diff"],
    ["metrics", "diff", "HEAD~1", "HEAD"],
    ["metrics", "diff", "HEAD~1", "HEAD", "--json"],
    ["metrics", "diff", "HEAD~1", "HEAD", "--targets", "m.json"],
    ["plots", "show", "--json"],
]


def _repo(ws: Workspace, broken: str) -> None:
    ws.write("dvc.yaml", DVC_YAML)
    ws.write("params.yaml", "lr: 0.1\n")
    ws.write("m.json", '{"acc": 1}')
    ws.write("p.json", '[{"x": 1, "y": 2}]')
    ws.write("sub/keep", "")
    ws.git("add", "-A")
    ws.git("commit", "-qm", "one")
    ws.write("m.json", '{"acc": 2}')
    ws.git("commit", "-qam", "two")
    ws.write("params.yaml", BROKEN[broken])


def _outcome(result: Result, args: list[str]) -> tuple[int, object, str]:
    stdout: object = json.loads(result.stdout) if "--json" in args else result.stdout
    return result.returncode, stdout, result.stderr


@pytest.mark.parametrize("cwd", ["root", "sub"])
@pytest.mark.parametrize("broken", list(BROKEN))
def test_metrics_and_plots_report_an_unreadable_params_yaml_as_dvc(workspace: Workspace, broken: str, cwd: str) -> None:
    _repo(workspace, broken)
    where = workspace.root if cwd == "root" else workspace.root / "sub"
    for args in COMMANDS:
        dvc = workspace.dvc(*args, check=False, cwd=where)
        flowops = workspace.flowops(*args, check=False, cwd=where)
        assert _outcome(flowops, args) == _outcome(dvc, args), args
        assert dvc.returncode == 0


@pytest.mark.parametrize("args", [["repro"], ["repro", "--dry"]], ids=" ".join)
@pytest.mark.parametrize("broken", list(BROKEN))
def test_repro_stops_with_dvcs_message(workspace: Workspace, broken: str, args: list[str]) -> None:
    _repo(workspace, broken)
    dvc = workspace.dvc(*args, check=False)
    flowops = workspace.flowops(*args, check=False)
    assert (flowops.returncode, flowops.stdout) == (dvc.returncode, dvc.stdout) == (255, "")
    # dvc's message up to its parser's own account, which FlowOps gives in its own words.
    first = dvc.stderr.splitlines()[0]
    head = first[: first.index("corrupted: ") + len("corrupted: ")] if "corrupted: " in first else first[: first.index("utf-8: ") + 7]
    assert head.startswith("ERROR: unable to read: 'params.yaml', ")
    assert flowops.stderr.startswith(head)
    assert flowops.stderr.count("\n") == 1
