"""`--config` and `--remote-config` of `import`, `get` and `du` beside dvc's: a source repository whose own config
names no remote that holds its data (the data sits in a remote it forgot), read through settings given on the
command line. Imports record them as dvc does (the same .dvc bytes for each of dvc's four recorded forms) and
`update` reads the source through them again, in either tool."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Workspace, data_outcome, data_twins, make_workspace

UP_TO_DATE = "Data and pipelines are up to date.\n"


def _publish(source: Workspace, hidden: Path, message: str) -> None:
    """Pushes the source's data to `hidden` through a remote the committed config never keeps, then empties its
    cache, so only `hidden` has the objects."""
    source.dvc("remote", "add", "gone", str(hidden))
    source.dvc("push", "-q", "-r", "gone")
    source.dvc("remote", "remove", "gone")
    source.git("add", "-A")
    source.git("commit", "-qm", message)
    for path in sorted((source.root / ".dvc" / "cache").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


@pytest.fixture
def forgetful(tmp_path: Path):
    source = make_workspace(tmp_path / "source")
    source.write("data/a.txt", "one\n")
    source.write("data/sub/b.txt", "two\n")
    source.write("model.bin", "weights\n")
    source.dvc("add", "-q", "data", "model.bin")
    hidden = tmp_path / "hidden"
    _publish(source, hidden, "one")
    for name in ("data", "model.bin"):
        target = source.root / name
        if target.is_dir():
            for path in sorted(target.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            target.rmdir()
        else:
            target.unlink()
    config = tmp_path / "reader.cfg"
    config.write_text(f"[core]\n    remote = h\n['remote \"h\"']\n    url = {hidden}\n")
    return source, hidden, config


def test_imports_record_the_settings_as_dvc_and_update_reads_through_them(tmp_path: Path, make_ws, forgetful):
    source, hidden, config = forgetful
    url = str(source.root)
    twins, both = data_twins(make_ws)
    forms = {
        "rc": ["--remote-config", f"url={hidden}"],
        "named": ["--remote", "mine", "--remote-config", f"url={hidden}"],
        "file": ["--config", str(config)],
        "file_remote": ["--config", str(config), "--remote", "h"],
    }
    for out, args in forms.items():
        assert both("import", url, "data", "-o", out, *args, files=(f"{out}.dvc", ".gitignore"))[0] == 0, args
        assert twins["flowops"].read(f"{out}/sub/b.txt") == "two\n"
    assert "    remote:\n      url: " in twins["flowops"].read("rc.dvc")
    assert "    config:\n      core:\n        remote: mine\n" in twins["flowops"].read("named.dvc")
    # The path runs past column 80: dvc's ruamel puts it on a line of its own, and so do we.
    assert f"    config: \n      {config}\n    remote: h\n" in twins["flowops"].read("file_remote.dvc")
    # Without the settings neither tool finds the data: the source names no remote and its cache is empty.
    bare = make_ws("bare")
    assert bare.flowops("data", "import", url, "data", check=False).returncode != 0
    assert bare.dvc("import", url, "data", check=False).returncode != 0
    # dvc refuses a config path beside both --remote and --remote-config (a ValueError, exit 255, before any
    # work); flowops refuses it by the same words and exit status.
    clash = ["--config", str(config), "--remote", "h", "--remote-config", f"url={hidden}"]
    ours = twins["flowops"].flowops("data", "import", url, "data", "-o", "clash", *clash, check=False)
    theirs = twins["dvc"].dvc("import", url, "data", "-o", "clash", *clash, check=False)
    assert ours.returncode == theirs.returncode == 255
    assert "Can't specify config path together with both remote and remote_config" in ours.stderr
    assert not (twins["dvc"].root / "clash.dvc").exists()
    assert not (twins["flowops"].root / "clash.dvc").exists()
    # A misspelt option of the remote is refused by dvc's schema, naming it.
    bad = twins["flowops"].flowops(
        "data", "import", url, "data", "-o", "bad", "--remote-config", f"url={hidden}", "ssl_verify=false",
        check=False,
    )
    assert bad.returncode == 1 and "extra keys not allowed" in bad.stderr and "ssl_verify" in bad.stderr

    for tool, ws in twins.items():
        other = ws.flowops("data", "status") if tool == "dvc" else ws.dvc("status")
        assert other.stdout == UP_TO_DATE, tool

    source.write("data/a.txt", "one, again\n")
    source.write("data/sub/b.txt", "two\n")
    source.dvc("add", "-q", "data")
    _publish(source, hidden, "two")
    targets = [f"{out}.dvc" for out in forms]
    # dvc updates several targets in no fixed order: the lines compare as sets.
    updated = {tool: data_outcome(ws, tool, "update", *targets) for tool, ws in twins.items()}
    assert {tool: (rc, sorted(out.splitlines()), err) for tool, (rc, out, err) in updated.items()} == {
        tool: (0, sorted(f"Importing 'data ({url})' -> '{out}'" for out in forms), "") for tool in twins
    }
    for name in targets:
        assert twins["flowops"].read(name) == twins["dvc"].read(name), name
    for ws in twins.values():
        for out in forms:
            assert ws.read(f"{out}/a.txt") == "one, again\n", (ws.root, out)
    for tool, ws in twins.items():
        other = ws.flowops("data", "status") if tool == "dvc" else ws.dvc("status")
        assert other.stdout == UP_TO_DATE, tool


@pytest.mark.parametrize(
    "settings",
    [
        ["--remote-config", "url=HIDDEN"],
        ["--remote", "mine", "--remote-config", "url=HIDDEN"],
        ["--config", "CONFIG"],
    ],
)
def test_get_and_du_read_through_the_settings_as_dvc(tmp_path: Path, forgetful, settings: list[str]):
    source, hidden, config = forgetful
    args = [arg.replace("HIDDEN", str(hidden)).replace("CONFIG", str(config)) for arg in settings]
    here = Workspace(tmp_path)
    url = str(source.root)
    theirs = here.dvc("get", url, "data", "-o", "by_dvc", *args)
    ours = here.flowops("data", "get", url, "data", "-o", "by_flowops", *args)
    assert theirs.returncode == ours.returncode == 0
    for rel in ("a.txt", "sub/b.txt"):
        assert (tmp_path / "by_flowops" / rel).read_text() == (tmp_path / "by_dvc" / rel).read_text()
    for du in (["data"], ["-s"]):
        mine = here.flowops("data", "du", url, *du, *args)
        assert sorted(mine.stdout.splitlines()) == sorted(here.dvc("du", url, *du, *args).stdout.splitlines())
    if "--config" not in args:  # dvc's `get --show-url` takes --remote and --remote-config only
        shown = here.flowops("data", "get", "--show-url", url, "model.bin", *args).stdout
        assert shown == here.dvc("get", "--show-url", url, "model.bin", *args).stdout
        assert shown.startswith(str(hidden))
