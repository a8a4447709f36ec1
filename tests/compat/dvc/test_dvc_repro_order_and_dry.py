"""`repro --dry` and the order of `repro`'s targets, line for line beside dvc 3.67.1. Under --dry dvc's
`run_stage` still asks the run-cache (`restore(dry=True)`, keyed by the hashes dvc.lock recorded), so a stage
whose last run is in the run-cache says "is cached - skipping run, checking out outputs" before
`cmd_run`'s "Running stage" and command echo; a changed `.dvc` data source says nothing. Targets are taken in
the pipeline's order (dvc's `plan_repro` walks the subgraph in the index's order), not the order given."""

from __future__ import annotations


from conftest import THREE_STAGE_PIPELINE, Workspace, both_repro

PIPELINE = THREE_STAGE_PIPELINE


def _twins(make_ws, pipeline: str = PIPELINE) -> dict[str, Workspace]:
    twins = {tool: make_ws(tool) for tool in ("dvc", "flowops")}
    for ws in twins.values():
        ws.write("data.txt", "data\n")
        ws.write("dvc.yaml", pipeline)
    return twins


def test_dry_run_of_a_changed_stage_in_the_run_cache_and_out_of_it(make_ws) -> None:
    twins = _twins(make_ws)
    assert both_repro(twins)[0] == 0
    for ws in twins.values():
        ws.write("data.txt", "never run\n")
    # The run-cache holds the run dvc.lock records: dvc's dry restore finds it, whatever changed since.
    code, stdout, _ = both_repro(twins, "--dry")
    assert code == 0
    assert stdout.startswith(
        "Stage 'a' is cached - skipping run, checking out outputs\nRunning stage 'a':\n"
        "> cp data.txt a.txt && echo a-said\n\nStage 'b' didn't change, skipping\n"
    )
    assert both_repro(twins, "--dry", "--no-run-cache")[1].startswith("Running stage 'a':\n> cp data.txt")
    assert both_repro(twins, "--dry", "-f")[0] == 0


def test_dry_run_of_an_always_changed_stage_and_unchanged_ones(make_ws) -> None:
    twins = _twins(make_ws, PIPELINE.replace("    outs: [a.txt]\n", "    outs: [a.txt]\n    always_changed: true\n"))
    assert both_repro(twins)[0] == 0
    code, stdout, _ = both_repro(twins, "--dry")
    assert code == 0 and stdout.startswith("Running stage 'a':\n> cp data.txt a.txt && echo a-said\n\n")


def test_dry_run_of_a_changed_data_source_prints_nothing_for_it(make_ws) -> None:
    twins = _twins(make_ws, PIPELINE.replace("cmd: echo c > c.txt", "cmd: cp raw.txt c.txt\n    deps: [raw.txt]"))
    for ws in twins.values():
        ws.write("raw.txt", "raw\n")
        ws.dvc("add", "-q", "raw.txt")
        # Set up by dvc in both: FlowOps still reproduces `.dvc` files before the stages (not dvc's order).
        ws.dvc("repro", "-q")
    for ws in twins.values():
        ws.write("raw.txt", "changed\n")
    code, stdout, _ = both_repro(twins, "--dry", "c")
    assert code == 0 and stdout.startswith("\nStage 'c' is cached")


def test_targets_run_in_pipeline_order_not_the_order_given(make_ws) -> None:
    twins = _twins(make_ws)
    code, stdout, _ = both_repro(twins, "c", "b")
    assert code == 0
    assert stdout.index("Running stage 'a'") < stdout.index("Running stage 'b'") < stdout.index("Running stage 'c'")


def test_dry_run_where_only_a_frozen_stage_changed_ends_with_the_push_line(make_ws) -> None:
    # dvc's dry `run` of a frozen stage neither runs nor verifies it, but returns it: CmdRepro counts it as
    # reproduced, so it closes with the push line rather than "up to date" (no remote needed for that).
    twins = _twins(make_ws)
    assert both_repro(twins)[0] == 0
    for ws in twins.values():
        ws.dvc("freeze", "a")
        ws.write("dvc.yaml", ws.read("dvc.yaml").replace("echo a-said", "echo a-says"))
    for args in (["--dry"], ["--dry", "a"], ["--dry", "-f", "a"]):
        code, stdout, stderr = both_repro(twins, *args)
        assert code == 0 and stdout.endswith("Use `dvc push` to send your updates to remote storage.\n"), args
        assert stderr == "WARNING: stage: 'a' is frozen. Its dependencies are not going to be reproduced.\n"
    assert both_repro(twins, "--dry", "c")[1] == "Stage 'c' didn't change, skipping\nData and pipelines are up to date.\n"
