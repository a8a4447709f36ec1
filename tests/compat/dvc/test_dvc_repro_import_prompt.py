"""dvc's `prompt.confirm` in `repro`, beside dvc 3.67.1, with stdout on a terminal:

- `-i` asks about an unfrozen import (import-url of a local file, then unfreeze) whose source changed, as
  about any stage: no fails it ("reproduction aborted by the user"), yes re-imports it ("Importing ...").
  A frozen import whose source changed is unchanged: nothing is asked about it.
- `--pull` with a file whose object is neither in the cache nor on the remote: dvc-data's checkout asks
  "file/directory '<abs>' is going to be removed. Are you sure you want to proceed? [y/n]"; no is its
  ConfirmRemoveError ("unable to remove ... Use `-f` to force."), yes removes the file and the link from the
  missing object fails with "[Errno 2] No such file or directory: '<abs>'". Either fails the stage before
  `-i`'s question; a stdin a terminal gets the question on stderr, and the process ends without its input
  ending.
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import termios
from pathlib import Path

import pytest

from conftest import DVC_BIN, FLOWOPS_BIN, Workspace

USE = "stages:\n  a:\n    cmd: cat f.txt > a.txt\n    deps: [f.txt]\n    outs: [a.txt]\n"
PREP = (
    "stages:\n  prep:\n    cmd: cp data.txt s.txt && echo more >> s.txt && echo ran >> runs.log\n"
    "    deps:\n    - data.txt\n    outs:\n    - s.txt\n"
)
ASK = "Going to reproduce stage: '{}'. Are you sure you want to continue? [y/n] "
REMOVE = "file/directory '<ws>/{}' is going to be removed. Are you sure you want to proceed? [y/n] "


def _on_terminal(ws: Workspace, tool: str, answers: str, stdin_tty: bool, *args: str) -> tuple[int, str, str]:
    """repro with stdout on a terminal and stdin piped `answers` or typed on the same terminal."""
    master, slave = pty.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.ONLCR
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "DVC_SITE_CACHE_DIR": str(ws.root.parent / "dvc-site-cache")}
    cmd = [str(DVC_BIN if tool == "dvc" else FLOWOPS_BIN), "repro", *args]
    proc = subprocess.Popen(
        cmd, cwd=ws.root, stdin=slave if stdin_tty else subprocess.PIPE, stdout=slave, stderr=subprocess.PIPE, env=env
    )
    os.close(slave)
    shown = b""

    def read_for(seconds: float) -> None:
        nonlocal shown
        while select.select([master], [], [], seconds)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            shown += chunk

    if stdin_tty:
        for line in answers.splitlines():
            read_for(1.5)
            os.write(master, f"{line}\n".encode())
    else:
        assert proc.stdin is not None
        proc.stdin.write(answers.encode())
        proc.stdin.close()
    proc.wait(timeout=60)  # a terminal's stdin never ends here: the process must end by itself
    read_for(0.2)
    os.close(master)
    assert proc.stderr is not None
    stderr = proc.stderr.read().decode()
    text = shown.decode().replace("\x1b[0m", "")
    text = re.sub(r"Stage '[\w/.:]+' ran in \d+\.\d s\.\n", "", text)
    text = text.split("To track the changes with git")[0].split("Use `")[0]
    root = str(ws.root)
    text = text.replace(f"src-{tool}.txt", "src.txt")  # each twin imports its own source
    return proc.returncode, text.replace(root, "<ws>"), stderr.replace(root, "<ws>")


def _both(twins: dict[str, Workspace], answers: str, stdin_tty: bool, *args: str) -> tuple[int, str, str]:
    outcomes = {tool: _on_terminal(ws, tool, answers, stdin_tty, *args) for tool, ws in twins.items()}
    assert outcomes["flowops"] == outcomes["dvc"], args
    return outcomes["dvc"]


def _import_twins(make_ws, tmp_path: Path, unfreeze: bool) -> dict[str, Workspace]:
    twins = {tool: make_ws(tool) for tool in ("dvc", "flowops")}
    for tool, ws in twins.items():
        source = tmp_path / f"src-{tool}.txt"
        source.write_text("v1\n")
        ws.dvc("import-url", "-q", str(source), "f.txt")
        if unfreeze:
            ws.dvc("unfreeze", "f.txt.dvc")
        ws.write("dvc.yaml", USE)
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        source.write_text("v2\n")
    return twins


def test_interactive_asks_about_an_unfrozen_import_whose_source_changed(make_ws, tmp_path: Path) -> None:
    twins = _import_twins(make_ws, tmp_path, unfreeze=True)
    code, shown, stderr = _both(twins, "n\n", False, "-i")
    assert (code, shown) == (255, ASK.format("f.txt.dvc"))
    assert stderr == "ERROR: failed to reproduce 'f.txt.dvc': reproduction aborted by the user\n"
    assert [ws.read("f.txt") for ws in twins.values()] == ["v1\n", "v1\n"]
    code, shown, stderr = _both(twins, "maybe\ny\nn\n", False, "-i")
    assert code == 255
    assert "Importing '" in shown and shown.endswith(ASK.format("a"))
    assert [ws.read("f.txt") for ws in twins.values()] == ["v2\n", "v2\n"]


def test_interactive_asks_nothing_about_a_frozen_import(make_ws, tmp_path: Path) -> None:
    twins = _import_twins(make_ws, tmp_path, unfreeze=False)
    code, shown, _ = _both(twins, "n\n", False, "-i")
    assert (code, shown) == (255, "'f.txt.dvc' didn't change, skipping\n" + ASK.format("a"))


def _pull_twins(make_ws) -> dict[str, Workspace]:
    """data.txt tracked and prep run by dvc, nothing pushed, then the cache lost."""
    twins = {tool: make_ws(tool) for tool in ("dvc", "flowops")}
    for ws in twins.values():
        remote = ws.root.parent / f"remote-{ws.root.name}"
        remote.mkdir()
        ws.dvc("remote", "add", "-d", "r", str(remote))
        ws.write("data.txt", "data\n")
        ws.write(".gitignore", "runs.log\n")
        ws.dvc("add", "-q", "data.txt")
        ws.write("dvc.yaml", PREP)
        ws.dvc("repro", "-q")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        shutil.rmtree(ws.root / ".dvc" / "cache")
    return twins


def _present(twins: dict[str, Workspace]) -> list[list[bool]]:
    return [[(ws.root / name).exists() for name in ("data.txt", "s.txt")] for ws in twins.values()]


@pytest.mark.parametrize("answers", ["n\n", "y\n", ""])
def test_pull_asks_before_removing_a_file_whose_object_is_nowhere(make_ws, answers: str) -> None:
    twins = _pull_twins(make_ws)
    code, shown, stderr = _both(twins, answers, False, "--pull")
    assert (code, shown) == (255, "Pulling data for stage: 'data.txt.dvc'\n" + REMOVE.format("data.txt"))
    reason = (
        "[Errno 2] No such file or directory: '<ws>/data.txt'"
        if answers == "y\n"
        else "unable to remove '<ws>/data.txt' without a confirmation. Use `-f` to force."
    )
    assert stderr.endswith(f"ERROR: failed to reproduce 'data.txt.dvc': {reason}\n")
    assert _present(twins) == [[answers != "y\n", True]] * 2


def test_pull_removal_answers_go_on_with_ignore_errors_and_interactive(make_ws) -> None:
    twins = _pull_twins(make_ws)
    code, shown, stderr = _both(twins, "n\nmaybe\ny\ny\n", False, "--pull", "-i", "--ignore-errors")
    assert code == 0
    assert shown == (
        "Pulling data for stage: 'data.txt.dvc'\n" + REMOVE.format("data.txt")
        + "Pulling data for stage: 'prep'\n" + REMOVE.format("s.txt")
        + "Your response must be one of: ['yes', 'no', 'y', 'n']. Please try again.\n"
        + REMOVE.format("s.txt") + "Data and pipelines are up to date.\n"
    )
    assert "WARNING: [Errno 2] No such file or directory: '<ws>/s.txt' (ignored)\n" in stderr
    assert _present(twins) == [[True, False]] * 2


def test_pull_removal_on_a_terminal_stdin_asks_on_stderr_and_ends(make_ws) -> None:
    twins = _pull_twins(make_ws)
    outcomes = {tool: _on_terminal(ws, tool, "n\n", True, "--pull") for tool, ws in twins.items()}
    # The typed answer's echo may come before dvc's slower start prints its first line: stderr is compared.
    assert outcomes["flowops"][::2] == outcomes["dvc"][::2]
    code, shown, stderr = outcomes["dvc"]
    assert (code, sorted(shown.splitlines())) == (255, ["Pulling data for stage: 'data.txt.dvc'", "n"])
    assert stderr.startswith("WARNING: Some of the cache files do not exist")
    assert REMOVE.format("data.txt") + "ERROR: failed to reproduce 'data.txt.dvc'" in stderr
