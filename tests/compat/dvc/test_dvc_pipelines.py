"""`flowops repro` and `dvc repro` on the same dvc.yaml: each one's dvc.lock satisfies the other."""

from __future__ import annotations

from conftest import Workspace

DVC_YAML = """\
stages:
  prepare:
    cmd: python3 prepare.py
    deps:
    - prepare.py
    - raw.txt
    outs:
    - prepared
  train:
    cmd: python3 train.py
    deps:
    - prepared
    - train.py
    params:
    - train.lr
    outs:
    - model.txt
    metrics:
    - metrics.json:
        cache: false
"""

PREPARE = """\
import os
os.makedirs("prepared", exist_ok=True)
open("prepared/a.txt", "w").write(open("raw.txt").read().upper())
open("prepared/b.txt", "w").write("b")
open("runs.log", "a").write("prepare\\n")
"""

# Reads the one param it needs without a YAML library, so the stage runs on any python3.
TRAIN = """\
import re
lr = re.search(r"lr: *([0-9.]+)", open("params.yaml").read()).group(1)
open("model.txt", "w").write(lr + open("prepared/a.txt").read())
open("metrics.json", "w").write('{"acc": 0.9}')
open("runs.log", "a").write("train\\n")
"""


def _project(ws: Workspace) -> None:
    ws.write("dvc.yaml", DVC_YAML)
    ws.write("prepare.py", PREPARE)
    ws.write("train.py", TRAIN)
    ws.write("params.yaml", "train:\n  lr: 0.1\n  epochs: 3\n")
    ws.write("raw.txt", "hello\n")
    ws.write(".gitignore", "runs.log\n")


def _runs(ws: Workspace) -> list[str]:
    path = ws.root / "runs.log"
    return path.read_text().split() if path.exists() else []


def test_flowops_repro_writes_a_dvc_lock_that_dvc_calls_up_to_date(workspace: Workspace):
    _project(workspace)
    workspace.flowops("repro")
    assert _runs(workspace) == ["prepare", "train"]
    assert workspace.dvc("status", "--json").json() == {}
    assert "Data and pipelines are up to date" in workspace.dvc("status").stdout


def test_dvc_repro_leaves_nothing_for_flowops_to_run(workspace: Workspace):
    _project(workspace)
    workspace.dvc("repro")
    lock = workspace.read("dvc.lock")
    workspace.flowops("repro")
    assert _runs(workspace) == ["prepare", "train"]
    assert workspace.read("dvc.lock") == lock


def test_both_tools_write_the_same_dvc_lock(make_ws):
    by_dvc, by_flowops = make_ws("by_dvc"), make_ws("by_flowops")
    for ws in (by_dvc, by_flowops):
        _project(ws)
    by_dvc.dvc("repro")
    by_flowops.flowops("repro")
    assert by_flowops.read("dvc.lock") == by_dvc.read("dvc.lock")


def test_a_param_change_reruns_only_the_stage_that_reads_it(workspace: Workspace):
    _project(workspace)
    workspace.flowops("repro")
    workspace.write("params.yaml", "train:\n  lr: 0.2\n  epochs: 3\n")
    assert "train" in workspace.dvc("status", "--json").json()
    workspace.flowops("repro")
    assert _runs(workspace) == ["prepare", "train", "train"]
    assert workspace.read("model.txt").startswith("0.2")
    assert workspace.dvc("status", "--json").json() == {}


def test_flowops_restores_a_stage_from_the_run_cache_dvc_saved(workspace: Workspace):
    _project(workspace)
    workspace.dvc("repro")  # lr 0.1, saved to the run-cache
    workspace.write("params.yaml", "train:\n  lr: 0.2\n  epochs: 3\n")
    workspace.dvc("repro")
    workspace.write("params.yaml", "train:\n  lr: 0.1\n  epochs: 3\n")
    workspace.flowops("repro")
    # train ran twice (0.1 and 0.2), the return to 0.1 came from the run-cache.
    assert _runs(workspace) == ["prepare", "train", "train"]
    assert workspace.read("model.txt").startswith("0.1")
    assert workspace.dvc("status", "--json").json() == {}


FAILING_PIPELINE = """stages:
  broken:
    cmd: echo going wrong && exit 3
    outs: [broken.out]
  independent:
    cmd: echo fine > independent.out
    outs: [independent.out]
"""


def test_both_tools_stop_at_a_failed_stage_and_go_on_with_keep_going(make_ws):
    by_dvc, by_flowops = make_ws("by_dvc"), make_ws("by_flowops")
    for ws in (by_dvc, by_flowops):
        ws.write("dvc.yaml", FAILING_PIPELINE)
    assert by_dvc.dvc("repro", check=False).returncode != 0
    assert by_flowops.flowops("repro", check=False).returncode != 0
    for ws in (by_dvc, by_flowops):
        assert not (ws.root / "independent.out").exists()
        assert not (ws.root / "dvc.lock").exists()
    by_dvc.dvc("repro", "-k", check=False)
    by_flowops.flowops("repro", "-k", check=False)
    assert by_flowops.read("independent.out") == by_dvc.read("independent.out") == "fine\n"
    assert by_flowops.read("dvc.lock") == by_dvc.read("dvc.lock")
