"""`flowops stage add` beside `dvc stage add` on twin repositories: the same dvc.yaml and .gitignore bytes
after each command, the same output and exit codes, and a pipeline both tools then reproduce alike."""

from __future__ import annotations

import re

from conftest import Workspace

SCRIPT = [
    ["-n", "prep", "-d", "a.txt", "-o", "prepared", "cp", "a.txt", "prepared"],
    ["-n", "train", "-d", "prepared", "-p", "lr,x.y", "-p", "other.yaml:k", "-p", "whole.yaml:", "-O", "scratch",
     "--outs-persist", "model.bin", "-m", "m.json", "-M", "m2.json", "--plots", "p.csv", "--plots-no-cache", "q.csv",
     "--desc", "trains it", "--always-changed", "-w", ".", "echo t"],
    ["-n", "prep", "echo", "again"],
    ["-n", "bad/name", "echo"],
    ["-n", "dup", "-o", "a.txt", "echo"],
    ["-n", "w", "-w", "nodir", "echo"],
    ["-n", "insub", "-w", "sub", "-d", "../a.txt", "-o", "out.txt", "cp", "../a.txt", "out.txt"],
    ["-f", "-n", "prep", "-d", "a.txt", "-o", "prepared", "cp", "a.txt", "prepared", "#", "with spaces"],
    # A hand edit first: a forced re-add keeps the old stage's desc and each kept output's annotations.
    ("edit", "    - model.bin:\n        persist: true\n",
     "    - model.bin:\n        persist: true\n        desc: the model\n        remote: store\n        push: false\n"),
    ["-f", "-n", "train", "--desc", "ignored", "-d", "prepared", "-o", "model.bin", "cp prepared model.bin"],
    # Past column 80 ruamel wraps: the command at a space, a long path on a line of its own. An output whose
    # directory does not exist yet gets a warning instead of a .gitignore entry.
    ["-n", "long", "-d", "data/a/rather/long/path/to/the/training/dataset/directory/that/goes/on.csv",
     "-o", "models/out.pkl", "python train.py --epochs 10 --learning-rate 0.001 --batch-size 64 --model resnet50"
     " --output models/out.pkl"],
]


def _normal(text: str, ws: Workspace) -> str:
    # The autostage tip names each tool's own config command; errors differ only in their prefix.
    text = text.replace("flowops data config core.autostage", "dvc config core.autostage")
    text = re.sub(r"^error: [A-Z_]+: ", "ERROR: ", text, flags=re.M)
    text = re.sub(r"\tgit add (.*)\n", lambda m: "\tgit add " + " ".join(sorted(m.group(1).split())) + "\n", text)
    return text.replace(str(ws.root), "WS")


def _read(ws: Workspace, rel: str) -> str | None:
    path = ws.root / rel
    return path.read_text() if path.exists() else None


def test_stage_add_matches_dvc(make_ws):
    results = {}
    for tool in ("dvc", "flowops"):
        ws: Workspace = make_ws(tool)
        ws.write("a.txt", "a\n")
        ws.write("params.yaml", "lr: 1\nx:\n  y: 2\n")
        (ws.root / "sub").mkdir()
        ws.dvc("add", "-q", "a.txt")
        run = ws.dvc if tool == "dvc" else ws.flowops
        steps = []
        for args in SCRIPT:
            if args[0] == "edit":
                ws.write("dvc.yaml", ws.read("dvc.yaml").replace(args[1], args[2]))
                continue
            result = run("stage", "add", *args, check=False)
            steps.append((args, result.returncode, _normal(result.stdout, ws), _normal(result.stderr, ws),
                          _read(ws, "dvc.yaml"), _read(ws, ".gitignore"), _read(ws, "sub/.gitignore")))
        results[tool] = (steps, ws)
    for mine, theirs in zip(results["flowops"][0], results["dvc"][0]):
        assert mine == theirs
    codes = [step[1] for step in results["dvc"][0]]
    assert codes == [0, 0, 255, 255, 255, 255, 0, 0, 0, 0]
    assert "Could not create .gitignore entry in WS/models/.gitignore." in results["flowops"][0][-1][3]
    assert "    cmd: python train.py --epochs 10 --learning-rate 0.001 --batch-size 64 \n" in results["flowops"][0][-1][4]
    final = results["flowops"][0][-2][4]
    assert "    desc: trains it\n" in final and "        desc: the model\n        remote: store\n        push: false\n" in final

    # What one tool declared, the other runs: flowops reproduces the stages dvc added, and dvc finds them done.
    dvc_ws = results["dvc"][1]
    dvc_ws.flowops("repro", "prep", "insub")
    assert dvc_ws.read("prepared") == "a\n" and dvc_ws.read("sub/out.txt") == "a\n"
    status = dvc_ws.dvc("status", "prep", "insub", "--json").json()
    assert status == {}


LISTED = """\
stages:
  prep:
    cmd: echo
    deps: [a.txt]
    outs: [prepared]
  train:
    desc: "\\n\\n  trains the model, with a first line far longer than the eighty characters dvc shows of it  \\nsecond"
    cmd: echo
  deponly:
    cmd: echo
    deps: [a.txt]
    params: [lr]
  nothing:
    cmd: echo
  loop:
    foreach: [p, q]
    do:
      cmd: echo ${item}
      metrics: ["${item}.json"]
      outs: ["${item}.out"]
"""


def test_stage_list_matches_dvc(make_ws):
    results = {}
    for tool in ("dvc", "flowops"):
        ws: Workspace = make_ws(tool)
        ws.write("a.txt", "a\n")
        ws.write("zz/f.txt", "f\n")
        ws.dvc("add", "-q", "a.txt", "zz/f.txt")
        ws.write("dvc.yaml", LISTED)
        ws.write("sub/dvc.yaml", "stages:\n  s2:\n    cmd: echo\n    plots: [p.csv]\n")
        run = ws.dvc if tool == "dvc" else ws.flowops
        results[tool] = [
            (args, result.returncode, result.stdout, _normal(result.stderr, ws))
            for args in ([], ["--all"], ["--name-only"], ["-R", "sub"], ["train", "loop"], ["nope"], ["sub/dvc.yaml"])
            for result in [run("stage", "list", *args, check=False)]
        ]
    assert results["flowops"] == results["dvc"]
    # --all: stages and .dvc files in the order dvc's walk meets them.
    assert results["dvc"][1][2].splitlines()[-3:] == [
        "a.txt.dvc        Outputs a.txt",
        "sub/dvc.yaml:s2  Reports p.csv",
        "zz/f.txt.dvc     Outputs f.txt",
    ]


def test_stage_add_run_matches_dvc(make_ws):
    """`--run` runs the new stage at once: the same dvc.lock and outputs, and a failing command exits 255."""
    results = {}
    for tool in ("dvc", "flowops"):
        ws: Workspace = make_ws(tool)
        ws.write("a.txt", "a\n")
        ws.dvc("add", "-q", "a.txt")
        run = ws.dvc if tool == "dvc" else ws.flowops
        ok = run("stage", "add", "-n", "prep", "-d", "a.txt", "-o", "prepared", "--run", "cp", "a.txt", "prepared")
        failed = run("stage", "add", "-n", "bad", "-d", "a.txt", "-o", "b.txt", "--run", "false", check=False)
        results[tool] = (ok.returncode, failed.returncode, ws.read("dvc.lock"), ws.read("prepared"), ws.read(".gitignore"))
    assert results["flowops"] == results["dvc"]
    assert results["dvc"][1] == 255
