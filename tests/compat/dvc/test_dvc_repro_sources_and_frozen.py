"""`repro` of `.dvc` data sources among stages, and of frozen stages, beside dvc 3.67.1.

dvc's `repro` walks one graph of stages and `.dvc` files (`plan_repro`, a DFS post-order over the index in
its order), so a `.dvc` file is reproduced where the walk meets it: just before the first planned stage that
reads it, not before every stage; one nothing planned reads is not reproduced at all (a plain `repro`) or
comes where the index puts it (`-P`, or named as a target). The index lists the files of a directory before
those of its subdirectories, so the `.dvc` files here live under src/ to keep dvc's order the same on every
filesystem. A frozen stage that changed (its outs; its deps do not count) or is forced is never run: dvc's
`Stage.run` says "Verifying outputs in frozen stage: '<stage>'" and records the outs, or fails on those
missing with "missing data 'source'"; with --pull its missing outs are pulled first, as any stage's.
"""

from __future__ import annotations

import hashlib
import shutil

from conftest import Workspace, both_repro, repro_progress, source_twins, write_twins

VERIFYING = "Verifying data sources in stage: '{}'\n"
FROZEN = "Verifying outputs in frozen stage: 'b'\n"
LOCK = "Updating lock file 'dvc.lock'\n"
TWO_SOURCES = {"src/d1.txt": "1\n", "src/d2.txt": "2\n"}
MISSING = "WARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:\n"








# b reads a's output and src/s.txt, in that order.
SOURCE_AFTER_STAGE = """\
stages:
  a:
    cmd: echo a > a.txt
    outs: [a.txt]
  b:
    cmd: cat a.txt src/s.txt > b.txt
    deps: [a.txt, src/s.txt]
    outs: [b.txt]
"""


def test_a_source_named_with_stages_comes_just_before_the_stage_that_reads_it(make_ws) -> None:
    twins = source_twins(make_ws, {"src/s.txt": "s\n"}, ("src/s.txt",), {"dvc.yaml": SOURCE_AFTER_STAGE})
    code, stdout, _ = both_repro(twins, "a", "src/s.txt.dvc", "b")
    assert code == 0
    assert repro_progress(stdout) == (
        "Running stage 'a':\n> echo a > a.txt\nGenerating lock file 'dvc.lock'\n" + LOCK + "\n"
        "'src/s.txt.dvc' didn't change, skipping\n"
        "Running stage 'b':\n> cat a.txt src/s.txt > b.txt\n" + LOCK
    )
    write_twins(twins, "src/s.txt", "changed\n")
    code, stdout, _ = both_repro(twins, "b", "src/s.txt.dvc")
    assert repro_progress(stdout) == (
        "Stage 'a' didn't change, skipping\n" + VERIFYING.format("src/s.txt.dvc") + "\n"
        "Running stage 'b':\n> cat a.txt src/s.txt > b.txt\n" + LOCK
    )


CHAIN = """\
stages:
  p:
    cmd: cat src/d1.txt > p.txt
    deps: [src/d1.txt]
    outs: [p.txt]
  q:
    cmd: cat p.txt src/d2.txt > q.txt
    deps: [p.txt, src/d2.txt]
    outs: [q.txt]
  r:
    cmd: cat q.txt > r.txt
    deps: [q.txt]
    outs: [r.txt]
"""


def test_two_sources_of_a_chain_each_come_before_their_own_reader(make_ws) -> None:
    twins = source_twins(make_ws, TWO_SOURCES, ("src/d1.txt", "src/d2.txt"), {"dvc.yaml": CHAIN})
    code, stdout, _ = both_repro(twins, "r")
    assert code == 0
    assert repro_progress(stdout).startswith(
        "'src/d1.txt.dvc' didn't change, skipping\nRunning stage 'p':\n> cat src/d1.txt > p.txt\n"
    )
    assert "Updating lock file 'dvc.lock'\n\n'src/d2.txt.dvc' didn't change, skipping\nRunning stage 'q'" in stdout
    write_twins(twins, "src/d1.txt", "one\n")
    write_twins(twins, "src/d2.txt", "two\n")
    code, stdout, _ = both_repro(twins, "r")
    assert repro_progress(stdout) == (
        VERIFYING.format("src/d1.txt.dvc") + "\nRunning stage 'p':\n> cat src/d1.txt > p.txt\n" + LOCK + "\n"
        + VERIFYING.format("src/d2.txt.dvc") + "\nRunning stage 'q':\n> cat p.txt src/d2.txt > q.txt\n" + LOCK
        + "\nRunning stage 'r':\n> cat q.txt > r.txt\n" + LOCK
    )


# a reads nothing, b reads src/s.txt; src/lonely.txt is read by no stage.
WITH_LONELY = """\
stages:
  a:
    cmd: echo a > a.txt
    outs: [a.txt]
  b:
    cmd: cat src/s.txt > b.txt
    deps: [src/s.txt]
    outs: [b.txt]
"""


def test_a_source_no_stage_reads_is_left_out_of_a_plain_repro_and_comes_where_the_index_puts_it(make_ws) -> None:
    files = {"src/s.txt": "s\n", "src/lonely.txt": "l\n"}
    twins = source_twins(make_ws, files, ("src/s.txt", "src/lonely.txt"), {"dvc.yaml": WITH_LONELY})
    code, stdout, _ = both_repro(twins)
    assert code == 0
    assert "lonely" not in stdout
    assert repro_progress(stdout).startswith("Running stage 'a':")
    assert "\n'src/s.txt.dvc' didn't change, skipping\nRunning stage 'b':" in stdout
    write_twins(twins, "src/lonely.txt", "changed\n")
    code, stdout, _ = both_repro(twins)
    assert stdout == (
        "Stage 'a' didn't change, skipping\n'src/s.txt.dvc' didn't change, skipping\n"
        "Stage 'b' didn't change, skipping\nData and pipelines are up to date.\n"
    )
    code, stdout, _ = both_repro(twins, "src/lonely.txt.dvc", "a")
    assert repro_progress(stdout) == "Stage 'a' didn't change, skipping\n" + VERIFYING.format("src/lonely.txt.dvc")
    write_twins(twins, "src/lonely.txt", "again\n")
    code, stdout, _ = both_repro(twins, "-P")
    assert repro_progress(stdout) == (
        "Stage 'a' didn't change, skipping\n'src/s.txt.dvc' didn't change, skipping\n"
        "Stage 'b' didn't change, skipping\n" + VERIFYING.format("src/lonely.txt.dvc")
    )


def test_single_items_keep_the_order_given_sources_included(make_ws) -> None:
    twins = source_twins(make_ws, TWO_SOURCES, ("src/d1.txt", "src/d2.txt"), {"dvc.yaml": CHAIN})
    both_repro(twins)
    code, stdout, _ = both_repro(twins, "-s", "q", "src/d2.txt.dvc", "p", "src/d1.txt.dvc")
    assert stdout == (
        "Stage 'q' didn't change, skipping\n'src/d2.txt.dvc' didn't change, skipping\n"
        "Stage 'p' didn't change, skipping\n'src/d1.txt.dvc' didn't change, skipping\n"
        "Data and pipelines are up to date.\n"
    )


# CHAIN without r: dvc names the stages a failure skips from a set, so only one of them keeps its order.
SHORT_CHAIN = CHAIN.split("  r:")[0]


def test_a_missing_source_fails_where_it_is_planned_after_what_ran_before_it(make_ws) -> None:
    files = {"src/d1.txt": "1\n", "src/d2.txt": "2\n"}
    twins = source_twins(make_ws, files, ("src/d1.txt", "src/d2.txt"), {"dvc.yaml": SHORT_CHAIN})
    both_repro(twins)
    write_twins(twins, "src/d1.txt", "one\n")
    for ws in twins.values():
        (ws.root / "src" / "d2.txt").unlink()
    code, stdout, stderr = both_repro(twins, "-k", "q")
    assert (code, stderr) == (
        255,
        "WARNING: missing data 'source': src/d2.txt\n"
        "WARNING: Stage 'q' will be skipped due to this failure\n"
        "ERROR: failed to reproduce 'src/d2.txt.dvc'\n",
    )
    assert stdout == (
        VERIFYING.format("src/d1.txt.dvc") + "\nRunning stage 'p':\n> cat src/d1.txt > p.txt\n" + LOCK + "\n"
        + VERIFYING.format("src/d2.txt.dvc")
    )
    # Without -k it stops there; q, below it, is named as skipped under -k even when it is not planned.
    assert both_repro(twins, "q") == (
        255,
        "'src/d1.txt.dvc' didn't change, skipping\nStage 'p' didn't change, skipping\n"
        + VERIFYING.format("src/d2.txt.dvc"),
        "ERROR: failed to reproduce 'src/d2.txt.dvc': missing data 'source': src/d2.txt\n",
    )
    assert both_repro(twins, "-k", "src/d2.txt.dvc") == (
        255,
        VERIFYING.format("src/d2.txt.dvc"),
        "WARNING: missing data 'source': src/d2.txt\n"
        "WARNING: Stage 'q' will be skipped due to this failure\n"
        "ERROR: failed to reproduce 'src/d2.txt.dvc'\n",
    )


FAILING_THEN_SOURCE = """\
stages:
  a:
    cmd: exit 3
  q:
    cmd: cat src/d2.txt > q.txt
    deps: [src/d2.txt]
    outs: [q.txt]
"""


def test_keep_going_names_the_failures_in_the_order_they_ran(make_ws) -> None:
    twins = source_twins(make_ws, {"src/d2.txt": "2\n"}, ("src/d2.txt",), {"dvc.yaml": FAILING_THEN_SOURCE})
    for ws in twins.values():
        (ws.root / "src" / "d2.txt").unlink()
    code, stdout, stderr = both_repro(twins, "-k")
    assert code == 255
    assert stdout == "Running stage 'a':\n> exit 3\n" + VERIFYING.format("src/d2.txt.dvc")
    assert stderr.endswith("ERROR: failed to reproduce stages: 'a' and 'src/d2.txt.dvc'\n")


# b is frozen: it reads a.txt, which changes, but is never run.
FROZEN_PIPELINE = """\
stages:
  a:
    cmd: cat data.txt > a.txt
    deps: [data.txt]
    outs: [a.txt]
  b:
    cmd: (cat a.txt; echo b) > b.txt
    deps: [a.txt]
    outs: [b.txt]
  c:
    cmd: cat b.txt > c.txt
    deps: [b.txt]
    outs: [c.txt]
"""
WARNED = "WARNING: stage: 'b' is frozen. Its dependencies are not going to be reproduced.\n"


def _frozen_twins(make_ws, *, push: bool = False) -> dict[str, Workspace]:
    """Both workspaces reproduced once, b then frozen, a local remote set (and pushed to with `push`)."""
    twins = source_twins(make_ws, {"data.txt": "d\n"}, (), {"dvc.yaml": FROZEN_PIPELINE})
    for tool, ws in twins.items():
        remote = ws.root.parent / f"remote-{tool}"
        remote.mkdir()
        ws.dvc("remote", "add", "-q", "-d", "r", str(remote))
        if tool == "dvc":
            ws.dvc("repro", "-q")
            ws.dvc("freeze", "-q", "b")
            if push:
                ws.dvc("push", "-q")
        else:
            ws.flowops("repro", "-q")
            ws.flowops("data", "freeze", "-q", "b")
            if push:
                ws.flowops("data", "push", "-q")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "frozen")
    return twins


def test_a_frozen_stage_whose_out_changed_has_it_verified_and_recorded(make_ws) -> None:
    twins = _frozen_twins(make_ws)
    write_twins(twins, "b.txt", "edited\n")
    code, stdout, stderr = both_repro(twins)
    assert (code, stderr) == (0, WARNED)
    assert repro_progress(stdout) == (
        "Stage 'a' didn't change, skipping\n" + FROZEN + LOCK + "\nRunning stage 'c':\n> cat b.txt > c.txt\n" + LOCK
    )
    # Forced, with its outs as recorded: verified all the same, and counted as reproduced.
    code, stdout, stderr = both_repro(twins, "-f", "b")
    assert (code, repro_progress(stdout), stderr) == (0, FROZEN, WARNED)
    assert stdout.endswith("Use `dvc push` to send your updates to remote storage.\n")


def test_a_frozen_stage_whose_out_is_missing_fails_its_verification(make_ws) -> None:
    twins = _frozen_twins(make_ws)
    for ws in twins.values():
        (ws.root / "b.txt").unlink()
    failed = "ERROR: failed to reproduce 'b': missing data 'source': b.txt\n"
    assert both_repro(twins) == (255, "Stage 'a' didn't change, skipping\n" + FROZEN, WARNED + failed)
    assert both_repro(twins, "-f", "b") == (255, FROZEN, WARNED + failed)
    assert both_repro(twins, "-k") == (
        255,
        "Stage 'a' didn't change, skipping\n" + FROZEN,
        WARNED + "WARNING: missing data 'source': b.txt\nWARNING: Stage 'c' will be skipped due to this failure\n"
        "ERROR: failed to reproduce 'b'\n",
    )
    # --allow-missing: missing outs are no change, so it is not even verified.
    code, stdout, _ = both_repro(twins, "--allow-missing")
    assert (code, stdout.splitlines()[1]) == (0, "Stage 'b' didn't change, skipping")


def test_pull_brings_a_frozen_stages_missing_out_or_verifies_it_when_it_is_nowhere(make_ws) -> None:
    twins = _frozen_twins(make_ws, push=True)
    for ws in twins.values():
        (ws.root / "b.txt").unlink()
    assert both_repro(twins, "--pull") == (
        0,
        "Stage 'a' didn't change, skipping\nPulling data for stage: 'b'\nStage 'c' didn't change, skipping\n"
        "Data and pipelines are up to date.\n",
        WARNED,
    )
    md5 = hashlib.md5(b"d\nb\n").hexdigest()
    for ws in twins.values():
        (ws.root / "b.txt").unlink()
        (ws.root / ".dvc" / "cache" / "files" / "md5" / md5[:2] / md5[2:]).unlink()
        shutil.rmtree(ws.root.parent / f"remote-{ws.root.name}" / "files")
    assert both_repro(twins, "--pull") == (
        255,
        "Stage 'a' didn't change, skipping\nPulling data for stage: 'b'\nUnable to pull data for stage: 'b'\n"
        + FROZEN,
        WARNED + MISSING + f"md5: {md5}\nERROR: failed to reproduce 'b': missing data 'source': b.txt\n",
    )
