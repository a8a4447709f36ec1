"""A remote that does not exist, named by `core.remote` or `-r`, beside dvc 3.67.1: push, fetch, pull and
`status -c` fail with dvc's RemoteNotFoundError, worded as its `get_fs_config` words it (no full stop, unlike
the `dvc remote` commands), after the "failed to ... the cloud" summary; pull and fetch first warn that the
workspace could not be collected. With nothing tracked, fetch and pull never ask for a remote."""

from __future__ import annotations

import pytest

from conftest import Workspace, data_outcome

COMMANDS = [["push"], ["fetch"], ["pull"], ["status", "-c"]]


def _both(ws: Workspace, *args: str) -> tuple[int, str, str]:
    dvc = data_outcome(ws, "dvc", *args)
    assert data_outcome(ws, "flowops", *args) == dvc, args
    return dvc


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_default_remote_that_does_not_exist(workspace: Workspace, command: list[str]) -> None:
    workspace.write("data.txt", "payload\n")
    workspace.dvc("add", "-q", "data.txt")
    workspace.dvc("config", "core.remote", "nosuch")
    code, _, errors = _both(workspace, *command)
    assert code == 1 and errors.endswith("config file error: remote 'nosuch' doesn't exist"), errors
    collect_warning = "WARNING: failed to collect 'workspace', skipping"
    assert (collect_warning in errors) == (command[0] in ("fetch", "pull"))


@pytest.mark.parametrize("command", ["push", "fetch", "pull"])
def test_a_named_remote_that_does_not_exist(workspace: Workspace, command: str) -> None:
    workspace.write("data.txt", "payload\n")
    workspace.dvc("add", "-q", "data.txt")
    code, _, errors = _both(workspace, command, "-r", "nosuch")
    assert code == 1 and errors.endswith("config file error: remote 'nosuch' doesn't exist"), errors


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_nothing_tracked(workspace: Workspace, command: list[str]) -> None:
    workspace.dvc("config", "core.remote", "nosuch")
    # Only push opens the remote when there is nothing to move; status -c says nothing is tracked (in each
    # tool's own words), so only its exit code is compared.
    if command[0] == "status":
        assert workspace.dvc(*command, check=False).returncode == 0
        assert workspace.flowops("data", *command, check=False).returncode == 0
        return
    assert _both(workspace, *command)[0] == (1 if command[0] == "push" else 0)
