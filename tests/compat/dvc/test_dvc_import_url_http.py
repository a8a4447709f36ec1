"""`flowops data import-url` of an http:// source beside `dvc import-url`, both reading one local HTTP server:
the same .dvc bytes (dvc's fsspec checksum of the source included), data, output, status and update."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import data_twins


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test output stays readable
        pass


@pytest.fixture
def server(tmp_path: Path):
    root = tmp_path / "served"
    root.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_import_status_update_match_dvc(server, make_ws) -> None:
    root, base = server
    (root / "data.csv").write_text("a,b\n1,2\n")
    twins, both = data_twins(make_ws)

    assert both("import-url", f"{base}/data.csv", files=("data.csv.dvc", "data.csv", ".gitignore"))[0] == 0
    assert both("import-url", "--no-download", f"{base}/data.csv", "nd.csv", files=("nd.csv.dvc",))[0] == 0
    assert both("import-url", "--no-exec", f"{base}/data.csv", "ne.csv", files=("ne.csv.dvc",))[0] == 0
    assert both("import-url", f"{base}/nope.csv")[0] == 1
    assert both("update", "data.csv.dvc")[1] == "'data.csv.dvc' didn't change, skipping"

    # A new body (and size) changes dvc's checksum: an unfrozen import shows a changed dep, update re-imports.
    (root / "data.csv").write_text("a,b\n1,2\n3,4\n")
    for ws in twins.values():
        ws.dvc("unfreeze", "data.csv.dvc")
    for ws in twins.values():
        assert ws.flowops("data", "status", "--json").json() == ws.dvc("status", "--json").json()
    both("update", "data.csv.dvc", files=("data.csv.dvc", "data.csv"))
    assert twins["flowops"].read("data.csv") == "a,b\n1,2\n3,4\n"
    both("update", "--no-download", "nd.csv.dvc", files=("nd.csv.dvc",))
    (root / "data.csv").unlink()
    for ws in twins.values():
        assert ws.flowops("data", "status", "--json").json() == ws.dvc("status", "--json").json()
