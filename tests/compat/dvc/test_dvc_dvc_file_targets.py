"""`push`, `fetch` and `pull` of a `.dvc` file target read that file alone in dvc 3.67.1: damaged pipeline files
and another damaged `.dvc` file elsewhere neither stop nor warn. An out-path target still collects every stage
file, so there the damage stops both tools the same way."""

from __future__ import annotations

import shutil

import pytest
from conftest import Workspace

DAMAGED = {
    "dvc.yaml": "stages:\n  s:\n    cmd: [\n",
    "dvc.lock": "schema: '2.0'\nstages: {s: [\n",
    "sub/dvc.lock": "garbage: [\n",
    "other.dvc": "outs: [\n",
}


def _damaged_project(make_ws, tool: str) -> Workspace:
    ws = make_ws(tool)
    ws.dvc("remote", "add", "-d", "store", str(ws.root.parent / f"{tool}-remote"))
    ws.write("data.csv", "a,b\n1,2\n")
    ws.dvc("add", "-q", "data.csv")
    for name, text in DAMAGED.items():
        (ws.root / name).parent.mkdir(parents=True, exist_ok=True)
        ws.write(name, text)
    return ws


def _run(ws: Workspace, tool: str, *args: str):
    result = ws.dvc(*args, check=False) if tool == "dvc" else ws.flowops("data", *args, check=False)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING: ")]
    return result.returncode, result.stdout, warnings


def test_a_dvc_file_target_moves_its_data_past_damaged_stage_files(make_ws) -> None:
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = _damaged_project(make_ws, tool)
        pushed = _run(ws, tool, "push", "data.csv.dvc")
        shutil.rmtree(ws.root / ".dvc" / "cache")
        fetched = _run(ws, tool, "fetch", "data.csv.dvc")
        outcomes[tool] = (pushed, fetched)
        assert (ws.root.parent / f"{tool}-remote" / "files").is_dir()
    assert outcomes["flowops"] == outcomes["dvc"] == ((0, "1 file pushed\n", []), (0, "1 file fetched\n", []))


@pytest.mark.parametrize("target", ["data.csv", "missing.dvc"])
def test_other_targets_still_stop_at_a_damaged_stage_file(make_ws, target: str) -> None:
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = _damaged_project(make_ws, tool)
        outcomes[tool] = _run(ws, tool, "push", target)
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][0] == 1 and outcomes["dvc"][2] == ["WARNING: failed to collect 'workspace', skipping"]


def test_a_dvc_file_target_is_checked_out_and_pulled_past_damaged_stage_files(make_ws) -> None:
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = _damaged_project(make_ws, tool)
        (ws.root / "data.csv").unlink()
        checked_out = _run(ws, tool, "checkout", "data.csv.dvc")
        restored = (ws.root / "data.csv").read_text()
        _run(ws, tool, "push", "data.csv.dvc")
        shutil.rmtree(ws.root / ".dvc" / "cache")
        (ws.root / "data.csv").unlink()
        pulled = _run(ws, tool, "pull", "data.csv.dvc")
        outcomes[tool] = (checked_out, restored, pulled, (ws.root / "data.csv").read_text())
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][1] == outcomes["dvc"][3] == "a,b\n1,2\n"
    assert outcomes["dvc"][2][0] == 0
