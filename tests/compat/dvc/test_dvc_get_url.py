"""`flowops data get-url` beside `dvc get-url` for local sources: the same files and directories copied,
under the same names, the same refusals (an existing destination without --force, a missing source, an
unknown remote) with the same messages, and nothing tracked."""

from __future__ import annotations

from pathlib import Path

from conftest import Workspace, error_lines, workspace_files

STEPS = [
    ["../src/file.txt"],
    ["../src/dir"],
    ["../src/dir", "d2"],
    ["../src/file.txt"],
    ["-f", "../src/file.txt"],
    ["../src/nope"],
    ["../src/file.txt", "o"],
    ["remote://x/y"],
]


def test_get_url_matches_dvc(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "dir" / "sub").mkdir(parents=True)
    (src / "dir" / "a.txt").write_text("a\n")
    (src / "dir" / "sub" / "b.txt").write_text("b\n")
    (src / "file.txt").write_text("f\n")
    outcomes = {}
    for tool in ("dvc", "flowops"):
        here = tmp_path / tool
        (here / "o").mkdir(parents=True)
        ws = Workspace(here)
        steps = []
        for args in STEPS:
            result = ws.dvc("get-url", *args, check=False) if tool == "dvc" else ws.flowops(
                "data", "get-url", *args, check=False
            )
            steps.append((args, result.returncode, result.stdout, error_lines(result.stderr).rstrip(".")))
        outcomes[tool] = (steps, workspace_files(ws))
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][0][3][1] == 1  # the second copy of file.txt was refused


def test_ls_url_matches_dvc(tmp_path: Path) -> None:
    """`data ls-url` beside `dvc ls-url` on a local directory: the same lines in the same order. dvc walks in
    the file system's order (os.scandir): each directory's files, then its subdirectories, unsorted."""
    src = tmp_path / "src"
    (src / "dir" / "sub").mkdir(parents=True)
    (src / "dir" / "a.txt").write_text("a\n")
    (src / "dir" / "sub" / "b.txt").write_text("b" * 3000)
    (src / "file.txt").write_text("f\n")
    for name in ("zeta", "Mid", "beta_2", "beta-1", "9x", "alpha"):
        (src / name).write_text(name)
    (src / "Asub").mkdir()
    (src / "Asub" / "p").write_text("p")
    here = Workspace(tmp_path)
    for args in (["src"], ["src", "-R", "--size"], ["src/file.txt", "--size"], ["src", "-R", "-L", "1"],
                 ["src", "-R", "-L", "2", "--size"], ["src", "-L", "0"], ["src/dir/"], ["src/nope"]):
        ours = here.flowops("data", "ls-url", *args, check=False)
        theirs = here.dvc("ls-url", *args, check=False)
        assert (ours.returncode == 0) == (theirs.returncode == 0), args
        assert ours.stdout == theirs.stdout, args
    # A tree is sorted by name in both: the text compares whole.
    for args in (["src", "-T"], ["src", "-T", "-L", "1", "--size"], ["src/file.txt", "-T"]):
        assert here.flowops("data", "ls-url", *args).stdout == here.dvc("ls-url", *args).stdout, args
