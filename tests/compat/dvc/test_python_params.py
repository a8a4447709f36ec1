"""Python params files (`params.py`): FlowOps reads the literal assignments DVC reads (module constants,
class attributes as `Class.NAME`, `self.x` in `__init__`) without running Python, and must record them in
dvc.lock byte for byte as dvc does, so each tool sees the other's lock as up to date."""

from __future__ import annotations

from conftest import Workspace

PARAMS_PY = '''"""Training parameters."""
import os

LR = 0.001
EPOCHS_F = 10.0
NAME = "resnet" '-50'
LAYERS = [64, 128, 256]
SHAPE = (224, 224)
OPTIM: dict = {"kind": "adam", "betas": [0.9, 0.999], "decay": None, "amsgrad": False}
SKIPPED = os.environ.get("X")  # not a literal: dvc ignores it
A = B = 1  # two targets: dvc ignores it


class TrainConfig:
    EPOCHS = 723
    BATCH: int = 32

    class Data:
        SPLIT = 0.2

    def __init__(self):
        self.layers = 5
        self.layers = 11
        self.total = 1 + 2
'''

DVC_YAML = """stages:
  train:
    cmd: echo trained > model.txt && echo train >> runs.log
    params:
    - params.py:
      - LR
      - EPOCHS_F
      - NAME
      - LAYERS
      - SHAPE
      - OPTIM
      - TrainConfig.EPOCHS
      - TrainConfig.Data
      - TrainConfig.layers
    outs:
    - model.txt
  whole:
    cmd: echo all > all.txt
    params:
    - params.py:
    outs:
    - all.txt
"""


def _project(ws: Workspace, params: str = PARAMS_PY) -> None:
    ws.write("dvc.yaml", DVC_YAML)
    ws.write("params.py", params)
    ws.write(".gitignore", "runs.log\n")


def _runs(ws: Workspace) -> list[str]:
    path = ws.root / "runs.log"
    return path.read_text().split() if path.exists() else []


def test_both_tools_write_the_same_dvc_lock_for_a_python_params_file(make_ws):
    by_dvc, by_flowops = make_ws("by_dvc"), make_ws("by_flowops")
    for ws in (by_dvc, by_flowops):
        _project(ws)
    by_dvc.dvc("repro")
    by_flowops.flowops("repro")
    assert by_flowops.read("dvc.lock") == by_dvc.read("dvc.lock")
    assert by_flowops.dvc("status", "--json").json() == {}


def test_a_class_attribute_change_reruns_the_stage_for_both_tools(workspace: Workspace):
    _project(workspace)
    workspace.dvc("repro")
    workspace.flowops("repro")
    assert _runs(workspace) == ["train"]
    workspace.write("params.py", PARAMS_PY.replace("EPOCHS = 723", "EPOCHS = 724"))
    assert "train" in workspace.dvc("status", "--json").json()
    workspace.flowops("repro")
    assert _runs(workspace) == ["train", "train"]
    assert workspace.dvc("status", "--json").json() == {}
