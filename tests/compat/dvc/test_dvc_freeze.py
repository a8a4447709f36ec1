"""`flowops data freeze|unfreeze` beside `dvc freeze|unfreeze` on twin repositories: the same dvc.yaml and .dvc
bytes after each command (dvc rewrites the whole stage: deps and params sorted, `wdir: .` dropped, flags in
its order), the same output, messages and exit codes, and the same `status` afterwards."""

from __future__ import annotations

from conftest import Workspace

PIPELINE = """\
stages:
  train:  # trains
    desc: the training
    cmd: echo t > model.bin
    wdir: .
    deps:
    - z.txt
    - a.txt
    params:
    - x.y
    - lr
    - other.yaml:
      - k
    outs:
    - model.bin:
        persist: true
    metrics:
    - m.json:
        cache: false
    meta: {owner: me}
  plotter:
    cmd: echo p
    deps: [b.txt, a.txt]
    params:
    - other.yaml:
    - lr
    plots:
    - p.csv:
        x: a
        cache: false
        y: b
    - a.png
    outs:
    - b.out:
        desc: b
        remote: r
        push: false
        cache: true
  loop:
    foreach: [p]
    do:
      cmd: echo ${item}
  interp:
    cmd: echo ${lr}
"""

SCRIPT = [
    ["freeze", "train"],
    ["freeze", "plotter", "loop@p", "interp", "dvc.yaml", "nope", "a.txt.dvc"],
    ["freeze", "train"],
    ["unfreeze", "train", "a.txt.dvc", "plotter"],
    ["freeze", "dvc.lock:train"],
]


def test_freeze_matches_dvc(make_ws):
    results = {}
    for tool in ("dvc", "flowops"):
        ws: Workspace = make_ws(tool)
        for name, text in {"a.txt": "a\n", "z.txt": "z\n", "b.txt": "b\n", "m.json": "{}\n"}.items():
            ws.write(name, text)
        ws.dvc("add", "-q", "a.txt")
        ws.write("params.yaml", "lr: 1\nx:\n  y: 2\n")
        ws.write("other.yaml", "k: 1\n")
        ws.write("dvc.yaml", PIPELINE)
        run = ws.dvc if tool == "dvc" else (lambda *a, **kw: ws.flowops("data", *a, **kw))
        steps = []
        for args in SCRIPT:
            result = run(*args, check=False)
            stderr = result.stderr.replace("error: INVALID_PARAMETER_VALUE: ", "ERROR: ")
            steps.append((args, result.returncode, result.stdout, stderr, ws.read("dvc.yaml"), ws.read("a.txt.dvc")))
        results[tool] = steps
    for mine, theirs in zip(results["flowops"], results["dvc"]):
        assert mine == theirs
    codes = [step[1] for step in results["dvc"]]
    assert codes == [0, 1, 0, 0, 1]
    frozen = results["dvc"][1][4]
    assert "    frozen: true\n" in frozen and frozen.index("- a.txt") < frozen.index("- z.txt")
