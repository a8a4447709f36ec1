"""`flowops data remove` beside `dvc remove` on twin repositories: the same .dvc files, dvc.yaml, dvc.lock and
.gitignore files left, the same workspace, the same messages and exit codes, and the result clean for both
tools' `status`."""

from __future__ import annotations

import os

from conftest import Workspace, error_lines, workspace_files

PIPELINE = """\
# the project's pipeline
stages:
  prepare:  # makes the data
    cmd: echo p > prepared.txt && echo m > metrics.json
    outs:
    - prepared.txt
    metrics:
    - metrics.json:
        cache: false

  # training reads the prepared data
  train:
    cmd: [echo t > model.bin, echo s > scratch.txt]
    deps: [prepared.txt]
    outs:
    - model.bin
    - scratch.txt:
        persist: true
  keep:
    cmd: echo k > keep.txt
    outs:
    - keep.txt
  loop:
    foreach: [p, q]
    do:
      cmd: echo ${item} > ${item}.out
      outs:
      - ${item}.out
"""

SUB_PIPELINE = """\
stages:
    only:
        cmd: echo o > only.txt
        outs:
            - only.txt
    other:  # a different layout: dvc's rewrite normalises it
        cmd: "echo t > other.txt"
        outs: [other.txt]
    third:
        cmd: echo 3 > third.txt
        outs:
          - third.txt
"""

# Each step: (arguments after `remove`, working directory relative to the root).
SCRIPT: list[tuple[list[str], str]] = [
    (["a.txt"], "."),
    (["nope"], "."),
    (["nope.dvc"], "."),
    (["dvc.lock"], "."),
    (["x.yml:a"], "."),
    (["loop"], "."),
    (["a.txt.dvc"], "."),
    (["--outs", "b.txt.dvc"], "."),
    (["data.dvc:ignored"], "."),
    (["prepare"], "."),
    (["--outs", "dvc.yaml:train"], "."),
    (["only"], "sub"),
    (["a.txt.dvc"], "."),
    (["dvc.yaml:keep"], "sub/.."),
    (["sub/dvc.yaml"], "."),
]

# The same messages and exit codes, where dvc changes files before it fails (compared apart: see below).
REFUSALS: list[list[str]] = [["loop@p"], ["dvc.yaml"], ["nope", "loop@q"]]


def _build(ws: Workspace) -> None:
    ws.dvc("config", "cache.type", "hardlink")
    ws.write("a.txt", "a\n")
    ws.write("b.txt", "b\n")
    ws.write("data/x.txt", "x\n")
    ws.write("data/y.txt", "y\n")
    ws.write("x.yml", "a: 1\n")
    ws.dvc("add", "-q", "a.txt", "b.txt", "data")
    ws.write("dvc.yaml", PIPELINE)
    ws.write("sub/dvc.yaml", SUB_PIPELINE)
    # One target at a time: dvc's order for independent stages varies between runs.
    for target in ("prepare", "train", "keep", "loop@p", "loop@q", *(f"sub/dvc.yaml:{s}" for s in ("only", "other", "third"))):
        ws.dvc("repro", "-q", target)
    ws.git("add", "-A")
    ws.git("commit", "-qm", "start")


def test_remove_matches_dvc(make_ws):
    results = {}
    for tool in ("dvc", "flowops"):
        ws: Workspace = make_ws(tool)
        _build(ws)
        steps = []
        for args, cwd in SCRIPT:
            run = ws.dvc if tool == "dvc" else (lambda *a, **kw: ws.flowops("data", *a, **kw))
            result = run("remove", *args, check=False, cwd=ws.root / cwd)
            message = error_lines(result.stderr).replace(str(ws.root), "WS")
            # The files after every step, so each rewrite of a dvc.yaml is compared, not just the last.
            steps.append((args, result.returncode, result.stdout, message, workspace_files(ws, links=True)))
        status = ws.dvc("status", "--json").json()
        ours = ws.flowops("data", "status", "--json").json()
        results[tool] = (steps, workspace_files(ws, links=True), status, ours)

    dvc_steps, dvc_state, dvc_status, dvc_ours = results["dvc"]
    fo_steps, fo_state, fo_status, fo_ours = results["flowops"]
    for mine, theirs in zip(fo_steps, dvc_steps):
        assert mine[:4] == theirs[:4]
        assert mine[4] == theirs[4], mine[0]
    assert fo_state == dvc_state
    assert fo_status == dvc_status == {}
    assert fo_ours == dvc_ours
    codes = {tuple(args): code for args, code, *_ in dvc_steps}
    assert codes[("a.txt",)] == 1
    assert codes[("--outs", "b.txt.dvc")] == 0
    # What the script removed is gone for both: .dvc files, stages, ignore entries.
    assert "b.txt" not in fo_state and "a.txt" in fo_state and "model.bin" not in fo_state
    assert fo_state["a.txt"][1] == 1 and fo_state["data/x.txt"][1] == 1
    assert "sub/dvc.lock" not in fo_state and "sub/dvc.yaml" not in fo_state
    after_only = next(step[4] for step in fo_steps if step[0] == ["only"])
    assert after_only["sub/dvc.yaml"][0].startswith("stages:\n  other:    # a different layout")
    assert "dvc.yaml" in fo_state and "loop" in str(fo_state["dvc.yaml"][0])


def test_refusals_match_dvc(make_ws):
    results = {}
    for tool in ("dvc", "flowops"):
        ws: Workspace = make_ws(tool)
        _build(ws)
        run = ws.dvc if tool == "dvc" else (lambda *a, **kw: ws.flowops("data", *a, **kw))
        results[tool] = [
            (args, result.returncode, error_lines(result.stderr))
            for args in REFUSALS
            for result in [run("remove", *args, check=False)]
        ]
    assert results["flowops"] == results["dvc"]
    assert all(code == 1 for _, code, _ in results["dvc"])


def test_remove_keeps_what_dvc_loses(workspace: Workspace):
    """The deliberate differences: a foreach stage is refused before its .gitignore entries go, and a
    dvc.yaml that still holds top-level metrics keeps them after its last stage is removed."""
    ws = workspace
    ws.write("dvc.yaml", "metrics:\n- summary.json\nstages:\n  s:\n    cmd: echo s > s.txt\n    outs:\n    - s.txt\n"
             "  loop:\n    foreach: [p]\n    do:\n      cmd: echo p > p.out\n      outs:\n      - p.out\n")
    ws.dvc("repro", "-q")
    before = ws.read(".gitignore")
    refused = ws.flowops("data", "remove", "loop@p", check=False)
    assert refused.returncode == 1 and "cannot remove a parametrized stage: 'loop@p'" in refused.stderr
    assert ws.read(".gitignore") == before
    ws.write("dvc.yaml", "metrics:\n- summary.json\nstages:\n  s:\n    cmd: echo s > s.txt\n    outs:\n    - s.txt\n")
    ws.flowops("data", "remove", "s")
    assert ws.read("dvc.yaml") == "metrics:\n- summary.json\nstages: {}\n"
    assert ws.read(".gitignore") == "/p.out\n"
    assert os.path.exists(ws.root / "s.txt")


def test_unprotect_matches_dvc(make_ws):
    results = {}
    for tool in ("dvc", "flowops"):
        ws: Workspace = make_ws(tool)
        _build(ws)
        run = ws.dvc if tool == "dvc" else (lambda *a, **kw: ws.flowops("data", *a, **kw))
        linked = workspace_files(ws, links=True)["data/x.txt"][1]
        codes = [run("unprotect", *args, check=False).returncode for args in (["a.txt", "data"], ["nope"])]
        results[tool] = (linked, codes, workspace_files(ws, links=True))
        # Editing an unprotected file leaves the cache, and so dvc's view of the old version, intact.
        ws.write("a.txt", "edited\n")
        assert ws.dvc("status", "--json").json() == {"a.txt.dvc": [{"changed outs": {"a.txt": "modified"}}]}
    assert results["flowops"] == results["dvc"]
    linked, codes, state = results["flowops"]
    assert linked == 2 and codes == [0, 255]
    assert state["a.txt"][1:] == (1, False, "0o200") and state["data/x.txt"][1:] == (1, False, "0o200")
