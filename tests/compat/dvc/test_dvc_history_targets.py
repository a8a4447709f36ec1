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


def test_push_all_commits_of_one_target(make_ws, tmp_path: Path):
    remotes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        remote = tmp_path / f"remote-{tool}"
        _history(ws, remote)
        result = _runner(ws, tool)("push", "-A", "f.txt")
        assert result.stdout.splitlines()[-1] == "3 files pushed", (tool, result.stdout, result.stderr)
        remotes[tool] = _remote_files(remote)
    assert remotes["flowops"] == remotes["dvc"]
    assert len(remotes["dvc"]) == 3


def test_push_skips_revisions_without_the_target(make_ws, tmp_path: Path):
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        remote = tmp_path / f"remote-{tool}"
        _history(ws, remote)
        result = _runner(ws, tool)("push", "-A", "g.txt.dvc", check=False)
        warnings = [line for line in result.stderr.splitlines() if "failed to collect" in line]
        outcomes[tool] = (result.returncode, result.stdout.splitlines()[-1:], len(warnings), _remote_files(remote))
        missing = _runner(ws, tool)("fetch", "-A", "nowhere.dvc", check=False)
        assert missing.returncode != 0, (tool, missing.stdout, missing.stderr)
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][:3] == (0, ["1 file pushed"], 2)
