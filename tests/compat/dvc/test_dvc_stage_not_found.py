"""Targets and paths that name nothing, and expressions that do not parse: a stage name missing from dvc.yaml
(dvc appends "Stage 's' not found inside 'dvc.yaml' file" to its NoOutputOrStageError), `gc -p` with a folder
inside a project (dvc opens the project's root, and fails on its own lock for the current project), `repro`
from a folder with no dvc.yaml (dvc names the missing file before reading the root's params.yaml), and a bad
`${...}` (dvc's pyparsing report): `dvc` and flowops, the same exit codes and messages."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from conftest import Workspace, data_outcome, error_lines

PIPELINE = "stages:\n  a:\n    cmd: echo a > a.txt\n    outs:\n    - a.txt\n"


def test_missing_stage_name_says_why(workspace: Workspace, tmp_path: Path) -> None:
    workspace.write(".dvc/config", f"[core]\n    remote = r\n['remote \"r\"']\n    url = {tmp_path / 'remote'}\n")
    workspace.write("dvc.yaml", PIPELINE)
    for command in ("push", "checkout"):
        dvc = data_outcome(workspace, "dvc", command, "s")
        assert data_outcome(workspace, "flowops", command, "s") == dvc
        assert dvc[2].endswith(": Stage 's' not found inside 'dvc.yaml' file"), dvc


def _objects(cache: Path) -> set[str]:
    return {str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file()}


def _track(root: Path, cache: Path, name: str) -> None:
    """`name` with its .dvc file and cache object, as `dvc add` leaves them (written here: dvc costs seconds)."""
    text = f"{name}\n".encode()
    md5 = hashlib.md5(text).hexdigest()
    (root / name).write_bytes(text)
    (root / f"{name}.dvc").write_text(f"outs:\n- md5: {md5}\n  size: {len(text)}\n  hash: md5\n  path: {name}\n")
    (cache / "files" / "md5" / md5[:2]).mkdir(parents=True, exist_ok=True)
    (cache / "files" / "md5" / md5[:2] / md5[2:]).write_bytes(text)


def test_gc_project_folder_stands_for_its_repository(workspace: Workspace, tmp_path: Path) -> None:
    other = tmp_path / "other"
    (other / "sub").mkdir(parents=True)
    (other / ".dvc").mkdir()
    (other / ".dvc" / "config").write_text("[core]\n    no_scm = true\n")
    cache = workspace.root / ".dvc" / "cache"
    _track(other, cache, "y.txt")
    _track(workspace.root, cache, "x.txt")
    saved = tmp_path / "saved-cache"
    shutil.copytree(cache, saved)
    kept = {}
    for tool in ("dvc", "flowops"):
        shutil.rmtree(cache)
        shutil.copytree(saved, cache)
        kept[tool] = (data_outcome(workspace, tool, "gc", "-w", "-f", "-p", str(other / "sub")), _objects(cache))
    assert kept["flowops"] == kept["dvc"]
    assert kept["dvc"][1] == _objects(saved) and len(kept["dvc"][1]) == 2
    # A folder of the current project: dvc opens it again and cannot take the lock it already holds.
    (workspace.root / "sub").mkdir()
    dvc = data_outcome(workspace, "dvc", "gc", "-w", "-f", "-p", "sub")
    assert data_outcome(workspace, "flowops", "gc", "-w", "-f", "-p", "sub") == dvc
    assert dvc[0] == 255 and "Unable to acquire lock" in dvc[2]


def test_repro_from_a_folder_without_dvc_yaml_names_it_first(workspace: Workspace) -> None:
    workspace.write("dvc.yaml", PIPELINE)
    workspace.write("params.yaml", "a: [1\n")
    sub = workspace.root / "sub"
    sub.mkdir()
    dvc = workspace.dvc("repro", check=False, cwd=sub)
    flowops = workspace.flowops("repro", check=False, cwd=sub)
    assert (flowops.returncode, error_lines(flowops.stderr)) == (dvc.returncode, error_lines(dvc.stderr))
    assert error_lines(dvc.stderr) == f"'{sub / 'dvc.yaml'}' does not exist"


def test_bad_interpolation_reports_where_parsing_stopped(workspace: Workspace) -> None:
    workspace.write("dvc.yaml", "stages:\n  a:\n    cmd: echo ${a[}\n")
    dvc = workspace.dvc("repro", check=False)
    flowops = workspace.flowops("repro", check=False)
    assert (flowops.returncode, error_lines(flowops.stderr)) == (dvc.returncode, error_lines(dvc.stderr))
    assert error_lines(dvc.stderr).splitlines()[:3] == [
        "failed to parse 'stages.a.cmd' in 'dvc.yaml':",
        "${a[}",
        "   ^",
    ]
