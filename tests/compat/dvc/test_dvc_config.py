"""`flowops data config` and `data cache dir` beside `dvc config` and `dvc cache dir` on twin repositories: the same files written, the same values
and listings printed, the same exit codes, for good and bad input at every level."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import Workspace

SCRIPT = [
    ["remote", "add", "-d", "r", "../store"],
    ["config", "core.autostage", "true"],
    ["config", "cache.type", "hardlink,symlink"],
    ["config", "remote.r.jobs", "4"],
    ["config", "remote.r.url", "sub/dir"],
    ["config", "--global", "core.check_update", "false"],
    ["config", "--local", "remote.r.jobs", "8"],
    ["config", "-l"],
    ["config", "-l", "--show-origin", "--project"],
    ["config", "core.remote"],
    ["config", "--show-origin", "remote.r.jobs"],
    ["config", "remote.r.url"],
    ["config", "core.nope"],
    ["config", "--local", "core.remote"],
    ["config", "--local", "foo.bar"],
    ["config", "--project", "remote.zz.url"],
    ["config", "core.nope", "1"],
    ["config", "foo.bar", "1"],
    ["config", "core.autostage", "maybe"],
    ["config", "core.checksum_jobs", "0"],
    ["config", "cache.type", "foo"],
    ["config", "remote.r.region", "eu"],
    ["config", "parsing.bool", "Nargs"],
    ["config", "badname"],
    ["config"],
    ["config", "-l", "core.remote"],
    ["config", "--show-origin", "core.remote", "x"],
    ["config", "-u", "core.autostage"],
    ["config", "-u", "core.autostage"],
    ["config", "--global", "--local", "core.remote"],
    ["cache", "dir"],
    ["cache", "dir", "--local"],
    ["cache", "dir", "../c1"],
    ["cache", "dir"],
    ["cache", "dir", "--project"],
    ["cache", "dir", "-u"],
    ["cache", "dir", "-u"],
]


def test_config_commands_match_dvc(make_ws, tmp_path: Path):
    results = {}
    for tool in ("dvc", "flowops"):
        ws: Workspace = make_ws(tool)
        run = ws.dvc if tool == "dvc" else (lambda *args, **kw: ws.flowops("data", *args, **kw))
        outputs = []
        for args in SCRIPT:
            result = run(*args, check=False)
            stdout = result.stdout.replace(str(ws.root), "WS").replace(os.environ["DVC_GLOBAL_CONFIG_DIR"], "GLOBAL")
            # dvc prints its usage text on stdout after a usage error (254); the exit code is what scripts see.
            outputs.append((args, result.returncode, "" if result.returncode == 254 else stdout))
        files = [(ws.root / ".dvc/config").read_text(), (ws.root / ".dvc/config.local").read_text(),
                 (Path(os.environ["DVC_GLOBAL_CONFIG_DIR"]) / "config").read_text()]
        (Path(os.environ["DVC_GLOBAL_CONFIG_DIR"]) / "config").unlink()
        results[tool] = (outputs, files)
    for ours, theirs in zip(results["flowops"][0], results["dvc"][0]):
        assert ours == theirs
    assert results["flowops"][1] == results["dvc"][1]
    codes = {tuple(args): code for args, code, _ in results["dvc"][0]}
    assert codes[("config", "core.nope", "1")] == 251
    assert codes[("config", "badname")] == 254
    assert codes[("config",)] == 1
