"""`flowops data import` beside `dvc import` on twin repositories reading one source repository (conftest's
`make_source_repo`): the same .dvc and .gitignore bytes (the repository dep with `rev_lock`, the stage md5,
`frozen: true`), the same workspace files, objects and output; each tool's status is clean on both twins, and
dvc checks out flowops's import from the cache alone."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import Workspace, error_lines, make_source_repo, workspace_files

UP_TO_DATE = "Data and pipelines are up to date.\n"


def _cache_objects(ws: Workspace) -> list[str]:
    root = ws.root / ".dvc" / "cache" / "files" / "md5"
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _both(dvc_ws: Workspace, fo_ws: Workspace, source: Workspace, command: str, *args: str) -> tuple[int, str, str]:
    """`dvc <command>` and `flowops data <command>`, one per twin: the same exit code, output (wording and
    set-ordered `git add` lists made alike) and messages; then the same workspace files and cache objects, and
    the same bytes in each `.dvc` file named."""
    outcomes = []
    for ws in (dvc_ws, fo_ws):
        if ws is dvc_ws:
            result = ws.dvc(command, *args, check=False)
        else:
            result = ws.flowops("data", command, *args, check=False)
        stdout = result.stdout.replace("flowops data config core.autostage", "dvc config core.autostage")
        stdout = "\n".join(
            "\tgit add " + " ".join(sorted(line.split()[2:])) if line.startswith("\tgit add") else line
            for line in stdout.splitlines()
        )
        outcomes.append((result.returncode, stdout, error_lines(result.stderr).replace(str(source.root), "SRC")))
    assert outcomes[1] == outcomes[0], args
    assert workspace_files(fo_ws) == workspace_files(dvc_ws), args
    assert _cache_objects(fo_ws) == _cache_objects(dvc_ws), args
    for name in args:
        if name.endswith(".dvc"):
            assert fo_ws.read(name) == dvc_ws.read(name), name
    return outcomes[0]


def _step(dvc_ws: Workspace, fo_ws: Workspace, source: Workspace, *args: str) -> tuple[int, str, str]:
    return _both(dvc_ws, fo_ws, source, "import", *args)


def test_imports_match_dvc_byte_for_byte(tmp_path: Path, make_ws) -> None:
    source = make_source_repo(tmp_path)
    # dvc reads an import's objects from the importing repository's cache or the source's remote (not the
    # source's cache): everything is pushed.
    source.dvc("push", "-q")
    url = str(source.root)
    dvc_ws, fo_ws = make_ws("dvc"), make_ws("flowops")
    for args in (
        (url, "data"),
        (url, "model.bin", "--rev", "HEAD~1", "-o", "m.bin"),
        (url, "data/sub", "-o", "sub"),
        (url, "train.py"),
        (url, "out"),
    ):
        code, stdout, _ = _step(dvc_ws, fo_ws, source, *args)
        assert code == 0, args
        assert stdout.startswith(f"Importing '{args[1]} ({url})' -> "), stdout
    for name in ("data.dvc", "m.bin.dvc", "sub.dvc", "train.py.dvc", "out.dvc", ".gitignore"):
        assert fo_ws.read(name) == dvc_ws.read(name), name
    assert "rev: HEAD~1\n" in fo_ws.read("m.bin.dvc") and "rev_lock: " in fo_ws.read("data.dvc")
    for ws in (dvc_ws, fo_ws):
        assert ws.dvc("status").stdout == UP_TO_DATE
        assert ws.flowops("data", "status").stdout == UP_TO_DATE
    # dvc restores flowops's import from the cache alone.
    shutil.rmtree(fo_ws.root / "data")
    fo_ws.dvc("checkout", "data.dvc")
    assert (fo_ws.root / "data" / "c.txt").read_text() == "three\n"


def test_refusals_match_dvc(tmp_path: Path, make_ws) -> None:
    source = make_source_repo(tmp_path)
    url = str(source.root)
    dvc_ws, fo_ws = make_ws("dvc"), make_ws("flowops")
    assert _step(dvc_ws, fo_ws, source, url, "model.bin")[0] == 0
    code, _, message = _step(dvc_ws, fo_ws, source, url, "model.bin")
    assert code == 1 and "already exists locally" in message, message
    code, _, message = _step(dvc_ws, fo_ws, source, url, "train.py", "--rev", "no-such-rev")
    assert code == 1 and message.endswith("unknown Git revision 'no-such-rev'"), message


def test_update_follows_the_source_as_dvc_does(tmp_path: Path, make_ws) -> None:
    source = make_source_repo(tmp_path)
    source.dvc("push", "-q")
    url = str(source.root)
    dvc_ws, fo_ws = make_ws("dvc"), make_ws("flowops")
    _step(dvc_ws, fo_ws, source, url, "model.bin")
    _step(dvc_ws, fo_ws, source, url, "data", "--rev", "HEAD~1")
    _step(dvc_ws, fo_ws, source, url, "train.py")
    assert _both(dvc_ws, fo_ws, source, "update", "model.bin.dvc") == (
        0,
        "'model.bin.dvc' didn't change, skipping",
        "",
    )
    (source.root / "model.bin").chmod(0o644)
    source.write("model.bin", "weights v2\n")
    source.write("train.py", "print('v2')\n")
    source.dvc("add", "-q", "model.bin")
    source.git("commit", "-qam", "three")
    source.dvc("push", "-q")
    # Both tools' status asks the source (frozen imports included) and names the same updates; not with
    # --no-updates, which warns about no frozen file either.
    seen, plain = [], []
    for ws in (dvc_ws, fo_ws):
        seen += [ws.dvc("status", "--json").json(), ws.flowops("data", "status", "--json").json()]
        # dvc lists the files in its own order: compared as sets of blocks.
        for result in (ws.dvc("status"), ws.flowops("data", "status")):
            plain.append(sorted(re.split(r"\n(?=\S)", result.stdout.rstrip("\n"))))
        for result in (ws.dvc("status", "--no-updates"), ws.flowops("data", "status", "--no-updates")):
            assert (result.stdout, result.stderr) == (UP_TO_DATE, "")
    assert all(entry == seen[0] for entry in seen), seen
    assert all(entry == plain[0] for entry in plain), plain
    assert seen[0] == {
        name: [{"changed deps": {f"{path} ({url})": "update available"}}]
        for name, path in (("model.bin.dvc", "model.bin"), ("data.dvc", "data"), ("train.py.dvc", "train.py"))
    }
    # A new commit on HEAD, and HEAD~1 now names another commit: both are imported again.
    assert _both(dvc_ws, fo_ws, source, "update", "model.bin.dvc")[:2] == (
        0,
        f"Importing 'model.bin ({url})' -> 'model.bin'",
    )
    assert fo_ws.read("model.bin") == "weights v2\n"
    assert _both(dvc_ws, fo_ws, source, "update", "data.dvc")[0] == 0
    assert (fo_ws.root / "data" / "c.txt").read_text() == "three\n"
    # --rev is recorded after rev_lock, as dvc's dict update puts a new key.
    assert _both(dvc_ws, fo_ws, source, "update", "--rev", "HEAD~2", "train.py.dvc")[0] == 0
    assert fo_ws.read("train.py") == "print('train')\n"
    assert fo_ws.read("train.py.dvc").index("rev_lock:") < fo_ws.read("train.py.dvc").index("rev: HEAD~2")
    for ws in (dvc_ws, fo_ws):
        assert ws.dvc("status").stdout == UP_TO_DATE
        assert ws.flowops("data", "status").stdout == UP_TO_DATE


def test_no_exec_then_update_matches_dvc(tmp_path: Path, make_ws) -> None:
    source = make_source_repo(tmp_path)
    source.dvc("push", "-q")
    url = str(source.root)
    dvc_ws, fo_ws = make_ws("dvc"), make_ws("flowops")
    _step(dvc_ws, fo_ws, source, "--no-exec", url, "data")
    _step(dvc_ws, fo_ws, source, "--no-exec", url, "model.bin", "--rev", "HEAD~1", "-o", "m")
    for name in ("data.dvc", "m.dvc", ".gitignore"):
        assert fo_ws.read(name) == dvc_ws.read(name), name
    assert "rev_lock" not in fo_ws.read("data.dvc")
    seen = []
    for ws in (dvc_ws, fo_ws):
        seen += [ws.dvc("status", "--json").json(), ws.flowops("data", "status", "--json").json()]
    assert all(entry == seen[0] for entry in seen), seen
    # One target at a time: dvc updates several in a set's order.
    assert _both(dvc_ws, fo_ws, source, "update", "data.dvc")[0] == 0
    assert _both(dvc_ws, fo_ws, source, "update", "m.dvc")[0] == 0
    assert fo_ws.read("m") == "weights\n"


def test_no_download_then_update_matches_dvc(tmp_path: Path, make_ws) -> None:
    """--no-download records the commit (rev_lock) and the stage md5 but no data and no out hash; update brings
    the data and appends the hash after the path, as dvc's apply_diff does."""
    source = make_source_repo(tmp_path)
    source.dvc("push", "-q")
    url = str(source.root)
    dvc_ws, fo_ws = make_ws("dvc"), make_ws("flowops")
    _step(dvc_ws, fo_ws, source, "--no-download", url, "data", "-o", "d")
    _step(dvc_ws, fo_ws, source, "--no-download", url, "model.bin", "--rev", "HEAD~1", "-o", "m")
    _step(dvc_ws, fo_ws, source, "--no-download", url, "nope")
    for name in ("d.dvc", "m.dvc", "nope.dvc", ".gitignore"):
        assert fo_ws.read(name) == dvc_ws.read(name), name
    assert "rev_lock" in fo_ws.read("d.dvc")
    # Both refuse the pair as bad usage (dvc's argparse prints its whole usage; the codes are what scripts see).
    conflict = ("import", "--no-download", "--no-exec", url, "data", "-o", "x")
    assert dvc_ws.dvc(*conflict, check=False).returncode == 254
    assert fo_ws.flowops("data", *conflict, check=False).returncode == 254
    seen = []
    for ws in (dvc_ws, fo_ws):
        seen += [ws.dvc("status", "--json").json(), ws.flowops("data", "status", "--json").json()]
    assert all(entry == seen[0] for entry in seen), seen
    assert _both(dvc_ws, fo_ws, source, "update", "m.dvc")[0] == 0
    assert fo_ws.read("m") == "weights\n"
    # update --no-download: an unchanged import is skipped, a never-downloaded one rewritten as it was, and one
    # whose revision moves loses its workspace copy and its hashes.
    for args in (["m.dvc"], ["d.dvc"], ["--rev", "HEAD", "m.dvc"]):
        assert _both(dvc_ws, fo_ws, source, "update", "--no-download", *args)[0] == 0, args
    assert not (fo_ws.root / "m").exists()


def test_import_from_a_named_remote_of_the_source_and_update_from_it(tmp_path: Path, make_ws) -> None:
    """`import --remote alt` downloads from the source's remote `alt` (its default remote lacks the data) and
    records `remote: alt`; `update` reads from it again (test_dvc_import_config.py has `--remote-config`)."""
    source = make_source_repo(tmp_path)
    alt = tmp_path / "alt"
    source.dvc("remote", "add", "alt", str(alt))
    source.dvc("push", "-q", "-r", "alt")
    source.write("model.bin", "weights 2\n")
    source.dvc("add", "-q", "model.bin")
    source.git("commit", "-qam", "three")
    source.dvc("push", "-q", "-r", "alt")  # only to alt: the default remote has the old model alone
    shutil.rmtree(source.root / ".dvc" / "cache")
    url = str(source.root)
    dvc_ws, fo_ws = make_ws("dvc"), make_ws("flowops")
    assert _step(dvc_ws, fo_ws, source, url, "model.bin", "--remote", "alt")[0] == 0
    assert "    remote: alt\n" in fo_ws.read("model.bin.dvc")
    assert fo_ws.read("model.bin") == "weights 2\n"

    source.write("model.bin", "weights 3\n")
    shutil.rmtree(source.root / ".dvc" / "cache", ignore_errors=True)
    source.dvc("add", "-q", "model.bin")
    source.git("commit", "-qam", "four")
    source.dvc("push", "-q", "-r", "alt")
    assert _both(dvc_ws, fo_ws, source, "update", "model.bin.dvc")[0] == 0
    assert fo_ws.read("model.bin") == "weights 3\n"
    # Without --remote the source's default remote lacks the object, but the importing cache holds it.
    assert _step(dvc_ws, fo_ws, source, url, "model.bin", "-o", "again.bin")[0] == 0
