"""dvc's read-only views (metrics, params, plots) and `status -c` with a damaged dvc.lock or dvc.yaml, in a Git
repository without commits, and `plots modify` with a config that does not load: FlowOps warns, names the failed
revision and exits as dvc does."""

from __future__ import annotations

import json
import re

import pytest
from conftest import Workspace

PIPELINE = (
    "stages:\n  a:\n    cmd: echo a > a.txt\n    params:\n    - lr\n    outs:\n    - a.txt\n"
    "    metrics:\n    - m.json:\n        cache: false\n    plots:\n    - p.json:\n        cache: false\n"
)

BROKEN_LOCK = 'schema: "2.0"\nstages: [\n'

DAMAGES = [
    ("dvc.lock", BROKEN_LOCK),
    ("dvc.lock", ""),
    ("dvc.lock", 'schema: "2.0"\nstages:\n  a: 5\n'),
    ("dvc.yaml", "stages: [\n"),
    ("dvc.yaml", PIPELINE.replace("    cmd:", "    bogus: 1\n    cmd:")),
    ("x.dvc", "outs:\n- md5: [\n"),
    ("x.dvc", "outs:\n- md5: abc\n  path: x\n  bogus: 1\n"),
]


def run(ws: Workspace, tool: str, args: list[str]):
    return ws.dvc(*args, check=False) if tool == "dvc" else ws.flowops(*args, check=False)


def project(ws: Workspace, committed: bool) -> None:
    ws.write("dvc.yaml", PIPELINE)
    ws.write("params.yaml", "lr: 1\n")
    ws.write("m.json", '{"acc": 0.5}\n')
    ws.write("p.json", '[{"x": 1, "y": 2}]\n')
    if committed:
        ws.git("add", "-A")
        ws.git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")


def warnings_without_reason(stderr: str) -> list[str]:
    """The stderr lines with the reason cut from each warning: dvc quotes the YAML parser, ours names file:line."""
    return [re.sub(r"(failed to load \w+ in revision '[^']*'),.*", r"\1", line) for line in stderr.splitlines()]


def without_error_details(shown):
    """--json output with each error's message blanked (worded differently), its place and dvc's class kept."""
    if isinstance(shown, dict):
        return {k: ("<msg>" if k == "msg" else without_error_details(v)) for k, v in shown.items()}
    if isinstance(shown, list):
        return [without_error_details(item) for item in shown]
    return shown


# (dvc's arguments, flowops' arguments); the same for both.
INSPECT_COMMANDS = [
    ["metrics", "show"],
    ["metrics", "show", "--json"],
    ["metrics", "show", "-A", "--json"],
    ["metrics", "diff", "--json"],
    ["metrics", "diff"],
    ["params", "diff", "--json"],
    ["params", "diff"],
    ["plots", "show", "--json"],
    ["plots", "diff", "HEAD", "--json"],
]


@pytest.mark.parametrize(("damaged", "text"), DAMAGES)
@pytest.mark.parametrize("args", INSPECT_COMMANDS)
def test_a_damaged_pipeline_file_costs_the_workspace_its_view_as_in_dvc(make_ws, damaged, text, args):
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        project(ws, committed=True)
        ws.write(damaged, text)
        result = run(ws, tool, args)
        stdout = result.stdout
        if "--json" in args:
            stdout = without_error_details(json.loads(stdout))
            # A commit's label is its own SHA, different in each workspace.
            if isinstance(stdout, dict) and "-A" in args:
                stdout = {("<sha>" if len(k) == 40 else k): v for k, v in stdout.items()}
        outcomes[tool] = (result.returncode, stdout, warnings_without_reason(result.stderr))
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][0] == 0


def test_a_damaged_lock_committed_at_head_costs_head_its_plots(make_ws):
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        project(ws, committed=False)
        ws.write("dvc.lock", BROKEN_LOCK)
        ws.git("add", "-A")
        ws.git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
        (ws.root / "dvc.lock").unlink()
        result = run(ws, tool, ["plots", "diff", "HEAD", "--json"])
        errors = [entry["rev"] for entry in json.loads(result.stdout).get("errors", [])]
        outcomes[tool] = (result.returncode, errors, result.stderr)
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][1] == ["HEAD"]


def test_a_branch_with_a_damaged_committed_lock_is_kept_with_its_error(make_ws):
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        project(ws, committed=False)
        ws.write("dvc.lock", BROKEN_LOCK)
        ws.git("add", "-A")
        ws.git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
        ws.git("branch", "-M", "trunk")
        (ws.root / "dvc.lock").unlink()
        result = run(ws, tool, ["metrics", "show", "-a", "--json"])
        shown = without_error_details(json.loads(result.stdout))
        outcomes[tool] = (result.returncode, shown, warnings_without_reason(result.stderr))
    assert outcomes["flowops"] == outcomes["dvc"]
    assert list(outcomes["dvc"][1]) == ["workspace", "trunk"]


NO_COMMIT_COMMANDS = [
    ["params", "diff"],
    ["params", "diff", "--json"],
    ["params", "diff", "HEAD~1", "main"],
    ["metrics", "diff"],
    ["metrics", "diff", "--json"],
    ["metrics", "diff", "nosuch"],
    ["plots", "diff", "--json"],
    ["metrics", "show", "-A", "--json"],
]


@pytest.mark.parametrize("args", NO_COMMIT_COMMANDS)
def test_a_repository_without_commits_has_nothing_to_diff_as_in_dvc(make_ws, args):
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        project(ws, committed=False)
        result = run(ws, tool, args)
        outcomes[tool] = (result.returncode, result.stdout, result.stderr)
    assert outcomes["flowops"] == outcomes["dvc"]
    assert outcomes["dvc"][0] == 0


def test_plots_modify_fails_on_a_config_that_does_not_load_as_dvc_does(make_ws):
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        project(ws, committed=False)
        with open(ws.root / ".dvc" / "config", "a") as config_file:
            config_file.write("[bogus]\n    a = 1\n")
        result = run(ws, tool, ["plots", "modify", "p.json", "-x", "x"])
        assert "extra keys not allowed @ data['bogus']" in result.stderr, (tool, result.stderr)
        outcomes[tool] = (result.returncode, result.stdout, ws.read("dvc.yaml"))
    assert outcomes["flowops"] == outcomes["dvc"] == (251, "", PIPELINE)


@pytest.mark.parametrize(
    ("targets", "damaged"), [([], True), (["nosuch"], False)], ids=["damaged-lock", "unknown-target"]
)
def test_status_cloud_says_the_workspace_failed_to_collect_as_dvc_does(make_ws, targets, damaged):
    outcomes = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        project(ws, committed=False)
        if damaged:
            ws.write("dvc.lock", BROKEN_LOCK)
        args = ["status", "-c", *targets]
        result = run(ws, tool, args if tool == "dvc" else ["data", *args])
        message = re.sub(r"^(ERROR: |error: [A-Z_]+: )", "", result.stderr)
        outcomes[tool] = (result.returncode, result.stdout, message.startswith("Failed to collect 'workspace': "))
    assert outcomes["flowops"] == outcomes["dvc"] == (1, "", True)
