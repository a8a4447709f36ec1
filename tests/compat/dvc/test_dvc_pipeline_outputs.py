"""Pipeline outputs through a remote: one tool reproduces and pushes, the other pulls in a fresh clone."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import Workspace
from test_dvc_pipelines import DVC_YAML, _project, _runs


def _with_remote(ws: Workspace, remote: Path) -> None:
    ws.dvc("remote", "add", "-d", "storage", str(remote))


def _commit(ws: Workspace) -> None:
    ws.git("add", "-A")
    ws.git("commit", "-q", "-m", "pipeline")


def _clone(ws: Workspace, dest: Path) -> Workspace:
    subprocess.run(["git", "clone", "-q", str(ws.root), str(dest)], check=True, capture_output=True)
    return Workspace(dest)


def _outputs(ws: Workspace) -> dict[str, str]:
    return {rel: ws.read(rel) for rel in ("prepared/a.txt", "prepared/b.txt", "model.txt")}


def test_dvc_pulls_what_flowops_reproduced_and_pushed(workspace: Workspace, tmp_path: Path):
    _project(workspace)
    _with_remote(workspace, tmp_path / "remote")
    workspace.flowops("repro")
    workspace.flowops("data", "push")
    _commit(workspace)

    clone = _clone(workspace, tmp_path / "clone")
    clone.dvc("pull")
    assert _outputs(clone) == _outputs(workspace)
    assert clone.dvc("status", "--json").json() == {}


def test_flowops_pulls_what_dvc_reproduced_and_pushed(workspace: Workspace, tmp_path: Path):
    _project(workspace)
    _with_remote(workspace, tmp_path / "remote")
    workspace.dvc("repro")
    workspace.dvc("push")
    _commit(workspace)

    clone = _clone(workspace, tmp_path / "clone")
    pulled = clone.flowops("data", "pull")
    assert "A       prepared/" in pulled.stdout
    assert "A       model.txt" in pulled.stdout
    assert _outputs(clone) == _outputs(workspace)
    assert clone.dvc("status", "--json").json() == {}
    # A stage name selects its outputs, as dvc checkout accepts it.
    (clone.root / "model.txt").unlink()
    assert "A       model.txt" in clone.flowops("data", "checkout", "train").stdout


def test_flowops_restores_a_stage_from_a_run_cache_dvc_pushed(workspace: Workspace, tmp_path: Path):
    _project(workspace)
    # Without the `cache: false` metric: `dvc push` never sends those, so no clone could restore the stage.
    workspace.write("dvc.yaml", DVC_YAML.split("    metrics:")[0])
    _with_remote(workspace, tmp_path / "remote")
    workspace.dvc("repro")  # lr 0.1, saved to the run-cache
    # dvc's run-cache push sends entries only, so the lr 0.1 outputs reach the remote by a plain push.
    workspace.dvc("push")
    workspace.write("params.yaml", "train:\n  lr: 0.2\n  epochs: 3\n")
    workspace.dvc("repro")
    workspace.dvc("push", "--run-cache")
    _commit(workspace)

    clone = _clone(workspace, tmp_path / "clone")
    # Also fetches the objects the entries name, so repro can restore without --pull.
    clone.flowops("data", "pull", "--run-cache")
    clone.write("params.yaml", "train:\n  lr: 0.1\n  epochs: 3\n")
    clone.flowops("repro")
    assert _runs(clone) == []  # restored from the pulled run-cache, nothing ran
    assert clone.read("model.txt").startswith("0.1")
    assert clone.dvc("status", "--json").json() == {}


def test_dvc_restores_a_stage_from_a_run_cache_flowops_pushed(workspace: Workspace, tmp_path: Path):
    _project(workspace)
    _with_remote(workspace, tmp_path / "remote")
    workspace.flowops("repro")
    workspace.write("params.yaml", "train:\n  lr: 0.2\n  epochs: 3\n")
    workspace.flowops("repro")
    workspace.flowops("data", "push", "--run-cache")
    _commit(workspace)

    clone = _clone(workspace, tmp_path / "clone")
    clone.dvc("pull", "--run-cache")
    clone.write("params.yaml", "train:\n  lr: 0.1\n  epochs: 3\n")
    clone.dvc("repro", "--pull")
    assert _runs(clone) == []
    assert clone.read("model.txt").startswith("0.1")
    assert clone.dvc("status", "--json").json() == {}
