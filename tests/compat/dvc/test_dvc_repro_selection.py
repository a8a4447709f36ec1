"""Which stages `dvc repro` and `flowops repro` run for the same selection flags, on the same changes."""

from __future__ import annotations

import pytest
from conftest import Workspace

# a -> b -> c, with b frozen once the first run has recorded it; x and y stand apart (x -> y). Each test
# runs it once, then changes the commands of a, b and x.
CHAIN = """\
stages:
  a:
    cmd: echo {a} > a.txt && echo a >> runs.log
    outs: [a.txt]
  b:
    cmd: cat a.txt > b.txt && echo {b} >> b.txt && echo b >> runs.log
    deps: [a.txt]
    outs: [b.txt]
  c:
    cmd: cat b.txt > c.txt && echo c >> runs.log
    deps: [b.txt]
    outs: [c.txt]
  x:
    cmd: echo {x} > x.txt && echo x >> runs.log
    outs: [x.txt]
  y:
    cmd: cat x.txt > y.txt && echo y >> runs.log
    deps: [x.txt]
    outs: [y.txt]
"""


def _runs(ws: Workspace) -> list[str]:
    path = ws.root / "runs.log"
    runs = path.read_text().split() if path.exists() else []
    path.unlink(missing_ok=True)
    return runs


def _pair(make_ws, frozen_b: bool = False) -> tuple[Workspace, Workspace]:
    """Two workspaces where the whole pipeline ran once, then the commands of a, b and x changed."""
    pair = make_ws("by_dvc"), make_ws("by_flowops")
    for ws in pair:
        ws.write(".gitignore", "runs.log\n")
        ws.write("dvc.yaml", CHAIN.format(a="one", b="one", x="one"))
        ws.dvc("repro")
        changed = CHAIN.format(a="two", b="two", x="two")
        if frozen_b:
            changed = changed.replace("  b:\n", "  b:\n    frozen: true\n")
        ws.write("dvc.yaml", changed)
        _runs(ws)
    return pair


@pytest.mark.parametrize(
    ("flags", "frozen_b", "expected"),
    [
        (["--downstream", "b"], False, ["b", "c"]),
        (["--downstream", "a"], False, ["a", "b", "c"]),
        (["-p", "y"], False, ["x", "y"]),
        (["--glob", "[ay]"], False, ["a", "x", "y"]),
        # A frozen b cuts a off: c's deps did not change, so nothing runs (a would, without the cut).
        (["c"], True, []),
        (["--downstream", "a"], True, ["a"]),
    ],
)
def test_both_tools_run_the_same_stages(make_ws, flags: list[str], frozen_b: bool, expected: list[str]):
    by_dvc, by_flowops = _pair(make_ws, frozen_b)
    by_dvc.dvc("repro", *flags)
    by_flowops.flowops("repro", *flags)
    dvc_ran, flowops_ran = _runs(by_dvc), _runs(by_flowops)
    # dvc orders independent stages by hash; what ran, and the dependency order within a chain, must agree.
    assert sorted(dvc_ran) == sorted(flowops_ran) == sorted(expected)
    for ran in (dvc_ran, flowops_ran):
        chain = [name for name in ran if name in "abc"]
        assert chain == sorted(chain)
    assert by_flowops.read("dvc.lock") == by_dvc.read("dvc.lock")


def test_single_item_runs_the_targets_in_the_order_given(make_ws):
    by_dvc, by_flowops = _pair(make_ws)
    by_dvc.dvc("repro", "-s", "b", "x", "a")
    by_flowops.flowops("repro", "-s", "b", "x", "a")
    assert _runs(by_dvc) == _runs(by_flowops) == ["b", "x", "a"]
    assert by_flowops.read("dvc.lock") == by_dvc.read("dvc.lock")


# b reads a's out; each logs that its command ran, then fails when its marker file exists.
RELATED_PAIR = """\
stages:
  a:
    cmd: echo a > a.txt && echo a >> runs.log && test ! -f fail_a
    outs: [a.txt]
  b:
    cmd: cat a.txt > b.txt && echo b >> runs.log && test ! -f fail_b
    deps: [a.txt]
    outs: [b.txt]
"""


@pytest.mark.parametrize("order", [["a", "b"], ["b", "a"]])
def test_single_items_keep_going_past_a_failed_item_they_are_related_to(make_ws, order: list[str]):
    # dvc has no graph between -s items (graph=None): -k skips nothing after a failed item, in either order.
    by_dvc, by_flowops = make_ws("by_dvc"), make_ws("by_flowops")
    for ws in (by_dvc, by_flowops):
        ws.write(".gitignore", "runs.log\n")
        ws.write("dvc.yaml", RELATED_PAIR)
        ws.dvc("repro")
        _runs(ws)
        ws.write(f"fail_{order[0]}", "")
    assert by_dvc.dvc("repro", "-s", "-k", "-f", *order, check=False).returncode == 255
    assert by_flowops.flowops("repro", "-s", "-k", "-f", *order, check=False).returncode == 255
    assert _runs(by_dvc) == _runs(by_flowops) == order


def test_both_tools_run_the_dependants_of_a_failed_stage_with_ignore_errors(make_ws):
    by_dvc, by_flowops = make_ws("by_dvc"), make_ws("by_flowops")
    for ws in (by_dvc, by_flowops):
        ws.write(".gitignore", "runs.log\n")
        ws.write("dvc.yaml", CHAIN.format(a="one && exit 3", b="one", x="one"))
    assert by_dvc.dvc("repro", "--ignore-errors", "--no-run-cache", check=False).returncode == 0
    assert by_flowops.flowops("repro", "--ignore-errors", "--no-run-cache", check=False).returncode == 0
    assert sorted(_runs(by_dvc)) == sorted(_runs(by_flowops)) == ["b", "c", "x", "y"]


def test_a_no_commit_run_leaves_outs_that_dvc_reports_not_in_cache(workspace: Workspace):
    workspace.write("dvc.yaml", "stages:\n  make:\n    cmd: echo made > out.txt\n    outs: [out.txt]\n")
    workspace.flowops("repro", "--no-commit")
    status = workspace.dvc("status", "--json").json()
    assert status == {"make": [{"changed outs": {"out.txt": "not in cache"}}]}
    workspace.dvc("commit", "-f")
    assert workspace.flowops("data", "status", "--json").json() == {}


def test_flowops_data_commit_finishes_a_no_commit_run_for_dvc(workspace: Workspace):
    workspace.write("in.txt", "made\n")
    workspace.write(
        "dvc.yaml", "stages:\n  make:\n    cmd: cat in.txt > out.txt\n    deps: [in.txt]\n    outs: [out.txt]\n"
    )
    workspace.flowops("repro", "--no-commit")
    workspace.write("extra.txt", "extra\n")
    workspace.flowops("data", "add", "--no-commit", "extra.txt")
    assert set(workspace.dvc("status", "--json").json()) == {"make", "extra.txt.dvc"}
    workspace.flowops("data", "commit")
    assert workspace.dvc("status", "--json").json() == {}
    # What commit cached is enough for dvc to bring a deleted output back.
    (workspace.root / "out.txt").unlink()
    workspace.dvc("repro")
    assert workspace.read("out.txt") == "made\n"
