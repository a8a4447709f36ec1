"""`repro`'s output line for line beside dvc 3.67.1 (`repo/reproduce.py` `_reproduce`): a blank line opens
each stage that follows one that returned (ran, restored from the run-cache); none follows an unchanged or a
pulled stage, a failure leaves it as the stage before had it, nothing trails the last stage. With
`core.remote` naming no remote, `--pull` fails the stage with dvc's RemoteNotFoundError, after
`_collect_indexes`' warning for the workspace. Only FlowOps' own additions are taken out: its `ran in` line and
the `[stage]` prefix of the stages' output."""

from __future__ import annotations

import re

import pytest

from conftest import Workspace, sorted_git_add

PIPELINE = """\
stages:
  a:
    cmd: cp data.txt a.txt && echo a-said
    deps: [data.txt]
    outs: [a.txt]
  b:
    cmd: cp a.txt b.txt
    deps: [a.txt]
    outs: [b.txt]
  c:
    cmd: echo c > c.txt
    outs: [c.txt]
"""
FAILING = PIPELINE.replace("cp a.txt b.txt", "echo b-fails; exit 3")


def _twins(make_ws, pipeline: str = PIPELINE, remote: bool = False) -> dict[str, Workspace]:
    twins = {tool: make_ws(tool) for tool in ("dvc", "flowops")}
    for ws in twins.values():
        ws.write("data.txt", "data\n")
        ws.write("dvc.yaml", pipeline)
        if remote:
            ws.dvc("remote", "add", "-q", "-d", "r", str(ws.root.parent / f"remote-{ws.root.name}"))
    return twins


def _repro(ws: Workspace, tool: str, *args: str) -> tuple[int, str, str]:
    run = ws.dvc if tool == "dvc" else ws.flowops
    result = run("repro", *args, check=False)
    stdout = re.sub(r"Stage '[\w/.:]+' ran in \d+\.\d s\.\n", "", result.stdout)
    stdout = re.sub(r"(?m)^\[[\w/.:-]+\] ", "", stdout)
    stdout = stdout.replace("flowops data push", "dvc push").replace("flowops data config", "dvc config")
    stdout = sorted_git_add(stdout)
    return result.returncode, stdout, result.stderr.replace(str(ws.root), "<ws>")


def _both(twins: dict[str, Workspace], *args: str) -> tuple[int, str, str]:
    outcomes = {tool: _repro(ws, tool, *args) for tool, ws in twins.items()}
    assert outcomes["flowops"] == outcomes["dvc"], args
    return outcomes["dvc"]


def test_blank_lines_between_stages_that_ran_restored_or_were_skipped(make_ws) -> None:
    twins = _twins(make_ws)
    code, stdout, _ = _both(twins)
    assert code == 0 and "Updating lock file 'dvc.lock'\n\nRunning stage 'b':\n" in stdout
    assert _both(twins, "-s", "c")[1] == "Stage 'c' didn't change, skipping\nData and pipelines are up to date.\n"
    for ws in twins.values():
        ws.write("data.txt", "other\n")
    assert "\n\nStage 'c' didn't change, skipping\n" in _both(twins)[1]
    for ws in twins.values():
        ws.write("data.txt", "data\n")
    assert "outputs\nUpdating lock file 'dvc.lock'\n\nStage 'b' is cached" in _both(twins)[1]
    assert _both(twins, "-f")[0] == 0
    assert _both(twins, "-q") == (0, "", "")


@pytest.mark.parametrize("args", [(), ("-k",), ("--ignore-errors",)])
def test_blank_lines_around_a_failed_stage(make_ws, args) -> None:
    code, stdout, _ = _both(_twins(make_ws, FAILING), *args)
    assert "Updating lock file 'dvc.lock'\n\nRunning stage 'b':\n" in stdout


def test_pulled_stages_are_not_set_apart(make_ws) -> None:
    twins = _twins(make_ws, remote=True)
    for ws in twins.values():
        ws.dvc("repro", "-q")
        ws.dvc("push", "-q")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "ran")
        for name in ("a.txt", "b.txt", "c.txt"):
            (ws.root / name).unlink()
        ws.write("data.txt", "other\n")
    code, stdout, _ = _both(twins, "--pull")
    assert code == 0 and "Updating lock file 'dvc.lock'\n\nPulling data for stage: 'c'\n\nTo track" in stdout
    for ws in twins.values():
        (ws.root / "b.txt").unlink()
        ws.write("c.txt", "edited\n")
    assert _both(twins, "--pull")[1].startswith(
        "Stage 'a' didn't change, skipping\nPulling data for stage: 'b'\nRunning stage 'c':\n"
    )


@pytest.mark.parametrize("args", [(), ("a",), ("-k",), ("--ignore-errors",), ("-q",), ("--no-run-cache",)])
def test_pull_with_core_remote_naming_no_remote(make_ws, args) -> None:
    twins = _twins(make_ws, remote=True)
    for ws in twins.values():
        ws.dvc("repro", "-q")
        ws.dvc("push", "-q")
        ws.dvc("config", "core.remote", "nosuch")
        for name in ("a.txt", "b.txt"):
            (ws.root / name).unlink()
    code, _, stderr = _both(twins, "--pull", *args)
    if "-q" not in args:
        assert "WARNING: failed to collect 'workspace', skipping\n" in stderr
        assert "config file error: remote 'nosuch' doesn't exist\n" in stderr
    assert code == (0 if "--ignore-errors" in args else 255)


def test_restore_with_core_remote_naming_no_remote(make_ws) -> None:
    twins = _twins(make_ws, remote=True)
    for ws in twins.values():
        ws.dvc("repro", "-q")
        ws.dvc("config", "core.remote", "nosuch")
        ws.write("a.txt", "edited\n")
    assert _both(twins, "--pull", "a") == (
        255,
        "",
        "WARNING: Failed to pull run cache: config file error: remote 'nosuch' doesn't exist\n"
        "ERROR: failed to reproduce 'a': config file error: remote 'nosuch' doesn't exist\n",
    )
