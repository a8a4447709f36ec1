"""A metrics file dvc cannot load (missing, corrupt): `metrics show` and `metrics diff` print no per-file warning
but one stderr line naming the revisions, "DVC failed to load some metrics for following revisions: '...'.",
with --json too, and still exit 0; the JSON keeps each file's error entry."""

from __future__ import annotations

import pytest

from conftest import Workspace


def _repo(ws: Workspace) -> None:
    ws.write("dvc.yaml", "metrics:\n- m.json\n- gone.json\n")
    ws.write("m.json", '{"a": 1}')
    ws.git("add", "-A")
    ws.git("commit", "-qm", "one")
    ws.write("m.json", '{"a": 2,')
    ws.git("commit", "-qam", "corrupt")
    ws.write("m.json", '{"a": 3}')


COMMANDS = [
    ["metrics", "show"],
    ["metrics", "show", "--json"],
    ["metrics", "show", "-A"],
    ["metrics", "show", "-A", "--json"],
    ["metrics", "show", "m.json"],
    ["metrics", "diff"],
    ["metrics", "diff", "--json"],
    ["metrics", "diff", "HEAD~1", "HEAD"],
    ["metrics", "diff", "HEAD~1", "HEAD", "--json"],
    ["metrics", "diff", "HEAD", "HEAD"],
    ["metrics", "diff", "HEAD~1", "--targets", "m.json"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_failed_metrics_get_dvc_closing_line(workspace: Workspace, args: list[str]) -> None:
    ws = workspace
    _repo(ws)
    dvc = ws.dvc(*args)
    flowops = ws.flowops(*args)
    assert (flowops.returncode, flowops.stdout, flowops.stderr) == (dvc.returncode, dvc.stdout, dvc.stderr)


def test_all_loaded_prints_nothing_on_stderr(workspace: Workspace) -> None:
    ws = workspace
    ws.write("dvc.yaml", "metrics:\n- m.json\n")
    ws.write("m.json", '{"a": 1}')
    ws.git("add", "-A")
    ws.git("commit", "-qm", "one")
    for args in (["metrics", "show"], ["metrics", "diff"], ["metrics", "show", "-A"]):
        dvc = ws.dvc(*args)
        flowops = ws.flowops(*args)
        assert (flowops.stdout, flowops.stderr) == (dvc.stdout, dvc.stderr) == (flowops.stdout, ""), args


def test_truthy_error_key_in_metrics_counts_as_failed(workspace: Workspace) -> None:
    """dvc's errored_revisions looks for a truthy "error" key at any depth, the metrics values included."""
    ws = workspace
    ws.write("dvc.yaml", "metrics:\n- m.json\n")
    ws.write("m.json", '{"a": 1, "x": {"error": 1}}')
    ws.git("add", "-A")
    ws.git("commit", "-qm", "one")
    for content in ('{"a": 1, "x": {"error": 1}}', '{"a": 1, "x": {"error": 0}}'):
        ws.write("m.json", content)
        for args in (["metrics", "show"], ["metrics", "diff"]):
            dvc = ws.dvc(*args)
            flowops = ws.flowops(*args)
            assert (flowops.stdout, flowops.stderr) == (dvc.stdout, dvc.stderr), (content, args)
