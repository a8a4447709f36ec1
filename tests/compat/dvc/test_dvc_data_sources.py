"""`.dvc` files as stages of the pipeline graph: `repro` verifies the data sources upstream of its stages and
records changed data in them (dvc's "Verifying data sources in stage"), and `status -d` lists them."""

from __future__ import annotations

from conftest import Workspace

PIPELINE = """\
stages:
  train:
    cmd: cat data/a.txt data/b.txt > model.txt
    deps: [data]
    outs: [model.txt]
"""


def _pair(make_ws) -> tuple[Workspace, Workspace]:
    """Two workspaces where a `dvc add`ed directory feeds a stage that ran once; then one file changed."""
    pair = make_ws("by_dvc"), make_ws("by_flowops")
    for ws in pair:
        ws.write("data/a.txt", "a\n")
        ws.write("data/b.txt", "b\n")
        ws.dvc("add", "-q", "data")
        ws.write("dvc.yaml", PIPELINE)
        ws.dvc("repro", "-q")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "first")
        ws.write("data/b.txt", "b, changed\n")
    return pair


def test_repro_records_changed_data_in_its_dvc_file_as_dvc_does(make_ws):
    by_dvc, by_flowops = _pair(make_ws)
    by_dvc.dvc("repro")
    result = by_flowops.flowops("repro")
    assert "Verifying data sources in stage: 'data.dvc'" in result.stdout
    assert by_flowops.read("data.dvc") == by_dvc.read("data.dvc")
    assert by_flowops.read("dvc.lock") == by_dvc.read("dvc.lock")
    # The new data is in the cache: dvc finds both the .dvc file and the stage up to date.
    status = by_flowops.dvc("status", "--json").json()
    assert status == {}
    again = by_flowops.flowops("repro")
    assert "'data.dvc' didn't change, skipping" in again.stdout
    assert "Data and pipelines are up to date." in again.stdout


def test_status_with_deps_lists_the_dvc_file_upstream(make_ws):
    by_dvc, by_flowops = _pair(make_ws)
    expected = by_dvc.dvc("status", "train", "-d", "--json").json()
    # dvc's order follows its stages' hashes, which vary between runs; the entries must agree.
    assert set(expected) == {"data.dvc", "train"}
    assert by_flowops.flowops("data", "status", "train", "-d", "--json").json() == expected


def test_missing_data_source_fails_with_dvcs_error_and_exit_code(make_ws):
    by_dvc, by_flowops = _pair(make_ws)
    for ws in (by_dvc, by_flowops):
        for name in ("a.txt", "b.txt"):
            (ws.root / "data" / name).unlink()
        (ws.root / "data").rmdir()
    dvc = by_dvc.dvc("repro", check=False)
    ours = by_flowops.flowops("repro", check=False)
    message = "ERROR: failed to reproduce 'data.dvc': missing data 'source': data"
    assert message in dvc.stderr
    assert message in ours.stderr + ours.stdout
    assert ours.returncode == dvc.returncode == 255
    # Nothing was written by either tool.
    assert by_flowops.read("data.dvc") == by_dvc.read("data.dvc")


def test_forced_commit_writes_the_dvc_file_that_tracks_the_out(make_ws):
    by_dvc, by_flowops = make_ws("by_dvc"), make_ws("by_flowops")
    for ws in (by_dvc, by_flowops):
        ws.write("data.csv", "a,b\n")
        ws.write("inputs.dvc", "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  path: data.csv\n")
    by_dvc.dvc("commit", "-f", "inputs.dvc")
    by_flowops.flowops("data", "commit", "-f", "inputs.dvc")
    assert by_flowops.read("inputs.dvc") == by_dvc.read("inputs.dvc")
    assert not (by_flowops.root / "data.csv.dvc").exists()
    assert by_flowops.dvc("status", "--json").json() == {}


def test_downstream_of_a_dvc_file_runs_the_stages_that_read_it(make_ws):
    by_dvc, by_flowops = _pair(make_ws)
    by_dvc.dvc("repro", "--downstream", "data.dvc")
    by_flowops.flowops("repro", "--downstream", "data.dvc")
    assert by_flowops.read("model.txt") == by_dvc.read("model.txt") == "a\nb, changed\n"
    assert by_flowops.read("data.dvc") == by_dvc.read("data.dvc")
    assert by_flowops.read("dvc.lock") == by_dvc.read("dvc.lock")


def test_add_out_brings_outside_data_in_as_dvc_does(make_ws, tmp_path):
    outside = tmp_path / "outside" / "raw"
    (outside / "sub").mkdir(parents=True)
    (outside / "a.txt").write_text("a\n")
    (outside / "sub" / "b.txt").write_text("b\n")
    by_dvc, by_flowops = make_ws("by_dvc"), make_ws("by_flowops")
    for ws in (by_dvc, by_flowops):
        (ws.root / "data").mkdir()
    by_dvc.dvc("add", str(outside), "-o", "data")
    by_flowops.flowops("data", "add", str(outside), "-o", "data")
    for name in ("data/raw.dvc", "data/.gitignore", "data/raw/a.txt", "data/raw/sub/b.txt"):
        assert by_flowops.read(name) == by_dvc.read(name), name
    assert by_flowops.dvc("status", "--json").json() == {}
    assert (outside / "a.txt").read_text() == "a\n"
    # Already there: both refuse without --force, in the same words and with the same exit code.
    dvc = by_dvc.dvc("add", str(outside), "-o", "data", check=False)
    ours = by_flowops.flowops("data", "add", str(outside), "-o", "data", check=False)
    assert ours.returncode == dvc.returncode == 1
    assert "The directory 'data/raw' already exists locally" in dvc.stderr
    assert "The directory 'data/raw' already exists locally" in ours.stderr
    by_flowops.flowops("data", "add", str(outside), "-o", "data", "-f")


def test_add_to_remote_uploads_without_a_local_copy_as_dvc_does(make_ws, tmp_path):
    outside = tmp_path / "outside" / "raw"
    (outside / "sub").mkdir(parents=True)
    (outside / "a.txt").write_text("a\n")
    (outside / "sub" / "b.txt").write_text("b\n")
    remotes = {}
    for name in ("by_dvc", "by_flowops"):
        ws = make_ws(name)
        remotes[name] = tmp_path / f"{name}-remote"
        ws.dvc("remote", "add", "-d", "store", str(remotes[name]))
        remotes[name] = (ws, remotes[name])
    (by_dvc, dvc_remote), (by_flowops, our_remote) = remotes["by_dvc"], remotes["by_flowops"]
    by_dvc.dvc("add", str(outside), "--to-remote")
    by_flowops.flowops("data", "add", str(outside), "--to-remote")
    assert by_flowops.read("raw.dvc") == by_dvc.read("raw.dvc")
    # dvc may leave an empty `.<random>.tmp` beside the objects; only objects count.
    objects = lambda root: sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")
    )
    assert objects(our_remote) == objects(dvc_remote) and len(objects(dvc_remote)) == 3
    assert not (by_flowops.root / "raw").exists()
    cache = by_flowops.root / ".dvc" / "cache"
    assert not cache.exists() or objects(cache) == []
    # The data comes back with a pull, by either tool.
    by_flowops.dvc("pull", "-q")
    assert by_flowops.read("raw/sub/b.txt") == "b\n"
    # The options' checks, in dvc's words.
    for args, message in (
        (["-r", "store"], "--remote can't be used without --to-remote"),
        (["--to-remote", "--no-commit"], "--no-commit option can't be used with --to-remote"),
    ):
        dvc = by_dvc.dvc("add", str(outside), *args, check=False)
        ours = by_flowops.flowops("data", "add", str(outside), *args, check=False)
        assert message in dvc.stderr and message in ours.stderr
        assert ours.returncode == dvc.returncode == 1
