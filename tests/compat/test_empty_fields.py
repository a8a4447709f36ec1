"""Which fields a bare entity's answer holds. MLflow writes its proto RPC answers with `message_to_json`, which
leaves out every empty repeated field (tags, params, aliases, latest_versions, an empty search page) and keeps
fields its handlers set to the proto default (a model version's run_link and description, a logged model's
model_type and source_run_id are all ""). A new run has no `outputs`; a read one has `"outputs": {}`.
Experiments carry `workspace: "default"` on a server without workspaces. The UI-only get-history-bulk is a
plain Flask answer and keeps `"metrics": []`. An unknown logged-model order_by column is ATTRIBUTE_NOT_FOUND.
"""

from __future__ import annotations

import requests

EXPERIMENT_KEYS = {
    "experiment_id",
    "name",
    "artifact_location",
    "lifecycle_stage",
    "last_update_time",
    "creation_time",
    "workspace",
}
VERSION_KEYS = {
    "name",
    "version",
    "creation_timestamp",
    "last_updated_timestamp",
    "current_stage",
    "description",
    "source",
    "run_id",
    "run_link",
    "status",
}
LOGGED_MODEL_INFO_KEYS = {
    "model_id",
    "experiment_id",
    "name",
    "creation_timestamp_ms",
    "last_updated_timestamp_ms",
    "artifact_uri",
    "status",
    "model_type",
    "source_run_id",
}


class Api:
    def __init__(self, url: str):
        self.url = url
        self.base = f"{url}/api/2.0/mlflow"

    def call(self, method: str, path: str, body: dict | None = None, status: int = 200) -> dict:
        if method == "GET":
            answer = requests.get(f"{self.base}/{path}", params=body, timeout=30)
        else:
            answer = requests.request(method, f"{self.base}/{path}", json=body or {}, timeout=30)
        assert answer.status_code == status, answer.text
        return answer.json()


def _experiment(api: Api, name: str) -> str:
    return api.call("POST", "experiments/create", {"name": name})["experiment_id"]


def test_experiment_without_tags(flowops_server, unique):
    api = Api(flowops_server.url)
    name = f"empty-{unique}"
    experiment_id = _experiment(api, name)
    got = api.call("GET", "experiments/get", {"experiment_id": experiment_id})["experiment"]
    assert set(got) == EXPERIMENT_KEYS
    assert got["workspace"] == "default"
    by_name = api.call("GET", "experiments/get-by-name", {"experiment_name": name})["experiment"]
    assert set(by_name) == EXPERIMENT_KEYS
    found = api.call("POST", "experiments/search", {"max_results": 5, "filter": f"name = '{name}'"})
    assert set(found["experiments"][0]) == EXPERIMENT_KEYS
    none = api.call("POST", "experiments/search", {"max_results": 5, "filter": "name = 'no-such-experiment-x'"})
    assert none == {}


def test_run_without_data(flowops_server, unique):
    api = Api(flowops_server.url)
    experiment_id = _experiment(api, f"empty-runs-{unique}")
    created = api.call("POST", "runs/create", {"experiment_id": experiment_id, "start_time": 1})["run"]
    assert set(created) == {"info", "data", "inputs"}
    assert set(created["data"]) == {"tags"}
    assert created["inputs"] == {}
    run_id = created["info"]["run_id"]
    got = api.call("GET", "runs/get", {"run_id": run_id})["run"]
    assert set(got) == {"info", "data", "inputs", "outputs"}
    assert set(got["data"]) == {"tags"}
    assert got["inputs"] == {} and got["outputs"] == {}
    searched = api.call("POST", "runs/search", {"experiment_ids": [experiment_id]})["runs"][0]
    assert set(searched) == {"info", "data", "inputs", "outputs"}
    assert set(searched["data"]) == {"tags"}
    none = api.call("POST", "runs/search", {"experiment_ids": [experiment_id], "filter": "params.x = 'y'"})
    assert none == {}
    assert api.call("GET", "metrics/get-history", {"run_id": run_id, "metric_key": "nope"}) == {}
    interval = api.call("GET", "metrics/get-history-bulk-interval", {"run_ids": run_id, "metric_key": "nope"})
    assert interval == {}
    bulk = requests.get(
        f"{api.url}/ajax-api/2.0/mlflow/metrics/get-history-bulk",
        params={"run_id": run_id, "metric_key": "nope"},
        timeout=30,
    )
    assert bulk.json() == {"metrics": []}


def test_registry_without_tags_or_aliases(flowops_server, unique):
    api = Api(flowops_server.url)
    experiment_id = _experiment(api, f"empty-registry-{unique}")
    run_id = api.call("POST", "runs/create", {"experiment_id": experiment_id, "start_time": 1})["run"]["info"]["run_id"]
    name = f"empty-model-{unique}"
    created = api.call("POST", "registered-models/create", {"name": name})["registered_model"]
    assert set(created) == {"name", "creation_timestamp", "last_updated_timestamp"}
    got = api.call("GET", "registered-models/get", {"name": name})["registered_model"]
    assert set(got) == {"name", "creation_timestamp", "last_updated_timestamp"}
    version = api.call(
        "POST", "model-versions/create", {"name": name, "source": f"runs:/{run_id}/model", "run_id": run_id}
    )["model_version"]
    assert set(version) == VERSION_KEYS
    assert version["run_link"] == "" and version["description"] == ""
    assert set(api.call("GET", "model-versions/get", {"name": name, "version": "1"})["model_version"]) == VERSION_KEYS
    searched = api.call("GET", "model-versions/search", {"filter": f"name = '{name}'"})["model_versions"]
    assert [set(v) for v in searched] == [VERSION_KEYS]
    latest = api.call("POST", "registered-models/get-latest-versions", {"name": name})["model_versions"]
    assert [set(v) for v in latest] == [VERSION_KEYS]
    model = api.call("GET", "registered-models/get", {"name": name})["registered_model"]
    assert set(model) == {"name", "creation_timestamp", "last_updated_timestamp", "latest_versions"}
    assert set(model["latest_versions"][0]) == VERSION_KEYS
    models = api.call("GET", "registered-models/search", {"filter": f"name = '{name}'"})["registered_models"]
    assert set(models[0]) == {"name", "creation_timestamp", "last_updated_timestamp", "latest_versions"}
    assert api.call("GET", "registered-models/search", {"filter": "name = 'no-such-model-x'"}) == {}
    assert api.call("GET", "model-versions/search", {"filter": "name = 'no-such-model-x'"}) == {}
    no_stage = api.call("POST", "registered-models/get-latest-versions", {"name": name, "stages": ["Production"]})
    assert no_stage == {}


def test_logged_model_without_params_tags_or_metrics(flowops_server, unique):
    api = Api(flowops_server.url)
    experiment_id = _experiment(api, f"empty-logged-{unique}")
    created = api.call("POST", "logged-models", {"experiment_id": experiment_id})["model"]
    assert set(created["info"]) == LOGGED_MODEL_INFO_KEYS
    assert created["info"]["model_type"] == "" and created["info"]["source_run_id"] == ""
    assert created["data"] == {}
    model_id = created["info"]["model_id"]
    got = api.call("GET", f"logged-models/{model_id}")["model"]
    assert set(got["info"]) == LOGGED_MODEL_INFO_KEYS and got["data"] == {}
    found = api.call("POST", "logged-models/search", {"experiment_ids": [experiment_id]})["models"]
    assert [set(m["info"]) for m in found] == [LOGGED_MODEL_INFO_KEYS]
    none = api.call("POST", "logged-models/search", {"experiment_ids": [experiment_id], "filter": "name = 'nothing'"})
    assert none == {}
    files = api.call("GET", f"logged-models/{model_id}/artifacts/directories")
    assert set(files) == {"root_uri"}


def test_logged_model_unknown_order_by_column(flowops_server, unique):
    api = Api(flowops_server.url)
    experiment_id = _experiment(api, f"empty-order-{unique}")
    body = {"experiment_ids": [experiment_id], "order_by": [{"field_name": "nope"}]}
    assert api.call("POST", "logged-models/search", body, status=400) == {
        "error_code": "INVALID_PARAMETER_VALUE",
        "message": "Invalid order by field name: nope",
        "sqlstate": "KAM04",
        "error_class": "ATTRIBUTE_NOT_FOUND",
    }
    # A dotted field other than metrics is refused before any column lookup: a plain invalid parameter.
    body["order_by"] = [{"field_name": "params.lr"}]
    assert api.call("POST", "logged-models/search", body, status=400)["error_class"] == "INVALID_PARAMETER_VALUE"


def test_empty_trace_search(flowops_server, unique):
    api = Api(flowops_server.url)
    experiment_id = _experiment(api, f"empty-traces-{unique}")
    location = {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": experiment_id}}
    found = requests.post(f"{api.url}/api/3.0/mlflow/traces/search", json={"locations": [location]}, timeout=30)
    assert found.status_code == 200 and found.json() == {}
