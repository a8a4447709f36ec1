"""`dvc status --cloud` and `flowops data status --cloud` on the same workspace and local remote: the same
names with the same states (new, deleted, missing) as objects move between the cache and the remote, for all
outs and for targets, with `-r <remote>`, and the same "in sync" line once nothing differs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import Workspace


def cloud_status(workspace: Workspace, *args: str, cwd: Path | None = None) -> tuple[dict, dict]:
    dvc = workspace.dvc("status", "--json", *args, cwd=cwd).json()
    flowops = workspace.flowops("data", "status", "--json", *args, cwd=cwd).json()
    return dvc, flowops


@pytest.fixture
def tracked(workspace: Workspace, tmp_path: Path) -> Workspace:
    """A directory (with a nested file and two files of equal content), a single file and a pipeline out.
    Equal contents inside one directory are named by the first file, as in both tools; the test keeps equal
    contents out of different outs, where the name DVC reports depends on the order its sets were built in."""
    workspace.dvc("remote", "add", "-d", "-q", "store", str(tmp_path / "remote"))
    workspace.dvc("remote", "add", "-q", "other", str(tmp_path / "other-remote"))
    workspace.write("data/a.txt", "a\n")
    workspace.write("data/sub/b.txt", "b\n")
    workspace.write("data/same1.txt", "same\n")
    workspace.write("data/same2.txt", "same\n")
    workspace.write("c.txt", "c\n")
    workspace.write("dvc.yaml", "stages:\n  copy:\n    cmd: cat c.txt c.txt > copy.txt\n    deps:\n    - c.txt\n    outs:\n    - copy.txt\n")
    workspace.dvc("add", "-q", "data", "c.txt")
    workspace.dvc("repro", "-q")
    return workspace


def test_everything_new_before_a_push(tracked: Workspace) -> None:
    dvc, flowops = cloud_status(tracked, "-c")
    assert flowops == dvc
    assert dvc["c.txt"] == "new" and dvc["data"] == "new" and dvc["data/sub/b.txt"] == "new"


def test_in_sync_after_push_says_so_in_dvc_words(tracked: Workspace) -> None:
    tracked.flowops("data", "push")
    dvc, flowops = cloud_status(tracked, "-c")
    assert dvc == flowops == {}
    text_dvc = tracked.dvc("status", "-c").stdout
    text_flowops = tracked.flowops("data", "status", "-c").stdout
    assert text_flowops == text_dvc == "Cache and remote 'store' are in sync.\n"


def test_deleted_and_missing_after_the_cache_loses_objects(tracked: Workspace) -> None:
    tracked.dvc("push", "-q", "data")
    cache = tracked.root / ".dvc" / "cache"
    shutil.rmtree(cache / "files")
    dvc, flowops = cloud_status(tracked, "-c")
    assert flowops == dvc
    assert dvc["c.txt"] == "missing" and dvc["data/a.txt"] == "deleted"
    # Both fetched the directory's manifest from the remote to list its files, so it is in both places now.
    assert "data" not in dvc


def test_targets_and_subdirectory_names(tracked: Workspace) -> None:
    tracked.dvc("push", "-q", "c.txt")
    for args in (["-c", "c.txt.dvc"], ["-c", "data"], ["-c", "copy"], ["-c", "data/sub"]):
        dvc, flowops = cloud_status(tracked, *args)
        assert flowops == dvc, args
    dvc, flowops = cloud_status(tracked, "-c", cwd=tracked.root / "data")
    assert flowops == dvc
    assert "../c.txt" not in dvc and dvc["../copy.txt"] == "new"


def test_named_remote_and_its_text(tracked: Workspace) -> None:
    tracked.flowops("data", "push")
    dvc, flowops = cloud_status(tracked, "-r", "other")
    assert flowops == dvc
    assert set(dvc.values()) == {"new"}
    # DVC indents the lines with a tab only for --cloud; -r alone prints them flush left.
    lines_dvc = sorted(tracked.dvc("status", "-r", "other").stdout.splitlines())
    lines_flowops = sorted(tracked.flowops("data", "status", "-r", "other").stdout.splitlines())
    assert lines_flowops == lines_dvc
    lines_dvc = sorted(tracked.dvc("status", "-c", "-r", "other").stdout.splitlines())
    lines_flowops = sorted(tracked.flowops("data", "status", "-c", "-r", "other").stdout.splitlines())
    assert lines_flowops == lines_dvc and lines_dvc[0].startswith("\t")


def test_no_remote_is_an_error_for_both(workspace: Workspace) -> None:
    workspace.write("c.txt", "c\n")
    workspace.dvc("add", "-q", "c.txt")
    assert workspace.dvc("status", "-c", check=False).returncode != 0
    assert workspace.flowops("data", "status", "-c", check=False).returncode != 0


def test_quiet_exit_status_matches_dvc(tracked: Workspace) -> None:
    def exit_codes(*args: str) -> tuple[int, int]:
        dvc = tracked.dvc("status", "-q", *args, check=False)
        flowops = tracked.flowops("data", "status", "-q", *args, check=False)
        assert flowops.stdout == dvc.stdout == ""
        return flowops.returncode, dvc.returncode

    assert exit_codes() == (0, 0)
    assert exit_codes("-c") == (1, 1)
    assert exit_codes("-c", "--json") == (0, 0)
    tracked.flowops("data", "push")
    assert exit_codes("-c") == (0, 0)
    tracked.write("c.txt", "changed\n")
    assert exit_codes() == (1, 1)
    assert exit_codes("--json") == (0, 0)


def test_an_empty_project_says_so_in_dvc_words(workspace: Workspace) -> None:
    first_line_dvc = workspace.dvc("status").stdout.splitlines()[0]
    first_line_flowops = workspace.flowops("data", "status").stdout.splitlines()[0]
    assert first_line_flowops == first_line_dvc == "There are no data or pipelines tracked in this project yet."
    assert workspace.flowops("data", "status", "--json").json() == workspace.dvc("status", "--json").json() == {}
    workspace.write("c.txt", "c\n")
    workspace.dvc("add", "-q", "c.txt")
    assert workspace.flowops("data", "status").stdout == workspace.dvc("status").stdout


def test_an_empty_project_with_a_remote_says_so_in_dvc_words(workspace: Workspace, tmp_path: Path) -> None:
    workspace.dvc("remote", "add", "-d", "-q", "store", str(tmp_path / "remote"))
    first_line_dvc = workspace.dvc("status", "-c").stdout.splitlines()[0]
    first_line_flowops = workspace.flowops("data", "status", "-c").stdout.splitlines()[0]
    assert first_line_flowops == first_line_dvc == "There are no data or pipelines tracked in this project yet."


@pytest.mark.parametrize("scope", ["-a", "-T", "-A"])
def test_history_scopes_compare_every_revisions_objects(tracked: Workspace, scope: str) -> None:
    # The first commit's data is pushed, then c.txt and a file of data/ change in a second commit, tagged,
    # which also stops tracking gone.txt.
    tracked.write("gone.txt", "gone\n")
    tracked.dvc("add", "-q", "gone.txt")
    tracked.flowops("data", "push")
    tracked.git("add", "-A")
    tracked.git("commit", "-qm", "first")
    tracked.git("rm", "-q", "gone.txt.dvc")
    (tracked.root / "gone.txt").unlink()
    tracked.write("c.txt", "c, second\n")
    tracked.write("data/a.txt", "a, second\n")
    tracked.dvc("add", "-q", "data", "c.txt")
    tracked.dvc("repro", "-q")
    tracked.git("add", "-A")
    tracked.git("commit", "-qm", "second")
    tracked.git("tag", "v2")
    # The first commit's objects leave the cache: only the remote has them now.
    tracked.git("checkout", "-q", "HEAD~1")
    tracked.dvc("checkout", "-q", "-f")
    old = {path for path, state in cloud_status(tracked, "-c")[0].items()}
    tracked.git("checkout", "-q", "-")
    tracked.dvc("checkout", "-q", "-f")
    tracked.dvc("gc", "-w", "-f", "-q")
    dvc, flowops = cloud_status(tracked, "-c", scope)
    assert flowops == dvc
    assert old == set() and dvc.get("c.txt") == "new"
    # Every commit (-A) adds the first commit's objects, which only the remote still has.
    assert (dvc.get("gone.txt") == "deleted") == (scope == "-A"), dvc
    # Local status refuses the history flags with dvc's words and exit code.
    by_dvc = tracked.dvc("status", scope, check=False)
    by_flowops = tracked.flowops("data", "status", scope, check=False)
    assert by_flowops.returncode == by_dvc.returncode == 1
    assert "The following options are meaningless for local status" in by_flowops.stderr


def test_directory_whose_manifest_is_nowhere_is_warned_about_not_listed(tracked: Workspace) -> None:
    shutil.rmtree(tracked.root / ".dvc" / "cache")
    dvc, flowops = cloud_status(tracked, "-c")
    assert flowops == dvc
    assert "data" not in dvc and dvc["c.txt"] == "missing"
    warnings = [tracked.dvc("status", "-c").stderr, tracked.flowops("data", "status", "-c").stderr]
    assert warnings[0] == warnings[1]
    assert "name: None, md5: " in warnings[0]
