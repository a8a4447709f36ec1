"""`plots show`, `plots diff` and `plots templates`: both tools print the same JSON, the same vega specs and the
same HTML page for the same repository, with the same messages and exit codes."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import Workspace, error_lines

# A 1x1 PNG: image plots are copied, never parsed.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

DVC_YAML = """\
stages:
  train:
    cmd: echo
    plots:
    - train.csv:
        x: step
        y: acc
        cache: false
    - headless.tsv:
        header: false
        cache: false
plots:
- loss.csv:
    x: step
    y: loss
- eval/roc.json:
    x: fpr
    y: tpr
    template: simple
    title: ROC
- confusion:
    template: confusion
    x: actual
    y:
      confusion.csv: predicted
- multi:
    x: step
    y:
      loss.csv: [loss, acc]
      eval/other.csv: loss
- prc.yaml
- curves
- img.png
- missing.json
- bad:
    y:
      loss.csv: nope
"""


def _repository(ws: Workspace) -> None:
    ws.write("dvc.yaml", DVC_YAML)
    ws.write("loss.csv", "step,loss,acc\n0,1.0,0.5\n1,0.5,0.7\n2,0.25,0.9\n")
    ws.write("train.csv", "step,acc\n0,0.1\n1,\"0.2\"\n")
    ws.write("headless.tsv", "1\t2\n3\t4\n")
    ws.write("eval/other.csv", "step,loss\n0,2\n1,1\n2,0.5\n")
    ws.write("eval/roc.json", json.dumps({"roc": [{"fpr": 0.0, "tpr": 0.0}, {"fpr": 0.5, "tpr": 0.8}, {"fpr": 1, "tpr": 1}]}))
    ws.write("confusion.csv", "actual,predicted\ncat,cat\ncat,dog\ndog,dog\n")
    ws.write("prc.yaml", "prc:\n- precision: 1.0\n  recall: 0.0\n- precision: 0.75\n  recall: 0.5\n")
    ws.write("curves/a.json", json.dumps([{"x": 1, "y": 2}, {"x": 2, "y": 4}]))
    ws.write("curves/b.csv", "x,y\n1,3\n2,1\n")
    ws.write("img.png", PNG)
    ws.git("add", "-A")
    ws.git("commit", "-qm", "plots")
    # The workspace moves on from HEAD: one file edited, so `plots diff` has two revisions to overlay.
    ws.write("loss.csv", "step,loss,acc\n0,0.9,0.6\n1,0.4,0.8\n2,0.2,0.95\n")


def _both(ws: Workspace, *args: str):
    """Each tool on its own copy of the output directory, so neither reads what the other wrote."""
    ours = ws.flowops(*args, check=False)
    shutil.rmtree(ws.root / "dvc_plots", ignore_errors=True)
    theirs = ws.dvc(*args, check=False)
    return ours, theirs


def _messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(("DVC failed", "WARNING", "ERROR", "No plots"))]


@pytest.mark.parametrize(
    "args",
    [
        ["plots", "show", "--json"],
        ["plots", "show", "--json", "--split"],
        ["plots", "show", "--json", "loss.csv", "eval/.*"],
        ["plots", "show", "--json", "train.csv", "-t", "scatter", "-y", "acc", "--title", "T", "--x-label", "X"],
        ["plots", "show", "--json", "headless.tsv", "--no-header"],
        ["plots", "show", "--json", "curves/b.csv", "-t", "bar_horizontal_sorted"],
        ["plots", "show", "--show-vega", "confusion"],
        ["plots", "diff", "--json"],
        ["plots", "diff", "--json", "HEAD", "--targets", "multi"],
        ["plots", "diff", "--json", "HEAD", "workspace", "--targets", "loss.csv", "-t", "smooth"],
    ],
)
def test_both_tools_print_the_same(workspace: Workspace, args: list[str]):
    _repository(workspace)
    ours, theirs = _both(workspace, *args)
    assert (ours.returncode, _messages(ours.stderr)) == (theirs.returncode, _messages(theirs.stderr))
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)
    # Byte for byte too: key order and Python's number spelling ("1.0").
    assert ours.stdout == theirs.stdout


def test_the_html_page_is_dvcs(workspace: Workspace):
    _repository(workspace)
    ours = workspace.flowops("plots", "show", "-o", "ours")
    theirs = workspace.dvc("plots", "show", "-o", "theirs")
    assert ours.stdout.strip() == (workspace.root / "ours" / "index.html").as_uri()
    assert theirs.stdout.strip() == (workspace.root / "theirs" / "index.html").as_uri()
    page = (workspace.root / "ours" / "index.html").read_text()
    assert page.replace("/ours/", "/theirs/") == (workspace.root / "theirs" / "index.html").read_text()
    assert sorted(p.name for p in (workspace.root / "ours" / "static").iterdir()) == sorted(
        p.name for p in (workspace.root / "theirs" / "static").iterdir()
    )


def test_templates_and_refusals(workspace: Workspace):
    _repository(workspace)
    for args in (
        ["plots", "templates"],
        ["plots", "templates", "confusion_normalized"],
        ["plots", "templates", "nope"],
        ["plots", "show", "--show-vega"],
        ["plots", "show", "--show-vega", "a", "b"],
        ["plots", "show", "--show-vega", "--json", "loss.csv"],
    ):
        ours, theirs = _both(workspace, *args)
        assert (ours.returncode, ours.stdout, _messages(ours.stderr)) == (
            theirs.returncode,
            theirs.stdout,
            _messages(theirs.stderr),
        ), args


def test_no_plots(workspace: Workspace):
    workspace.write("dvc.yaml", "stages:\n  s:\n    cmd: echo\n")
    ours, theirs = _both(workspace, "plots", "show")
    assert (ours.returncode, ours.stdout, _messages(ours.stderr)) == (
        theirs.returncode,
        theirs.stdout,
        _messages(theirs.stderr),
    )
    ours, theirs = _both(workspace, "plots", "show", "--json")
    assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout)


def test_a_cached_plot_at_a_revision_comes_from_the_cache(workspace: Workspace):
    """A stage's plot is cached and git-ignored: HEAD's version is read through dvc.lock from the cache."""
    workspace.write(
        "dvc.yaml",
        "stages:\n  train:\n    cmd: printf 'epoch,acc\\n0,0.5\\n1,0.6\\n' > scores.csv\n"
        "    plots:\n    - scores.csv:\n        x: epoch\n",
    )
    workspace.flowops("repro")
    workspace.git("add", "-A")
    workspace.git("commit", "-qm", "scores")
    workspace.write("scores.csv", "epoch,acc\n0,0.7\n1,0.9\n")
    ours, theirs = _both(workspace, "plots", "diff", "--json", "HEAD")
    assert (ours.returncode, _messages(ours.stderr)) == (theirs.returncode, _messages(theirs.stderr))
    assert ours.stdout == theirs.stdout
    assert "0.5" in ours.stdout and "0.9" in ours.stdout


MODIFY_YAML = """\
stages:
  train:
    cmd: echo  # keep
    deps:
    - b
    - a
    outs:
    - model.pkl
    - scores.csv:
        cache: false
    metrics:
    - m.json
    plots:
    - loss.csv:
        y: loss
        cache: false
"""


@pytest.mark.parametrize(
    "steps",
    [
        [["scores.csv", "-x", "step", "--title", "T"], ["loss.csv", "--unset", "y"], ["m.json", "-t", "scatter"]],
        [["loss.csv", "--unset", "nope"]],
        [["model.pkl", "--unset", "x"]],
        [["nope.csv"]],
        [["m.json", "-t", "nope"]],
        [["loss.csv", "--no-header", "--x-label", "epoch"]],
    ],
)
def test_modify_writes_dvc_yaml_as_dvc_does(workspace: Workspace, steps: list[list[str]]):
    results = {}
    for tool in ("flowops", "dvc"):
        workspace.write("dvc.yaml", MODIFY_YAML)
        run = workspace.flowops if tool == "flowops" else workspace.dvc
        outcomes = []
        for step in steps:
            result = run("plots", "modify", *step, check=False)
            outcomes.append((result.returncode, result.stdout, error_lines(result.stderr).split("\n")[0]))
        results[tool] = (outcomes, workspace.read("dvc.yaml"))
    assert results["flowops"] == results["dvc"]


def test_tracked_files_and_cached_directories_at_a_revision(workspace: Workspace):
    """A `dvc add`ed plot and a stage's cached plot directory: HEAD's versions come from the cache, as do the
    workspace's once the directory is deleted."""
    workspace.write("tracked.csv", "x,y\n5,6\n")
    workspace.dvc("add", "-q", "tracked.csv")
    workspace.write(
        "dvc.yaml",
        "stages:\n  make:\n    cmd: mkdir -p curves/sub && printf 'x,y\\n0,1\\n' > curves/a.csv"
        " && printf 'x,y\\n0,2\\n' > curves/sub/b.csv\n    plots:\n    - curves\n"
        "plots:\n- tracked.csv\n- curves/sub:\n    x: x\n",
    )
    workspace.dvc("repro", "-q")
    workspace.git("add", "-A")
    workspace.git("commit", "-qm", "plots")
    workspace.write("tracked.csv", "x,y\n5,7\n")
    workspace.write("curves/a.csv", "x,y\n0,9\n")
    for args in (["plots", "diff", "--json", "HEAD"], ["plots", "show", "--json"]):
        ours, theirs = _both(workspace, *args)
        assert ours.stdout == theirs.stdout, args
    shutil.rmtree(workspace.root / "curves")
    ours, theirs = _both(workspace, "plots", "show", "--json")
    assert ours.stdout == theirs.stdout
    assert '"y": "1"' in ours.stdout
