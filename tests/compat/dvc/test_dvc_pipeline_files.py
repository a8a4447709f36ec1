"""`dvc.yaml` files in subdirectories: `flowops repro` and `dvc repro` on a pipeline that spans two files.

`prep/dvc.yaml:clean` runs in `prep/`, reads `prep/params.yaml` and writes `prep/clean.txt`, which the root
`dvc.yaml:train` depends on. Each tool must leave lock files (one beside each dvc.yaml) that the other one
calls up to date, and run-cache entries the other one can restore from. Without targets each reproduces the
dvc.yaml of the cwd (and what it depends on), so from `prep/` only `clean` runs.
"""

from __future__ import annotations

from conftest import Workspace

PREP_DVC_YAML = """\
stages:
  clean:
    cmd: python3 clean.py
    deps:
    - clean.py
    - raw.txt
    params:
    - threshold
    outs:
    - clean.txt
"""

ROOT_DVC_YAML = """\
stages:
  train:
    cmd: python3 train.py
    deps:
    - prep/clean.txt
    - train.py
    outs:
    - model.txt
"""

# Reads its param without a YAML library, so the stage runs on any python3; the log is in the repo root.
CLEAN = """\
import re
threshold = re.search(r"threshold: *([0-9]+)", open("params.yaml").read()).group(1)
open("clean.txt", "w").write(threshold + open("raw.txt").read().upper())
open("../runs.log", "a").write("clean\\n")
"""

TRAIN = """\
open("model.txt", "w").write("model of " + open("prep/clean.txt").read())
open("runs.log", "a").write("train\\n")
"""


def _project(ws: Workspace) -> None:
    ws.write("prep/dvc.yaml", PREP_DVC_YAML)
    ws.write("prep/clean.py", CLEAN)
    ws.write("prep/params.yaml", "threshold: 3\n")
    ws.write("prep/raw.txt", "hello\n")
    ws.write("dvc.yaml", ROOT_DVC_YAML)
    ws.write("train.py", TRAIN)
    ws.write(".gitignore", "runs.log\n")


def _runs(ws: Workspace) -> list[str]:
    path = ws.root / "runs.log"
    return path.read_text().split() if path.exists() else []


def test_flowops_repro_writes_lock_files_that_dvc_calls_up_to_date(workspace: Workspace):
    _project(workspace)
    workspace.flowops("repro")
    assert _runs(workspace) == ["clean", "train"]
    assert (workspace.root / "prep" / "dvc.lock").exists()
    assert "clean:" not in workspace.read("dvc.lock")
    assert workspace.dvc("status", "--json").json() == {}


def test_dvc_repro_leaves_nothing_for_flowops_to_run(workspace: Workspace):
    _project(workspace)
    workspace.dvc("repro")
    locks = (workspace.read("dvc.lock"), workspace.read("prep/dvc.lock"))
    workspace.flowops("repro")
    assert _runs(workspace) == ["clean", "train"]
    assert (workspace.read("dvc.lock"), workspace.read("prep/dvc.lock")) == locks
    assert "up to date" in workspace.flowops("data", "status").stdout


def test_both_tools_write_the_same_lock_files_and_gitignores(make_ws):
    by_dvc, by_flowops = make_ws("by_dvc"), make_ws("by_flowops")
    for ws in (by_dvc, by_flowops):
        _project(ws)
    by_dvc.dvc("repro")
    by_flowops.flowops("repro")
    for path in ("dvc.lock", "prep/dvc.lock", ".gitignore", "prep/.gitignore"):
        assert by_flowops.read(path) == by_dvc.read(path), path


def test_a_param_change_in_the_subdirectory_is_seen_by_both_tools(workspace: Workspace):
    _project(workspace)
    workspace.flowops("repro")
    workspace.write("prep/params.yaml", "threshold: 4\n")
    assert "prep/dvc.yaml:clean" in workspace.dvc("status", "--json").json()
    workspace.flowops("repro", "prep/dvc.yaml:clean")
    assert _runs(workspace) == ["clean", "train", "clean"]
    # The upstream stage is up to date; the root stage's dep changed under it.
    assert list(workspace.dvc("status", "--json").json()) == ["train"]
    workspace.flowops("repro")
    assert workspace.dvc("status", "--json").json() == {}


def test_flowops_restores_a_subdirectory_stage_from_the_run_cache_dvc_saved(workspace: Workspace):
    _project(workspace)
    workspace.dvc("repro")
    workspace.write("prep/params.yaml", "threshold: 4\n")
    workspace.dvc("repro")
    workspace.write("prep/params.yaml", "threshold: 3\n")
    workspace.flowops("repro")
    # Both stages ran for 3 and for 4; the return to 3 came from dvc's run-cache entries.
    assert _runs(workspace) == ["clean", "train", "clean", "train"]
    assert workspace.read("prep/clean.txt").startswith("3")
    assert workspace.dvc("status", "--json").json() == {}


def test_from_a_subdirectory_both_tools_reproduce_only_its_dvc_yaml(make_ws):
    by_dvc, by_flowops = make_ws("by_dvc"), make_ws("by_flowops")
    for ws, tool in ((by_dvc, by_dvc.dvc), (by_flowops, by_flowops.flowops)):
        _project(ws)
        prep = ws.root / "prep"
        tool("repro", cwd=prep)
        assert _runs(ws) == ["clean"], ws.root.name
        tool("repro", "../dvc.yaml:train", cwd=prep)
        assert _runs(ws) == ["clean", "train"], ws.root.name
        (ws.root / "empty").mkdir()
        refused = tool("repro", check=False, cwd=ws.root / "empty")
        assert refused.returncode != 0, ws.root.name
        assert f"'{ws.root / 'empty' / 'dvc.yaml'}' does not exist" in refused.stderr, refused.stderr
    for path in ("dvc.lock", "prep/dvc.lock", ".gitignore", "prep/.gitignore"):
        assert by_flowops.read(path) == by_dvc.read(path), path


def test_from_the_root_neither_tool_runs_a_dvc_yaml_the_root_one_does_not_depend_on(make_ws):
    for name in ("by_dvc", "by_flowops"):
        ws = make_ws(name)
        tool = ws.dvc if name == "by_dvc" else ws.flowops
        _project(ws)
        ws.write("other/dvc.yaml", "stages:\n  other:\n    cmd: echo other >> ../runs.log\n")
        tool("repro")
        assert _runs(ws) == ["clean", "train"], name
        tool("repro", "other/dvc.yaml")
        assert _runs(ws) == ["clean", "train", "other"], name
