"""A dvc.lock or dvc.yaml that Git ignores: dvc refuses to reproduce, show or report on the pipeline
(FileIsGitIgnored), and FlowOps must refuse it the same way, with the same message and exit code, rather than
run stages and write a lock file nobody can commit."""

from __future__ import annotations

import pytest
from conftest import Workspace, error_lines

STAGE = "stages:\n  a:\n    cmd: echo hi > out.txt\n    outs:\n    - out.txt\n"

CASES = [
    # (what .gitignore lists, dvc's arguments, flowops' arguments)
    ("dvc.lock", ["repro"], ["repro"]),
    ("dvc.lock", ["repro", "a"], ["repro", "a"]),
    ("dvc.lock", ["status"], ["data", "status"]),
    ("dvc.lock", ["dag"], ["dag"]),
    ("dvc.lock", ["stage", "list"], ["stage", "list"]),
    ("dvc.lock", ["stage", "add", "-n", "b", "echo", "b"], ["stage", "add", "-n", "b", "echo", "b"]),
    ("dvc.yaml", ["repro"], ["repro"]),
    ("dvc.yaml", ["repro", "a"], ["repro", "a"]),
    ("dvc.yaml", ["stage", "add", "-n", "b", "echo", "b"], ["stage", "add", "-n", "b", "echo", "b"]),
    ("dvc.yaml", ["status"], ["data", "status"]),
    # Commands that read the index without the pipeline layer: checkout, gc and the transfers collect the
    # outs of every dvc.lock; remove and freeze load the dvc.yaml their target names.
    ("dvc.lock", ["checkout"], ["data", "checkout"]),
    ("dvc.lock", ["checkout", "a"], ["data", "checkout", "a"]),
    ("dvc.lock", ["gc", "-w", "-f"], ["data", "gc", "-w", "-f"]),
    ("dvc.lock", ["remove", "a"], ["data", "remove", "a"]),
    ("dvc.lock", ["remove", "dvc.yaml:a"], ["data", "remove", "dvc.yaml:a"]),
    ("dvc.lock", ["freeze", "a"], ["data", "freeze", "a"]),
    ("dvc.lock", ["unfreeze", "dvc.yaml:a"], ["data", "unfreeze", "dvc.yaml:a"]),
    ("dvc.yaml", ["checkout", "a"], ["data", "checkout", "a"]),
    ("dvc.yaml", ["remove", "a"], ["data", "remove", "a"]),
    ("dvc.yaml", ["freeze", "a"], ["data", "freeze", "a"]),
]


def outcome(ws: Workspace, tool: str, args: list[str]) -> tuple[int, str]:
    return full_outcome(ws, tool, args)[::2]


def full_outcome(ws: Workspace, tool: str, args: list[str]) -> tuple[int, str, str]:
    result = ws.dvc(*args, check=False) if tool == "dvc" else ws.flowops(*args, check=False)
    # Each workspace's absolute path, as both name a lock file by it.
    return (
        result.returncode,
        result.stdout.replace(str(ws.root), "<root>"),
        error_lines(result.stderr).replace(str(ws.root), "<root>"),
    )


@pytest.mark.parametrize(("ignored", "dvc_args", "flowops_args"), CASES)
def test_a_gitignored_pipeline_file_is_refused_as_dvc_refuses_it(
    make_ws, ignored: str, dvc_args: list[str], flowops_args: list[str]
):
    outcomes = {}
    for tool, args in (("dvc", dvc_args), ("flowops", flowops_args)):
        ws = make_ws(tool)
        ws.write("dvc.yaml", STAGE)
        ws.write(".gitignore", f"{ignored}\n")
        outcomes[tool] = outcome(ws, tool, args)
        # Nothing ran, so there is nothing for Git to miss.
        assert not (ws.root / "out.txt").exists() and not (ws.root / "dvc.lock").exists()
    if outcomes["dvc"][0] == 0:
        # The ignored dvc.yaml is simply not part of the project: only the exit code is compared.
        assert outcomes["flowops"][0] == 0
    else:
        assert outcomes["flowops"] == outcomes["dvc"]


def test_an_ignored_dvc_lock_in_a_subdirectory_stops_a_repro_of_the_root_pipeline(make_ws):
    outcomes = {}
    for tool, args in (("dvc", ["repro"]), ("flowops", ["repro"])):
        ws = make_ws(tool)
        ws.write("dvc.yaml", STAGE)
        ws.write("sub/dvc.yaml", STAGE)
        ws.write("sub/.gitignore", "dvc.lock\n")
        outcomes[tool] = outcome(ws, tool, args)
    assert outcomes["flowops"] == outcomes["dvc"] == (255, "'<root>/sub/dvc.lock' is git-ignored.")


VIEW_CASES = [
    # (what .gitignore lists, dvc's arguments, flowops' arguments): views that report an unreadable
    # revision and exit 0, or treat an ignored dvc.yaml as no pipeline at all.
    ("dvc.lock", ["metrics", "show"], ["metrics", "show"]),
    ("dvc.lock", ["metrics", "show", "--json"], ["metrics", "show", "--json"]),
    ("dvc.lock", ["plots", "show", "--json"], ["plots", "show", "--json"]),
    ("dvc.yaml", ["dag"], ["dag"]),
    ("dvc.yaml", ["dag", "--dot"], ["dag", "--dot"]),
    ("dvc.yaml", ["dag", "a"], ["dag", "a"]),
]


@pytest.mark.parametrize(("ignored", "dvc_args", "flowops_args"), VIEW_CASES)
def test_a_view_of_a_gitignored_pipeline_file_prints_what_dvc_prints(
    make_ws, ignored: str, dvc_args: list[str], flowops_args: list[str]
):
    outcomes = {}
    for tool, args in (("dvc", dvc_args), ("flowops", flowops_args)):
        ws = make_ws(tool)
        ws.write("dvc.yaml", STAGE)
        ws.write(".gitignore", f"{ignored}\n")
        outcomes[tool] = full_outcome(ws, tool, args)
    assert outcomes["flowops"] == outcomes["dvc"]
