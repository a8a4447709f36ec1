"""Registry webhooks through MlflowClient: create, list, get, update, delete, test, and a delivered event.

The receiver is a plain HTTP server on 127.0.0.1, so the server under test must allow http and private
addresses (conftest starts FlowOps with MLFLOW_WEBHOOK_ALLOWED_SCHEMES=http,https and
MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS=true). To check these tests against `mlflow server`, start it with the same
two variables and run this file alone: mlflow caches each event's webhooks for 60 s, so an event fired by
another test just before a webhook is created may not reach it there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

# The 2.x client has no webhook methods; CI also runs this suite with it.
pytestmark = pytest.mark.skipif(
    not hasattr(MlflowClient, "create_webhook"), reason="MlflowClient has webhook methods from MLflow 3"
)

SECRET = "compat-webhook-secret"


def verify_mlflow_signature(payload: str, signature: str, secret: str, delivery_id: str, timestamp: str) -> bool:
    """mlflow's documented receiver check (docs: Webhooks, HMAC signature verification)."""
    if not signature.startswith("v1,"):
        return False
    signature_b64 = signature.removeprefix("v1,")
    signed_content = f"{delivery_id}.{timestamp}.{payload}"
    expected_signature = hmac.new(secret.encode("utf-8"), signed_content.encode("utf-8"), hashlib.sha256).digest()
    expected_signature_b64 = base64.b64encode(expected_signature).decode("utf-8")
    return hmac.compare_digest(signature_b64, expected_signature_b64)


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: str

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        return verify_mlflow_signature(
            self.body,
            self.headers.get("X-MLflow-Signature", ""),
            secret,
            self.headers["X-MLflow-Delivery-Id"],
            self.headers["X-MLflow-Timestamp"],
        )


@dataclass
class Receiver:
    url: str
    deliveries: list[Delivery] = field(default_factory=list)
    lock: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, match, timeout_s: float = 15) -> Delivery:
        deadline = time.monotonic() + timeout_s
        with self.lock:
            while True:
                found = next((d for d in self.deliveries if match(d)), None)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching delivery within {timeout_s} s: {self.deliveries}")
                self.lock.wait(left)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    """Records every POST; a path ending in /status/<code> is answered with that status."""
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
            with state.lock:
                state.deliveries.append(Delivery(self.path, dict(self.headers), body))
                state.lock.notify_all()
            status = int(self.path.rsplit("/", 1)[1]) if "/status/" in self.path else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"received")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def webhooks(client) -> Iterator[list[str]]:
    """Ids of the webhooks a test creates; deleted afterwards so they hear no other test's events."""
    created: list[str] = []
    yield created
    for webhook_id in created:
        try:
            client.delete_webhook(webhook_id)
        except MlflowException:
            pass


def test_create_get_list_update_and_delete(client, receiver, webhooks, unique):
    webhook = client.create_webhook(
        name=f"ci-{unique}",
        url=f"{receiver.url}/ci",
        events=["registered_model.created", "model_version_tag.set"],
        description="tell CI",
        secret=SECRET,
    )
    webhooks.append(webhook.webhook_id)
    assert webhook.name == f"ci-{unique}"
    assert webhook.url == f"{receiver.url}/ci"
    assert webhook.description == "tell CI"
    assert str(webhook.status) == "ACTIVE"
    assert [str(e) for e in webhook.events] == ["model_version_tag.set", "registered_model.created"]
    assert webhook.creation_timestamp == webhook.last_updated_timestamp > 0
    assert webhook.secret is None

    fetched = client.get_webhook(webhook.webhook_id)
    assert (fetched.name, fetched.url, fetched.events) == (webhook.name, webhook.url, webhook.events)

    second = client.create_webhook(
        name=f"second-{unique}", url=f"{receiver.url}/second", events=["model_version.created"], status="DISABLED"
    )
    webhooks.append(second.webhook_id)
    first_page = client.list_webhooks(max_results=1)
    assert [w.webhook_id for w in first_page] == [second.webhook_id]
    assert first_page.token
    seen = []
    token = None
    while True:
        page = client.list_webhooks(max_results=50, page_token=token)
        seen += [w.webhook_id for w in page]
        token = page.token
        if not token:
            break
    assert {webhook.webhook_id, second.webhook_id} <= set(seen)

    updated = client.update_webhook(
        webhook.webhook_id, name=f"renamed-{unique}", status="DISABLED", events=["model_version_alias.created"]
    )
    assert updated.name == f"renamed-{unique}"
    assert str(updated.status) == "DISABLED"
    assert [str(e) for e in updated.events] == ["model_version_alias.created"]
    assert updated.url == webhook.url
    assert updated.description == "tell CI"
    assert updated.last_updated_timestamp >= webhook.last_updated_timestamp

    client.delete_webhook(webhook.webhook_id)
    with pytest.raises(MlflowException) as raised:
        client.get_webhook(webhook.webhook_id)
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_the_secret_is_never_returned(flowops_server, client, receiver, webhooks, unique):
    webhook = client.create_webhook(
        name=f"secret-{unique}", url=receiver.url, events=["registered_model.created"], secret=SECRET
    )
    webhooks.append(webhook.webhook_id)
    for path in (f"webhooks/{webhook.webhook_id}", "webhooks"):
        response = requests.get(f"{flowops_server.url}/api/2.0/mlflow/{path}", timeout=30)
        assert response.status_code == 200
        assert SECRET not in response.text
        assert '"secret"' not in response.text


def test_the_secret_is_stored_as_mlflow_stores_it(flowops_server, client, receiver, webhooks, unique):
    """Encrypted at rest as a Fernet token that Python's `cryptography` (what mlflow's store uses) decrypts
    with the server's key: the one in MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY, here the generated key file."""
    if os.environ.get("FLOWOPS_COMPAT_SERVER_URL"):
        pytest.skip("the database of a server started elsewhere is not at hand")
    from cryptography.fernet import Fernet

    webhook = client.create_webhook(
        name=f"stored-{unique}", url=receiver.url, events=["registered_model.created"], secret=SECRET
    )
    webhooks.append(webhook.webhook_id)
    with sqlite3.connect(flowops_server.workdir / "db.sqlite") as db:
        (stored,) = db.execute("SELECT secret FROM webhooks WHERE webhook_id = ?", (webhook.webhook_id,)).fetchone()
    assert SECRET not in stored
    key = (flowops_server.workdir / "home" / "webhook-secret.key").read_text().strip()
    assert Fernet(key).decrypt(stored.encode()).decode() == SECRET


def test_invalid_webhooks_are_refused(client, receiver, unique):
    with pytest.raises(MlflowException) as bad_name:
        client.create_webhook(name="-leading-dash", url=receiver.url, events=["model_version.created"])
    assert bad_name.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as bad_scheme:
        client.create_webhook(name=f"ftp-{unique}", url="ftp://127.0.0.1/x", events=["model_version.created"])
    assert bad_scheme.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "Invalid webhook URL scheme: 'ftp'" in bad_scheme.value.message
    with pytest.raises(MlflowException) as missing:
        client.get_webhook("no-such-webhook")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_test_webhook_sends_a_signed_example_and_reports_the_answer(client, receiver, webhooks, unique):
    from mlflow.entities.webhook import WebhookEvent

    webhook = client.create_webhook(
        name=f"tested-{unique}",
        url=f"{receiver.url}/tested-{unique}",
        events=["model_version.created", "model_version_alias.deleted"],
        secret=SECRET,
    )
    webhooks.append(webhook.webhook_id)
    result = client.test_webhook(webhook.webhook_id)
    assert (result.success, result.response_status, result.response_body) == (True, 200, "received")
    assert result.error_message is None
    # Without an event, the webhook's first: model_version.created and its example payload.
    delivery = receiver.wait_for(lambda d: d.path == f"/tested-{unique}")
    assert delivery.signed_with(SECRET)
    assert not delivery.signed_with("some-other-secret")
    assert delivery.headers["Content-Type"] == "application/json"
    assert abs(int(delivery.headers["X-MLflow-Timestamp"]) - time.time()) < 300
    assert delivery.json["entity"] == "model_version"
    assert delivery.json["action"] == "created"
    assert delivery.json["data"] == {
        "name": "example_model",
        "version": "1",
        "source": "models:/123",
        "run_id": "abcd1234abcd5678",
        "tags": {"example_key": "example_value"},
        "description": "An example model version",
    }

    refusing = client.create_webhook(
        name=f"refusing-{unique}", url=f"{receiver.url}/status/418", events=["registered_model.created"]
    )
    webhooks.append(refusing.webhook_id)
    refused = client.test_webhook(refusing.webhook_id, event=WebhookEvent.from_str("model_version_alias.deleted"))
    assert (refused.success, refused.response_status) == (False, 418)


def test_a_registry_event_is_delivered_signed(client, receiver, webhooks, experiment_id, unique):
    webhook = client.create_webhook(
        name=f"alias-{unique}",
        url=f"{receiver.url}/alias-{unique}",
        events=["model_version_alias.created", "model_version.created"],
        secret=SECRET,
    )
    webhooks.append(webhook.webhook_id)
    name = f"compat-webhooks-{unique}"
    client.create_registered_model(name)
    run = client.create_run(experiment_id)
    client.create_model_version(name, f"{run.info.artifact_uri}/model", run_id=run.info.run_id, tags={"t": "1"})
    client.set_registered_model_alias(name, "champion", "1")

    def ours(entity: str):
        return lambda d: d.path == f"/alias-{unique}" and d.json["entity"] == entity and d.json["data"]["name"] == name

    alias = receiver.wait_for(ours("model_version_alias"))
    assert alias.signed_with(SECRET)
    assert alias.json["action"] == "created"
    assert alias.json["data"] == {"name": name, "alias": "champion", "version": "1"}
    version = receiver.wait_for(ours("model_version"))
    assert version.signed_with(SECRET)
    assert version.json["data"] == {
        "name": name,
        "version": "1",
        "source": f"{run.info.artifact_uri}/model",
        "run_id": run.info.run_id,
        "tags": {"t": "1"},
        "description": None,
    }
    # The body is what mlflow's delivery writes: json.dumps of the envelope, keys in its order.
    assert list(version.json) == ["entity", "action", "timestamp", "data"]
    assert version.body == json.dumps(version.json)
