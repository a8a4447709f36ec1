"""`dvc fetch --max-size` and `--type` against `flowops data fetch` with the same flags: the same objects
arrive in an empty cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import Workspace

PIPELINE = """\
stages:
  report:
    cmd: printf '{"acc":0.9}' > metrics.json && printf 'x,y\\n1,2\\n' > plot.csv && head -c 5000 /dev/zero > model.bin
    outs: [model.bin]
    metrics: [metrics.json]
    plots: [plot.csv]
"""


def _objects(ws: Workspace) -> set[str]:
    root = ws.root / ".dvc" / "cache"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def pushed(make_ws, tmp_path: Path) -> tuple[Workspace, Workspace]:
    """Two checkouts of one project whose data is all in the remote and not in their caches."""
    pair = make_ws("by_dvc"), make_ws("by_flowops")
    for ws in pair:
        ws.dvc("remote", "add", "-d", "-q", "store", str(tmp_path / "remote"))
        ws.write("small.txt", "s\n")
        ws.write("big.txt", "b" * 3000)
        ws.dvc("add", "-q", "small.txt", "big.txt")
        ws.write("dvc.yaml", PIPELINE)
        ws.dvc("repro", "-q")
        ws.dvc("push", "-q")
        shutil.rmtree(ws.root / ".dvc" / "cache")
    return pair


@pytest.mark.parametrize(
    "flags",
    [["--max-size", "1000"], ["--max-size", "4000"], ["--type", "metrics"], ["--type", "plots", "--type", "metrics"]],
)
def test_the_same_objects_arrive(pushed: tuple[Workspace, Workspace], flags: list[str]) -> None:
    by_dvc, by_flowops = pushed
    by_dvc.dvc("fetch", *flags)
    by_flowops.flowops("data", "fetch", *flags)
    assert _objects(by_flowops) == _objects(by_dvc)
    assert 0 < len(_objects(by_dvc)) < 5
