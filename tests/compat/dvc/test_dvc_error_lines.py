"""The whole of stderr and the exit code of `dvc <cmd>` and `flowops data <cmd>` (or `flowops <cmd>` for dag, stage
and plots) when the command fails: dvc's `ERROR: <message>` line, "configuration error - " before a ConfigError,
the support footer after an unexpected error, in twin repositories, and outside any repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import DVC_BIN, FLOWOPS_BIN, Workspace

# Commands that are top-level in FlowOps too; every other one is under `flowops data`.
TOP_LEVEL = {"dag", "stage", "plots", "repro", "params", "metrics"}


def outcome(tool: str, args: list[str], cwd: Path, masked: Path) -> tuple[int, str]:
    """The exit code and stderr (with `masked` as <ws>) of one tool, its stdin closed so a prompt reads no answer."""
    if tool == "dvc":
        command = [str(DVC_BIN), *args]
    else:
        command = [str(FLOWOPS_BIN), *([] if args[0] in TOP_LEVEL else ["data"]), *args]
    env = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120
    )
    return done.returncode, done.stderr.replace(str(masked), "<ws>")


def prepared(ws: Workspace) -> Workspace:
    ws.write("f.txt", "f\n")
    ws.dvc("add", "-q", "f.txt")
    ws.write("dvc.yaml", "stages:\n  s:\n    cmd: echo hi > o.txt\n    outs: [o.txt]\n")
    return ws


IN_A_REPOSITORY = [
    ["add", "nowhere.txt"],
    ["remove", "nowhere.dvc"],
    ["remove", "f.txt"],
    ["move", "nowhere.txt", "x.txt"],
    ["move", "f.txt.dvc", "g"],
    ["commit", "nowhere"],
    ["status", "nowhere"],
    ["checkout", "nowhere"],
    ["gc"],
    ["gc", "-w"],
    ["push", "-r", "nope"],
    ["config", "core.nope", "1"],
    ["config", "-u", "core.nope"],
    ["remote", "remove", "nope"],
    ["remote", "modify", "nope", "url", "x"],
    ["remote", "default", "nope"],
    ["unprotect", "nowhere"],
    ["destroy"],
    ["update", "nowhere.dvc"],
    ["get-url", "nowhere"],
    ["import-url", "nowhere", "x"],
    ["dag", "nowhere"],
    ["stage", "list", "nowhere"],
    ["stage", "add", "-n", "s", "echo"],
    ["plots", "modify", "nowhere"],
]


@pytest.mark.parametrize("args", IN_A_REPOSITORY, ids=" ".join)
def test_a_failing_command_prints_dvcs_lines(make_ws, args: list[str]):
    twins = {tool: prepared(make_ws(tool)) for tool in ("dvc", "flowops")}
    by = {tool: outcome(tool, args, ws.root, ws.root) for tool, ws in twins.items()}
    assert by["flowops"] == by["dvc"]
    assert by["dvc"][0] != 0


def test_a_dvcignore_inside_an_added_directory(make_ws):
    by = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        ws.write("d/a", "a\n")
        ws.write("d/.dvcignore", "x\n")
        by[tool] = outcome(tool, ["add", "d"], ws.root, ws.root)
    assert by["flowops"] == by["dvc"] == (255, "ERROR: .dvcignore file should not be in collected dir path: '<ws>/d'\n")


@pytest.mark.parametrize(
    "args",
    [["status"], ["add", "x"], ["root"], ["push"], ["dag"], ["stage", "list"], ["remote", "add", "a", "b"], ["cache", "dir"]],
    ids=" ".join,
)
def test_outside_a_repository(tmp_path: Path, args: list[str]):
    outside = tmp_path / "plain"
    outside.mkdir()
    by = {tool: outcome(tool, args, outside, tmp_path) for tool in ("dvc", "flowops")}
    assert by["flowops"] == by["dvc"]
    assert by["dvc"][0] in (251, 253)
