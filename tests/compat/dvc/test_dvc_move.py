"""`flowops data move` beside `dvc move` on twin repositories: the same files after every step (data, .dvc
files, .gitignore), the same messages, exit codes and files to `git add`, and both tools' `status` clean at
the end."""

from __future__ import annotations

import re

from conftest import Workspace, error_lines, workspace_files

# Each step: (source, destination). Failures first, while everything is where `add` put it.
SCRIPT: list[tuple[str, str]] = [
    ("a.txt", "b.txt"),  # b.txt.dvc exists
    ("a.txt", "d/y"),  # the new .dvc file would be inside a git-ignored directory
    ("a.txt", "nodir/z.txt"),  # no such directory
    ("b.txt.dvc", "q"),
    ("nope", "x"),
    ("made.txt", "m2.txt"),  # a stage's output
    ("b.txt", "e.txt"),  # data.dvc tracks e.txt
    ("a.txt", "a2.txt"),
    ("d", "sub"),  # into a directory
    ("c.txt", "c2.txt"),  # recorded in data.dvc, which keeps its name and its comment
    ("sub/d", "sub/d2"),
    ("a2.txt", "sub/"),
]


def _build(ws: Workspace) -> None:
    ws.dvc("config", "cache.type", "hardlink")
    ws.write("a.txt", "a\n")
    ws.write("b.txt", "b\n")
    ws.write("e.txt", "e\n")
    ws.write("c.txt", "c\n")
    ws.write("d/x.txt", "x\n")
    (ws.root / "sub").mkdir()
    ws.dvc("add", "-q", "a.txt", "b.txt", "d", "c.txt", "e.txt")
    # A .dvc file not named after its output, with a comment and a description.
    text = ws.read("c.txt.dvc").replace("outs:\n", "# the c data\nouts:\n") + "desc: c data\n"
    ws.write("data.dvc", text)
    (ws.root / "c.txt.dvc").unlink()
    (ws.root / "e.txt.dvc").rename(ws.root / "data2.dvc")
    ws.write("dvc.yaml", "stages:\n  make:\n    cmd: echo m > made.txt\n    outs:\n    - made.txt\n")
    ws.dvc("repro", "-q")
    ws.git("add", "-A")
    ws.git("commit", "-qm", "start")


def _to_add(stdout: str) -> list[str]:
    # dvc lists the files from a Python set, so their order varies from run to run.
    match = re.search(r"\tgit add (.*)\n", stdout)
    return sorted(match.group(1).split()) if match else []


def test_move_matches_dvc(make_ws):
    results = {}
    for tool in ("dvc", "flowops"):
        ws: Workspace = make_ws(tool)
        _build(ws)
        run = ws.dvc if tool == "dvc" else (lambda *a, **kw: ws.flowops("data", *a, **kw))
        steps = []
        for src, dst in SCRIPT:
            result = run("move", src, dst, check=False)
            message = error_lines(result.stderr).replace(str(ws.root), "WS")
            steps.append(((src, dst), result.returncode, message, _to_add(result.stdout), workspace_files(ws)))
        results[tool] = (steps, ws.dvc("status", "--json").json(), ws.flowops("data", "status", "--json").json())

    dvc_steps, dvc_status, dvc_ours = results["dvc"]
    fo_steps, fo_status, fo_ours = results["flowops"]
    for mine, theirs in zip(fo_steps, dvc_steps):
        assert mine[:4] == theirs[:4]
        assert mine[4] == theirs[4], mine[0]
    assert fo_status == dvc_status == {}
    assert fo_ours == dvc_ours
    codes = {step[0]: step[1] for step in dvc_steps}
    assert codes[("a.txt", "b.txt")] == 1 and codes[("a.txt", "a2.txt")] == 0
    final = fo_steps[-1][4]
    assert "sub/a2.txt" in final and "sub/a2.txt.dvc" in final and "a.txt.dvc" not in final
    assert "sub/d2/x.txt" in final and "sub/d2.dvc" in final
    assert final["data.dvc"][0].startswith("# the c data\nouts:\n") and "path: c2.txt" in final["data.dvc"][0]
