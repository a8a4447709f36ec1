"""`flowops data du` beside `dvc du` on conftest's source repository: the same sizes and paths (dvc lists a
directory's entries in no fixed order, so lines compare as sets), the same exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_source_repo


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    ws = make_source_repo(tmp_path_factory.mktemp("du"))
    # Sizes past 1 KiB take dvc's k / M spelling (tqdm's format_sizeof).
    ws.write("big/one.bin", b"x" * 1536)
    ws.write("big/two.bin", b"y" * (3 * 1024 * 1024 + 5000))
    ws.dvc("add", "-q", "big")
    ws.write("notes.txt", "n" * 20000)
    ws.git("add", "-A")
    ws.git("commit", "-qm", "big")
    return ws


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["data"],
        ["-s"],
        ["data", "-s"],
        ["data/a.txt"],
        ["big"],
        ["--rev", "HEAD~1"],
        ["data", "--rev", "HEAD~2"],
        ["out"],
        ["src"],
    ],
)
def test_sizes_match_dvc(source, args: list[str], tmp_path: Path):
    from conftest import Workspace

    here = Workspace(tmp_path)
    ours = here.flowops("data", "du", str(source.root), *args, check=False)
    theirs = here.dvc("du", str(source.root), *args, check=False)
    assert ours.returncode == theirs.returncode == 0, ours.stderr
    assert sorted(ours.stdout.splitlines()) == sorted(theirs.stdout.splitlines())


def test_a_missing_path_fails_as_dvc_does(source, tmp_path: Path):
    from conftest import Workspace

    here = Workspace(tmp_path)
    assert here.flowops("data", "du", str(source.root), "nope", check=False).returncode == 255
    assert here.dvc("du", str(source.root), "nope", check=False).returncode == 255
