"""`repro --pull` where the pull cannot simply bring the data, beside dvc 3.67.1 (`Stage.reproduce`,
`stage/run.py`'s `_pull_missing_deps`, dvc-data's checkouts):

- a stage that runs pulls its missing deps after its outs' pull; a dep that will not check out fails it with
  the CheckoutError ("Checkout failed for following targets: ..."), which --ignore-errors warns of;
- an out with no hash recorded (a stage never run) is warned of, "No file hash info found for '<abs>'";
- a file still in the workspace whose object neither the cache nor the remote has fails its stage (or `.dvc`
  file): `Stage.checkout` will not relink it without a confirmation ("unable to remove ... Use `-f`");
- an edited out whose object is not in the cache counts as "not in cache", so it is pulled, and the pull's
  checkout refuses to overwrite it ("Can't remove the following unsaved files"): the stage fails, not runs.
  With the object in the cache it is a change, and the run-cache restores the stage.
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
NEVER_RUN = (
    "stages:\n  a:\n    cmd: cp data.txt a.txt\n    deps:\n    - data.txt\n    outs:\n    - a.txt\n"
    "  b:\n    cmd: cp a.txt b.txt\n    deps:\n    - a.txt\n    outs:\n    - b.txt\n"
)
CHECKOUT_FAILED = "Checkout failed for following targets:\n{}\nIs your cache up to date?\n<https://error.dvc.org/missing-files>"


def _twins(make_ws, *, track_data: bool = True, push: bool = False, run: bool = True) -> dict[str, Workspace]:
    """Both workspaces, set up by dvc alike: data.txt (tracked by data.txt.dvc or not), the stage prep run
    (and pushed), committed; then the cache lost."""
    twins = {tool: make_ws(tool) for tool in ("dvc", "flowops")}
    for ws in twins.values():
        remote = ws.root.parent / f"remote-{ws.root.name}"
        remote.mkdir()
        ws.dvc("remote", "add", "-d", "r", str(remote))
        ws.write("data.txt", "data\n")
        ws.write(".gitignore", "runs.log\n")
        if track_data:
            ws.dvc("add", "-q", "data.txt")
        ws.write("dvc.yaml", PREP if run else NEVER_RUN)
        if run:
            ws.dvc("repro", "-q")
        if push:
            ws.dvc("push", "-q")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        shutil.rmtree(ws.root / ".dvc" / "cache", ignore_errors=True)
    return twins


def _repro(ws: Workspace, tool: str, *args: str) -> tuple[int, str, str]:
    """The outcome, with the workspace's path as `<ws>` and FlowOps' own closing words made dvc's."""
    run = ws.dvc if tool == "dvc" else ws.flowops
    result = run("repro", "--pull", *args, check=False)
    stdout = re.sub(r"Stage '[\w/.:]+' ran in \d+\.\d s\.\n", "", result.stdout)
    stdout = sorted_git_add(stdout.replace("flowops data push", "dvc push"))
    stderr = result.stderr.replace(str(ws.root.resolve()), "<ws>").replace(str(ws.root), "<ws>")
    return result.returncode, stdout, stderr


def _both(twins: dict[str, Workspace], *args: str) -> tuple[int, str, str]:
    outcomes = {tool: _repro(ws, tool, *args) for tool, ws in twins.items()}
    assert outcomes["flowops"] == outcomes["dvc"]
    return outcomes["dvc"]


@pytest.mark.parametrize("args", [("-s", "prep"), ("--ignore-errors",)])
def test_a_missing_dep_that_will_not_check_out_fails_its_stage(make_ws, args) -> None:
    twins = _twins(make_ws)
    for ws in twins.values():
        (ws.root / "data.txt").unlink()
        (ws.root / "s.txt").unlink()
    code, stdout, stderr = _both(twins, *args)
    assert "Unable to pull data for stage: 'prep'\n" in stdout
    assert CHECKOUT_FAILED.format("data.txt") in stderr
    assert code == (0 if args == ("--ignore-errors",) else 255)
    for ws in twins.values():
        assert ws.read("runs.log") == "ran\n"


def test_outs_with_no_hash_recorded_are_warned_of(make_ws) -> None:
    twins = _twins(make_ws, track_data=False, run=False)
    code, _, stderr = _both(twins, "-s", "b")
    assert code == 255
    assert "WARNING: No file hash info found for '<ws>/b.txt'. It won't be created.\n" in stderr
    assert stderr.endswith(f"ERROR: failed to reproduce 'b': {CHECKOUT_FAILED.format('a.txt')}\n")


@pytest.mark.parametrize("args", [(), ("-k",), ("--ignore-errors",), ("-s", "prep")])
def test_a_file_whose_object_is_gone_everywhere_is_not_relinked(make_ws, args) -> None:
    twins = _twins(make_ws)
    code, _, stderr = _both(twins, *args)
    assert "without a confirmation. Use `-f` to force." in stderr
    assert code == (0 if args == ("--ignore-errors",) else 255)
    for ws in twins.values():
        assert ws.read("runs.log") == "ran\n"


def test_an_edited_out_not_in_the_cache_is_pulled_and_not_overwritten(make_ws) -> None:
    twins = _twins(make_ws, push=True)
    for ws in twins.values():
        ws.write("s.txt", "edited\n")
    code, stdout, stderr = _both(twins)
    assert (code, stdout) == (255, "Pulling data for stage: 'data.txt.dvc'\nPulling data for stage: 'prep'\n")
    assert stderr == (
        "ERROR: failed to reproduce 'prep': Can't remove the following unsaved files without confirmation. "
        "Use `--force` to force.\n<ws>/s.txt\n"
    )
    for ws in twins.values():
        assert ws.read("s.txt") == "edited\n"


def test_an_edited_out_in_the_cache_is_restored_by_the_run_cache(make_ws) -> None:
    twins = _twins(make_ws, push=True)
    for ws in twins.values():
        ws.dvc("pull", "-q")
        ws.write("s.txt", "edited\n")
    code, stdout, _ = _both(twins)
    assert (code, "Stage 'prep' is cached - skipping run, checking out outputs\n" in stdout) == (0, True)
    for ws in twins.values():
        assert (ws.read("s.txt"), ws.read("runs.log")) == ("data\nmore\n", "ran\n")
