"""`dvc gc` and `flowops data gc` with the same scope flags on twin workspaces leave the same objects in the
cache: `--rev` with `-n`, `-a -n`, `--date`, `--not-in-remote`, `-p` (another project sharing the cache), and
refuse the same invalid combinations with dvc's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Workspace, _run


def _cache_objects(ws: Workspace, cache: Path | None = None) -> set[str]:
    root = cache or ws.root / ".dvc" / "cache"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _history(ws: Workspace, remote: Path) -> None:
    """Four commits of f.txt (one, two, three, four), the first two pushed; the workspace is at four."""
    ws.dvc("remote", "add", "-d", "-q", "store", str(remote))
    for n, text in enumerate(["one", "two", "three", "four"]):
        ws.write("f.txt", f"{text}\n")
        ws.dvc("add", "-q", "f.txt")
        if n < 2:
            ws.dvc("push", "-q")
        ws.git("add", "-A")
        # Commit dates months apart, so that --date splits the history in a known place.
        date = f"2020-0{n + 1}-15T12:00:00"
        _run(["git", "commit", "-qm", text], ws.root, True, {"GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date})


@pytest.fixture
def twins(make_ws, tmp_path: Path) -> tuple[Workspace, Workspace]:
    pair = make_ws("by_dvc"), make_ws("by_flowops")
    for ws in pair:
        _history(ws, tmp_path / f"{ws.root.name}-remote")
    return pair


@pytest.mark.parametrize(
    "flags",
    [
        ["--rev", "HEAD~2"],
        ["--rev", "HEAD~1", "-n", "2"],
        ["-a", "-n", "3"],
        ["--not-in-remote", "-w"],
        ["--not-in-remote", "-A"],
    ],
)
def test_the_same_objects_stay(twins: tuple[Workspace, Workspace], flags: list[str]) -> None:
    by_dvc, by_flowops = twins
    assert _cache_objects(by_dvc) == _cache_objects(by_flowops)
    by_dvc.dvc("gc", "-f", *flags)
    by_flowops.flowops("data", "gc", "-f", *flags)
    assert _cache_objects(by_flowops) == _cache_objects(by_dvc)
    assert len(_cache_objects(by_dvc)) < 4


def test_date_keeps_the_commits_made_since(twins: tuple[Workspace, Workspace]) -> None:
    by_dvc, by_flowops = twins
    by_dvc.dvc("gc", "-f", "--date", "2020-03-01")
    by_flowops.flowops("data", "gc", "-f", "--date", "2020-03-01")
    assert _cache_objects(by_flowops) == _cache_objects(by_dvc)
    assert len(_cache_objects(by_dvc)) == 2
    by_dvc.dvc("gc", "-f", "--date", "2999-01-01")
    by_flowops.flowops("data", "gc", "-f", "--date", "2999-01-01")
    assert _cache_objects(by_flowops) == _cache_objects(by_dvc)


def test_projects_sharing_the_cache_keep_their_objects(make_ws, tmp_path: Path) -> None:
    results = []
    for tool in ("dvc", "flowops"):
        cache = tmp_path / f"{tool}-shared-cache"
        main, other = make_ws(f"{tool}-main"), make_ws(f"{tool}-other")
        for ws, text in ((main, "main"), (other, "other")):
            ws.dvc("cache", "dir", str(cache))
            ws.write("g.txt", f"{text}\n")
            ws.dvc("add", "-q", "g.txt")
        run = main.dvc if tool == "dvc" else (lambda *a: main.flowops("data", *a))
        run("gc", "-w", "-f", "-p", str(other.root))
        results.append(_cache_objects(main, cache))
    assert results[0] == results[1]
    assert len(results[0]) == 2


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["-w", "-c", "--not-in-remote"], "`--not-in-remote` and `--cloud` are mutually exclusive"),
        (["-w", "-n", "2"], "`--num` can only be used alongside `--rev` or `--all-branches`"),
        ([], "needs to be set"),
    ],
)
def test_invalid_combinations_fail_alike(twins: tuple[Workspace, Workspace], flags: list[str], message: str):
    by_dvc, by_flowops = twins
    dvc = by_dvc.dvc("gc", "-f", *flags, check=False)
    ours = by_flowops.flowops("data", "gc", "-f", *flags, check=False)
    assert message in dvc.stderr
    assert message in ours.stderr
    assert ours.returncode == dvc.returncode != 0
