"""Metrics files dvc cannot read: `metrics show --json` gives each its error entry, typed as dvc's loaders
raise it (JSON/YAML/TOML FileCorruptedError by suffix, EncodingError, FileNotFoundError), with dvc's message."""

from __future__ import annotations

import pytest

from conftest import Workspace


@pytest.mark.parametrize("cwd", ["", "sub"])
def test_damaged_metrics_files_get_dvc_error_entries(workspace: Workspace, cwd: str) -> None:
    ws = workspace
    ws.write("dvc.yaml", "metrics:\n- bad.json\n- bad.yaml\n- bad.toml\n- bad.txt\n- enc.json\n- gone.json\n- sub/bad.json\n")
    ws.write("bad.json", '{"a": 1,')
    ws.write("bad.yaml", "a: [1\n")
    ws.write("bad.toml", "a = [")
    ws.write("bad.txt", "a: [")
    ws.write("enc.json", b"\xff\xfe{")
    ws.write("sub/bad.json", '{"a": ')
    ws.git("add", "-A")
    ws.git("commit", "-qm", "metrics")
    here = ws.root / cwd
    for args in (["metrics", "show", "--json"], ["metrics", "show", "--json", "-a"]):
        dvc = ws.dvc(*args, cwd=here)
        flowops = ws.flowops(*args, cwd=here)
        assert flowops.json() == dvc.json(), args
        assert "JSONFileCorruptedError" in dvc.stdout
