"""`repro`'s output line for line beside dvc 3.67.1 (`repo/reproduce.py` `_reproduce`): a blank line opens
each stage that follows one that returned (ran, restored from the run-cache); none follows an unchanged or a
pulled stage, a failure leaves it as the stage before had it, nothing trails the last stage. With
`core.remote` naming no remote, `--pull` fails the stage with dvc's RemoteNotFoundError, after
`_collect_indexes`' warning for the workspace. Only FlowOps' own additions are taken out: its `ran in` line and
the `[stage]` prefix of the stages' output."""

from __future__ import annotations

import re

import pytest

from conftest import THREE_STAGE_PIPELINE, Workspace, both_repro

PIPELINE = THREE_STAGE_PIPELINE
FAILING = PIPELINE.replace("cp a.txt b.txt", "echo b-fails; exit 3")


def _twins(make_ws, pipeline: str = PIPELINE, remote: bool = False) -> dict[str, Workspace]:
    twins = {tool: make_ws(tool) for tool in ("dvc", "flowops")}
    for ws in twins.values():
        ws.write("data.txt", "data\n")
        ws.write("dvc.yaml", pipeline)
        if remote:
            ws.dvc("remote", "add", "-q", "-d", "r", str(ws.root.parent / f"remote-{ws.root.name}"))
    return twins


def test_blank_lines_between_stages_that_ran_restored_or_were_skipped(make_ws) -> None:
    twins = _twins(make_ws)
    code, stdout, _ = both_repro(twins)
    assert code == 0 and "Updating lock file 'dvc.lock'\n\nRunning stage 'b':\n" in stdout
    assert both_repro(twins, "-s", "c")[1] == "Stage 'c' didn't change, skipping\nData and pipelines are up to date.\n"
    for ws in twins.values():
        ws.write("data.txt", "other\n")
    assert "\n\nStage 'c' didn't change, skipping\n" in both_repro(twins)[1]
    for ws in twins.values():
        ws.write("data.txt", "data\n")
    assert "outputs\nUpdating lock file 'dvc.lock'\n\nStage 'b' is cached" in both_repro(twins)[1]
    assert both_repro(twins, "-f")[0] == 0
    assert both_repro(twins, "-q") == (0, "", "")


@pytest.mark.parametrize("args", [(), ("-k",), ("--ignore-errors",)])
def test_blank_lines_around_a_failed_stage(make_ws, args) -> None:
    code, stdout, _ = both_repro(_twins(make_ws, FAILING), *args)
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
    code, stdout, _ = both_repro(twins, "--pull")
    assert code == 0 and "Updating lock file 'dvc.lock'\n\nPulling data for stage: 'c'\n\nTo track" in stdout
    for ws in twins.values():
        (ws.root / "b.txt").unlink()
        ws.write("c.txt", "edited\n")
    assert both_repro(twins, "--pull")[1].startswith(
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
    code, _, stderr = both_repro(twins, "--pull", *args)
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
    assert both_repro(twins, "--pull", "a") == (
        255,
        "",
        "WARNING: Failed to pull run cache: config file error: remote 'nosuch' doesn't exist\n"
        "ERROR: failed to reproduce 'a': config file error: remote 'nosuch' doesn't exist\n",
    )
