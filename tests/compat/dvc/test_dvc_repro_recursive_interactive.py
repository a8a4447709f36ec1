"""`repro -R <dir>` and `repro -i` with `.dvc` data sources, beside dvc 3.67.1.

-R: dvc's `collect_inside_path` takes every node of its index whose file lies in the directory, `.dvc` files
as well as dvc.yaml stages, at any depth; a repo with no dvc.yaml at all is fine. Targets that select nothing
(-R of a directory without such files, a --glob matching no stage, even one naming a `.dvc` file) are no
targets to `get_subgraph_of_nodes`: the whole graph is reproduced. dvc walks files of a directory before its
subdirectories, in the filesystem's order within one directory, so each directory here holds one such file
unless a stage's deps fix the order.

-i: dvc's `prompt.confirm` asks only when stdout is a terminal; otherwise the answer is no, silently. It asks
about changed `.dvc` files as about stages, under --dry too, and after --pull tried the stage's missing outs.
The prompt goes to stdout when stdin is piped (to stderr when stdin is a terminal too); a reply other than
yes/no/y/n (any case) is answered with "Your response must be one of" and asked again; end of input is no.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import termios
from pathlib import Path

from conftest import DVC_BIN, FLOWOPS_BIN, Workspace, both_repro, repro_progress, source_twins, write_twins

ABORTED = "ERROR: failed to reproduce '{}': reproduction aborted by the user\n"
ASK = "Going to reproduce stage: '{}'. Are you sure you want to continue? [y/n] "
RETRY = "Your response must be one of: ['yes', 'no', 'y', 'n']. Please try again.\n"








# pipe/dvc.yaml: a reads raw/s.txt; b reads nothing. extra/deeper/lonely.txt is read by no stage. The root's
# stage reads r.txt.
PIPE = """\
stages:
  a:
    cmd: cat raw/s.txt > a.txt
    deps: [raw/s.txt]
    outs: [a.txt]
  b:
    cmd: echo b > b.txt
    outs: [b.txt]
"""
TOP = "stages:\n  top:\n    cmd: cat src/r.txt > top.txt\n    deps: [src/r.txt]\n    outs: [top.txt]\n"
PIPE_FILES = {"pipe/raw/s.txt": "s\n", "pipe/extra/deeper/lonely.txt": "l\n", "src/r.txt": "r\n"}
PIPE_SOURCES = ("pipe/raw/s.txt", "pipe/extra/deeper/lonely.txt", "src/r.txt")


def test_recursive_takes_the_dvc_files_inside_the_directory_at_any_depth(make_ws) -> None:
    twins = source_twins(make_ws, PIPE_FILES, PIPE_SOURCES, {"pipe/dvc.yaml": PIPE, "dvc.yaml": TOP})
    code, stdout, _ = both_repro(twins, "-R", "pipe")
    assert code == 0
    assert repro_progress(stdout) == (
        "'pipe/raw/s.txt.dvc' didn't change, skipping\n"
        "Running stage 'pipe/dvc.yaml:a':\n> cat raw/s.txt > a.txt\n"
        "Generating lock file 'pipe/dvc.lock'\nUpdating lock file 'pipe/dvc.lock'\n\n"
        "Running stage 'pipe/dvc.yaml:b':\n> echo b > b.txt\nUpdating lock file 'pipe/dvc.lock'\n\n"
        "'pipe/extra/deeper/lonely.txt.dvc' didn't change, skipping\n"
    )
    write_twins(twins, "pipe/extra/deeper/lonely.txt", "changed\n")
    # Not a dvc.yaml's stage: the file alone leaves it out.
    code, stdout, _ = both_repro(twins, "pipe/dvc.yaml")
    assert "lonely" not in stdout
    code, stdout, _ = both_repro(twins, "-R", "pipe/extra")
    assert repro_progress(stdout) == "Verifying data sources in stage: 'pipe/extra/deeper/lonely.txt.dvc'\n"


def test_recursive_over_a_directory_of_dvc_files_only_needs_no_dvc_yaml(make_ws) -> None:
    twins = source_twins(
        make_ws, {"only/o.txt": "o\n", "only/deep/d.txt": "d\n"}, ("only/o.txt", "only/deep/d.txt"), {}
    )
    code, stdout, _ = both_repro(twins, "-R", "only")
    assert (code, stdout) == (
        0,
        "'only/o.txt.dvc' didn't change, skipping\n'only/deep/d.txt.dvc' didn't change, skipping\n"
        "Data and pipelines are up to date.\n",
    )
    write_twins(twins, "only/o.txt", "changed\n")
    outcomes = {tool: _repro_in(ws, tool, ws.root / "only", "-R", ".") for tool, ws in twins.items()}
    assert outcomes["flowops"] == outcomes["dvc"]
    assert repro_progress(outcomes["dvc"][1]) == (
        "Verifying data sources in stage: 'o.txt.dvc'\n\n'deep/d.txt.dvc' didn't change, skipping\n"
    )
    # No target at all is still the cwd's dvc.yaml, -R or not.
    code, _, stderr = both_repro(twins, "-R")
    assert (code, stderr) == (255, "ERROR: '<ws>/dvc.yaml' does not exist\n")


def _repro_in(ws: Workspace, tool: str, cwd: Path, *args: str) -> tuple[int, str, str]:
    """repro from `cwd`: its exit code, progress lines and stderr."""
    run = ws.dvc if tool == "dvc" else ws.flowops
    result = run("repro", *args, check=False, cwd=cwd)
    return result.returncode, repro_progress(result.stdout), result.stderr.replace(str(ws.root), "<ws>")


# b reads a's output, a reads src/s.txt.
CHAIN = """\
stages:
  a:
    cmd: cat src/s.txt > a.txt
    deps: [src/s.txt]
    outs: [a.txt]
  b:
    cmd: cat a.txt > b.txt
    deps: [a.txt]
    outs: [b.txt]
"""


def test_targets_that_select_nothing_reproduce_the_whole_graph(make_ws) -> None:
    files = {"src/s.txt": "s\n", "plain/p.txt": "not tracked\n"}
    twins = source_twins(make_ws, files, ("src/s.txt",), {"dvc.yaml": CHAIN})
    whole = (
        "'src/s.txt.dvc' didn't change, skipping\nRunning stage 'a':\n> cat src/s.txt > a.txt\n"
        "Generating lock file 'dvc.lock'\nUpdating lock file 'dvc.lock'\n\n"
        "Running stage 'b':\n> cat a.txt > b.txt\nUpdating lock file 'dvc.lock'\n"
    )
    code, stdout, _ = both_repro(twins, "-R", "plain")
    assert (code, repro_progress(stdout)) == (0, whole)
    write_twins(twins, "src/s.txt", "changed\n")
    # A --glob pattern is matched against stage names: a `.dvc` file's name matches none.
    dry = both_repro(twins, "-P", "--dry")
    assert "Running stage 'a':" in dry[1]
    for args in (("--glob", "nothing*"), ("--glob", "src/s.txt.dvc"), ("-R", "plain")):
        assert both_repro(twins, *args, "--dry") == dry, args


def test_interactive_without_a_terminal_declines_silently_data_sources_included(make_ws) -> None:
    twins = source_twins(make_ws, {"src/s.txt": "s\n"}, ("src/s.txt",), {"dvc.yaml": CHAIN})
    for args in (("-i",), ("-i", "--dry")):
        code, stdout, stderr = both_repro(twins, *args)
        assert (code, stdout, stderr) == (255, "'src/s.txt.dvc' didn't change, skipping\n", ABORTED.format("a")), args
    write_twins(twins, "src/s.txt", "changed\n")
    code, stdout, stderr = both_repro(twins, "-i")
    assert (code, stdout, stderr) == (255, "", ABORTED.format("src/s.txt.dvc"))


def _on_terminal(ws: Workspace, tool: str, answers: str, stdin_tty: bool, *args: str) -> tuple[int, str, str]:
    """repro with stdout on a terminal: stdin piped `answers` (then closed), or the same terminal, typed line
    by line (`\\x04` ends the input). Its exit code, what the terminal showed, and stderr."""
    master, slave = pty.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.ONLCR  # newlines as the program wrote them
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "DVC_SITE_CACHE_DIR": str(ws.root.parent / "dvc-site-cache")}
    cmd = [str(DVC_BIN if tool == "dvc" else FLOWOPS_BIN), "repro", *args]
    stdin = slave if stdin_tty else subprocess.PIPE
    proc = subprocess.Popen(cmd, cwd=ws.root, stdin=stdin, stdout=slave, stderr=subprocess.PIPE, env=env)
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
        for line in answers.split("\n"):
            read_for(1.5)
            os.write(master, line.encode() if line == "\x04" else f"{line}\n".encode())
    else:
        assert proc.stdin is not None
        proc.stdin.write(answers.encode())
        proc.stdin.close()
    while proc.poll() is None:
        read_for(0.2)
    read_for(0.2)
    os.close(master)
    assert proc.stderr is not None
    stderr = proc.stderr.read().decode()
    text = shown.decode().replace("\x1b[0m", "")
    text = re.sub(r"Stage '[\w/.:]+' ran in \d+\.\d s\.\n", "", text)
    text = text.replace("flowops data push", "dvc push").replace("flowops data config", "dvc config")
    return proc.returncode, repro_progress(text), stderr.replace(str(ws.root), "<ws>")


def _both_on_terminal(twins: dict[str, Workspace], answers: str, stdin_tty: bool, *args: str) -> tuple[int, str, str]:
    outcomes = {tool: _on_terminal(ws, tool, answers, stdin_tty, *args) for tool, ws in twins.items()}
    assert outcomes["flowops"] == outcomes["dvc"], args
    return outcomes["dvc"]


def test_interactive_on_a_terminal_asks_each_changed_item_in_dvc_words(make_ws) -> None:
    twins = source_twins(make_ws, {"src/s.txt": "s\n"}, ("src/s.txt",), {"dvc.yaml": CHAIN})
    code, shown, stderr = _both_on_terminal(twins, "maybe\nY\nno\n", False, "-i")
    assert (code, stderr) == (255, ABORTED.format("b"))
    assert shown == (
        "'src/s.txt.dvc' didn't change, skipping\n" + ASK.format("a") + RETRY + ASK.format("a")
        + "Running stage 'a':\n> cat src/s.txt > a.txt\nGenerating lock file 'dvc.lock'\n"
        "Updating lock file 'dvc.lock'\n\n" + ASK.format("b") + "\n"
    )
    # Forced, the data source is asked about too; the end of the input is a no.
    code, shown, stderr = _both_on_terminal(twins, "yes\n", False, "-i", "-f")
    assert (code, stderr) == (255, ABORTED.format("a"))
    assert shown.startswith(ASK.format("src/s.txt.dvc") + "Verifying data sources in stage: 'src/s.txt.dvc'\n\n")
    # stdin a terminal too: the question goes to stderr, the typed answers echo on the terminal.
    code, shown, stderr = _both_on_terminal(twins, "y\nq\n\x04", True, "-i", "-f")
    assert code == 255
    assert stderr == ASK.format("src/s.txt.dvc") + ASK.format("a") + ASK.format("a") + ABORTED.format("a")
    assert shown == "y\nVerifying data sources in stage: 'src/s.txt.dvc'\n\nq\n" + RETRY


def test_interactive_with_pull_asks_only_once_the_outs_could_not_be_pulled(make_ws, tmp_path: Path) -> None:
    one = "stages:\n  a:\n    cmd: (cat src/s.txt; echo a) > a.txt\n    deps: [src/s.txt]\n    outs: [a.txt]\n"
    twins = source_twins(make_ws, {"src/s.txt": "s\n"}, ("src/s.txt",), {"dvc.yaml": one})
    for tool, ws in twins.items():
        ws.dvc("remote", "add", "-q", "-d", "store", str(tmp_path / f"remote-{tool}"))
        ws.dvc("repro", "-q")
        ws.dvc("push", "-q")
        (ws.root / "a.txt").unlink()
    # Pulled and checked out: nothing to ask.
    code, shown, _ = _both_on_terminal(twins, "n\n", False, "-i", "--pull")
    assert (code, shown) == (0, "'src/s.txt.dvc' didn't change, skipping\nPulling data for stage: 'a'\n")
    for tool, ws in twins.items():
        (ws.root / "a.txt").unlink()
        for obj in (ws.root / ".dvc" / "cache").rglob("*"):
            if obj.is_file() and obj.read_text(errors="replace") == "s\na\n":
                obj.unlink()
        for obj in (tmp_path / f"remote-{tool}").rglob("*"):
            if obj.is_file() and obj.read_text(errors="replace") == "s\na\n":
                obj.unlink()
    code, shown, stderr = _both_on_terminal(twins, "n\n", False, "-i", "--pull")
    assert (code, stderr.splitlines()[-1] + "\n") == (255, ABORTED.format("a"))
    assert shown == (
        "'src/s.txt.dvc' didn't change, skipping\nPulling data for stage: 'a'\n"
        "Unable to pull data for stage: 'a'\n" + ASK.format("a") + "\n"
    )
