"""A dvc.yaml whose `vars` or `${...}` do not resolve: dvc raises a ResolveError worded
"failed to parse <where> in '<dvc.yaml>':<reason>", the dvc.yaml and vars files named relative to the cwd. `repro`
stops on it (exit 255, "ERROR: ..."); `metrics show` and `params diff` warn and go on (exit 0), `--json` giving
the ResolveError as the revision's error.

dvc warns for the workspace before HEAD in `params diff`, FlowOps in the other order: those lines are compared
sorted."""

from __future__ import annotations

import json

import pytest

from conftest import Result, Workspace

STAGE = "stages:\n  s:\n    cmd: echo hi\n"

CASES = {
    "list-params-yaml": {"params.yaml": "- a\n- b\n", "dvc.yaml": STAGE},
    "list-vars-file": {"v.yaml": "- a\n", "dvc.yaml": "vars:\n  - v.yaml\n" + STAGE},
    "missing-vars-file": {"dvc.yaml": "vars:\n  - missing.yaml\n" + STAGE},
    "missing-vars-key": {"v.yaml": "a: 1\n", "dvc.yaml": "vars:\n  - v.yaml:nokey\n" + STAGE},
    "undefined-key": {"dvc.yaml": "stages:\n  s:\n    cmd: echo ${undefined.key}\n"},
    "dict-in-string": {"params.yaml": "d:\n  x: 1\n", "dvc.yaml": STAGE + "    deps:\n      - f${d}\n"},
    "redefined-key": {
        "params.yaml": "a: 1\n",
        "v.yaml": "a: 2\n",
        "dvc.yaml": "vars:\n  - v.yaml\nstages:\n  s:\n    cmd: echo ${a}\n",
    },
    "interpolated-vars": {"dvc.yaml": "vars:\n  - ${x}.yaml\n" + STAGE},
}

# From the root, params diff and repro; from sub/, where every name changes, metrics show.
COMMANDS = {"root": [["params", "diff", "--json"]], "sub": [["metrics", "show", "--json"]]}


def _repo(ws: Workspace, case: str) -> None:
    for name, text in CASES[case].items():
        ws.write(name, text)
    ws.write("sub/keep", "")
    ws.git("add", "-A")
    ws.git("commit", "-qm", "one")


def _outcome(result: Result, args: list[str]) -> tuple[int, object, list[str]]:
    lines = result.stderr.splitlines()
    return result.returncode, json.loads(result.stdout), sorted(lines) if args[0] == "params" else lines


@pytest.mark.parametrize("cwd", ["root", "sub"])
@pytest.mark.parametrize("case", list(CASES))
def test_resolve_errors_are_dvcs(workspace: Workspace, case: str, cwd: str) -> None:
    _repo(workspace, case)
    where = workspace.root if cwd == "root" else workspace.root / "sub"
    for args in COMMANDS[cwd]:
        dvc = workspace.dvc(*args, check=False, cwd=where)
        flowops = workspace.flowops(*args, check=False, cwd=where)
        assert _outcome(flowops, args) == _outcome(dvc, args), args
        assert dvc.returncode == 0
    if cwd == "root":
        dvc = workspace.dvc("repro", "--dry", check=False, cwd=where)
        flowops = workspace.flowops("repro", "--dry", check=False, cwd=where)
        assert (flowops.returncode, flowops.stderr) == (dvc.returncode, dvc.stderr)
        assert dvc.returncode == 255
