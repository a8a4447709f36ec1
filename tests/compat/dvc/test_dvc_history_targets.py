"""`push/fetch -a/-T/-A <targets>` beside dvc's: the targets are resolved at every revision, a revision where
a target names nothing is skipped with dvc's warning, and the same objects reach the remote."""

from __future__ import annotations

from pathlib import Path

from conftest import Workspace


def _history(ws: Workspace, remote: Path) -> None:
    ws.dvc("remote", "add", "-d", "storage", str(remote))
    for version in ("one", "two"):
        ws.write("f.txt", f"{version}\n")
        ws.dvc("add", "f.txt")
        ws.git("add", "-A")
        ws.git("commit", "-qm", version)
    ws.write("g.txt", "gee\n")
    ws.dvc("add", "g.txt")
    ws.git("add", "-A")
    ws.git("commit", "-qm", "gee")
    ws.write("f.txt", "three\n")
    ws.dvc("add", "f.txt")


def _remote_files(remote: Path) -> list[str]:
    return sorted(str(p.relative_to(remote)) for p in remote.rglob("*") if p.is_file())


def _runner(ws: Workspace, tool: str):
    return ws.dvc if tool == "dvc" else (lambda *args, **kw: ws.flowops("data", *args, **kw))


def _twins(make_ws, tmp_path: Path, setup):
    """Each tool's workspace after `setup`, with its own remote and its way to run data commands."""
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        remote = tmp_path / f"remote-{tool}"
        setup(ws, remote)
        yield tool, ws, remote, _runner(ws, tool)


def test_push_all_commits_of_one_target(make_ws, tmp_path: Path):
    remotes = {}
    for tool, _ws, remote, run in _twins(make_ws, tmp_path, _history):
        result = run("push", "-A", "f.txt")
        assert result.stdout.splitlines()[-1] == "3 files pushed", (tool, result.stdout, result.stderr)
        remotes[tool] = _remote_files(remote)
    assert remotes["flowops"] == remotes["dvc"]
    assert len(remotes["dvc"]) == 3


def test_push_skips_revisions_without_the_target(make_ws, tmp_path: Path):
    outcomes = {}
    for tool, _ws, remote, run in _twins(make_ws, tmp_path, _history):
        result = run("push", "-A", "g.txt.dvc", check=False)
        warnings = [line for line in result.stderr.splitlines() if "failed to collect" in line]
        outcomes[tool] = (result.returncode, result.stdout.splitlines()[-1:], len(warnings), _remote_files(remote))
        missing = run("fetch", "-A", "nowhere.dvc", check=False)
        assert missing.returncode != 0, (tool, missing.stdout, missing.stderr)
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][:3] == (0, ["1 file pushed"], 2)


PIPELINE = """\
stages:
  prep:
    cmd: (cat a.txt; echo p) > p.txt
    deps: [a.txt]
    outs: [p.txt]
  train:
    cmd: (cat p.txt; echo m) > m.txt
    deps: [p.txt]
    outs: [m.txt]
"""


def _pipeline(ws: Workspace, remote: Path) -> None:
    ws.dvc("remote", "add", "-d", "storage", str(remote))
    ws.write("a.txt", "a\n")
    ws.write("b.txt", "b\n")
    ws.write("sub/c.txt", "c\n")
    ws.dvc("add", "a.txt", "b.txt", "sub/c.txt")
    ws.write("dvc.yaml", PIPELINE)
    ws.dvc("repro")


def test_with_deps_recursive_and_glob_select_the_same_data(make_ws, tmp_path: Path):
    selections = [["-d", "train"], ["train"], ["-d", "m.txt"], ["-R", "sub"], ["--glob", "*.txt.dvc"]]
    pushed = {}
    for tool, ws, remote, run in _twins(make_ws, tmp_path, _pipeline):
        for args in selections:
            result = run("push", *args)
            pushed[(tool, *args)] = (result.stdout.splitlines()[-1], _remote_files(remote))
            for path in remote.rglob("*"):
                if path.is_file():
                    path.unlink()
        for out in ("a.txt", "p.txt", "m.txt", "sub/c.txt"):
            (ws.root / out).unlink()
        run("checkout", "-d", "train")
        run("checkout", "-R", "sub")
        pushed[(tool, "restored")] = sorted(
            out for out in ("a.txt", "b.txt", "p.txt", "m.txt", "sub/c.txt") if (ws.root / out).exists()
        )
    for args in selections:
        assert pushed[("flowops", *args)] == pushed[("dvc", *args)], args
    assert [len(pushed[("dvc", *args)][1]) for args in selections] == [3, 1, 1, 1, 2]
    assert pushed[("flowops", "restored")] == pushed[("dvc", "restored")] == [
        "a.txt", "b.txt", "m.txt", "p.txt", "sub/c.txt"
    ]


def test_diff_lists_stage_outputs_from_dvc_lock_and_unrun_stages(make_ws):
    """dvc diff covers pipeline outputs too: a changed out recorded in dvc.lock is modified; an out declared
    by a stage that never ran is listed without a hash (deleted while the file is absent); cache: false
    metrics are left out."""
    outputs = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        run = ws.dvc if tool == "dvc" else (lambda *args, **kw: ws.flowops("data", *args, **kw))
        ws.write("in", "1\n")
        ws.write("dvc.yaml", "stages:\n  s:\n    cmd: cp in m.json && mkdir -p od && cp in od/x\n    deps: [in]\n"
                 "    outs: [od]\n    metrics:\n    - m.json:\n        cache: false\n"
                 "  never:\n    cmd: echo > never.txt\n    outs: [never.txt]\n")
        ws.dvc("repro", "s")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        ws.write("in", "2\n")
        ws.dvc("repro", "s")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "two")
        outputs[tool] = [run("diff", *revs, "--json").json() for revs in ([], ["HEAD~1"], ["HEAD~1", "HEAD"])]
    assert outputs["flowops"] == outputs["dvc"]
    assert {"path": "never.txt"} in outputs["dvc"][0]["deleted"]
    assert {"path": "od/x"} in outputs["dvc"][1]["modified"]
