"""`flowops data check-ignore` beside `dvc check-ignore` in one workspace: the same lines, the same rule named
for each target (dvc's matcher groups rules and reports the first exclude of a group, not git's last rule), the
same exit codes, through targets and --stdin, with nested .dvcignore files and a nested DVC repository."""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import DVC_BIN, FLOWOPS_BIN, Workspace, error_lines


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    workspace.write(".dvcignore", "# comment\n*.log\nfoo*\n!keep.log\ndata/\n/build\n\n  spaced.txt  \n")
    workspace.write("sub/.dvcignore", "x.txt\n!y.log\n/abs\n# note\ndeep/*.tmp\n")
    for rel in ["a.log", "foo.log", "foo.txt", "keep.log", "b.txt", "spaced.txt", "data/f", "build/o",
                "sub/x.txt", "sub/y.log", "sub/abs", "sub/deep/x.txt", "sub/deep/t.tmp", "sub/deep/abs",
                "nested/q"]:
        workspace.write(rel, "")
    (workspace.root / "nested" / ".dvc").mkdir()
    return workspace


CASES = [
    ["a.log"], ["foo.log"], ["keep.log"], ["b.txt"], ["spaced.txt"], ["data"], ["data/f"], ["build/o"],
    ["sub/x.txt"], ["sub/y.log"], ["sub/abs"], ["sub/deep/x.txt"], ["sub/deep/t.tmp"], ["sub/deep/abs"],
    ["nested"], ["nested/q"], [".git"], [".dvc/config"], ["missing.log"], ["../outside.log"], ["."],
    ["a.log", "b.txt", "keep.log"],
    ["-d", "a.log", "foo.log", "foo.txt", "keep.log", "b.txt"],
    ["-d", "-n", "b.txt", "data/f", "sub/y.log", "sub/abs", "sub/deep/t.tmp", "nested/q", ".dvcignore"],
    ["-d", "-a", "foo.log"],
    ["-d", "-n", "b.txt"],
]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(case) for case in CASES])
def test_check_ignore_matches_dvc(ws: Workspace, args: list[str]) -> None:
    theirs = ws.dvc("check-ignore", *args, check=False)
    mine = ws.flowops("data", "check-ignore", *args, check=False)
    assert (mine.returncode, mine.stdout) == (theirs.returncode, theirs.stdout)


def test_check_ignore_from_a_subdirectory_matches_dvc(ws: Workspace) -> None:
    sub = ws.root / "sub"
    for args in (["x.txt", "y.log", "../a.log", "deep/t.tmp"], ["-d", "-n", "x.txt", "y.log", "../b.txt"]):
        theirs = ws.dvc("check-ignore", *args, check=False, cwd=sub)
        mine = ws.flowops("data", "check-ignore", *args, check=False, cwd=sub)
        assert (mine.returncode, mine.stdout) == (theirs.returncode, theirs.stdout)


def test_check_ignore_stdin_matches_dvc(ws: Workspace) -> None:
    # Paths are read until an empty line: foo.log comes after it and is never checked.
    lines = "a.log\nb.txt\ndata/f\n\nfoo.log\n"
    for args in (["--stdin"], ["--stdin", "-d", "-n"]):
        theirs = subprocess.run([str(DVC_BIN), "check-ignore", *args], cwd=ws.root, input=lines,
                                capture_output=True, text=True, env={**os.environ, "DVC_NO_ANALYTICS": "1"})
        mine = subprocess.run(["node", str(FLOWOPS_BIN), "data", "check-ignore", *args], cwd=ws.root,
                              input=lines, capture_output=True, text=True)
        assert (mine.returncode, mine.stdout) == (theirs.returncode, theirs.stdout)


@pytest.mark.parametrize("args", [[], ["--stdin", "a.log"], ["-n", "a.log"], ["-a", "a.log"]])
def test_check_ignore_refuses_what_dvc_refuses(ws: Workspace, args: list[str]) -> None:
    theirs = ws.dvc("check-ignore", *args, check=False)
    mine = ws.flowops("data", "check-ignore", *args, check=False)
    assert mine.returncode == theirs.returncode == 255
    assert error_lines(mine.stderr) == error_lines(theirs.stderr)
