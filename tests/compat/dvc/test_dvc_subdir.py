"""A DVC project in a subdirectory of a Git repository (`init --subdir`, a monorepo): both tools initialise it
the same way, and history-reading commands (diff, push -a, gc -a, params diff) see the same revisions."""

from __future__ import annotations

from pathlib import Path

from conftest import Workspace, _run


def _monorepo(tmp_path: Path, name: str) -> Workspace:
    top = tmp_path / name
    (top / "proj").mkdir(parents=True)
    for args in (["init", "-q"], ["config", "user.email", "c@flowops.test"], ["config", "user.name", "c"]):
        _run(["git", *args], top, True)
    (top / "README").write_text("monorepo\n")
    _run(["git", "add", "README"], top, True)
    _run(["git", "commit", "-qm", "init"], top, True)
    return Workspace(top / "proj")


def _runner(ws: Workspace, tool: str):
    return ws.dvc if tool == "dvc" else (lambda *args, **kw: ws.flowops("data", *args, **kw))


def test_init_subdir_refusals_match(tmp_path: Path):
    codes = {}
    for tool in ("dvc", "flowops"):
        ws = _monorepo(tmp_path, tool)
        run = _runner(ws, tool)
        plain = run("init", check=False)
        both = run("init", "--subdir", "--no-scm", check=False)
        ok = run("init", "--subdir", check=False)
        # Only the project's files: the test's dvc site cache lives beside it, inside the same Git repository.
        staged = [line for line in _run(["git", "status", "--short"], ws.root.parent, True).stdout.splitlines()
                  if " proj/" in line]
        codes[tool] = (plain.returncode, both.returncode, ok.returncode, staged)
        assert "`--subdir` if initializing inside a subdirectory" in plain.stderr, tool
    assert codes["flowops"] == codes["dvc"]
    assert codes["dvc"][2] == 0


def test_history_commands_in_a_subdir_project(tmp_path: Path):
    outputs = {}
    for tool in ("dvc", "flowops"):
        ws = _monorepo(tmp_path, tool)
        run = _runner(ws, tool)
        run("init", "--subdir")
        ws.write("data/a", "a\n")
        ws.write("params.yaml", "lr: 1\n")
        ws.write("dvc.yaml", "stages:\n  s:\n    cmd: cat data/a > out\n    deps: [data]\n    params: [lr]\n    outs: [out]\n")
        run("add", "data")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        ws.write("data/b", "b\n")
        ws.write("params.yaml", "lr: 2\n")
        run("add", "data")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "two")
        run("remote", "add", "-d", "s", str(tmp_path / f"{tool}-store"))
        pushed = run("push", "-a")
        diff = run("diff", "HEAD~1")
        params = ws.dvc("params", "diff", "HEAD~1") if tool == "dvc" else ws.flowops("params", "diff", "HEAD~1")
        gc = run("gc", "-a", "-f", "-w")
        status = ws.dvc("status", "-c", "-a")
        outputs[tool] = (pushed.stdout, diff.stdout, params.stdout, gc.stdout, status.stdout)
    assert outputs["flowops"] == outputs["dvc"]
    assert "data/b" in outputs["dvc"][1]
