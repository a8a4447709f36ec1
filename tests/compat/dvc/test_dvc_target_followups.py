"""Targets dvc.yaml declares but dvc.lock does not hash (a stage never run, `cache: false` outs), history
commits that lack a target, and gc's `-p` with a project dvc cannot open: `dvc` and `flowops data` on the
same workspace, the same exit codes, output and (where flowops words them as dvc does) error messages."""

from __future__ import annotations

import pytest

from conftest import Workspace, data_outcome

FIRST = """\
stages:
  a:
    cmd: echo a > a.txt
    outs:
    - a.txt
  nc:
    cmd: echo nc > nc.txt
    outs:
    - nc.txt:
        cache: false
"""

NEVER_RUN = """\
  s:
    cmd: echo s > s.txt
    outs:
    - s.txt
"""


@pytest.fixture
def pipeline(workspace: Workspace, tmp_path) -> Workspace:
    """Commit one runs `a` and the `cache: false` `nc`; the workspace adds `s`, never run."""
    workspace.dvc("remote", "add", "-d", "r", str(tmp_path / "remote"))
    workspace.write("dvc.yaml", FIRST)
    workspace.dvc("repro", "-q")
    workspace.git("add", "-A")
    workspace.git("commit", "-q", "-m", "one")
    workspace.write("dvc.yaml", FIRST + NEVER_RUN)
    return workspace


def both(ws: Workspace, *args: str) -> tuple[int, str, str]:
    dvc = data_outcome(ws, "dvc", *args)
    flowops = data_outcome(ws, "flowops", *args)
    assert flowops[:2] == dvc[:2], (args, dvc, flowops)
    return flowops


@pytest.mark.parametrize("command", ["push", "fetch"])
@pytest.mark.parametrize("target", ["s", "nc.txt"])
def test_declared_targets_without_hashes_move_nothing(pipeline: Workspace, command: str, target: str) -> None:
    assert both(pipeline, command, target)[:2] == (0, "Everything is up to date.")


@pytest.mark.parametrize("command", ["pull", "checkout"])
def test_never_run_stage_fails_checkout_and_cache_false_passes(pipeline: Workspace, command: str) -> None:
    code, _, errors = both(pipeline, command, "s")
    assert code == (1 if command == "pull" else 255) and "s.txt" in errors
    dvc_errors = data_outcome(pipeline, "dvc", command, "s")[2]
    warning = f"WARNING: No file hash info found for '{pipeline.root / 's.txt'}'. It won't be created."
    assert warning in dvc_errors and warning in errors, (dvc_errors, errors)
    # The failed target is named alone, as dvc names it.
    assert "\ns.txt\n" in dvc_errors and "\ns.txt\n" in errors, (dvc_errors, errors)
    assert both(pipeline, command, "nc")[0] == 0


def test_status_all_commits_leaves_out_cache_false_lock_outs(pipeline: Workspace) -> None:
    assert both(pipeline, "status", "-c", "-A")[:2] == (0, "\tnew:                a.txt")


def test_status_fails_on_a_commit_that_lacks_the_target(pipeline: Workspace) -> None:
    pipeline.dvc("repro", "-q", "s")
    pipeline.git("add", "-A")
    pipeline.git("commit", "-q", "-m", "two")
    first = pipeline.git("rev-list", "--max-parents=0", "HEAD").stdout.strip()
    dvc = data_outcome(pipeline, "dvc", "status", "-c", "-A", "s")
    flowops = data_outcome(pipeline, "flowops", "status", "-c", "-A", "s")
    assert flowops[:2] == dvc[:2] == (1, "")
    prefix = f"Failed to collect '{first}': 's' does not exist as an output or a stage name in 'dvc.yaml'"
    assert dvc[2].startswith(prefix) and flowops[2].startswith(prefix)


def test_gc_refuses_projects_it_cannot_open_before_removing_anything(pipeline: Workspace, tmp_path) -> None:
    (tmp_path / "plain").mkdir()
    cache = sorted(p.name for p in (pipeline.root / ".dvc" / "cache").rglob("*"))
    for project in ["../nowhere", str(tmp_path / "plain")]:
        dvc = data_outcome(pipeline, "dvc", "gc", "-w", "-f", "-p", project)
        flowops = data_outcome(pipeline, "flowops", "gc", "-w", "-f", "-p", project)
        assert flowops == dvc and dvc[0] == 253, (project, dvc, flowops)
    assert sorted(p.name for p in (pipeline.root / ".dvc" / "cache").rglob("*")) == cache
