"""`flowops data cache migrate` against `dvc cache migrate` (dvc 3.67.1) on a repository as DVC 2 left it.

dvc 3 cannot write a DVC 2 cache, so the repository is written here from known content: each object lies at
`.dvc/cache/<2 hex>/<30 hex>` named by DVC 2's md5-dos2unix hash (CRLF hashed as LF for text), and the
`.dvc` files and dvc.lock have `md5:` without `hash: md5`. Two copies are migrated, one by each tool.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from conftest import Workspace, data_outcome

FILES = {
    "crlf.txt": b"one\r\ntwo\r\n",
    "plain.txt": b"plain\n",
    "dir/a.txt": b"alpha\r\nbeta\r\n",
    "dir/b.bin": bytes(range(256)) * 3,
    "out.txt": b"out\r\n",
}
LEGACY_CRLF = "2094b601daac3d68f5aed51d3c20f7cd"
LEGACY_DIR = "bafd0f3c8d3d001337fb2448bd45f46c.dir"


def legacy_md5(data: bytes) -> str:
    # Every file here is under DVC 2's 1 MiB chunk, so one text decision covers it (no NUL in the probe).
    text = b"\0" not in data[:512]
    return hashlib.md5(data.replace(b"\r\n", b"\n") if text else data).hexdigest()


def put_legacy(ws: Workspace, oid: str, data: bytes) -> None:
    path = ws.root / ".dvc" / "cache" / oid[:2] / oid[2:]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o444)


def make_dvc2_repo(ws: Workspace) -> None:
    """crlf.txt and plain.txt (.dvc files), dir/ (a CRLF text and a binary file), and a stage `gen` whose
    dvc.lock records a dep and a CRLF out, all with DVC 2 hashes; committed to Git."""
    for rel, data in FILES.items():
        ws.write(rel, data)
        put_legacy(ws, legacy_md5(data), data)
    for name in ("crlf.txt", "plain.txt"):
        data = FILES[name]
        ws.write(f"{name}.dvc", f"outs:\n- md5: {legacy_md5(data)}\n  size: {len(data)}\n  path: {name}\n")
    entries = sorted(
        ({"md5": legacy_md5(data), "relpath": rel[4:]} for rel, data in FILES.items() if rel.startswith("dir/")),
        key=lambda e: e["relpath"],
    )
    manifest = json.dumps(entries, sort_keys=True).encode()
    dir_oid = hashlib.md5(manifest).hexdigest() + ".dir"
    assert dir_oid == LEGACY_DIR
    put_legacy(ws, dir_oid, manifest)
    size = sum(len(data) for rel, data in FILES.items() if rel.startswith("dir/"))
    ws.write("dir.dvc", f"outs:\n- md5: {dir_oid}\n  size: {size}\n  nfiles: 2\n  path: dir\n")
    cmd = "printf 'out\\r\\n' > out.txt"
    ws.write("dvc.yaml", f"stages:\n  gen:\n    cmd: {cmd}\n    deps:\n    - plain.txt\n    outs:\n    - out.txt\n")
    ws.write(
        "dvc.lock",
        f"schema: '2.0'\nstages:\n  gen:\n    cmd: {cmd}\n    deps:\n    - path: plain.txt\n"
        f"      md5: {legacy_md5(FILES['plain.txt'])}\n      size: {len(FILES['plain.txt'])}\n"
        f"    outs:\n    - path: out.txt\n      md5: {legacy_md5(FILES['out.txt'])}\n"
        f"      size: {len(FILES['out.txt'])}\n",
    )
    ws.write(".gitignore", "/crlf.txt\n/plain.txt\n/dir\n/out.txt\n")
    ws.git("add", "-A")
    ws.git("commit", "-qm", "dvc 2")


def cache_tree(ws: Workspace) -> dict[str, tuple[bytes, int]]:
    """Every file of the cache (both layouts and the run-cache) with its bytes and permission bits."""
    cache = ws.root / ".dvc" / "cache"
    return {
        p.relative_to(cache).as_posix(): (p.read_bytes(), p.stat().st_mode & 0o777)
        for p in sorted(cache.rglob("*"))
        if p.is_file()
    }


def records(ws: Workspace) -> dict[str, str]:
    return {name: ws.read(name) for name in ("crlf.txt.dvc", "plain.txt.dvc", "dir.dvc", "dvc.lock", ".gitignore")}


def outcome(ws: Workspace, tool: str, *args: str) -> tuple[int, list[str], str]:
    """data_outcome with stdout's lines sorted: dvc names the files it updates in its index's set order."""
    code, stdout, errors = data_outcome(ws, tool, "cache", "migrate", *args)
    return code, sorted(stdout.splitlines()), errors


def test_migrate_dvc_files_writes_what_dvc_writes(make_ws) -> None:
    dvc_ws, flowops_ws = make_ws("dvc"), make_ws("flowops")
    for ws in (dvc_ws, flowops_ws):
        make_dvc2_repo(ws)
    for args in (("--dry",), ("--dry", "--dvc-files")):
        assert outcome(flowops_ws, "flowops", *args) == outcome(dvc_ws, "dvc", *args), args
    dvc_result = outcome(dvc_ws, "dvc", "--dvc-files")
    assert outcome(flowops_ws, "flowops", "--dvc-files") == dvc_result
    assert "Migrated 6 files to DVC 3.0 cache location." in dvc_result[1]
    assert records(flowops_ws) == records(dvc_ws)
    assert cache_tree(flowops_ws) == cache_tree(dvc_ws)
    # The DVC 2 object stays; the CRLF file's DVC 3 object is the same bytes under their md5.
    legacy = flowops_ws.root / ".dvc" / "cache" / LEGACY_CRLF[:2] / LEGACY_CRLF[2:]
    migrated = flowops_ws.root / ".dvc" / "cache" / "files" / "md5" / "4e" / "03dd5f05f68ca4f8941fd80c63e0b2"
    assert legacy.read_bytes() == migrated.read_bytes() == FILES["crlf.txt"]

    # A second run finds nothing to do, in both tools; --dry still counts every DVC 2 object, as dvc does.
    for args in (("--dvc-files",), ("--dry", "--dvc-files")):
        assert outcome(flowops_ws, "flowops", *args) == outcome(dvc_ws, "dvc", *args), args

    # dvc itself finds the FlowOps-migrated repository clean and checks every out out of the new cache.
    assert flowops_ws.dvc("status").stdout == "Data and pipelines are up to date.\n"
    for rel in ("crlf.txt", "out.txt", "dir"):
        target = flowops_ws.root / rel
        if target.is_dir():
            for child in target.iterdir():
                child.unlink()
            target.rmdir()
        else:
            target.unlink()
    flowops_ws.dvc("checkout")
    assert all((flowops_ws.root / rel).read_bytes() == data for rel, data in FILES.items())
    assert flowops_ws.dvc("status").stdout == "Data and pipelines are up to date.\n"


def test_missing_directory_is_recorded_from_the_migrated_cache(make_ws) -> None:
    """dvc re-hashes from the workspace; with `dir/` deleted it writes an `md5-dos2unix:` key its own schema
    rejects. FlowOps derives the record from the migrated cache: the same record dvc writes with `dir/`."""
    dvc_ws, flowops_ws = make_ws("dvc"), make_ws("flowops")
    for ws in (dvc_ws, flowops_ws):
        make_dvc2_repo(ws)
    dvc_ws.dvc("cache", "migrate", "--dvc-files")
    for child in (flowops_ws.root / "dir").iterdir():
        child.unlink()
    (flowops_ws.root / "dir").rmdir()
    flowops_ws.flowops("data", "cache", "migrate", "--dvc-files")
    assert flowops_ws.read("dir.dvc") == dvc_ws.read("dir.dvc")
    flowops_ws.dvc("checkout", "dir.dvc")
    assert (flowops_ws.root / "dir" / "a.txt").read_bytes() == FILES["dir/a.txt"]
    assert flowops_ws.dvc("status").stdout == "Data and pipelines are up to date.\n"


def test_corrupted_dvc2_object_is_reported_not_migrated(workspace: Workspace) -> None:
    """dvc would store the bad bytes under their own md5; FlowOps names the object, exits 251 as dvc's cache
    errors do, and rewrites no DVC file."""
    make_dvc2_repo(workspace)
    bad = workspace.root / ".dvc" / "cache" / LEGACY_CRLF[:2] / LEGACY_CRLF[2:]
    bad.chmod(0o644)
    bad.write_bytes(b"tampered\n")
    result = workspace.flowops("data", "cache", "migrate", "--dvc-files", check=False)
    assert result.returncode == 251, result.stderr
    assert LEGACY_CRLF in result.stderr and "corrupted" in result.stderr
    tampered_md5 = hashlib.md5(b"tampered\n").hexdigest()
    assert not (workspace.root / ".dvc" / "cache" / "files" / "md5" / tampered_md5[:2] / tampered_md5[2:]).exists()
    assert "hash: md5" not in workspace.read("crlf.txt.dvc")


def test_json_lists_each_object_with_its_new_name(workspace: Workspace) -> None:
    make_dvc2_repo(workspace)
    report = workspace.flowops("data", "cache", "migrate", "--json").json()
    assert {"from": LEGACY_CRLF, "to": "4e03dd5f05f68ca4f8941fd80c63e0b2"} in report["cache"]["migrated"]
    assert len(report["cache"]["migrated"]) == 6 and report["cache"]["corrupt"] == []
    assert Path(workspace.root / "crlf.txt.dvc").read_text().count("hash: md5") == 0
