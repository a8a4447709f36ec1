"""`flowops data` and `dvc` on the same workspace, cache and remote."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from conftest import Workspace, clone_without_data


def _fill_dir(ws: Workspace) -> None:
    ws.write("data/train.csv", "x,y\n1,2\n3,4\n")
    ws.write("data/nested/labels.txt", "cat\ndog\n")
    ws.write("data/unicodé/naïve ☃.txt", "snow\n")
    ws.write("data/empty.bin", b"")


def test_a_directory_added_by_flowops_is_clean_for_dvc_and_restored_by_dvc_checkout(workspace: Workspace):
    _fill_dir(workspace)
    workspace.flowops("data", "add", "data")
    assert (workspace.root / "data.dvc").exists()
    assert "/data" in workspace.read(".gitignore").splitlines()

    assert workspace.dvc("status", "--json").json() == {}

    shutil.rmtree(workspace.root / "data")
    workspace.dvc("checkout")
    assert workspace.read("data/nested/labels.txt") == "cat\ndog\n"
    assert workspace.read("data/unicodé/naïve ☃.txt") == "snow\n"
    assert workspace.dvc("status", "--json").json() == {}


def test_flowops_writes_the_same_dvc_file_as_dvc_add(make_ws):
    by_dvc, by_flowops = make_ws("by_dvc"), make_ws("by_flowops")
    for ws in (by_dvc, by_flowops):
        _fill_dir(ws)
        ws.write("model.bin", bytes(range(256)) * 4096)
    by_dvc.dvc("add", "data", "model.bin")
    by_flowops.flowops("data", "add", "data", "model.bin")
    for name in ("data.dvc", "model.bin.dvc", ".gitignore"):
        assert by_flowops.read(name) == by_dvc.read(name), name
    # The same objects, under the same names, in both caches.
    def objects(ws: Workspace) -> set[str]:
        cache = ws.root / ".dvc" / "cache"
        return {str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file() and "runs" not in p.parts}

    assert objects(by_flowops) == objects(by_dvc)


EDITED_DVC_FILES = {
    # Comments, quotes, a key dvc does not know and flow style, as a person edits a .dvc file.
    "data.dvc": """# the training set
outs:   # outputs
- md5: "{md5}"  # refreshed by add
  size: {size}
  nfiles: {nfiles}
  hash: md5
  path: data
  desc: 'training data'   # shown by dvc ls
  meta: {{owner: ml-team, tags: [raw, v1]}}

# end
""",
    # A DVC 2 entry (no `hash: md5`) with indented sequences.
    "model.bin.dvc": """outs:
  - md5: {md5}
    size: {size}
    path: model.bin
""",
}


def test_a_re_add_keeps_a_dvc_files_comments_and_layout_as_dvc_does(make_ws):
    by_dvc, by_flowops = make_ws("by_dvc"), make_ws("by_flowops")
    for ws in (by_dvc, by_flowops):
        _fill_dir(ws)
        ws.write("model.bin", b"first")
        ws.dvc("add", "data", "model.bin")
        for name, template in EDITED_DVC_FILES.items():
            out = yaml.safe_load(ws.read(name))["outs"][0]
            ws.write(name, template.format(md5=out["md5"], size=out["size"], nfiles=out.get("nfiles")))
        ws.write("data/added.txt", "new\n")
        ws.write("model.bin", b"second version")
    by_dvc.dvc("add", "data", "model.bin")
    by_flowops.flowops("data", "add", "data", "model.bin")
    for name in EDITED_DVC_FILES:
        assert by_flowops.read(name) == by_dvc.read(name), name
    assert "# refreshed by add" in by_flowops.read("data.dvc")
    assert by_flowops.dvc("status", "--json").json() == {}


def test_a_file_added_by_dvc_is_clean_for_flowops_and_restored_by_flowops_checkout(workspace: Workspace):
    workspace.write("features.parquet", b"PAR1" + bytes(1000) + b"PAR1")
    workspace.dvc("add", "features.parquet")

    assert workspace.flowops("data", "status", "--json").json() == {}

    (workspace.root / "features.parquet").unlink()
    status = workspace.flowops("data", "status", "--json").json()
    assert status == {"features.parquet.dvc": [{"changed outs": {"features.parquet": "deleted"}}]}

    workspace.flowops("data", "checkout")
    assert (workspace.root / "features.parquet").read_bytes() == b"PAR1" + bytes(1000) + b"PAR1"
    assert workspace.flowops("data", "status", "--json").json() == {}
    assert workspace.dvc("status", "--json").json() == {}


def test_a_modified_file_is_reported_modified_by_both_tools(workspace: Workspace):
    workspace.write("labels.csv", "id,label\n1,a\n")
    workspace.flowops("data", "add", "labels.csv")
    workspace.write("labels.csv", "id,label\n1,b\n")
    expected = {"labels.csv.dvc": [{"changed outs": {"labels.csv": "modified"}}]}
    assert workspace.dvc("status", "--json").json() == expected
    assert workspace.flowops("data", "status", "--json").json() == expected


def test_objects_pushed_by_dvc_are_pulled_by_flowops(workspace: Workspace, make_ws, tmp_path: Path):
    remote = tmp_path / "remote"
    _fill_dir(workspace)
    workspace.dvc("remote", "add", "-d", "storage", str(remote))
    workspace.dvc("add", "data")
    workspace.dvc("push")

    other = clone_without_data(workspace, make_ws, "other")
    other.flowops("data", "pull")
    assert other.read("data/train.csv") == "x,y\n1,2\n3,4\n"
    assert other.read("data/unicodé/naïve ☃.txt") == "snow\n"
    assert other.dvc("status", "--json").json() == {}


def test_objects_pushed_by_flowops_are_pulled_by_dvc(workspace: Workspace, make_ws, tmp_path: Path):
    remote = tmp_path / "remote"
    _fill_dir(workspace)
    workspace.flowops("data", "remote", "add", "-d", "storage", str(remote))
    assert workspace.dvc("remote", "list").stdout.split() == ["storage", str(remote), "(default)"]
    workspace.flowops("data", "add", "data")
    workspace.flowops("data", "push")

    other = clone_without_data(workspace, make_ws, "other")
    other.dvc("pull")
    assert other.read("data/nested/labels.txt") == "cat\ndog\n"
    assert other.dvc("status", "--json").json() == {}
    # Nothing is missing on the remote from dvc's point of view either.
    assert workspace.dvc("status", "--cloud", "--json").json() == {}


def test_a_second_push_sends_nothing(workspace: Workspace, tmp_path: Path):
    remote = tmp_path / "remote"
    _fill_dir(workspace)
    workspace.flowops("data", "remote", "add", "-d", "storage", str(remote))
    workspace.flowops("data", "add", "data")
    first = workspace.flowops("data", "push", "--json").json()
    second = workspace.flowops("data", "push", "--json").json()
    assert first["transferred"] == 5  # four files and the .dir manifest
    assert second["transferred"] == 0


def test_a_corrupt_remote_object_never_reaches_the_workspace(workspace: Workspace, make_ws, tmp_path: Path):
    remote = tmp_path / "remote"
    workspace.write("weights.bin", b"good weights")
    workspace.dvc("remote", "add", "-d", "storage", str(remote))
    workspace.dvc("add", "weights.bin")
    workspace.dvc("push")
    [obj] = [p for p in remote.rglob("*") if p.is_file()]
    obj.chmod(0o644)
    obj.write_bytes(b"evil weights")

    other = clone_without_data(workspace, make_ws, "other")
    result = other.flowops("data", "pull", check=False)
    assert result.returncode == 1
    assert "weights.bin" in result.stdout + result.stderr
    assert not (other.root / "weights.bin").exists()
