"""Compatibility suite: the official Python `mlflow` client against a real `flowops server`.

A session fixture starts the CLI server on a free port with a throwaway SQLite store and artifact
directory. Every test gets the HTTP exchanges it made recorded, so a failure report names the exact
call and response that broke (the point of this suite is to route failures to the right server area).
"""

from __future__ import annotations

import os
import sys

# Set before mlflow is imported anywhere: a server bug must fail fast, not retry with back-off for minutes,
# and logging must be synchronous so a test sees its own writes.
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")
os.environ["MLFLOW_ENABLE_ASYNC_LOGGING"] = "false"
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")

import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
MAX_BODY_SHOWN = 600


# Where the session's server keeps its files; removed at the very end so the summary can still show its log.
_server_files: dict[str, Path] = {}


@dataclass
class FlowOpsServer:
    url: str
    workdir: Path
    log_path: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_health(url: str, process: subprocess.Popen, log_path: Path, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"flowops server exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"flowops server did not answer /health within {timeout_s} s:\n{log_path.read_text()}")


def _use_tracking_uri(url: str) -> None:
    os.environ["MLFLOW_TRACKING_URI"] = url
    os.environ["MLFLOW_REGISTRY_URI"] = url
    import mlflow

    mlflow.set_tracking_uri(url)
    mlflow.set_registry_uri(url)


@pytest.fixture(scope="session")
def flowops_server() -> Iterator[FlowOpsServer]:
    external = os.environ.get("FLOWOPS_COMPAT_SERVER_URL")
    if external:
        # Points the suite at a server started elsewhere, e.g. MLflow's own, to check the tests themselves.
        _use_tracking_uri(external)
        yield FlowOpsServer(url=external, workdir=Path(tempfile.gettempdir()), log_path=Path("/nonexistent"))
        return
    workdir = Path(tempfile.mkdtemp(prefix="flowops-compat-"))
    log_path = workdir / "server.log"
    _server_files["workdir"] = workdir
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        "node",
        str(REPO_ROOT / "bin" / "flowops.js"),
        "server",
        "--port",
        str(port),
        "--backend-store-uri",
        f"sqlite:///{workdir / 'db.sqlite'}",
        "--artifacts-destination",
        str(workdir / "artifacts"),
    ]
    # The server's Python runtime must start an interpreter that has mlflow: this one.
    env = {
        **os.environ,
        "FLOWOPS_HOME": str(workdir / "home"),
        "FLOWOPS_PYTHON": os.environ.get("FLOWOPS_PYTHON", sys.executable),
        # test_webhooks.py's receiver is plain HTTP on 127.0.0.1, which mlflow (and so FlowOps) refuses by
        # default; these are mlflow's own switches, the ones `mlflow server` needs for the same test.
        "MLFLOW_WEBHOOK_ALLOWED_SCHEMES": os.environ.get("MLFLOW_WEBHOOK_ALLOWED_SCHEMES", "http,https"),
        "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS": os.environ.get("MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS", "true"),
    }
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log_file, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_for_health(url, process, log_path)
        _use_tracking_uri(url)
        yield FlowOpsServer(url=url, workdir=workdir, log_path=log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(text: str, limit: int) -> str:
    return text if len(text) <= limit else "...\n" + text[-limit:]


# ---------------------------------------------------------------------------------------------- exchanges
_exchanges: list[dict] = []
_original_send = requests.Session.send


def _body_text(body: object) -> str | None:
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            return f"<{len(body)} bytes>"
    if isinstance(body, str):
        return body[:MAX_BODY_SHOWN]
    return None if body is None else f"<{type(body).__name__}>"


def _recording_send(self: requests.Session, prepared: requests.PreparedRequest, **kwargs):
    entry = {"method": prepared.method, "url": prepared.url, "request": _body_text(prepared.body)}
    _exchanges.append(entry)
    try:
        response = _original_send(self, prepared, **kwargs)
    except Exception as error:  # the connection itself failed: record why, then let the client see it
        entry["status"] = f"no response: {error!r}"[:MAX_BODY_SHOWN]
        raise
    entry["status"] = response.status_code
    # Only error bodies are read here: reading a streamed download would consume it before the client does.
    if response.status_code >= 400:
        entry["response"] = response.text[:MAX_BODY_SHOWN]
    return response


requests.Session.send = _recording_send


def _format_exchange(entry: dict) -> str:
    line = f"{entry['method']} {entry['url']} -> {entry.get('status')}"
    if entry.get("request"):
        line += f"\n    request: {entry['request']}"
    if entry.get("response"):
        line += f"\n    response: {entry['response']}"
    return line


@pytest.fixture(autouse=True)
def _record_http_exchanges():
    _exchanges.clear()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.failed and _exchanges:
        failing = [e for e in _exchanges if not isinstance(e.get("status"), int) or e["status"] >= 400]
        shown = failing[-3:] + [e for e in _exchanges[-5:] if e not in failing[-3:]]
        report.sections.append(("HTTP exchanges", "\n".join(map(_format_exchange, shown))))
        # The last error response is nearly always the call the assertion tripped on.
        breaking_call = failing[-1] if failing else _exchanges[-1]
        report.user_properties.append(("failing_http", _format_exchange(breaking_call)))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    failed = terminalreporter.stats.get("failed", []) + terminalreporter.stats.get("error", [])
    if not failed:
        return
    log_path = _server_files.get("workdir", Path("/nonexistent")) / "server.log"
    if log_path.exists() and os.environ.get("FLOWOPS_COMPAT_DUMP_LOG", "1") == "1":
        terminalreporter.section("flowops server log (tail)")
        terminalreporter.write_line(_tail(log_path.read_text(errors="replace"), 20_000))
    terminalreporter.section("failing tests and the HTTP call that broke")
    for report in failed:
        # A collection error's report has no user_properties.
        http = dict(getattr(report, "user_properties", [])).get("failing_http", "(no HTTP call recorded)")
        message = report.longrepr.reprcrash.message if hasattr(report.longrepr, "reprcrash") else str(report.longrepr)
        terminalreporter.write_line(f"{report.nodeid}\n  error: {message.splitlines()[0][:300] if message else ''}")
        terminalreporter.write_line("  http: " + http.replace("\n", "\n  "))


def pytest_unconfigure(config: pytest.Config) -> None:
    workdir = _server_files.get("workdir")
    if workdir is not None and os.environ.get("FLOWOPS_COMPAT_KEEP_TMP") != "1":
        shutil.rmtree(workdir, ignore_errors=True)


# ------------------------------------------------------------------------------------------------ helpers
@pytest.fixture
def unique() -> str:
    """A short unique suffix so every test owns its experiments and models."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def client(flowops_server: FlowOpsServer):
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=flowops_server.url, registry_uri=flowops_server.url)


@pytest.fixture
def experiment_id(flowops_server: FlowOpsServer, unique: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh experiment, set active for the fluent API, named after the test."""
    import mlflow

    experiment = mlflow.set_experiment(f"{request.node.name[:60]}-{unique}")
    yield experiment.experiment_id
    while mlflow.active_run() is not None:
        mlflow.end_run()


@pytest.fixture(scope="session")
def tiny_dataset():
    """A small, linearly separable binary classification problem."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    features = rng.normal(size=(60, 3))
    target = (features[:, 0] + 0.5 * features[:, 1] > 0).astype(int)
    return pd.DataFrame(features, columns=["a", "b", "c"]), pd.Series(target, name="label")
