"""`flowops data get` beside `dvc get` on one source repository: the same files (text and exec bit) land for
each case, with the same messages and exit codes, from the source's workspace, its Git tree at a revision, its
cache, or its default remote once the cache is gone.

The source is made by dvc: a tracked directory and file, a pipeline stage, Git-tracked and untracked plain files,
a .dvcignore rule, an executable script, and a second commit that adds a file to the tracked directory. Each tool
downloads into a directory of its own."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from conftest import Workspace, error_lines, make_source_repo


def _tree(root: Path) -> dict[str, tuple[str, bool]]:
    files: dict[str, tuple[str, bool]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            files[path.relative_to(root).as_posix()] = (path.read_text(), bool(path.stat().st_mode & stat.S_IXUSR))
        elif path.is_dir() and not any(path.iterdir()):
            files[path.relative_to(root).as_posix() + "/"] = ("", False)
    return files


@pytest.fixture
def source(tmp_path: Path) -> Workspace:
    return make_source_repo(tmp_path)


class Getters:
    def __init__(self, tmp_path: Path, source: Workspace) -> None:
        self.source = source
        self.dvc_dir = tmp_path / "dvc-get"
        self.fo_dir = tmp_path / "flowops-get"
        self.dvc_dir.mkdir()
        self.fo_dir.mkdir()
        self.dvc_ws = Workspace(self.dvc_dir)
        self.fo_ws = Workspace(self.fo_dir)

    def both(self, *args: str, url: str | None = None) -> tuple[tuple[int, str], tuple[int, str]]:
        url = url or str(self.source.root)
        theirs = self.dvc_ws.dvc("get", url, *args, check=False)
        mine = self.fo_ws.flowops("data", "get", url, *args, check=False)

        def normal(result, root: Path) -> tuple[int, str]:
            return result.returncode, error_lines(result.stderr).replace(str(root), "OUT")

        return normal(theirs, self.dvc_dir), normal(mine, self.fo_dir)

    def same(self, *args: str, url: str | None = None) -> tuple[int, str]:
        theirs, mine = self.both(*args, url=url)
        assert mine == theirs, args
        assert _tree(self.fo_dir) == _tree(self.dvc_dir), args
        return theirs


@pytest.fixture
def getters(tmp_path: Path, source: Workspace) -> Getters:
    return Getters(tmp_path, source)


def test_workspace_paths_match_dvc(getters: Getters) -> None:
    for path in ("data", "data/sub", "data/sub/b.txt", "model.bin", "train.py", "src", "untracked.txt", "out"):
        assert getters.same(path) == (0, ""), path
    assert getters.same("out/prep.txt", "-o", "prep-copy.txt") == (0, "")
    assert _tree(getters.fo_dir)["data/c.txt"] == ("three\n", False)
    assert "src/debug.log" not in _tree(getters.fo_dir)


def test_the_whole_repository_hides_dvc_files_and_ignored_paths(getters: Getters) -> None:
    assert getters.same(".", "-o", "whole") == (0, "")
    tree = _tree(getters.fo_dir)
    assert "whole/dvc.lock" in tree and "whole/dvc.yaml" not in tree and "whole/data.dvc" not in tree
    # Neither tool keeps a plain file's mode: dvc writes its content only.
    assert tree["whole/run.sh"] == ("#!/bin/sh\necho run\n", False)


def test_an_edited_output_is_taken_from_the_workspace(getters: Getters, source: Workspace) -> None:
    (source.root / "data" / "a.txt").chmod(0o644)
    source.write("data/a.txt", "edited\n")
    assert getters.same("data") == (0, "")
    assert _tree(getters.fo_dir)["data/a.txt"] == ("edited\n", False)


def test_revisions_read_the_git_tree_and_the_cache(getters: Getters) -> None:
    assert getters.same("data", "--rev", "HEAD~1") == (0, "")
    assert "data/c.txt" not in _tree(getters.fo_dir)
    assert getters.same(".", "--rev", "HEAD~1", "-o", "first") == (0, "")
    assert getters.same("model.bin", "--rev", "HEAD", "-o", "m") == (0, "")
    assert getters.same("run.sh", "--rev", "HEAD~1") == (0, "")
    assert _tree(getters.fo_dir)["run.sh"] == ("#!/bin/sh\necho run\n", False)


def test_objects_come_from_the_remote_when_the_cache_is_gone(getters: Getters, source: Workspace) -> None:
    shutil.rmtree(source.root / ".dvc" / "cache")
    assert getters.same("data", "--rev", "HEAD~1", "-o", "first-data") == (0, "")
    assert getters.same("out", "--rev", "HEAD~1", "-o", "first-out") == (0, "")
    # The workspace has the data: flowops copies it from there. dvc 3.67.1 first loads the directory's
    # manifest, which neither the cache nor the remote has now, and fails with an unexpected error (exit 255),
    # unless its site cache still holds an index built while the cache was there.
    theirs, mine = getters.both("data/c.txt")
    assert (theirs[0], mine) == (255, (0, ""))
    assert _tree(getters.fo_dir)["c.txt"] == ("three\n", False)
    assert not (source.root / ".dvc" / "cache").exists()


def test_output_placement_and_refusals_match_dvc(getters: Getters) -> None:
    (getters.dvc_dir / "into").mkdir()
    (getters.fo_dir / "into").mkdir()
    assert getters.same("model.bin", "-o", "into") == (0, "")
    assert getters.same("model.bin", "-o", "renamed.bin") == (0, "")
    code, message = getters.same("model.bin", "-o", "renamed.bin")
    assert code == 1
    assert message == (
        f"failed to get 'model.bin' from '{getters.source.root}' - The file 'renamed.bin' already exists "
        "locally. \nTo override it, re-run with '--force'."
    )
    assert getters.same("train.py", "-o", "renamed.bin", "-f") == (0, "")
    code, message = getters.same("model.bin.dvc")
    assert (code, message.split(" - ")[1]) == (
        1,
        "the given path is a DVC file, you must specify a data file or a directory",
    )
    code, message = getters.same("data", "--rev", "no-such-rev")
    assert (code, message.split(" - ")[1]) == (1, "unknown Git revision 'no-such-rev'")


def test_a_missing_path_is_named(getters: Getters) -> None:
    # dvc 3.67.1 fails here with "unexpected error - ['nope']" and exit 255: a KeyError let through.
    theirs, mine = getters.both("nope")
    assert theirs[0] == 255
    assert mine == (
        1,
        f"failed to get 'nope' from '{getters.source.root}' - The path 'nope' does not exist in the target "
        f"repository '{getters.source.root}' neither as a DVC output nor as a Git-tracked file.",
    )
    assert os.listdir(getters.fo_dir) == []


def test_a_git_url_is_cloned_and_its_objects_come_from_its_remote(getters: Getters, source: Workspace) -> None:
    # Not a local path: both tools clone it, read its default branch (or --rev) and download from the
    # remote its config names. HEAD's data/c.txt was never pushed, HEAD~1's data was.
    url = source.root.as_uri()
    assert getters.same("data", "--rev", "HEAD~1", url=url) == (0, "")
    assert getters.same("train.py", url=url) == (0, "")
    assert getters.same("model.bin", url=url) == (0, "")
    assert getters.same("src", "--rev", "HEAD~1", url=url) == (0, "")


def test_show_url_names_the_same_remote_objects(getters: Getters) -> None:
    url = str(getters.source.root)
    for args in (("data",), ("data/a.txt",), ("model.bin",), ("out/prep.txt",), ("data", "--rev", "HEAD~1")):
        theirs = getters.dvc_ws.dvc("get", "--show-url", url, *args)
        mine = getters.fo_ws.flowops("data", "get", "--show-url", url, *args)
        assert mine.stdout == theirs.stdout, args
        assert theirs.stdout.startswith(str(getters.source.root.parent / "remote" / "files" / "md5")), args
    # Not an output: the same sentence (dvc exits 255 with the key appended, flowops 1).
    theirs = getters.dvc_ws.dvc("get", "--show-url", url, "train.py", check=False)
    mine = getters.fo_ws.flowops("data", "get", "--show-url", url, "train.py", check=False)
    assert (theirs.returncode, mine.returncode) == (255, 1)
    assert "Unable to find DVC file with output 'train.py'" in theirs.stderr
    assert error_lines(mine.stderr) == "Unable to find DVC file with output 'train.py'"
