"""A failing stage's output beside dvc 3.67.1 (`dvc/repo/reproduce.py`): by default stdout holds only what
ran and stderr ends with "ERROR: failed to reproduce '<stage>': <cause>", nothing said of the stages it
stopped; with -k each failure is a WARNING, then one for the stages it skips, and the closing ERROR names every
failed stage; with --ignore-errors each is a WARNING "(ignored)" and the exit is 0. `repro --pull` whose
download fails says "Pulling data for stage" first."""

from __future__ import annotations

import hashlib
import re
import shutil

import pytest

from conftest import Workspace, sorted_git_add

PIPELINE = (
    "stages:\n"
    "  prep:\n    cmd: exit 3\n    deps: [data.txt]\n    outs: [p.txt]\n"
    "  train:\n    cmd: cp p.txt t.txt\n    deps: [p.txt]\n    outs: [t.txt]\n"
    "  other:\n    cmd: cp data.txt o.txt\n    deps: [data.txt]\n    outs: [o.txt]\n"
    "  zlast:\n    cmd: exit 4\n    outs: [z.txt]\n"
)


def _twins(make_ws) -> dict[str, Workspace]:
    return {tool: make_ws(tool) for tool in ("dvc", "flowops")}


def _repro(ws: Workspace, tool: str, *args: str) -> tuple[int, str, str]:
    result = ws.dvc("repro", *args, check=False) if tool == "dvc" else ws.flowops("repro", *args, check=False)
    # FlowOps' own progress lines for a stage that ran, and its names for itself, are not what is compared here.
    stdout = re.sub(r"Stage '\w+' ran in \d+\.\d s\.\n", "", result.stdout)
    stdout = sorted_git_add(re.sub(r"(Generating|Updating) lock file 'dvc.lock'\n", "", stdout))
    return result.returncode, stdout, result.stderr.replace(str(ws.root), "WS")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            (),
            (255, "Running stage 'prep':\n> exit 3\n", "ERROR: failed to reproduce 'prep': failed to run: exit 3, exited with 3\n"),
        ),
        (
            ("-k",),
            (
                255,
                # No blank line after the failed prep (nothing returned before it); one after other, which ran.
                "Running stage 'prep':\n> exit 3\nRunning stage 'other':\n> cp data.txt o.txt\n"
                "\nRunning stage 'zlast':\n> exit 4\n",
                "WARNING: failed to run: exit 3, exited with 3\n"
                "WARNING: Stage 'train' will be skipped due to this failure\n"
                "WARNING: failed to run: exit 4, exited with 4\n"
                "ERROR: failed to reproduce stages: 'prep' and 'zlast'\n",
            ),
        ),
    ],
)
def test_a_failing_command_ends_as_dvc_ends(make_ws, args, expected) -> None:
    outcomes = {}
    for tool, ws in _twins(make_ws).items():
        ws.write("data.txt", "x\n")
        ws.write("dvc.yaml", PIPELINE)
        outcomes[tool] = _repro(ws, tool, *args)
    assert outcomes["flowops"] == outcomes["dvc"] == expected


def test_ignored_failures_are_warnings_and_the_rest_is_pushed(make_ws) -> None:
    outcomes = {}
    for tool, ws in _twins(make_ws).items():
        ws.write("data.txt", "x\n")
        ws.write("dvc.yaml", PIPELINE.replace("  train:\n    cmd: cp p.txt t.txt\n    deps: [p.txt]\n    outs: [t.txt]\n", ""))
        code, _, stderr = _repro(ws, tool, "--ignore-errors")
        outcomes[tool] = (code, stderr)
    assert outcomes["flowops"] == outcomes["dvc"] == (
        0,
        "WARNING: failed to run: exit 3, exited with 3 (ignored)\nWARNING: failed to run: exit 4, exited with 4 (ignored)\n",
    )


def test_a_missing_dependency_fails_alone_on_stderr(make_ws) -> None:
    outcomes = {}
    for tool, ws in _twins(make_ws).items():
        ws.write("dvc.yaml", PIPELINE.replace("cmd: exit 3", "cmd: cp data.txt p.txt"))
        code, stdout, stderr = _repro(ws, tool, "prep", "train")
        outcomes[tool] = (code, stdout, stderr.startswith("ERROR: failed to reproduce 'prep': "), stderr.count("\n"))
    assert outcomes["flowops"] == outcomes["dvc"] == (255, "", True, 1)


def test_repro_pull_says_it_pulls_before_its_download_fails(make_ws) -> None:
    outcomes = {}
    for tool, ws in _twins(make_ws).items():
        remote = ws.root.parent / f"remote-{tool}"
        ws.dvc("remote", "add", "-d", "r", str(remote))
        ws.write("data.txt", "data\n")
        ws.write(
            "dvc.yaml",
            "stages:\n  prep:\n    cmd: mkdir -p out && cp data.txt out/a && echo b > out/b\n    deps: [data.txt]\n"
            "    outs: [out]\n  train:\n    cmd: cp out/a t.txt\n    deps: [out]\n    outs: [t.txt]\n",
        )
        ws.dvc("repro", "-q")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        ws.dvc("push", "-q")
        for path in ("out", "t.txt", ".dvc/cache"):
            shutil.rmtree(ws.root / path) if (ws.root / path).is_dir() else (ws.root / path).unlink()
        b = hashlib.md5(b"b\n").hexdigest()
        (remote / "files" / "md5" / b[:2] / b[2:]).unlink()
        shutil.rmtree(remote / "runs", ignore_errors=True)
        code, stdout, stderr = _repro(ws, tool, "--pull")
        outcomes[tool] = (code, stdout, stderr.splitlines()[-1])
    assert outcomes["flowops"] == outcomes["dvc"] == (
        255,
        "Pulling data for stage: 'prep'\n",
        "ERROR: failed to reproduce 'prep': 2 files failed to download",
    )
