"""A `.dvc` file, dvc.yaml or dvc.lock that is not YAML: dvc prints its YAMLSyntaxError report (the file, then
ruamel's context and problem with the source lines they mark, as rich lays them out) instead of an `ERROR:`
line, and `<command> -q` hides it; FlowOps must print the same bytes and exit with the same code."""

from __future__ import annotations

import os
import subprocess

import pytest
from conftest import DVC_BIN, FLOWOPS_BIN, Workspace

TOP_LEVEL = {"repro", "dag"}

STAGES = "stages:\n  a:\n    cmd: echo a > a.txt\n    outs:\n    - a.txt\n"

# (name, text): the mistakes people make by hand, each in the wording ruamel gives it.
DAMAGES = [
    ("unclosed quote", 'stages:\n  a:\n    cmd: "echo a\n    outs:\n    - a.txt\n'),
    ("key indented too far", "stages:\n  a:\n    cmd: echo a\n      outs: x\n"),
    ("key indented too little", "stages:\n  a:\n    cmd: echo a\n   outs:\n    - a.txt\n"),
    ("duplicate key", "stages:\n  a:\n    cmd: echo a\n    cmd: echo b\n"),
    ("tab", "stages:\n\ta:\n    cmd: echo a\n"),
    ("unclosed flow sequence", "stages:\n  a:\n    cmd: echo a\n    outs: [a.txt\n"),
    ("colon in a value", "stages:\n  a:\n    cmd: echo a: b\n"),
    ("merge conflict", "stages:\n  a:\n    cmd: echo a\n<<<<<<< HEAD\n"),
]

COMMANDS = [["status"], ["repro"], ["checkout"], ["add", "x.txt"]]


def outcome(ws: Workspace, tool: str, args: list[str]) -> tuple[int, str, str]:
    if tool == "dvc":
        command = [str(DVC_BIN), *args]
    else:
        command = [str(FLOWOPS_BIN), *([] if args[0] in TOP_LEVEL else ["data"]), *args]
    # `dvc -q add` is `flowops data -q add`: the option stays before the command.
    env = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    env.pop("COLUMNS", None)
    done = subprocess.run(command, cwd=ws.root, env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr.replace(str(ws.root), "<ws>")


def twins(make_ws, damaged: str, text: str, suffix: str = "") -> dict[str, Workspace]:
    made = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool + suffix)
        ws.write("x.txt", "x\n")
        ws.write("dvc.yaml", STAGES)
        ws.write(damaged, text)
        made[tool] = ws
    return made


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
@pytest.mark.parametrize(("name", "text"), DAMAGES, ids=[name for name, _ in DAMAGES])
def test_a_dvc_yaml_that_is_not_yaml_is_reported_as_dvc_reports_it(make_ws, name, text, args):
    by = {tool: outcome(ws, tool, args) for tool, ws in twins(make_ws, "dvc.yaml", text).items()}
    assert by["flowops"] == by["dvc"]
    assert by["dvc"][2].startswith("'./dvc.yaml' is invalid")


@pytest.mark.parametrize("damaged", ["dvc.lock", "sub/x.dvc"])
@pytest.mark.parametrize(("name", "text"), DAMAGES[:4], ids=[name for name, _ in DAMAGES[:4]])
def test_a_lock_or_dvc_file_that_is_not_yaml_is_reported_as_dvc_reports_it(make_ws, name, text, damaged):
    for args in (["status"], ["repro"]):
        by = {tool: outcome(ws, tool, args) for tool, ws in twins(make_ws, damaged, text, args[0]).items()}
        assert by["flowops"] == by["dvc"], args
        assert f"'./{damaged}' is invalid" in by["dvc"][2]


# dvc's -q after the command logs at CRITICAL: no ERROR line, no report, the same exit code; before the command
# it is dvc's top-level option, which the command's own defaults overwrite.
QUIET = [["add", "-q", "nowhere.txt"], ["status", "-q"], ["repro", "-q"], ["checkout", "-q"], ["-q", "add", "nowhere.txt"]]


@pytest.mark.parametrize("args", QUIET, ids=" ".join)
def test_quiet_hides_errors_as_dvc_does(make_ws, args):
    made = twins(make_ws, "dvc.yaml", DAMAGES[0][1])
    if args[0] == "-q":
        for ws in made.values():
            ws.write("dvc.yaml", STAGES)
    by = {tool: outcome(ws, tool, args) for tool, ws in made.items()}
    assert by["flowops"] == by["dvc"]
    assert by["dvc"][0] != 0
