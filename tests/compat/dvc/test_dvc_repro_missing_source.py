"""`repro` of a `.dvc` file whose data is missing from the workspace, beside dvc 3.67.1: dvc's graph holds
the `.dvc` file as a stage. With --pull and only its data missing, `Stage.reproduce` says "Pulling data for
stage: 'data.txt.dvc'" and pulls it; when neither the cache nor the remote has the object, dvc-data warns of
it ("md5: <oid>"), "Unable to pull data for stage" follows, then `Stage.run` says "Verifying data sources in
stage" and fails on "missing data 'source'" (exit 255, nothing downstream runs). Without --pull only the
verification and its error. With --keep-going dvc warns of the cause and of the stages it skips, then names
the data source in its closing error; with --ignore-errors it warns and ends "up to date"."""

from __future__ import annotations

import hashlib
import shutil

from conftest import Workspace

WARNING = "WARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:\n"
PIPELINE = (
    "stages:\n  prep:\n    cmd: cp data.txt s.txt && echo more >> s.txt && echo ran >> runs.log\n"
    "    deps:\n    - data.txt\n    outs:\n    - s.txt\n"
)
FAILED = "ERROR: failed to reproduce 'data.txt.dvc': missing data 'source': data.txt\n"
VERIFYING = "Verifying data sources in stage: 'data.txt.dvc'\n"
DATA_MD5 = hashlib.md5(b"data\n").hexdigest()


def _twins(make_ws, *, lose_remote: bool) -> dict[str, Workspace]:
    """Both workspaces after `add data.txt`, a repro and a push; then the cache, data.txt and s.txt lost."""
    twins = {tool: make_ws(tool) for tool in ("dvc", "flowops")}
    for tool, ws in twins.items():
        remote = ws.root.parent / f"remote-{ws.root.name}"
        remote.mkdir()
        ws.dvc("remote", "add", "-d", "r", str(remote))
        ws.write("data.txt", "data\n")
        ws.write("dvc.yaml", PIPELINE)
        if tool == "dvc":
            ws.dvc("add", "-q", "data.txt")
            ws.dvc("repro", "-q")
            ws.dvc("push", "-q")
        else:
            ws.flowops("data", "add", "-q", "data.txt")
            ws.flowops("repro", "-q")
            ws.flowops("data", "push", "-q")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        shutil.rmtree(ws.root / ".dvc" / "cache")
        if lose_remote:
            shutil.rmtree(remote / "files")
        for name in ("data.txt", "s.txt"):
            (ws.root / name).unlink()
    return twins


def _repro(ws: Workspace, tool: str, *args: str) -> tuple[int, str, str]:
    """The outcome, with the workspace's path (which differs between the twins) as `<ws>`."""
    run = ws.dvc if tool == "dvc" else ws.flowops
    result = run("repro", *args, check=False)
    stderr = result.stderr.replace(str(ws.root.resolve()), "<ws>").replace(str(ws.root), "<ws>")
    return result.returncode, result.stdout, stderr


def _outcomes(make_ws, *args: str, lose_remote: bool = True) -> dict[str, tuple[int, str, str]]:
    twins = _twins(make_ws, lose_remote=lose_remote)
    outcomes = {tool: _repro(ws, tool, *args) for tool, ws in twins.items()}
    for ws in twins.values():
        assert ws.read("runs.log") == "ran\n"
    return outcomes


def test_pull_of_a_source_missing_everywhere_warns_then_fails_its_verification(make_ws) -> None:
    outcomes = _outcomes(make_ws, "--pull")
    stdout = "Pulling data for stage: 'data.txt.dvc'\nUnable to pull data for stage: 'data.txt.dvc'\n" + VERIFYING
    stderr = f"{WARNING}md5: {DATA_MD5}\n{FAILED}"
    assert outcomes["flowops"] == outcomes["dvc"] == (255, stdout, stderr)


def test_without_pull_the_source_is_verified_and_fails(make_ws) -> None:
    outcomes = _outcomes(make_ws, lose_remote=False)
    assert outcomes["flowops"] == outcomes["dvc"] == (255, VERIFYING, FAILED)


def test_quiet_says_nothing_of_it(make_ws) -> None:
    outcomes = _outcomes(make_ws, "--pull", "-q")
    assert outcomes["flowops"] == outcomes["dvc"] == (255, "", "")


def test_pull_of_a_source_on_the_remote_checks_it_out_as_its_own_stage(make_ws) -> None:
    outcomes = _outcomes(make_ws, "--pull", lose_remote=False)
    stdout = (
        "Pulling data for stage: 'data.txt.dvc'\nPulling data for stage: 'prep'\nData and pipelines are up to date.\n"
    )
    assert outcomes["flowops"] == outcomes["dvc"] == (0, stdout, "")


def test_keep_going_warns_of_the_cause_and_what_it_skips(make_ws) -> None:
    outcomes = _outcomes(make_ws, "--pull", "-k")
    stdout = "Pulling data for stage: 'data.txt.dvc'\nUnable to pull data for stage: 'data.txt.dvc'\n" + VERIFYING
    stderr = (
        f"{WARNING}md5: {DATA_MD5}\nWARNING: missing data 'source': data.txt\n"
        "WARNING: Stage 'prep' will be skipped due to this failure\n"
        "ERROR: failed to reproduce 'data.txt.dvc'\n"
    )
    assert outcomes["flowops"] == outcomes["dvc"] == (255, stdout, stderr)


def test_keep_going_quiet_hides_the_closing_error_too(make_ws) -> None:
    outcomes = _outcomes(make_ws, "-k", "-q", lose_remote=False)
    assert outcomes["flowops"] == outcomes["dvc"] == (255, "", "")


def test_ignore_errors_warns_of_both_failures_and_ends_up_to_date(make_ws) -> None:
    # The stage reading the missing data still runs, and fails hashing it: both failures are ignored, so
    # nothing counts as reproduced.
    outcomes = _outcomes(make_ws, "--ignore-errors", lose_remote=False)
    stderr = (
        "WARNING: missing data 'source': data.txt (ignored)\n"
        "WARNING: [Errno 2] No such file or directory: '<ws>/data.txt' (ignored)\n"
    )
    stdout = VERIFYING + "Data and pipelines are up to date.\n"
    assert outcomes["flowops"] == outcomes["dvc"] == (0, stdout, stderr)
