"""Directory outs whose file objects are gone from the cache and the remote, beside dvc 3.67.1:

- the `.dir` manifest only in the cache (not on the remote): dvc-data asks the remote for each file, so the lost
  ones are missing everywhere: fetch warns ("Some of the cache files do not exist neither locally nor on
  remote...", one `md5:` line each, in a Python set's order) and exits 0 with "Everything is up to date.";
  pull warns, prints the summary, then fails on the directory's checkout ("Checkout failed for following
  targets:\\nd\\n..."), exit 1, and nothing lands in the workspace; `pull --allow-missing` exits 0;
- the `.dir` on the remote: dvc's remote index takes its files as held there, so the lost ones are failed
  downloads (test_dvc_fetch_missing_objects.py covers that);
- a directory still in the workspace whose manifest is gone everywhere: pull prints the fetch's warning and
  then the checkout's refusal as its error, "ERROR: failed to pull data from the cloud - Can't remove the
  following unsaved files without confirmation...", exit 1; checkout prints "ERROR: Can't remove ...", 255;
- the manifest in the cache, some file objects lost from it (and the remote): checkout prints
  "ERROR: Checkout failed for following targets:\nd\n..." (the directory named alone), exit 255, and
  `checkout --allow-missing` exits 0 silently; neither writes anything into the workspace;
- the manifest on the remote: `status -c` lists each lost file as `deleted:` (dvc-data's
  `_indexed_dir_hashes` takes every file a remote manifest lists as held there), `--json` as
  {"d/x": "deleted"}, in a Python set's order; a manifest only the remote holds is fetched into the cache.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from conftest import Workspace

WARNING = "WARNING: Some of the cache files do not exist neither locally nor on remote. Missing cache files:"
UNSAVED = "Can't remove the following unsaved files without confirmation. Use `--force` to force."
CHECKOUT_FAILED = "Checkout failed for following targets:\nd\nIs your cache up to date?\n<https://error.dvc.org/missing-files>"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _object(root: Path, oid: str) -> Path:
    return root / "files" / "md5" / oid[:2] / oid[2:]


def _run(ws: Workspace, tool: str, *args: str) -> tuple[int, str, str]:
    """The outcome, the workspace's path as `<ws>`, with each run of `md5:` lines, and of unsaved files, sorted:
    dvc prints both from Python sets."""
    result = ws.dvc(*args, check=False) if tool == "dvc" else ws.flowops("data", *args, check=False)
    lines, run = [], []
    for line in result.stderr.replace(str(ws.root.resolve()), "<ws>").replace(str(ws.root), "<ws>").splitlines():
        if line.startswith(("md5: ", "<ws>/")):
            run.append(line)
            continue
        lines.extend(sorted(run))
        run = []
        lines.append(line)
    lines.extend(sorted(run))
    return result.returncode, result.stdout, "\n".join(lines)


def _manifest_only_in_cache(make_ws, gone: tuple[str, ...]) -> tuple[dict[str, Workspace], list[str]]:
    """d/ (x, y, z) added, pushed, committed; then the files `gone` lost from cache and remote, the manifest from
    the remote only, and the workspace copy removed."""
    return _files_lost(make_ws, gone, manifest_lost_from="remote")


def _files_lost(
    make_ws, gone: tuple[str, ...], manifest_lost_from: str | None
) -> tuple[dict[str, Workspace], list[str]]:
    """d/ (x, y, z) added, pushed, committed; then the files `gone` lost from cache and remote, the manifest from
    `manifest_lost_from` ("remote", ".dvc/cache" or neither), and the workspace copy removed."""
    twins = {tool: make_ws(tool) for tool in ("dvc", "flowops")}
    for ws in twins.values():
        remote = ws.root.parent / f"remote-{ws.root.name}"
        ws.dvc("remote", "add", "-d", "r", str(remote))
        for name in ("x", "y", "z"):
            ws.write(f"d/{name}", f"{name}\n")
        ws.dvc("add", "-q", "d")
        ws.dvc("push", "-q")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        manifest = next(line.split()[-1] for line in ws.read("d.dvc").splitlines() if "md5:" in line)
        for name in gone:
            _object(ws.root / ".dvc" / "cache", _md5(f"{name}\n")).unlink()
            _object(remote, _md5(f"{name}\n")).unlink()
        if manifest_lost_from is not None:
            _object(remote if manifest_lost_from == "remote" else ws.root / manifest_lost_from, manifest).unlink()
        shutil.rmtree(ws.root / "d")
    return twins, sorted(f"md5: {_md5(f'{name}{chr(10)}')}" for name in gone)


def _both(twins: dict[str, Workspace], *args: str) -> tuple[int, str, str]:
    outcomes = {tool: _run(ws, tool, *args) for tool, ws in twins.items()}
    assert outcomes["flowops"] == outcomes["dvc"], args
    return outcomes["dvc"]


def test_lost_files_of_a_directory_whose_manifest_only_the_cache_holds_are_warned_of(make_ws) -> None:
    for gone in (("x",), ("x", "y", "z")):
        twins, lines = _manifest_only_in_cache(make_ws, gone)
        warned = "\n".join([WARNING, *lines])
        assert _both(twins, "fetch") == (0, "Everything is up to date.\n", warned)
        assert _both(twins, "pull") == (
            1,
            "Everything is up to date.\n",
            f"{warned}\nERROR: failed to pull data from the cloud - {CHECKOUT_FAILED}",
        )
        assert _both(twins, "pull", "--allow-missing") == (0, "Everything is up to date.\n", warned)
        assert not any((ws.root / "d").exists() for ws in twins.values())
        for ws in twins.values():
            shutil.rmtree(ws.root)


def _lost_manifest_with_workspace_copy(make_ws) -> dict[str, Workspace]:
    """d/ and f.txt added, pushed, committed; then cache and remote emptied, the workspace left as it is."""
    twins = {tool: make_ws(tool) for tool in ("dvc", "flowops")}
    for ws in twins.values():
        remote = ws.root.parent / f"remote-{ws.root.name}"
        remote.mkdir()
        ws.dvc("remote", "add", "-d", "r", str(remote))
        ws.write("d/a", "1\n")
        ws.write("d/b", "2\n")
        ws.write("f.txt", "f\n")
        ws.dvc("add", "-q", "d", "f.txt")
        ws.dvc("push", "-q")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        shutil.rmtree(ws.root / ".dvc" / "cache")
        shutil.rmtree(remote)
        remote.mkdir()
    return twins


def test_pull_keeps_the_fetch_warning_before_the_refusal_in_dvc_error_form(make_ws) -> None:
    twins = _lost_manifest_with_workspace_copy(make_ws)
    manifest = next(line.split()[-1] for line in twins["dvc"].read("d.dvc").splitlines() if "md5:" in line)
    refusal = f"{UNSAVED}\n<ws>/d/a\n<ws>/d/b"
    warned = "\n".join([WARNING, *sorted([f"md5: {manifest}", f"md5: {_md5('f' + chr(10))}"])])
    assert _both(twins, "pull") == (1, "", f"{warned}\nERROR: failed to pull data from the cloud - {refusal}")
    assert _both(twins, "checkout") == (255, "", f"ERROR: {refusal}")
    assert all(ws.read("d/a") == "1\n" for ws in twins.values())


def _remove(twins: dict[str, Workspace]) -> None:
    """The twins and their remotes: dvc's remote index (in the shared site cache) would call a new push's
    objects already there, were the same remote path reused."""
    for ws in twins.values():
        shutil.rmtree(ws.root)
        shutil.rmtree(ws.root.parent / f"remote-{ws.root.name}")


def test_checkout_names_a_directory_whose_file_objects_the_cache_lacks_and_allow_missing_passes(make_ws) -> None:
    for gone in (("x",), ("x", "y", "z")):
        twins, _ = _files_lost(make_ws, gone, manifest_lost_from=None)
        assert _both(twins, "checkout") == (255, "", f"ERROR: {CHECKOUT_FAILED}")
        assert _both(twins, "checkout", "--allow-missing") == (0, "", "")
        assert _both(twins, "checkout", "d", "--allow-missing") == (0, "", "")
        assert not any((ws.root / "d").exists() for ws in twins.values())
        _remove(twins)


def _status(ws: Workspace, tool: str, *args: str) -> tuple[int, list[str], str]:
    """`status -c`'s outcome, its lines sorted (dvc prints them from a set); `--json`'s output parsed."""
    run = ws.dvc if tool == "dvc" else lambda *rest, check: ws.flowops("data", *rest, check=check)
    result = run("status", *args, check=False)
    shown = json.loads(result.stdout) if "--json" in args else sorted(result.stdout.splitlines())
    return result.returncode, shown, result.stderr


def test_status_cloud_calls_files_a_remote_manifest_lists_deleted_though_the_remote_lost_them(make_ws) -> None:
    for gone, manifest_lost_from in ((("x",), None), (("x", "y", "z"), ".dvc/cache")):
        twins, _ = _files_lost(make_ws, gone, manifest_lost_from)
        deleted = sorted(f"\tdeleted:            d/{name}" for name in gone)
        for args in (("-c",), ("-c", "--json")):
            outcomes = {tool: _status(ws, tool, *args) for tool, ws in twins.items()}
            assert outcomes["flowops"] == outcomes["dvc"], args
            expected = {f"d/{name}": "deleted" for name in gone} if "--json" in args else deleted
            assert outcomes["dvc"] == (0, expected, ""), args
        # Both fetched the manifest the cache lacked, to list the directory's files.
        manifest = next(line.split()[-1] for line in twins["dvc"].read("d.dvc").splitlines() if "md5:" in line)
        assert all(_object(ws.root / ".dvc" / "cache", manifest).exists() for ws in twins.values())
        _remove(twins)
