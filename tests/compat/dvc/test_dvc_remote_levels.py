"""dvc's config levels beside `flowops data remote`: a remote added at the global, system or local level by one
tool is seen, written and used the same way by the other (conftest gives each test its own empty global and
system config dirs through DVC_GLOBAL_CONFIG_DIR and DVC_SYSTEM_CONFIG_DIR)."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import Workspace


def _config(level: str) -> Path:
    return Path(os.environ["DVC_GLOBAL_CONFIG_DIR" if level == "global" else "DVC_SYSTEM_CONFIG_DIR"]) / "config"


def _runner(ws: Workspace, tool: str):
    return ws.dvc if tool == "dvc" else (lambda *args, **kw: ws.flowops("data", *args, **kw))


def test_global_remote_written_alike_and_used_for_push(workspace: Workspace, tmp_path: Path):
    files = {}
    for tool in ("dvc", "flowops"):
        run = _runner(workspace, tool)
        # A relative url is relative to the current directory and stored relative to the global config dir.
        run("remote", "add", "--global", "-d", "g", "../store", cwd=tmp_path)
        files[tool] = _config("global").read_text()
        _config("global").unlink()
    assert files["flowops"] == files["dvc"]
    assert "url = " in files["dvc"]

    workspace.flowops("data", "remote", "add", "--global", "-d", "g", str(tmp_path / "store"))
    # Compared word by word: dvc's console wraps at 80 columns off a terminal, and the tmp path is long.
    assert workspace.dvc("remote", "list").stdout.split() == workspace.flowops("data", "remote", "list").stdout.split()
    assert workspace.dvc("remote", "list", "--project").stdout == ""
    workspace.write("data.txt", "payload\n")
    workspace.dvc("add", "data.txt")
    # The default remote comes from the global level, for both tools.
    assert workspace.flowops("data", "push").returncode == 0
    assert "Cache and remote 'g' are in sync." in workspace.dvc("status", "-c").stdout


def test_local_and_system_levels_read_and_written_alike(make_ws, tmp_path: Path):
    outputs = {}
    for tool in ("dvc", "flowops"):
        ws = make_ws(tool)
        run = _runner(ws, tool)
        run("remote", "add", "--system", "s", "s3://sys-bucket/p")
        run("remote", "add", "-d", "r", "s3://bucket/p")
        run("remote", "modify", "--local", "r", "access_key_id", "KEY")
        run("remote", "add", "--global", "gl", "s3://global-bucket/p")
        run("remote", "modify", "--global", "gl", "region", "eu-west-1")
        run("remote", "default", "--local", "s")
        # Not `list --local`: dvc 3.67.1 fails ('url') on a level holding a remote's options without its url.
        listed = [run("remote", "list", *level).stdout for level in ([], ["--system"], ["--project"])]
        defaults = [run("remote", "default", *level).stdout for level in ([], ["--project"], ["--local"])]
        files = [_config("system").read_text(), _config("global").read_text(),
                 (ws.root / ".dvc/config").read_text(), (ws.root / ".dvc/config.local").read_text()]
        # Removing the remote the local default names: core.remote goes from the levels above the system level.
        run("remote", "remove", "--system", "s")
        after = [(ws.root / ".dvc/config.local").read_text(), _config("system").read_text()]
        outputs[tool] = (listed, defaults, files, after)
        for level in ("global", "system"):
            _config(level).unlink(missing_ok=True)
    assert outputs["flowops"] == outputs["dvc"]
    assert outputs["dvc"][1] == ["s\n", "r\n", "s\n"]


def test_config_errors_exit_251_and_user_levels_work_outside_a_repo(workspace: Workspace, tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    codes = {}
    for tool in ("dvc", "flowops"):
        run = _runner(workspace, tool)
        workspace.dvc("remote", "add", "-f", "store", "/x")
        codes[tool] = [
            run("remote", "add", "store", "/y", check=False).returncode,
            run("remote", "remove", "nope", check=False).returncode,
            run("remote", "default", "nope", check=False).returncode,
            run("remote", "add", "r", "/r", check=False, cwd=outside).returncode,
            run("remote", "add", "--global", "g", "s3://b/p", cwd=outside).returncode,
            run("remote", "list", cwd=outside).stdout,
            run("remote", "add", "--global", "--local", "q", "/q", check=False).returncode,
        ]
        _config("global").unlink()
    assert codes["flowops"] == codes["dvc"]
    assert codes["dvc"][:5] == [251, 251, 251, 251, 0]
