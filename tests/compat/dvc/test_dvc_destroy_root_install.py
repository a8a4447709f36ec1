"""`flowops data root|destroy|install` beside `dvc root|destroy|install` on twin repositories: the same
output, messages and exit codes; destroy leaves the same files (links into the cache become plain copies) and asks
the same question on stdin; install writes the same hooks, with `flowops data git-hook` where dvc's run
`dvc git-hook`. Known and kept apart: dvc also registers its merge driver in .git/config (FlowOps has none),
and --use-pre-commit-tool's entry names dvc's hook repository where FlowOps's is a `local` one."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import DVC_BIN, FLOWOPS_BIN, Workspace, error_lines, make_workspace


def run(
    ws: Workspace, tool: str, *args: str, stdin: str = "", cwd: Path | None = None
) -> tuple[int, str, str]:
    """One command with `stdin` as its input (never a terminal) and a fixed console width for dvc's rich."""
    argv = [str(DVC_BIN), *args] if tool == "dvc" else [str(FLOWOPS_BIN), "data", *args]
    env = {
        **os.environ,
        "COLUMNS": "60",
        "DVC_NO_ANALYTICS": "1",
        "DVC_SITE_CACHE_DIR": str(ws.root.parent / "dvc-site-cache"),
    }
    done = subprocess.run(
        argv, cwd=cwd or ws.root, input=stdin, capture_output=True, text=True, timeout=300, env=env
    )
    return done.returncode, done.stdout, error_lines(done.stderr)


def tree(root: Path) -> dict[str, object]:
    """Every path outside .git: a directory, a symlink, or a file with its text and mode."""
    found: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] == ".git":
            continue
        if path.is_symlink():
            found[rel] = "symlink"
        elif path.is_dir():
            found[rel] = "dir"
        else:
            found[rel] = (path.read_text(), oct(path.stat().st_mode & 0o777), path.stat().st_nlink)
    return found


def twins(tmp_path: Path) -> dict[str, Workspace]:
    return {tool: make_workspace(tmp_path / tool) for tool in ("dvc", "flowops")}


def test_root_from_the_root_a_subdirectory_and_outside(tmp_path: Path):
    pair = twins(tmp_path)
    for ws in pair.values():
        (ws.root / "a" / "b").mkdir(parents=True)
    for where, expected in (("", ".\n"), ("a/b", "../..\n")):
        outcomes = {tool: run(ws, tool, "root", cwd=ws.root / where) for tool, ws in pair.items()}
        assert outcomes["flowops"] == outcomes["dvc"] == (0, expected, "")
    outside = tmp_path / "outside"
    outside.mkdir()
    outcomes = {tool: run(ws, tool, "root", cwd=outside) for tool, ws in pair.items()}
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][0] == 253
    assert "you are not inside of a DVC repository (checked up to mount point" in outcomes["dvc"][2]


def project(ws: Workspace) -> None:
    """Data added and a stage run by dvc, checked out as symlinks into a cache outside .dvc/."""
    ws.dvc("config", "cache.dir", f"../{ws.root.name}-cache")
    ws.dvc("config", "cache.type", "symlink")
    ws.write("f.txt", "one\n")
    ws.write("dir/sub/b", "two\n")
    ws.write("sub/g.txt", "three\n")
    ws.dvc("add", "-q", "f.txt", "dir", "sub/g.txt")
    ws.write(
        "p/dvc.yaml",
        "stages:\n  s:\n    cmd: echo hi > o.txt && echo m > nc.txt\n    outs: [o.txt, {nc.txt: {cache: false}}]\n",
    )
    ws.write("dvc.yaml", "metrics: [m.json]\n")
    ws.write("m.json", "{}\n")
    ws.write("lk/dvc.lock", "schema: '2.0'\nstages: {}\n")
    ws.write("sub/.dvcignore", "x\n")
    ws.dvc("repro", "-q", "p/dvc.yaml")
    assert (ws.root / "f.txt").is_symlink()


def test_destroy_asks_on_stdin_and_keeps_the_data_as_plain_files(tmp_path: Path):
    pair = twins(tmp_path)
    for ws in pair.values():
        project(ws)
    before = tree(pair["dvc"].root)
    # No, nothing, an answer dvc does not take then no: each refused with dvc's message, nothing changed.
    for answer in ("n\n", "", "maybe\n\nno\n"):
        outcomes = {tool: run(ws, tool, "destroy", stdin=answer) for tool, ws in pair.items()}
        assert outcomes["flowops"] == outcomes["dvc"], answer
        assert outcomes["dvc"][0] == 1
        assert "cannot destroy without a confirmation from the user. Use `-f` to force." in outcomes["dvc"][2]
        assert tree(pair["dvc"].root) == before
    outcomes = {tool: run(ws, tool, "destroy", stdin="Y\n") for tool, ws in pair.items()}
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][0] == 0
    prompt = "This will destroy all information about your pipelines, all \ndata files, as well as cache"
    assert outcomes["dvc"][1].startswith(prompt)
    after = {tool: tree(ws.root) for tool, ws in pair.items()}
    assert after["flowops"] == after["dvc"]
    assert ".dvc" not in after["dvc"] and "f.txt.dvc" not in after["dvc"] and "p/dvc.lock" not in after["dvc"]
    assert after["dvc"]["f.txt"][0] == "one\n" and after["dvc"]["dir/sub/b"][0] == "two\n"
    for ws in pair.values():  # The cache outside .dvc/ stays, as dvc leaves it.
        assert (ws.root.parent / f"{ws.root.name}-cache" / "files").is_dir()
        assert ws.git("status", "--short").stdout == pair["dvc"].git("status", "--short").stdout


def test_destroy_force_and_outside_a_repository(tmp_path: Path):
    pair = twins(tmp_path)
    for ws in pair.values():
        ws.write("f.txt", "one\n")
        ws.dvc("add", "-q", "f.txt")
    outcomes = {tool: run(ws, tool, "destroy", "-f") for tool, ws in pair.items()}
    assert outcomes["flowops"] == outcomes["dvc"] == (0, "", "")
    assert tree(pair["flowops"].root) == tree(pair["dvc"].root)
    outcomes = {tool: run(ws, tool, "destroy", "-f") for tool, ws in pair.items()}
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][0] == 253


def hooks(ws: Workspace) -> dict[str, tuple[str, str]]:
    found = {}
    for hook in sorted((ws.root / ".git" / "hooks").iterdir()):
        if not hook.name.endswith(".sample"):
            text = hook.read_text().replace("exec flowops data git-hook", "exec dvc git-hook")
            found[hook.name] = (text, oct(hook.stat().st_mode & 0o777))
    return found


def test_install_writes_the_hooks_once(tmp_path: Path):
    pair = twins(tmp_path)
    config_before = pair["flowops"].read(".git/config")
    for _ in range(2):
        outcomes = {tool: run(ws, tool, "install") for tool, ws in pair.items()}
        assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"] == (
        1,
        "",
        "failed to install DVC Git hooks - Hook 'post-checkout' already exists. "
        "Please refer to <https://man.dvc.org/install> for more info.",
    )
    assert hooks(pair["flowops"]) == hooks(pair["dvc"])
    assert set(hooks(pair["dvc"])) == {"post-checkout", "pre-commit", "pre-push"}
    assert pair["flowops"].read(".git/config") == config_before
    # Outside Git (--no-scm) both do nothing and succeed.
    for tool in ("dvc", "flowops"):
        bare = tmp_path / f"noscm-{tool}"
        bare.mkdir()
        ws = Workspace(bare)
        ws.dvc("init", "-q", "--no-scm")
        assert run(ws, tool, "install") == (0, "", "")
        assert run(ws, tool, "install", "--use-pre-commit-tool") == (0, "", "")
        assert sorted(p.name for p in bare.iterdir()) == [".dvc", ".dvcignore"]


def test_install_with_the_pre_commit_tool_appends_to_the_config(tmp_path: Path):
    pair = twins(tmp_path)
    existing = (
        '# my hooks\nrepos:\n- repo: local\n  hooks:\n  - id: x\n    name: x\n    entry: "true"\n'
        "    language: system\n"
    )
    for ws in pair.values():
        ws.write(".pre-commit-config.yaml", existing)
    texts = {}
    for _ in range(2):
        outcomes = {tool: run(ws, tool, "install", "--use-pre-commit-tool") for tool, ws in pair.items()}
        assert outcomes["flowops"] == outcomes["dvc"] == (0, "", "")
        for tool, ws in pair.items():
            text = ws.read(".pre-commit-config.yaml")
            assert texts.setdefault(tool, text) == text
    # What was there is dumped again the same way; then each tool's one entry.
    kept = {
        "dvc": texts["dvc"].split("- repo: https://github.com/treeverse/dvc\n")[0],
        "flowops": texts["flowops"].split("- repo: local\n  hooks:\n  - id: flowops-pre-commit\n")[0],
    }
    assert kept["flowops"] == kept["dvc"]
    assert "entry: 'true'" in kept["dvc"]
    assert "entry: flowops data git-hook post-checkout" in texts["flowops"]
    assert not (pair["flowops"].root / ".git" / "hooks" / "pre-commit").exists()
