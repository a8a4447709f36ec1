"""Interoperability suite: the real `dvc` (PyPI) and `flowops data` / `flowops repro` on the same files.

Each test gets a fresh git repository initialised by dvc, and runs both tools as subprocesses, so what is
checked is exactly what a team keeping `dvc` beside FlowOps would see. A failing command's output is part
of the assertion message.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
FLOWOPS_BIN = REPO_ROOT / "bin" / "flowops.js"
DVC_BIN = Path(sys.executable).parent / "dvc"


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


def _run(args: list[str], cwd: Path, check: bool, env: dict[str, str] | None = None) -> Result:
    completed = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})}
    )
    result = Result(completed.returncode, completed.stdout, completed.stderr)
    if check and completed.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} exited {completed.returncode}\n--- stdout\n{completed.stdout}\n--- stderr\n{completed.stderr}"
        )
    return result


@dataclass
class Workspace:
    root: Path

    def dvc(self, *args: str, check: bool = True, cwd: Path | None = None) -> Result:
        # DVC_NO_ANALYTICS keeps the run offline; the site cache dir keeps its state DB inside the test's tmp.
        env = {"DVC_NO_ANALYTICS": "1", "DVC_SITE_CACHE_DIR": str(self.root.parent / "dvc-site-cache")}
        return _run([str(DVC_BIN), *args], cwd or self.root, check, env)

    def flowops(self, *args: str, check: bool = True, cwd: Path | None = None) -> Result:
        # Run as users run it (npx, PATH): through the launcher's shell line, not `node bin/flowops.js`.
        return _run([str(FLOWOPS_BIN), *args], cwd or self.root, check)

    def git(self, *args: str) -> Result:
        return _run(["git", *args], self.root, True)

    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return path

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text()


def error_lines(stderr: str) -> str:
    """dvc writes "ERROR: message", flowops "error: CODE: message": the messages themselves, for comparing."""
    lines = [re.sub(r"^(ERROR: |error: [A-Z_]+: )", "", line) for line in stderr.splitlines()]
    return "\n".join(line for line in lines if line.strip())


# Three stages: a reads data.txt, b reads a.txt, c stands alone; a echoes a line so its output shows.
THREE_STAGE_PIPELINE = """\
stages:
  a:
    cmd: cp data.txt a.txt && echo a-said
    deps: [data.txt]
    outs: [a.txt]
  b:
    cmd: cp a.txt b.txt
    deps: [a.txt]
    outs: [b.txt]
  c:
    cmd: echo c > c.txt
    outs: [c.txt]
"""


def sorted_git_add(stdout: str) -> str:
    """dvc names the files to `git add` from a Python set, whose order changes with PYTHONHASHSEED."""
    return re.sub(r"(?m)^\tgit add (.*)$", lambda m: "\tgit add " + " ".join(sorted(m.group(1).split())), stdout)


def repro_outcome(ws: Workspace, tool: str, *args: str) -> tuple[int, str, str]:
    """`dvc repro <args>` or `flowops repro <args>`: the exit code, stdout without FlowOps's timing lines and
    parallel-run prefixes and with its command names made dvc's, and stderr with the workspace as `<ws>`."""
    run = ws.dvc if tool == "dvc" else ws.flowops
    result = run("repro", *args, check=False)
    stdout = re.sub(r"Stage '[\w/.:]+' ran in \d+\.\d s\.\n", "", result.stdout)
    stdout = re.sub(r"(?m)^\[[\w/.:-]+\] ", "", stdout)
    stdout = stdout.replace("flowops data push", "dvc push").replace("flowops data config", "dvc config")
    return result.returncode, sorted_git_add(stdout), result.stderr.replace(str(ws.root), "<ws>")


def both_repro(twins: dict[str, Workspace], *args: str) -> tuple[int, str, str]:
    """repro_outcome of both twins, which must be the same; dvc's."""
    outcomes = {tool: repro_outcome(ws, tool, *args) for tool, ws in twins.items()}
    assert outcomes["flowops"] == outcomes["dvc"], args
    return outcomes["dvc"]


def source_twins(
    make_ws, files: dict[str, str], sources: tuple[str, ...], yamls: dict[str, str]
) -> dict[str, Workspace]:
    """A dvc and a flowops workspace with `files` written, `sources` tracked (each tool its own `add`), then the
    dvc.yaml files, all committed."""
    twins = {tool: make_ws(tool) for tool in ("dvc", "flowops")}
    for tool, ws in twins.items():
        for name, text in files.items():
            ws.write(name, text)
        if sources:
            if tool == "dvc":
                ws.dvc("add", "-q", *sources)
            else:
                ws.flowops("data", "add", "-q", *sources)
        for name, text in yamls.items():
            ws.write(name, text)
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
    return twins


def write_twins(twins: dict[str, Workspace], name: str, text: str) -> None:
    for ws in twins.values():
        ws.write(name, text)


def repro_progress(stdout: str) -> str:
    """The lines repro prints as it goes: what comes before its reminder to `git add` and its closing line,
    without the blank lines that set those apart."""
    for end in ("To track the changes with git", "Use `dvc push`", "Data and pipelines are up to date."):
        stdout = stdout.split(end)[0]
    return stdout.rstrip("\n") + "\n"


def data_outcome(ws: Workspace, tool: str, *args: str) -> tuple[int, str, str]:
    """`dvc <args>` or `flowops data <args>`: the exit code, stdout with flowops's wording made dvc's (and the
    set-ordered `git add` list sorted), and the error messages."""
    result = ws.dvc(*args, check=False) if tool == "dvc" else ws.flowops("data", *args, check=False)
    stdout = result.stdout.replace("flowops data config core.autostage", "dvc config core.autostage")
    stdout = "\n".join(
        "\tgit add " + " ".join(sorted(line.split()[2:])) if line.startswith("\tgit add") else line
        for line in stdout.splitlines()
    )
    return result.returncode, stdout, error_lines(result.stderr)


def data_twins(make_ws):
    """A dvc-driven and a flowops-driven workspace, and `both(*args, files=...)`: one `data` command on each,
    the same outcome (data_outcome) and the same bytes in each named file; it answers dvc's outcome."""
    twins = {"dvc": make_ws("dvc"), "flowops": make_ws("flowops")}

    def both(*args: str, files: tuple[str, ...] = ()) -> tuple:
        outcomes = {tool: data_outcome(ws, tool, *args) for tool, ws in twins.items()}
        assert outcomes["flowops"] == outcomes["dvc"], args
        for name in files:
            assert twins["flowops"].read(name) == twins["dvc"].read(name), name
        return outcomes["dvc"]

    return twins, both


def workspace_files(ws: Workspace, links: bool = False) -> dict[str, object]:
    """Every workspace file outside .git and .dvc with its text; with `links`, its link count and write bits."""
    files: dict[str, object] = {}
    for path in sorted(ws.root.rglob("*")):
        rel = path.relative_to(ws.root).as_posix()
        if rel.split("/")[0] in (".git", ".dvc") or not path.is_file():
            continue
        if links:
            info = path.lstat()
            files[rel] = (path.read_text(), info.st_nlink, path.is_symlink(), oct(info.st_mode & 0o222))
        else:
            files[rel] = (path.read_text(), path.is_symlink())
    return files


def make_workspace(path: Path) -> Workspace:
    path.mkdir(parents=True)
    ws = Workspace(path)
    ws.git("init", "-q")
    ws.git("config", "user.email", "compat@flowops.test")
    ws.git("config", "user.name", "compat")
    ws.dvc("init", "-q")
    return ws


def clone_without_data(src: Workspace, make_ws, name: str) -> Workspace:
    """A second checkout of the same project: the .dvc files and config, no workspace data, an empty cache."""
    dst = make_ws(name)
    for path in src.root.rglob("*.dvc"):
        if not path.is_file() or ".dvc" in path.relative_to(src.root).parts[:-1]:
            continue
        target = dst.root / path.relative_to(src.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    shutil.copy(src.root / ".dvc" / "config", dst.root / ".dvc" / "config")
    return dst


def make_source_repo(tmp_path: Path) -> Workspace:
    """A repository for `get` and `import` to read, made by dvc: data/ (a.txt, sub/b.txt) and model.bin tracked
    and pushed to a local remote, a stage `prep` writing out/, Git-tracked train.py, src/x.py and an executable
    run.sh, a .dvcignore'd src/debug.log; then a second commit adding data/c.txt (not pushed), and an untracked
    file."""
    ws = make_workspace(tmp_path / "source")
    ws.write("data/a.txt", "one\n")
    ws.write("data/sub/b.txt", "two\n")
    ws.write("model.bin", "weights\n")
    ws.dvc("add", "-q", "data", "model.bin")
    ws.write("train.py", "print('train')\n")
    ws.write("src/x.py", "x = 1\n")
    script = ws.write("run.sh", "#!/bin/sh\necho run\n")
    script.chmod(0o755)
    ws.write(".dvcignore", "*.log\n")
    ws.write("src/debug.log", "noise\n")
    ws.write(
        "dvc.yaml",
        "stages:\n  prep:\n    cmd: mkdir -p out && cat train.py > out/prep.txt\n    deps:\n    - train.py\n"
        "    outs:\n    - out\n",
    )
    ws.dvc("repro", "-q")
    remote = ws.root.parent / "remote"
    ws.dvc("remote", "add", "-d", "store", str(remote))
    ws.git("add", "-A")
    ws.git("commit", "-qm", "one")
    ws.dvc("push", "-q")
    ws.write("data/c.txt", "three\n")
    ws.dvc("add", "-q", "data")
    ws.git("commit", "-qam", "two")
    ws.write("untracked.txt", "not in git\n")
    return ws


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    yield make_workspace(tmp_path / "ws")


@pytest.fixture
def make_ws(tmp_path: Path):
    return lambda name: make_workspace(tmp_path / name)


@pytest.fixture(autouse=True)
def _isolated_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both tools read dvc's global and system config; each test gets its own, empty, so the machine's cannot leak in."""
    monkeypatch.setenv("DVC_GLOBAL_CONFIG_DIR", str(tmp_path / "dvc-global"))
    monkeypatch.setenv("DVC_SYSTEM_CONFIG_DIR", str(tmp_path / "dvc-system"))


@pytest.fixture(scope="session", autouse=True)
def _tools_present() -> None:
    if not DVC_BIN.exists():
        pytest.exit(f"dvc is not installed in this venv ({DVC_BIN})", returncode=1)
    if not FLOWOPS_BIN.exists() or shutil.which("node") is None:
        pytest.exit("node or bin/flowops.js missing", returncode=1)
