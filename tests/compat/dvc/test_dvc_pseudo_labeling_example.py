"""examples/pseudo-labeling under the real `dvc repro`: its `label` stage runs `npx --no flowops predict`, and
what either tool records, the other calls up to date.

The workspace is set up as a project that depends on the flowops package: the example's dvc.yaml and
params.yaml, its TypeScript stages as symlinks into the checkout (their imports resolve from there), and a
node_modules with `flowops` (the checkout, its bin in node_modules/.bin) and `tsx`. npm is kept offline, so
the stage fails rather than reaching the registry if npx ever stopped finding the local flowops.
"""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import REPO_ROOT, Workspace

EXAMPLE = REPO_ROOT / "examples" / "pseudo-labeling"
STAGE_FILES = ("prepare.ts", "teacher.ts", "student.ts", "tableTraining.ts")
WROTE = "Wrote 20000 rows with probabilities_0, probabilities_1, label to data/pseudo.parquet"


@pytest.fixture(autouse=True)
def _npm_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("npm_config_offline", "true")
    monkeypatch.setenv("npm_config_update_notifier", "false")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "")


def _project(ws: Workspace) -> None:
    for name in ("dvc.yaml", "params.yaml"):
        shutil.copy(EXAMPLE / name, ws.root / name)
    for name in STAGE_FILES:
        (ws.root / name).symlink_to(EXAMPLE / name)
    modules = ws.root / "node_modules"
    (modules / ".bin").mkdir(parents=True)
    (modules / "flowops").symlink_to(REPO_ROOT, target_is_directory=True)
    (modules / "tsx").symlink_to(REPO_ROOT / "node_modules" / "tsx", target_is_directory=True)
    (modules / ".bin" / "flowops").symlink_to("../flowops/bin/flowops.js")
    ws.write(".gitignore", "/node_modules\n")


def _student_metrics(ws: Workspace) -> dict:
    return json.loads(ws.read("metrics/student.json"))


def test_flowops_finds_nothing_to_do_after_dvc_repro_ran_the_predict_stage(workspace: Workspace):
    _project(workspace)
    result = workspace.dvc("repro")
    assert WROTE in result.stdout + result.stderr
    assert "Running stage 'label'" in result.stdout
    assert _student_metrics(workspace)["pseudo_labels"] > 0
    lock = workspace.read("dvc.lock")
    assert "npx --no flowops predict teacher" in lock

    assert workspace.flowops("data", "status", "--json").json() == {}
    again = workspace.flowops("repro")
    assert "Running stage" not in again.stdout
    assert "Data and pipelines are up to date." in again.stdout
    assert workspace.read("dvc.lock") == lock


def test_dvc_finds_nothing_to_do_after_flowops_repro_ran_the_pipeline(workspace: Workspace):
    _project(workspace)
    result = workspace.flowops("repro")
    assert f"[label] {WROTE}" in result.stdout
    lock = workspace.read("dvc.lock")

    assert workspace.dvc("status", "--json").json() == {}
    again = workspace.dvc("repro")
    assert "Running stage" not in again.stdout
    assert "Data and pipelines are up to date." in again.stdout
    assert workspace.read("dvc.lock") == lock

    # A threshold change, reproduced by flowops, reruns only the student; dvc agrees afterwards.
    workspace.write("params.yaml", workspace.read("params.yaml").replace("threshold: 0.9", "threshold: 0.8"))
    assert list(workspace.dvc("status", "--json").json()) == ["student"]
    rerun = workspace.flowops("repro")
    assert [line for line in rerun.stdout.splitlines() if line.startswith("Running stage")] == [
        "Running stage 'student':"
    ]
    assert _student_metrics(workspace)["threshold"] == 0.8
    assert workspace.dvc("status", "--json").json() == {}
