"""A stage whose dependency or param is missing, beside dvc 3.67.1. dvc asks whether the run-cache could
serve a stage (`_can_hash`, stage/cache.py) before running it, dry or not, and that hashes each dep: a
missing file or directory is Python's "[Errno 2] No such file or directory: '<absolute path>'", a param its
file lacks (or whose file is missing) "Parameters '<keys>' are missing from '<file>'.". A stage that check
skips (no outs, --force) meets `save_deps` instead: "dependency '<path>' does not exist"."""

from __future__ import annotations

import re

import pytest

from conftest import Workspace, sorted_git_add

PIPELINE = (
    "stages:\n"
    "  prep:\n    cmd: cp data.txt p.txt\n    deps: [data.txt]\n    outs: [p.txt]\n"
    "  train:\n    cmd: cp p.txt t.txt\n    deps: [p.txt]\n    outs: [t.txt]\n"
    "  inwdir:\n    wdir: sub\n    cmd: cp in.txt o.txt\n    deps: [in.txt]\n    outs: [o.txt]\n"
    "  fromdir:\n    cmd: ls d/ > d.txt\n    deps: [d/]\n    outs: [d.txt]\n"
    "  keyed:\n    wdir: sub\n    cmd: echo k > k.txt\n    deps: [../keep.txt]\n    params: [lr]\n    outs: [k.txt]\n"
    "  wholefile:\n    cmd: echo w > w.txt\n    deps: [keep.txt]\n    params:\n      - cfg.yaml:\n    outs: [w.txt]\n"
    "  noouts:\n    cmd: echo n\n    deps: [gone.txt]\n"
    "  forced:\n    cmd: echo f > f.txt\n    deps: [gone.txt]\n    outs: [f.txt]\n"
)


def _repro(ws: Workspace, tool: str, *args: str) -> tuple[int, str, str]:
    result = ws.dvc("repro", *args, check=False) if tool == "dvc" else ws.flowops("repro", *args, check=False)
    stdout = re.sub(r"Stage '\w+' ran in \d+\.\d s\.\n", "", result.stdout)
    stdout = re.sub(r"(Generating|Updating) lock file 'dvc.lock'\n", "", stdout)
    stdout = sorted_git_add(stdout.replace("flowops data push", "dvc push"))
    return result.returncode, stdout, result.stderr.replace(str(ws.root), "WS")


def _outcomes(make_ws, *args: str, stdout: bool = True) -> tuple[int, str, str]:
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(f"{tool}-{'_'.join(args)}")
        ws.write("keep.txt", "k\n")
        ws.write("sub/.keep", "")
        ws.write("dvc.yaml", PIPELINE)
        code, out, err = _repro(ws, tool, *args)
        outcomes[tool] = (code, out if stdout else "", err)
    assert outcomes["flowops"] == outcomes["dvc"], args
    return outcomes["dvc"]


@pytest.mark.parametrize(
    ("args", "cause"),
    [
        (("prep",), "[Errno 2] No such file or directory: 'WS/data.txt'"),
        (("--dry", "prep"), "[Errno 2] No such file or directory: 'WS/data.txt'"),
        (("inwdir",), "[Errno 2] No such file or directory: 'WS/sub/in.txt'"),
        (("fromdir",), "[Errno 2] No such file or directory: 'WS/d'"),
        (("keyed",), "Parameters 'lr' are missing from 'sub/params.yaml'."),
        (("wholefile",), "dependency 'cfg.yaml' does not exist"),
        (("noouts",), "dependency 'gone.txt' does not exist"),
    ],
)
def test_the_cause_is_dvcs(make_ws, args, cause) -> None:
    code, stdout, stderr = _outcomes(make_ws, *args)
    assert (code, stdout, stderr) == (255, "", f"ERROR: failed to reproduce '{args[-1]}': {cause}\n")


def test_a_dry_run_passes_what_the_run_cache_check_skips(make_ws) -> None:
    # FlowOps' dry run says "Would run stage" in its own words: only the outcome is compared.
    assert _outcomes(make_ws, "--dry", "noouts", stdout=False) == (0, "", "")
    assert _outcomes(make_ws, "--dry", "wholefile", stdout=False) == (0, "", "")


def test_a_forced_stage_runs_then_fails_on_its_missing_dep(make_ws) -> None:
    assert _outcomes(make_ws, "-f", "forced") == (
        255,
        "Running stage 'forced':\n> echo f > f.txt\n",
        "ERROR: failed to reproduce 'forced': dependency 'gone.txt' does not exist\n",
    )


def test_keep_going_and_ignore_errors_warn_with_the_same_cause(make_ws) -> None:
    code, _, stderr = _outcomes(make_ws, "-k", "train")
    assert (code, stderr) == (
        255,
        "WARNING: [Errno 2] No such file or directory: 'WS/data.txt'\n"
        "WARNING: Stage 'train' will be skipped due to this failure\n"
        "ERROR: failed to reproduce 'prep'\n",
    )
    code, _, stderr = _outcomes(make_ws, "--ignore-errors", "train")
    assert (code, stderr) == (
        0,
        "WARNING: [Errno 2] No such file or directory: 'WS/data.txt' (ignored)\n"
        "WARNING: [Errno 2] No such file or directory: 'WS/p.txt' (ignored)\n",
    )
