"""How `dvc push/pull/fetch` and `flowops data push/pull/fetch` word their failures: the same leading summary
("failed to push data to the cloud - ..."), and as many messages for an object neither cache nor remote has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import Workspace


def _messages(stderr: str) -> list[str]:
    """Each message's first line, without its level: dvc's "ERROR: "/"WARNING: ", flowops' "error: CODE: " too."""
    return [
        re.sub(r"^(ERROR: |WARNING: |error: (?:[A-Z_]+: )?)", "", line)
        for line in stderr.splitlines()
        if re.match(r"^(ERROR|WARNING|error): ", line)
    ]


def _tracked_with_remote(ws: Workspace, remote: Path) -> None:
    ws.dvc("remote", "add", "-d", "storage", str(remote))
    ws.write("a.txt", "a\n")
    ws.dvc("add", "-q", "a.txt")


@pytest.mark.parametrize("verb", ["push", "pull", "fetch"])
@pytest.mark.parametrize("args", [["-r", "nope"], ["nowhere.dvc"]])
def test_a_failed_transfer_leads_with_dvcs_summary(
    workspace: Workspace, tmp_path: Path, verb: str, args: list[str]
):
    _tracked_with_remote(workspace, tmp_path / "remote")
    by_dvc = workspace.dvc(verb, *args, check=False)
    by_flowops = workspace.flowops("data", verb, *args, check=False)
    assert by_flowops.returncode == by_dvc.returncode == 1
    # dvc's pull and fetch warn first that they could not collect the workspace; the error is the last message.
    assert _messages(by_flowops.stderr)[-1].rstrip(".") == _messages(by_dvc.stderr)[-1].rstrip(".")


def test_a_pull_of_an_object_nowhere_reports_as_many_messages_as_dvc(make_ws, tmp_path: Path):
    results = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        _tracked_with_remote(ws, tmp_path / f"remote-{tool}")
        (ws.root / "a.txt").unlink()
        for obj in (ws.root / ".dvc" / "cache").rglob("*"):
            if obj.is_file():
                obj.unlink()
        results[tool] = ws.dvc("pull", check=False) if tool == "dvc" else ws.flowops("data", "pull", check=False)
    by_dvc, by_flowops = results["dvc"], results["flowops"]
    assert by_flowops.returncode == by_dvc.returncode == 1
    # dvc: a warning naming the missing md5, then the checkout failure; ours names the out and remote instead.
    assert len(_messages(by_flowops.stderr)) == len(_messages(by_dvc.stderr)) == 2, by_flowops.stderr
    failure = (
        "failed to pull data from the cloud - Checkout failed for following targets:\n"
        "a.txt\nIs your cache up to date?\n"
    )
    assert failure in by_dvc.stderr and failure in by_flowops.stderr
