"""`repro --pull` of a stage whose out is missing from both the cache and the remote, beside dvc 3.67.1: the
pull warns of the object ("md5: <oid>", dvc-data's `_log_missing`), `Stage.reproduce` says "Unable to pull
data for stage: '<stage>'" on stdout, `StageCache.restore` pulls the outs dvc.lock records once more and warns
by name ("name: <out from the cwd>, md5: <oid>"; a directory's missing manifest is "name: None"), then the
stage runs and the exit is 0."""

from __future__ import annotations

import hashlib
import re
import shutil

import pytest

from conftest import Workspace, sorted_git_add

WARNING = "WARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:\n"
FILE_STAGE = "    cmd: cp data.txt s.txt && echo ran >> runs.log\n    deps:\n    - data.txt\n    outs:\n    - s.txt\n"
DIR_STAGE = (
    "    cmd: mkdir -p out && cp data.txt out/a && echo b > out/b && echo ran >> runs.log\n"
    "    deps:\n    - data.txt\n    outs:\n    - out\n"
)
TWO_STAGES = (
    f"stages:\n  prep:\n{FILE_STAGE}"
    "  train:\n    cmd: cp s.txt t.txt && echo more >> t.txt\n    deps:\n    - s.txt\n    outs:\n    - t.txt\n"
)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _dir_md5(files: dict[str, str]) -> str:
    # dvc's manifest: the sorted entries as JSON, with its separators.
    entries = ", ".join(f'{{"md5": "{_md5(text)}", "relpath": "{name}"}}' for name, text in sorted(files.items()))
    return _md5(f"[{entries}]") + ".dir"


def _twins(make_ws, dvc_yaml: str, files: dict[str, str]) -> dict[str, Workspace]:
    """Both workspaces after a repro whose outs were never pushed, then lost with the whole cache."""
    twins = {tool: make_ws(tool) for tool in ("dvc", "flowops")}
    for ws in twins.values():
        remote = ws.root.parent / f"remote-{ws.root.name}"
        remote.mkdir()
        ws.dvc("remote", "add", "-d", "r", str(remote))
        for name, text in files.items():
            ws.write(name, text)
        ws.write("dvc.yaml", dvc_yaml)
        ws.dvc("repro", "-q", "-P")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        shutil.rmtree(ws.root / ".dvc" / "cache")
        for out in ("s.txt", "t.txt", "out"):
            path = ws.root / out
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
    return twins


def _repro(ws: Workspace, tool: str, *args: str, cwd: str = ".") -> tuple[int, str, str]:
    run = ws.dvc if tool == "dvc" else ws.flowops
    result = run("repro", "--pull", *args, check=False, cwd=ws.root / cwd)
    # FlowOps' own line for a stage that ran stands where dvc leaves an empty line; its closing line names it.
    stdout = re.sub(r"Stage '[\w/.:]+' ran in \d+\.\d s\.\n", "", result.stdout)
    return result.returncode, sorted_git_add(stdout.replace("flowops data push", "dvc push")), result.stderr


def _missing(oid: str, name: str) -> str:
    return f"{WARNING}md5: {oid}\n{WARNING}name: {name}, md5: {oid}\n"


def test_a_file_out_missing_everywhere_is_warned_of_twice_and_its_stage_runs(make_ws) -> None:
    twins = _twins(make_ws, f"stages:\n  prep:\n{FILE_STAGE}", {"data.txt": "data\n"})
    outcomes = {tool: _repro(ws, tool) for tool, ws in twins.items()}
    stdout = (
        "Pulling data for stage: 'prep'\nUnable to pull data for stage: 'prep'\nRunning stage 'prep':\n"
        "> cp data.txt s.txt && echo ran >> runs.log\nUse `dvc push` to send your updates to remote storage.\n"
    )
    assert outcomes["flowops"] == outcomes["dvc"] == (0, stdout, _missing(_md5("data\n"), "s.txt"))
    for ws in twins.values():
        assert ws.read("runs.log") == "ran\nran\n"


def test_a_directory_whose_manifest_is_missing_everywhere_is_named_none(make_ws) -> None:
    twins = _twins(make_ws, f"stages:\n  prep:\n{DIR_STAGE}", {"data.txt": "data\n"})
    outcomes = {tool: _repro(ws, tool) for tool, ws in twins.items()}
    oid = _dir_md5({"a": "data\n", "b": "b\n"})
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][0] == 0
    assert outcomes["dvc"][2] == _missing(oid, "None")
    for ws in twins.values():
        assert ws.read("out/b") == "b\n"


@pytest.mark.parametrize(
    ("pipeline_dir", "wdir", "cwd", "name"),
    [("", "sub", ".", "sub/s.txt"), ("sub", "", "sub", "s.txt")],
)
def test_an_out_is_named_by_its_path_from_the_cwd(make_ws, pipeline_dir, wdir, cwd, name) -> None:
    stage = FILE_STAGE if wdir == "" else f"    wdir: {wdir}\n{FILE_STAGE}"
    yaml_path = f"{pipeline_dir}/dvc.yaml" if pipeline_dir else "dvc.yaml"
    twins = {tool: make_ws(tool) for tool in ("dvc", "flowops")}
    for ws in twins.values():
        (ws.root.parent / f"remote-{ws.root.name}").mkdir()
        ws.dvc("remote", "add", "-d", "r", str(ws.root.parent / f"remote-{ws.root.name}"))
        ws.write("sub/data.txt", "data\n")
        ws.write(yaml_path, f"stages:\n  prep:\n{stage}")
        ws.dvc("repro", "-q", "-P")
        shutil.rmtree(ws.root / ".dvc" / "cache")
        (ws.root / "sub" / "s.txt").unlink()
    outcomes = {tool: _repro(ws, tool, cwd=cwd) for tool, ws in twins.items()}
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][2] == _missing(_md5("data\n"), name)


def test_each_stage_missing_everywhere_warns_before_it_runs(make_ws) -> None:
    twins = _twins(make_ws, TWO_STAGES, {"data.txt": "data\n"})
    outcomes = {tool: _repro(ws, tool) for tool, ws in twins.items()}
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][2] == _missing(_md5("data\n"), "s.txt") + _missing(_md5("data\nmore\n"), "t.txt")
    assert "Unable to pull data for stage: 'train'\nRunning stage 'train':" in outcomes["dvc"][1]


def test_quiet_says_nothing_of_it(make_ws) -> None:
    twins = _twins(make_ws, f"stages:\n  prep:\n{DIR_STAGE}", {"data.txt": "data\n"})
    outcomes = {tool: _repro(ws, tool, "-q") for tool, ws in twins.items()}
    assert outcomes["flowops"] == outcomes["dvc"] == (0, "", "")
