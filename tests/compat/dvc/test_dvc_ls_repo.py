"""`flowops data ls <url> [path]` beside `dvc ls` on conftest's source repository: its workspace, its Git
revisions and a clone of it by URL, with and without -R and --dvc-only. The JSON (`isout`, `isdir`, `isexec`,
`size`, `md5`, `path`) and the text (names; `--size` and `--show-hash` tables) must be dvc's, sizes of Git
trees and of outs included."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import Workspace, make_source_repo


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    ws = make_source_repo(tmp_path_factory.mktemp("ls"))
    ws.dvc("push", "-q")  # data/c.txt too, so a clone can read every manifest from the remote
    return ws


CASES = [
    [],
    ["data"],
    ["-R"],
    ["--dvc-only"],
    ["data", "-R"],
    ["--rev", "HEAD"],
    ["--rev", "HEAD~1", "-R"],
    ["data", "--rev", "HEAD"],
    ["data/sub", "--rev", "HEAD~1"],
    ["--rev", "HEAD", "--dvc-only", "-R"],
    ["src", "--rev", "HEAD"],
    ["model.bin", "--rev", "HEAD"],
    ["out", "--rev", "HEAD", "-R"],
    ["-R", "-L", "1"],
    ["-R", "-L", "2", "--dvc-only"],
    ["data", "-R", "-L", "0"],
    ["--rev", "HEAD", "-R", "-L", "2"],
]


@pytest.mark.parametrize("args", CASES)
def test_listing_matches_dvc(source, args: list[str], tmp_path: Path):
    here = Workspace(tmp_path)
    url = str(source.root)
    ours = here.flowops("data", "ls", url, *args, "--json", check=False)
    theirs = here.dvc("ls", url, *args, "--json", check=False)
    assert (ours.returncode, ours.stdout and ours.json()) == (theirs.returncode, theirs.stdout and theirs.json()), (
        ours.stderr
    )
    for shown in ([], ["--size", "--show-hash"], ["--size"]):
        plain = here.flowops("data", "ls", url, *args, *shown, check=False).stdout
        assert plain == here.dvc("ls", url, *args, *shown, check=False).stdout, shown


@pytest.mark.parametrize(
    "args",
    [["-T"], ["data", "-T"], ["-T", "-L", "1"], ["-T", "--dvc-only", "--size"], ["-T", "--rev", "HEAD~1", "--show-hash"]],
)
def test_tree_matches_dvc(source, args: list[str], tmp_path: Path):
    here = Workspace(tmp_path)
    url = str(source.root)
    ours = here.flowops("data", "ls", url, *args)
    assert ours.stdout == here.dvc("ls", url, *args).stdout


@pytest.mark.parametrize("args", [[], ["data", "-R"], ["--dvc-only"]])
def test_a_git_url_is_cloned_and_listed_at_its_head(source, args: list[str], tmp_path: Path):
    here = Workspace(tmp_path)
    url = f"file://{source.root}"
    ours = here.flowops("data", "ls", url, *args, "--json")
    assert ours.json() == here.dvc("ls", url, *args, "--json").json()


def test_a_missing_path_fails(source, tmp_path: Path):
    here = Workspace(tmp_path)
    ours = here.flowops("data", "ls", str(source.root), "nope", "--rev", "HEAD", check=False)
    theirs = here.dvc("ls", str(source.root), "nope", "--rev", "HEAD", check=False)
    assert ours.returncode != 0 and theirs.returncode != 0
    assert "nope" in ours.stderr


@pytest.mark.parametrize(
    "args",
    [["--rev", "HEAD"], ["--rev", "HEAD", "-R"], ["data", "--rev", "HEAD"], ["data/a.txt", "--rev", "HEAD"],
     ["--rev", "HEAD", "-T"], ["--rev", "HEAD", "-R", "-L", "1"], ["--rev", "HEAD", "--dvc-only", "-R"]],
)
def test_a_directory_out_without_its_manifest_fails_where_dvc_fails(source, args: list[str], tmp_path: Path):
    """A Git clone of the source whose remote is gone: no cache and no remote to read `data`'s manifest from.
    Listings that need its contents fail in both tools (dvc: "failed to load directory"); the others agree."""
    here = Workspace(tmp_path)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(source.root), str(clone)], check=True)
    # Without the remote, in the commit listed: dvc reads a revision's config from that revision.
    (clone / ".dvc" / "config").write_text("")
    git = ["git", "-C", str(clone), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "commit", "-qam", "no remote"], check=True)
    shown = [] if "-T" in args else ["--json"]  # dvc refuses --tree with --json
    ours = here.flowops("data", "ls", str(clone), *args, *shown, check=False)
    theirs = here.dvc("ls", str(clone), *args, *shown, check=False)
    assert (ours.returncode == 0) == (theirs.returncode == 0), (ours.stderr, theirs.stderr)
    if theirs.returncode == 0:
        assert ours.stdout == theirs.stdout
    else:
        assert "failed to load directory 'data'" in ours.stderr
        assert "failed to load directory" in theirs.stderr
