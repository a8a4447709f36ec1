"""Which values dvc reads from params and metrics files, and which it reports: YAML numbers as ruamel types
them (`1_000` is an int), every key of the default params.yaml in `params diff`, and only number, bool and
string metrics in `metrics show` and `metrics diff`. Both tools must agree on the same repository."""

from __future__ import annotations

import json

from conftest import Workspace

UNDERSCORE_PARAMS = "p:\n  us: 1_000\n  hex: -0x_1F\n  f: 1_0e3\n  s: _1\n"
UNDERSCORE_DVC_YAML = """stages:
  s:
    cmd: echo ${p.us} ${p.hex} ${p.f} ${p.s} > o
    params: [p]
    outs: [o]
"""


def test_both_tools_read_yaml_numbers_with_underscores_as_ruamel_does(make_ws):
    by_dvc, by_flowops = make_ws("by_dvc"), make_ws("by_flowops")
    for ws in (by_dvc, by_flowops):
        ws.write("params.yaml", UNDERSCORE_PARAMS)
        ws.write("dvc.yaml", UNDERSCORE_DVC_YAML)
    by_dvc.dvc("repro")
    by_flowops.flowops("repro")
    assert by_flowops.read("o") == by_dvc.read("o") == "1000 -31 10000.0 _1\n"
    assert by_flowops.read("dvc.lock") == by_dvc.read("dvc.lock")
    assert by_flowops.dvc("status", "--json").json() == {}


def test_params_diff_lists_keys_of_params_yaml_that_no_stage_uses(workspace: Workspace):
    workspace.write("params.yaml", "seed: 1\nlr: 0.1\nunused: 5\n")
    workspace.write(
        "dvc.yaml", "stages:\n  s:\n    cmd: echo ${seed} > o\n    params: [seed]\n    outs: [o]\n"
    )
    workspace.git("add", "-A")
    workspace.git("commit", "-qm", "params")
    workspace.write("params.yaml", "seed: 2\nlr: 0.2\nunused: 5\nnewp: 3\n")
    changed = workspace.dvc("params", "diff", "--json").json()
    assert set(changed["params.yaml"]) == {"seed", "lr", "newp"}
    assert workspace.flowops("params", "diff", "--json").json() == changed
    every = workspace.dvc("params", "diff", "--all", "--json").json()
    assert "unused" in every["params.yaml"]
    assert workspace.flowops("params", "diff", "--all", "--json").json() == every


def _metrics(acc: float, n: int) -> str:
    values = {"acc": acc, "arr": [1, n], "ok": n == 2, "name": f"r{n}", "none": None, "e": {}}
    return json.dumps({**values, "d": {"a": n, "l": [n]}})


def test_metrics_show_and_diff_leave_out_lists_nulls_and_empty_mappings(workspace: Workspace):
    workspace.write(
        "dvc.yaml", "stages:\n  s:\n    cmd: echo\n    metrics:\n    - m.json:\n        cache: false\n"
    )
    workspace.write("m.json", _metrics(0.9, 2))
    workspace.git("add", "-A")
    workspace.git("commit", "-qm", "metrics")
    workspace.write("m.json", _metrics(0.95, 3))
    for args in (["show", "--json"], ["diff", "--json"], ["diff", "--all", "--json"]):
        expected = workspace.dvc("metrics", *args).json()
        assert workspace.flowops("metrics", *args).json() == expected, args


def test_cached_metrics_are_read_through_dvc_lock_and_the_cache(workspace: Workspace):
    """A stage's metrics are cached by default, so Git holds only their md5 in dvc.lock."""
    workspace.write("dvc.yaml", "stages:\n  ev:\n    cmd: cp v.json m.json\n    deps: [v.json]\n    metrics: [m.json]\n")
    for acc in (0.5, 0.7):
        workspace.write("v.json", json.dumps({"acc": acc}))
        workspace.dvc("repro", "-q")
        workspace.git("add", "-A")
        workspace.git("commit", "-qm", f"acc {acc}")
    workspace.write("v.json", json.dumps({"acc": 0.9}))
    workspace.dvc("repro", "-q")
    (workspace.root / "m.json").unlink()
    for args in (["diff", "HEAD~1", "HEAD", "--json"], ["diff", "--json"], ["show", "--json"]):
        expected = workspace.dvc("metrics", *args).json()
        assert workspace.flowops("metrics", *args).json() == expected, args


def test_params_diff_lists_the_keys_stages_interpolated_from_vars_files(workspace: Workspace):
    workspace.write("params.yaml", "lr: 0.1\n")
    workspace.write("config.yaml", "model:\n  depth: 3\n  unused: 1\n")
    workspace.write(
        "dvc.yaml",
        "vars:\n  - config.yaml\nstages:\n  train:\n    cmd: echo ${lr} ${model.depth} > o\n    outs: [o]\n",
    )
    workspace.git("add", "-A")
    workspace.git("commit", "-qm", "vars")
    workspace.write("params.yaml", "lr: 0.2\n")
    workspace.write("config.yaml", "model:\n  depth: 4\n  unused: 2\n")
    for args in (["diff", "--json"], ["diff", "--all", "--json"]):
        assert workspace.flowops("params", *args).json() == workspace.dvc("params", *args).json(), args


def test_params_and_metrics_diff_read_each_revisions_own_dvc_yaml(workspace: Workspace):
    """A param or metrics file tracked at one revision only is added or removed, not compared."""
    workspace.write("extra.json", json.dumps({"seed": 42, "opt": {"name": "adam", "beta": 0.9}}))
    workspace.write("m1.json", json.dumps({"acc": 0.5}))
    workspace.write("m2.json", json.dumps({"loss": 0.3}))
    stage = "stages:\n  s:\n    cmd: echo\n    params:\n    - extra.json: [{keys}]\n    metrics:\n    - {metrics}:\n        cache: false\n"
    workspace.write("dvc.yaml", stage.format(keys="seed", metrics="m1.json"))
    workspace.git("add", "-A")
    workspace.git("commit", "-qm", "one")
    workspace.write("dvc.yaml", stage.format(keys="seed, opt.name", metrics="m2.json"))
    workspace.write("extra.json", json.dumps({"seed": 43, "opt": {"name": "adam", "beta": 0.9}}))
    checks = [["params", "diff", "--json"], ["metrics", "diff", "--json"]]
    for args in checks:
        assert workspace.flowops(*args).json() == workspace.dvc(*args).json(), args
    workspace.git("commit", "-qam", "two")
    for args in checks:
        between = [*args[:2], "HEAD~1", "HEAD", "--json"]
        assert workspace.flowops(*between).json() == workspace.dvc(*between).json(), between


def test_metrics_files_holding_a_lone_value_show_and_diff_as_dvc(workspace: Workspace):
    workspace.write("dvc.yaml", "metrics:\n- m.json\n- n.yaml\n")
    workspace.write("m.json", "0.9")
    workspace.write("n.yaml", "acc: 0.5\n")
    workspace.git("add", "-A")
    workspace.git("commit", "-qm", "lone value")
    for value in ("0.95", '"abc"', "true", "0", "[1, 2]", '{"acc": 1, "x": []}'):
        workspace.write("m.json", value)
        for args in (["show", "--json"], ["diff", "--json"], ["diff", "--all", "--json"]):
            expected = workspace.dvc("metrics", *args).json()
            assert workspace.flowops("metrics", *args).json() == expected, (value, args)
        assert workspace.flowops("metrics", "show").stdout == workspace.dvc("metrics", "show").stdout, value
