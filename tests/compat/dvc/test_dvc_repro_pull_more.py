"""`repro --pull` with no default remote, and the lock-file lines of repro, beside dvc 3.67.1:

- `StageCache.restore(pull=True)` opens the default remote before it pulls the outs of the entry it restores
  from (the stage's dvc.lock entry, or the run-cache's), even outs whose objects are in the cache: with none
  configured that is the NoRemoteError, and the stage fails instead of being restored or run;
- a stage with nothing to restore from runs; outs whose objects are in the cache check out without a remote;
- after a stage runs, `ProjectFile.dump_stages` says "Updating lock file 'dvc.lock'" when its entry changed
  ("Generating lock file" first for a new dvc.lock).
"""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import Workspace, sorted_git_add

PREP = (
    "stages:\n  prep:\n    cmd: cp data.txt s.txt && echo more >> s.txt && echo ran >> runs.log\n"
    "    deps:\n    - data.txt\n    outs:\n    - s.txt\n"
)
NO_REMOTE = (
    "ERROR: failed to reproduce 'prep': config file error: no remote specified in <ws>. Create a default "
    "remote with\n    dvc remote add -d <remote name> <remote url>\n"
)


def _twins(make_ws) -> dict[str, Workspace]:
    """Both workspaces, set up by dvc alike and with no remote: data.txt tracked, the stage prep run."""
    twins = {tool: make_ws(tool) for tool in ("dvc", "flowops")}
    for ws in twins.values():
        ws.write("data.txt", "data\n")
        ws.write(".gitignore", "runs.log\n")
        ws.dvc("add", "-q", "data.txt")
        ws.write("dvc.yaml", PREP)
        ws.dvc("repro", "-q")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        (ws.root / "runs.log").unlink()
    return twins


def _repro(ws: Workspace, tool: str, *args: str) -> tuple[int, str, str]:
    """The outcome, with the workspace's path as `<ws>` and FlowOps' own words made dvc's."""
    run = ws.dvc if tool == "dvc" else ws.flowops
    result = run("repro", *args, check=False)
    stdout = re.sub(r"Stage '[\w/.:]+' ran in \d+\.\d s\.\n", "", result.stdout)
    stdout = stdout.replace("flowops data push", "dvc push").replace("flowops data config", "dvc config")
    stdout = sorted_git_add(stdout)
    stderr = result.stderr.replace(str(ws.root.resolve()), "<ws>").replace(str(ws.root), "<ws>")
    stderr = stderr.replace("flowops data remote add", "dvc remote add")
    return result.returncode, stdout, stderr


def _both(twins: dict[str, Workspace], *args: str) -> tuple[int, str, str]:
    outcomes = {tool: _repro(ws, tool, *args) for tool, ws in twins.items()}
    assert outcomes["flowops"] == outcomes["dvc"]
    return outcomes["dvc"]


def _drop_out_object(ws: Workspace) -> None:
    oid = re.search(r"path: s\.txt\n\s+hash: md5\n\s+md5: (\w+)", ws.read("dvc.lock")).group(1)
    shutil.rmtree(ws.root / ".dvc" / "cache" / "files" / "md5" / oid[:2])


@pytest.mark.parametrize("args", [(), ("--no-run-cache",), ("-s", "prep")])
def test_an_out_that_will_not_pull_fails_its_stage_with_no_remote(make_ws, args) -> None:
    twins = _twins(make_ws)
    for ws in twins.values():
        _drop_out_object(ws)
        (ws.root / "s.txt").unlink()
    code, stdout, stderr = _both(twins, "--pull", *args)
    assert (code, stdout.endswith("Unable to pull data for stage: 'prep'\n")) == (255, True)
    assert stderr.endswith(NO_REMOTE)
    for ws in twins.values():
        assert not (ws.root / "runs.log").exists()


@pytest.mark.parametrize("args", [("-k",), ("--ignore-errors",), ("-q",)])
def test_the_no_remote_failure_under_keep_going_ignore_errors_and_quiet(make_ws, args) -> None:
    twins = _twins(make_ws)
    for ws in twins.values():
        _drop_out_object(ws)
        (ws.root / "s.txt").unlink()
    code, _, stderr = _both(twins, "--pull", *args)
    assert code == (0 if args == ("--ignore-errors",) else 255)


def test_an_edited_out_in_the_cache_is_not_restored_with_no_remote(make_ws) -> None:
    twins = _twins(make_ws)
    for ws in twins.values():
        ws.write("s.txt", "edited\n")
    code, _, stderr = _both(twins, "--pull")
    assert (code, stderr.endswith(NO_REMOTE)) == (255, True)
    # `Stage.run` removes the outs before the restore fails.
    for ws in twins.values():
        assert not (ws.root / "s.txt").exists()


def test_a_stage_with_nothing_to_restore_from_runs_and_updates_the_lock_file(make_ws) -> None:
    twins = _twins(make_ws)
    for ws in twins.values():
        ws.write("data.txt", "new\n")
        ws.dvc("add", "-q", "data.txt")
    code, stdout, _ = _both(twins, "--pull")
    assert code == 0
    assert "> cp data.txt s.txt && echo more >> s.txt && echo ran >> runs.log\nUpdating lock file 'dvc.lock'\n" in stdout


def test_a_new_lock_file_is_generated_then_updated(make_ws) -> None:
    twins = {tool: make_ws(tool) for tool in ("dvc", "flowops")}
    for ws in twins.values():
        ws.write("data.txt", "data\n")
        ws.write("dvc.yaml", PREP)
    code, stdout, _ = _both(twins)
    assert code == 0
    assert "Generating lock file 'dvc.lock'\nUpdating lock file 'dvc.lock'\n" in stdout
