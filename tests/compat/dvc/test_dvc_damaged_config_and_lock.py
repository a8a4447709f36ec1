"""A `.dvc/config` that does not load and a dvc.lock that is damaged or empty: dvc fails (or skips the
workspace) in ways scripts read by exit code and warning, and FlowOps must do the same, running nothing."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import Workspace, error_lines

STAGES = (
    "stages:\n  a:\n    cmd: echo a > a.txt\n    outs:\n    - a.txt\n"
    "  b:\n    cmd: echo b > b.txt\n    outs:\n    - b.txt\n"
)

# (dvc's arguments, flowops' arguments)
COMMANDS = [
    (["status"], ["data", "status"]),
    (["repro"], ["repro"]),
    (["dag"], ["dag"]),
    (["checkout"], ["data", "checkout"]),
    (["push"], ["data", "push"]),
    (["pull"], ["data", "pull"]),
    (["fetch"], ["data", "fetch"]),
    (["gc", "-w", "-f"], ["data", "gc", "-w", "-f"]),
    (["add", "x.txt"], ["data", "add", "x.txt"]),
    (["ls", "."], ["data", "ls", "."]),
    (["metrics", "show"], ["metrics", "show"]),
    (["params", "diff"], ["params", "diff"]),
]

CONFIGS = [
    ("[bogus]\n    a = 1\n", "config file error: extra keys not allowed @ data['bogus']"),
    ("[core]\n    autostage = maybe\n", "expected true or false for dictionary value @ data['core']['autostage']"),
    ("[core\nfoo\n", "config file error"),
]


def run(ws: Workspace, tool: str, args: list[str]):
    return ws.dvc(*args, check=False) if tool == "dvc" else ws.flowops(*args, check=False)


def ran_nothing(ws: Workspace) -> bool:
    return not (ws.root / "a.txt").exists() and not (ws.root / "b.txt").exists()


@pytest.mark.parametrize(("config", "message"), CONFIGS)
@pytest.mark.parametrize(("dvc_args", "flowops_args"), COMMANDS)
def test_a_config_that_does_not_load_fails_every_command_as_dvc_does(
    make_ws, config: str, message: str, dvc_args: list[str], flowops_args: list[str]
):
    outcomes = {}
    for tool, args in (("dvc", dvc_args), ("flowops", flowops_args)):
        ws = make_ws(tool)
        ws.write("dvc.yaml", STAGES)
        ws.write("x.txt", "x\n")
        with open(ws.root / ".dvc" / "config", "a") as config_file:
            config_file.write(config)
        result = run(ws, tool, args)
        errors = error_lines(result.stderr)
        # The messages differ in form (ours names the file); both name the problem, and nothing else is said.
        assert message in errors, (tool, result.stderr)
        assert "WARNING" not in result.stderr, (tool, result.stderr)
        assert ran_nothing(ws)
        outcomes[tool] = (result.returncode, result.stdout)
    assert outcomes["flowops"] == outcomes["dvc"]
    # 251 ("configuration error") everywhere but ls, which reports it itself.
    assert outcomes["dvc"][0] == (1 if dvc_args[0] == "ls" else 251)


LOCKS = ["", "  \n\n", 'schema: "2.0"\nstages: [\n', 'schema: "2.0"\nstages:\n  a: 5\n']

LOCK_COMMANDS = [
    (["status"], ["data", "status"]),
    (["repro"], ["repro"]),
    (["repro", "--dry"], ["repro", "--dry"]),
    (["repro", "b"], ["repro", "b"]),
    (["dag"], ["dag"]),
    (["checkout"], ["data", "checkout"]),
    (["push"], ["data", "push"]),
    (["pull"], ["data", "pull"]),
    (["fetch"], ["data", "fetch"]),
    (["gc", "-w", "-f"], ["data", "gc", "-w", "-f"]),
]


@pytest.mark.parametrize("lock", LOCKS)
@pytest.mark.parametrize(("dvc_args", "flowops_args"), LOCK_COMMANDS)
def test_a_damaged_or_empty_lock_stops_or_is_skipped_as_dvc_does(
    make_ws, lock: str, dvc_args: list[str], flowops_args: list[str]
):
    outcomes = {}
    for tool, args in (("dvc", dvc_args), ("flowops", flowops_args)):
        ws = make_ws(tool)
        ws.write("dvc.yaml", STAGES)
        ws.write("dvc.lock", lock)
        ws.dvc("remote", "add", "-d", "store", str(ws.root.parent / f"{tool}-remote"))
        result = run(ws, tool, args)
        assert ran_nothing(ws)
        # The error itself is worded differently (dvc pretty-prints the YAML); the warnings and codes are not.
        warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING: ")]
        outcomes[tool] = (result.returncode, result.stdout, warnings)
    assert outcomes["flowops"] == outcomes["dvc"]


def test_push_all_branches_skips_a_damaged_workspace_lock_as_dvc_does(make_ws):
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        ws.write("dvc.yaml", STAGES)
        ws.write("f.txt", "f\n")
        ws.dvc("add", "-q", "f.txt")
        ws.dvc("remote", "add", "-d", "store", str(ws.root.parent / f"{tool}-remote"))
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        ws.write("dvc.lock", 'schema: "2.0"\nstages: [\n')
        args = ["push", "-a"]
        result = run(ws, tool, args if tool == "dvc" else ["data", *args])
        outcomes[tool] = (result.returncode, result.stdout, result.stderr)
    assert outcomes["flowops"] == outcomes["dvc"] == (0, "1 file pushed\n", "WARNING: failed to collect 'workspace', skipping\n")


@pytest.mark.parametrize("command", ["push", "fetch"])
def test_a_damaged_lock_in_a_past_commit_is_skipped_by_every_commit_transfers_as_dvc_does(make_ws, command: str):
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        ws.write("f.txt", "f\n")
        ws.dvc("add", "-q", "f.txt")
        ws.dvc("remote", "add", "-d", "store", str(ws.root.parent / f"{tool}-remote"))
        ws.write("dvc.yaml", STAGES)
        ws.write("dvc.lock", 'schema: "2.0"\nstages: [\n')
        ws.git("add", "-A")
        ws.git("commit", "-qm", "damaged")
        damaged = ws.git("rev-parse", "HEAD").stdout.strip()
        ws.git("rm", "-q", "dvc.lock", "dvc.yaml")
        ws.git("commit", "-qm", "mended")
        if command == "fetch":
            run(ws, tool, ["push"] if tool == "dvc" else ["data", "push"])
            shutil.rmtree(ws.root / ".dvc" / "cache")
        result = run(ws, tool, [command, "-A"] if tool == "dvc" else ["data", command, "-A"])
        outcomes[tool] = (result.returncode, result.stdout, result.stderr.replace(damaged, "<damaged>"))
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][0] == 0 and outcomes["dvc"][2] == "WARNING: failed to collect '<damaged>', skipping\n"


def test_gc_skip_failed_refuses_a_damaged_workspace_where_dvc_removes_its_data(make_ws):
    # A deliberate difference: dvc skips the workspace and removes f.txt's object, which a valid .dvc file names.
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        ws.write("dvc.yaml", STAGES)
        ws.write("f.txt", "f\n")
        ws.dvc("add", "-q", "f.txt")
        ws.write("dvc.lock", 'schema: "2.0"\nstages: [\n')
        args = ["gc", "-w", "-f", "--skip-failed"]
        result = run(ws, tool, args if tool == "dvc" else ["data", *args])
        objects = [p for p in (ws.root / ".dvc" / "cache" / "files" / "md5").rglob("*") if p.is_file()]
        outcomes[tool] = (result.returncode, len(objects))
    assert outcomes["dvc"] == (0, 0)
    assert outcomes["flowops"] == (255, 1)


def test_a_lone_stage_is_drawn_with_dvcs_padding(make_ws):
    outputs = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        ws.write("dvc.yaml", "stages:\n  a:\n    cmd: echo a\n  bb:\n    cmd: echo b\n")
        outputs[tool] = run(ws, tool, ["dag"]).stdout
    assert outputs["flowops"] == outputs["dvc"] == "+---+  \n| a |  \n+---+  \n+----+ \n| bb | \n+----+ \n"


# (file, text): dvc files that are not YAML, each a mistake people make by hand.
SYNTAX_DAMAGES = [
    ("dvc.lock", 'schema: "2.0"\nstages: [\n'),
    ("dvc.yaml", 'stages:\n  a:\n    cmd: "echo a\n    outs:\n    - a.txt\n'),
    ("dvc.yaml", "stages:\n  a:\n    cmd: echo a\n      outs: x\n"),
    ("dvc.yaml", "stages:\n  a:\n    cmd: echo a\n    cmd: echo b\n"),
    ("dvc.yaml", "stages:\n\ta:\n    cmd: echo a\n"),
    ("x.dvc", "outs:\n- md5: [\n"),
]


def places(text: str, pattern: str) -> list[tuple[int, int]]:
    return [(int(line), int(column)) for line, column in re.findall(pattern, text)]


@pytest.mark.parametrize(("damaged", "text"), SYNTAX_DAMAGES)
@pytest.mark.parametrize(("dvc_args", "flowops_args"), [(["repro"], ["repro"]), (["status"], ["data", "status"])])
def test_a_dvc_file_that_is_not_yaml_is_placed_where_dvc_places_it(make_ws, damaged, text, dvc_args, flowops_args):
    """dvc's YAMLSyntaxError report (ruamel's context and problem with their marks and code lines): ours is the same."""
    results = {}
    for tool, args in (("dvc", dvc_args), ("flowops", flowops_args)):
        ws = make_ws(tool)
        ws.write("dvc.yaml", STAGES)
        ws.write(damaged, text)
        results[tool] = run(ws, tool, args)
    dvc, ours = results["dvc"], results["flowops"]
    assert ours.returncode == dvc.returncode
    assert f"'./{damaged}' is invalid." in dvc.stderr
    assert ours.stderr == dvc.stderr


def test_a_lock_schema_problem_is_placed_where_dvc_places_it(make_ws):
    """dvc's YAMLValidationError names the line and column of the mapping that is wrong; for a stage that is
    not a mapping that is the stage's own key, where ours points too."""
    results = {}
    for tool, args in (("dvc", ["repro"]), ("flowops", ["repro"])):
        ws = make_ws(tool)
        ws.write("dvc.yaml", STAGES)
        ws.write("dvc.lock", 'schema: "2.0"\nstages:\n  a: 5\n')
        results[tool] = run(ws, tool, args)
    dvc, ours = results["dvc"], results["flowops"]
    assert ours.returncode == dvc.returncode == 255
    assert "'./dvc.lock' validation failed." in dvc.stderr
    assert places(ours.stderr, r"dvc\.lock:3: .*, line (\d+), column (\d+)\n") == [(3, 3)]
    assert places(dvc.stderr, r",\s+line\s+(\d+),\s+column\s+(\d+)") == [(3, 3)]


# (file, text, committed, dvc's arguments): damage that push/fetch/diff read from the workspace or from a commit.
TRANSFER_AND_DIFF_DAMAGES = [
    ("dvc.lock", 'schema: "2.0"\nstages:\n  a:\n    cmd: [unclosed\n', False, ["push"]),
    ("dvc.lock", 'schema: "2.0"\nstages:\n  a:\n    cmd: [unclosed\n', False, ["fetch"]),
    ("dvc.lock", 'schema: "2.0"\nstages:\n  a:\n    cmd: [unclosed\n', False, ["diff"]),
    ("x.dvc", "outs:\n- md5: [\n", True, ["diff", "HEAD~1", "HEAD"]),
]


@pytest.mark.parametrize(("damaged", "text", "committed", "dvc_args"), TRANSFER_AND_DIFF_DAMAGES)
def test_a_dvc_file_that_is_not_yaml_is_placed_alike_by_push_fetch_and_diff(
    make_ws, damaged, text, committed, dvc_args
):
    """These commands read dvc files apart from the others, and once gave the error without dvc's place."""
    results = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        ws.write("dvc.yaml", STAGES)
        ws.dvc("remote", "add", "-d", "store", str(ws.root.parent / f"{tool}-remote"))
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        ws.write(damaged, text)
        if committed:
            ws.git("add", "-A")
            ws.git("commit", "-qm", "damaged")
        results[tool] = run(ws, tool, dvc_args if tool == "dvc" else ["data", *dvc_args])
    dvc, ours = results["dvc"], results["flowops"]
    assert ours.returncode == dvc.returncode == 1, (dvc.stderr, ours.stderr)
    assert re.search(rf"'./{re.escape(damaged)}' is invalid", dvc.stderr), dvc.stderr
    # Not yet dvc's report here (its "failed to collect" warning with the report, and "in revision '<sha>'"):
    # ours names the file and the line, in the report's header or in FlowOps' own "<file>:<line>: invalid YAML".
    named = rf"'\./(HEAD:)?{re.escape(damaged)}' is invalid|{re.escape(damaged)}:\d+: invalid YAML: "
    assert re.search(named, ours.stderr), ours.stderr
    ours_places = places(ours.stderr, r", in line (\d+), column (\d+)\n")
    dvc_places = places(dvc.stderr, r"in\s+line\s+(\d+),\s+column\s+(\d+)")
    assert ours_places and set(ours_places) <= set(dvc_places), (dvc.stderr, ours.stderr)
