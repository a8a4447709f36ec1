"""Order of a run's data: MLflow's SQL store answers params, tags and latest metrics in the order they were
first logged (SQLite row order), not sorted by key. A tag overwritten or a metric logged at a newer step keeps
its place; a tag deleted and set again moves to the end. get-run and search-runs agree, and clients keep the
order (RunData's dicts are built from the lists as sent).
"""

from __future__ import annotations

import requests

EXPECTED_METRICS = [("m_z", 5.0), ("m_a", 9.0), ("m_b", 1.0), ("m_0", 1.0)]
EXPECTED_PARAMS = ["p_z", "p_a", "p_m", "p_b", "p_0"]
EXPECTED_TAGS = ["zeta", "alpha", "mlflow.runName", "t_z", "t_a", "t_b", "mid", "t_0", "t_00", "t_late"]


class Api:
    def __init__(self, url: str):
        self.base = f"{url}/api/2.0/mlflow"

    def post(self, path: str, body: dict) -> dict:
        answer = requests.post(f"{self.base}/{path}", json=body, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def get(self, path: str, params: dict) -> dict:
        answer = requests.get(f"{self.base}/{path}", params=params, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()


def _metric(key: str, value: float, step: int, timestamp: int = 1) -> dict:
    return {"key": key, "value": value, "timestamp": timestamp, "step": step}


def _log_out_of_order(api: Api, experiment_id: str) -> tuple[str, str]:
    created = api.post("runs/create", {
        "experiment_id": experiment_id,
        "start_time": 1,
        "tags": [{"key": "zeta", "value": "1"}, {"key": "alpha", "value": "2"}, {"key": "mid", "value": "3"}],
    })
    run_id = created["run"]["info"]["run_id"]
    assert [t["key"] for t in created["run"]["data"]["tags"]] == ["zeta", "alpha", "mid", "mlflow.runName"]
    api.post("runs/log-batch", {
        "run_id": run_id,
        "params": [{"key": k, "value": "1"} for k in ("p_z", "p_a", "p_m")],
        "metrics": [_metric("m_z", 1, 0), _metric("m_a", 1, 0), _metric("m_z", 2, 1)],
        "tags": [
            {"key": "t_z", "value": "1"},
            {"key": "alpha", "value": "upd"},
            {"key": "t_a", "value": "1"},
            {"key": "t_z", "value": "2"},
        ],
    })
    api.post("runs/log-parameter", {"run_id": run_id, "key": "p_b", "value": "1"})
    api.post("runs/log-metric", {"run_id": run_id, **_metric("m_b", 1, 0)})
    api.post("runs/log-metric", {"run_id": run_id, **_metric("m_z", 5, 7, timestamp=2)})
    api.post("runs/set-tag", {"run_id": run_id, "key": "t_b", "value": "1"})
    api.post("runs/set-tag", {"run_id": run_id, "key": "zeta", "value": "again"})
    api.post("runs/delete-tag", {"run_id": run_id, "key": "mid"})
    api.post("runs/set-tag", {"run_id": run_id, "key": "mid", "value": "back"})
    api.post("runs/set-tag", {"run_id": run_id, "key": "mlflow.runName", "value": "renamed"})
    api.post("runs/update", {"run_id": run_id, "run_name": "renamed2"})
    api.post("runs/log-batch", {
        "run_id": run_id,
        "params": [{"key": "p_0", "value": "1"}],
        "metrics": [_metric("m_0", 1, 0), _metric("m_a", 9, 9, timestamp=9)],
        "tags": [
            {"key": "t_0", "value": "x"},
            {"key": "mlflow.runName", "value": "batchname"},
            {"key": "t_00", "value": "y"},
        ],
    })
    other = api.post("runs/create", {"experiment_id": experiment_id, "start_time": 2, "run_name": "second"})
    other_id = other["run"]["info"]["run_id"]
    api.post("runs/set-tag", {"run_id": other_id, "key": "b", "value": "1"})
    api.post("runs/set-tag", {"run_id": run_id, "key": "t_late", "value": "1"})
    api.post("runs/set-tag", {"run_id": other_id, "key": "a", "value": "1"})
    return run_id, other_id


def _assert_order(data: dict) -> None:
    assert [(m["key"], m["value"]) for m in data["metrics"]] == EXPECTED_METRICS
    assert [p["key"] for p in data["params"]] == EXPECTED_PARAMS
    assert [t["key"] for t in data["tags"]] == EXPECTED_TAGS


def test_get_and_search_runs_keep_first_logged_order(flowops_server, experiment_id: str):
    api = Api(flowops_server.url)
    run_id, other_id = _log_out_of_order(api, experiment_id)

    _assert_order(api.get("runs/get", {"run_id": run_id})["run"]["data"])
    found = {r["info"]["run_id"]: r for r in api.post("runs/search", {"experiment_ids": [experiment_id]})["runs"]}
    _assert_order(found[run_id]["data"])
    assert [t["key"] for t in found[other_id]["data"]["tags"]] == ["mlflow.runName", "b", "a"]


def test_the_client_sees_the_same_order(flowops_server, client, experiment_id: str):
    run_id, _ = _log_out_of_order(Api(flowops_server.url), experiment_id)

    for run in (client.get_run(run_id), client.search_runs([experiment_id], f"attributes.run_id = '{run_id}'")[0]):
        assert list(run.data.metrics) == [key for key, _ in EXPECTED_METRICS]
        assert list(run.data.params) == EXPECTED_PARAMS
        assert list(run.data.tags) == EXPECTED_TAGS
