"""`status` order and directory outs whose manifest is lost, beside dvc 3.67.1:

- `dvc status` (no targets) lists stages and `.dvc` files in the order its index collected them:
  `collect_files` walks the workspace with os.walk, a directory's files (in the filesystem's listing order, not
  sorted) before its subdirectories, a dvc.yaml's stages in the file's order;
- a directory still in the workspace whose `.dir` manifest neither the cache nor the remote has: its files are
  unknown to dvc's index, so the checkout would delete them, and dvc refuses ("Can't remove the following
  unsaved files without confirmation"), in `pull` and in `repro --pull` (the stage fails, not runs). The
  order of the files there is a Python set's, so they are compared sorted.
"""

from __future__ import annotations

import shutil

from conftest import Workspace, error_lines

STAGES = (
    "stages:\n  s1:\n    cmd: cp a.txt o1.txt\n    deps:\n    - a.txt\n    outs:\n    - o1.txt\n"
    "  s0:\n    cmd: cp z.txt o0.txt\n    deps:\n    - z.txt\n    outs:\n    - o0.txt\n"
)
SUB_STAGE = "stages:\n  t:\n    cmd: cp b.txt t.txt\n    deps:\n    - b.txt\n    outs:\n    - t.txt\n"
DIR_STAGE = "stages:\n  mk:\n    cmd: mkdir -p out && echo x > out/x && echo ran >> runs.log\n    outs:\n    - out\n"
UNSAVED = "Can't remove the following unsaved files without confirmation. Use `--force` to force."


def test_status_lists_in_the_walk_order(make_ws) -> None:
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        for name in ("a.txt", "z.txt", *(f"f{i}.txt" for i in range(6)), "sub/b.txt"):
            ws.write(name, "one\n")
        ws.dvc("add", "-q", "a.txt", "z.txt", *(f"f{i}.txt" for i in range(6)), "sub/b.txt")
        ws.write("dvc.yaml", STAGES)
        ws.write("sub/dvc.yaml", SUB_STAGE)
        ws.dvc("repro", "-q")
        for name in ("a.txt", "z.txt", *(f"f{i}.txt" for i in range(6)), "sub/b.txt"):
            ws.write(name, "two\n")
        run = ws.dvc if tool == "dvc" else (lambda *args, ws=ws: ws.flowops("data", *args))
        # Each workspace lists its own directory in its own order: compare each tool with that listing.
        listing = [e.name for e in (ws.root).iterdir()]
        expected = [
            "s1:" if name == "dvc.yaml" else f"{name}:"
            for name in listing
            if (name.endswith(".dvc") and name != ".dvc") or name == "dvc.yaml"
        ]
        expected[expected.index("s1:") + 1 : expected.index("s1:") + 1] = ["s0:"]
        heads = [line for line in run("status").stdout.splitlines() if not line.startswith("\t")]
        assert heads == [*expected, "sub/b.txt.dvc:", "sub/dvc.yaml:t:"], tool
        outcomes[tool] = list(run("status", "--json").json()) == [h[:-1] for h in heads]
    assert outcomes == {"dvc": True, "flowops": True}


def _lost_manifests(make_ws) -> dict[str, Workspace]:
    """d/ tracked by d.dvc and stage mk's out/, pushed, committed; then cache and remote lost."""
    twins = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        remote = ws.root.parent / f"remote-{ws.root.name}"
        remote.mkdir()
        ws.dvc("remote", "add", "-d", "r", str(remote))
        ws.write("d/a", "1\n")
        ws.write("d/b", "2\n")
        ws.dvc("add", "-q", "d")
        ws.write(".gitignore", "runs.log\n")
        ws.write("dvc.yaml", DIR_STAGE)
        ws.dvc("repro", "-q")
        ws.dvc("push", "-q")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        shutil.rmtree(ws.root / ".dvc" / "cache")
        shutil.rmtree(remote)
        remote.mkdir()
        twins[tool] = ws
    return twins


def _unsaved(stderr: str, ws: Workspace) -> list[str]:
    lines = stderr.replace(str(ws.root.resolve()), "<ws>").replace(str(ws.root), "<ws>").splitlines()
    start = next(i for i, line in enumerate(lines) if UNSAVED in line)
    return sorted(lines[start + 1 :])


def test_pull_refuses_to_remove_a_directory_whose_manifest_is_lost(make_ws) -> None:
    twins = _lost_manifests(make_ws)
    outcomes = {}
    for tool, ws in twins.items():
        result = ws.dvc("pull", check=False) if tool == "dvc" else ws.flowops("data", "pull", check=False)
        assert UNSAVED in error_lines(result.stderr) or UNSAVED in result.stderr
        outcomes[tool] = (result.returncode, _unsaved(result.stderr, ws), ws.read("d/a"))
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"] == (1, ["<ws>/d/a", "<ws>/d/b", "<ws>/out/x"], "1\n")


def test_repro_pull_fails_the_stage_whose_dir_out_manifest_is_lost(make_ws) -> None:
    twins = _lost_manifests(make_ws)
    outcomes = {}
    for tool, ws in twins.items():
        result = (ws.dvc if tool == "dvc" else ws.flowops)("repro", "--pull", check=False)
        assert f"ERROR: failed to reproduce 'mk': {UNSAVED}\n" in result.stderr
        outcomes[tool] = (result.returncode, result.stdout, _unsaved(result.stderr, ws), ws.read("runs.log"))
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"] == (255, "Pulling data for stage: 'mk'\n", ["<ws>/out/x"], "ran\n")
