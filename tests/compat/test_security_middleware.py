"""mlflow 3.17's server security middleware on the wire (mlflow/server/fastapi_security.py), default settings:
the Host check against DNS rebinding, CORS for localhost origins, the block of cross-origin state-changing API
calls, and OPTIONS on API routes answered 204. Raw requests, since the client never sends Origin or odd Hosts;
run against `mlflow server` too (FLOWOPS_COMPAT_SERVER_URL) to check the expectations themselves.
"""

from __future__ import annotations

import uuid

import pytest
import requests

GET_EXPERIMENT = "/api/2.0/mlflow/experiments/get?experiment_id=0"
CREATE_EXPERIMENT = "/api/2.0/mlflow/experiments/create"
SEARCH_EXPERIMENTS = "/api/2.0/mlflow/experiments/search"
INVALID_HOST = "Invalid Host header - possible DNS rebinding attack detected"


def _create(url: str, origin: str) -> requests.Response:
    body = {"name": f"security-{uuid.uuid4().hex}"}
    return requests.post(f"{url}{CREATE_EXPERIMENT}", json=body, headers={"Origin": origin}, timeout=30)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:5000", "[::1]:8080", "192.168.1.5:80", "10.1.2.3"])
def test_local_and_private_hosts_are_accepted(flowops_server, host):
    response = requests.get(f"{flowops_server.url}{GET_EXPERIMENT}", headers={"Host": host}, timeout=30)
    assert response.status_code == 200


@pytest.mark.parametrize("path", [GET_EXPERIMENT, "/"])
def test_another_host_is_refused_as_dns_rebinding(flowops_server, path):
    response = requests.get(f"{flowops_server.url}{path}", headers={"Host": "evil.example.com"}, timeout=30)
    assert response.status_code == 403
    assert response.text == INVALID_HOST
    assert response.headers["Content-Type"] == "text/plain"


@pytest.mark.parametrize("path", ["/health", "/version"])
def test_health_and_version_answer_any_host(flowops_server, path):
    response = requests.get(f"{flowops_server.url}{path}", headers={"Host": "evil.example.com"}, timeout=30)
    assert response.status_code == 200


def test_health_and_version_content_types(flowops_server):
    health = requests.get(f"{flowops_server.url}/health", timeout=30)
    assert (health.text, health.headers["Content-Type"]) == ("OK", "text/plain; charset=utf-8")
    version = requests.get(f"{flowops_server.url}/version", timeout=30)
    assert version.headers["Content-Type"] == "text/html; charset=utf-8"
    assert version.text.startswith("3.17.2")


def test_a_preflight_from_localhost_is_allowed(flowops_server):
    response = requests.options(
        f"{flowops_server.url}{SEARCH_EXPERIMENTS}",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=30,
    )
    assert (response.status_code, response.text) == (200, "OK")
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST, PUT, DELETE, OPTIONS, PATCH"
    assert response.headers["Access-Control-Allow-Headers"] == "content-type"


def test_a_preflight_from_another_origin_is_refused(flowops_server):
    response = requests.options(
        f"{flowops_server.url}{SEARCH_EXPERIMENTS}",
        headers={"Origin": "http://evil.example.com", "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    assert (response.status_code, response.text) == (400, "Disallowed CORS origin")
    assert "Access-Control-Allow-Origin" not in response.headers


def test_options_on_an_api_route_is_204_with_its_methods(flowops_server):
    response = requests.options(f"{flowops_server.url}{SEARCH_EXPERIMENTS}", timeout=30)
    assert response.status_code == 204
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS", "POST"}
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_localhost_origin_is_named_back(flowops_server):
    origin = {"Origin": "http://127.0.0.1:3000"}
    response = requests.get(f"{flowops_server.url}{GET_EXPERIMENT}", headers=origin, timeout=30)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:3000"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Expose-Headers"] == "*"


def test_reads_from_another_origin_are_answered_without_allow_origin(flowops_server):
    origin = {"Origin": "http://evil.example.com"}
    response = requests.get(f"{flowops_server.url}{GET_EXPERIMENT}", headers=origin, timeout=30)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_state_change_from_another_origin_is_blocked(flowops_server):
    response = _create(flowops_server.url, "http://evil.example.com")
    assert response.status_code == 403
    assert response.text == "Cross-origin request blocked"
    assert response.headers["Content-Type"] == "text/plain"
    assert "X-Content-Type-Options" not in response.headers


@pytest.mark.parametrize("origin", ["http://localhost:3000", "https://localhost:3000", "http://[::1]:8080"])
def test_a_state_change_from_a_loopback_origin_goes_through(flowops_server, origin):
    assert _create(flowops_server.url, origin).status_code == 200
