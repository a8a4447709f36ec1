"""The UI's prompt engineering endpoints: `runs/create-promptlab-run` and the `gateway-proxy`.

Recorded from `mlflow server` 3.17.2 (SQLite, proxied artifacts). A promptlab run is created FINISHED with the
model parameters, route and template as params, PROMPT_ENGINEERING tags, one `mlflow.log-model.history` entry,
and `eval_results_table.json` plus a pyfunc `model/` as artifacts, written by json.dumps and PyYAML's
safe_dump: the expected bytes here are built the way mlflow/utils/promptlab_utils.py and
mlflow/prompt/promptlab_model.py build them. conda.yaml and python_env.yaml (and MLmodel's python_version)
carry the writing server's own interpreter, pip and setuptools versions, so only their shape is checked.

The create answer lists params and tags in insertion order in MLflow and sorted by key in FlowOps (its run
reader everywhere), so those lists are compared as sets.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import mlflow
import pytest
import requests
import yaml

PROMPTLAB = "/ajax-api/2.0/mlflow/runs/create-promptlab-run"
GATEWAY_PROXY = "/ajax-api/2.0/mlflow/gateway-proxy"

LONG = "a very long sentence that goes on and on well past eighty columns so that PyYAML must fold it"
TEMPLATES = {
    # ASCII with no indicator: plain style, folded at spaces past column 80.
    "plain": f"You are a helpful assistant. {LONG}, then answer {{{{ question }}}} {LONG}.",
    # `: ` and line breaks force single quotes; PyYAML doubles the breaks and folds the long line.
    "single-quoted": f"Context: {{{{ context }}}}\n\nQuestion: {{{{ question }}}}\n{LONG} {LONG}\n  indented tail  ",
    # Non-ASCII forces double quotes with escapes, folded with a trailing backslash.
    "double-quoted": (
        "Translate {{ text }} into {{ language }}, keeping the tone \u2014 na\u00efve caf\u00e9 \u2615 and "
        f"\u65e5\u672c\u8a9e.\nSecond line: {LONG} {LONG}\n  indented line with trailing spaces   \n\nend: {{{{text}}}}"
    ),
}

PROMPT_PARAMETERS = [
    {"key": "text", "value": "Hello w\u00f6rld\nsecond line"},
    {"key": "language", "value": "French"},
    {"key": "count", "value": 3},
]
MODEL_PARAMETERS = [
    {"key": "temperature", "value": 0.5},
    {"key": "max_tokens", "value": 100},
    {"key": "stop", "value": ["\n\n", "END"]},
    {"key": "stream", "value": False},
]
MODEL_OUTPUT_PARAMETERS = [{"key": "latency", "value": 123}, {"key": "cached", "value": None}]


def _pystr(value) -> str:
    """`str(param.value)`, as `_create_promptlab_run_impl` stores every parameter value."""
    return str(value)


def _request(experiment_id: str, template: str, **overrides) -> dict:
    body = {
        "experiment_id": experiment_id,
        "run_name": "prompt lab run \u2728",
        "prompt_template": template,
        "prompt_parameters": PROMPT_PARAMETERS,
        "model_route": "chat-route",
        "model_parameters": MODEL_PARAMETERS,
        "model_input": "Translate Hello w\u00f6rld into French",
        "model_output": "Bonjour le monde \u2713",
        "model_output_parameters": MODEL_OUTPUT_PARAMETERS,
        "mlflow_version": "3.17.2",
        "user_id": "alice",
        "start_time": 1700000000000,
    }
    body.update(overrides)
    return body


def _post(url: str, body, **kwargs) -> requests.Response:
    if "data" in kwargs:
        return requests.post(url + PROMPTLAB, **kwargs)
    return requests.post(url + PROMPTLAB, json=body, **kwargs)


def _error(response: requests.Response) -> dict:
    body = response.json()
    return {"error_code": body.get("error_code"), "message": body.get("message")}


def _runs_in(experiment_id: str) -> list:
    return mlflow.search_runs([experiment_id], output_format="list")


def _mask_mlmodel(text: str) -> str:
    # Ids, times and the writing server's own versions differ on every run and server.
    for key in ("run_id", "model_uuid", "utc_time_created", "mlflow_version", "python_version"):
        text = re.sub(rf"^(\s*{key}: ).*$", rf"\g<1><{key}>", text, flags=re.M)
    return text


EXPECTED_MLMODEL = """artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.prompt.promptlab_model
    parameters_path: parameters.yaml
    python_version: <python_version>
is_signature_from_type_hint: false
mlflow_version: <mlflow_version>
model_id: null
model_uuid: <model_uuid>
prompts: null
run_id: <run_id>
saved_input_example_info:
  artifact_path: input_example.json
  serving_input_path: serving_input_example.json
  type: json_object
signature:
  inputs: '[{"type": "string", "name": "text", "required": true}, {"type": "string",
    "name": "language", "required": true}, {"type": "string", "name": "count", "required":
    true}]'
  outputs: '[{"type": "string", "name": "output", "required": true}]'
  params: null
type_hint_from_example: false
utc_time_created: <utc_time_created>
"""


@pytest.mark.parametrize("style", sorted(TEMPLATES))
def test_promptlab_run_params_tags_and_artifacts(flowops_server, experiment_id, client, tmp_path: Path, style):
    template = TEMPLATES[style]
    body = _request(experiment_id, template)
    response = _post(flowops_server.url, body)
    assert response.status_code == 200, response.text
    created = response.json()["run"]
    run_id = created["info"]["run_id"]

    model_params = {p["key"]: _pystr(p["value"]) for p in MODEL_PARAMETERS}
    expected_params = {**model_params, "model_route": "chat-route", "prompt_template": template}
    assert {p["key"]: p["value"] for p in created["data"]["params"]} == expected_params
    assert len(created["data"]["params"]) == len(expected_params)
    assert created["info"]["status"] == "FINISHED"
    assert created["info"]["user_id"] == "alice"
    assert created["info"]["run_name"] == "prompt lab run \u2728"
    assert created["info"]["start_time"] == 1700000000000

    run = mlflow.get_run(run_id)
    assert run.info.status == "FINISHED"
    assert run.info.user_id == "alice"
    assert run.info.run_name == "prompt lab run \u2728"
    assert run.info.experiment_id == experiment_id
    assert run.info.start_time == 1700000000000
    assert isinstance(run.info.end_time, int) and run.info.end_time > run.info.start_time
    assert run.data.params == expected_params
    assert run.data.metrics == {}
    tags = dict(run.data.tags)
    assert {t["key"]: t["value"] for t in created["data"]["tags"]} == tags
    history = json.loads(tags.pop("mlflow.log-model.history"))
    assert tags == {
        "mlflow.runName": "prompt lab run \u2728",
        "mlflow.loggedArtifacts": '[{"path": "eval_results_table.json", "type": "table"}]',
        "mlflow.runSourceType": "PROMPT_ENGINEERING",
    }
    assert len(history) == 1
    entry = history[0]
    assert entry["run_id"] == run_id
    assert re.fullmatch(r"[0-9a-f]{32}", entry.pop("model_uuid"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", entry.pop("utc_time_created"))
    assert entry == {"run_id": run_id, "artifact_path": "model", "flavors": {}}

    top = [(f.path, f.is_dir) for f in client.list_artifacts(run_id)]
    assert top == [("eval_results_table.json", False), ("model", True)]
    model_files = [(f.path, f.is_dir) for f in client.list_artifacts(run_id, "model")]
    assert model_files == [
        (f"model/{name}", False)
        for name in (
            "MLmodel",
            "conda.yaml",
            "input_example.json",
            "parameters.yaml",
            "python_env.yaml",
            "requirements.txt",
            "serving_input_example.json",
        )
    ]

    local = Path(client.download_artifacts(run_id, "", str(tmp_path)))
    prompt_values = [_pystr(p["value"]) for p in PROMPT_PARAMETERS]
    output_values = [_pystr(p["value"]) for p in MODEL_OUTPUT_PARAMETERS]
    eval_table = {
        "columns": [p["key"] for p in PROMPT_PARAMETERS]
        + ["prompt", "output"]
        + [p["key"] for p in MODEL_OUTPUT_PARAMETERS],
        "data": [prompt_values + [body["model_input"], body["model_output"]] + output_values],
    }
    assert (local / "eval_results_table.json").read_bytes() == json.dumps(eval_table).encode()

    model = local / "model"
    assert _mask_mlmodel((model / "MLmodel").read_text()) == EXPECTED_MLMODEL
    parameters = {
        "prompt_template": template,
        "prompt_parameters": {p["key"]: _pystr(p["value"]) for p in PROMPT_PARAMETERS},
        "model_parameters": model_params,
        "model_route": "chat-route",
    }
    parameters_yaml = (model / "parameters.yaml").read_bytes()
    assert parameters_yaml == yaml.safe_dump(parameters, default_flow_style=False).encode()
    assert yaml.safe_load(parameters_yaml) == parameters
    assert (model / "input_example.json").read_bytes() == json.dumps({"inputs": prompt_values}).encode()
    serving = json.dumps({"inputs": {"inputs": prompt_values}}, indent=2)
    assert (model / "serving_input_example.json").read_bytes() == serving.encode()
    assert (model / "requirements.txt").read_bytes() == b"mlflow[gateway]==3.17.2"

    conda = yaml.safe_load((model / "conda.yaml").read_text())
    assert list(conda) == ["channels", "dependencies", "name"]
    assert conda["channels"] == ["conda-forge"] and conda["name"] == "mlflow-env"
    python_dep, pip_dep, pip_section = conda["dependencies"]
    assert re.fullmatch(r"python=\d+\.\d+\.\d+", python_dep)
    assert re.fullmatch(r"pip(<=[\d.]+)?", pip_dep)
    assert pip_section == {"pip": ["mlflow[gateway]==3.17.2"]}
    python_env = yaml.safe_load((model / "python_env.yaml").read_text())
    assert list(python_env) == ["python", "build_dependencies", "dependencies"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", python_env["python"])
    assert [re.sub(r"==.*", "", d) for d in python_env["build_dependencies"]] == ["pip", "setuptools", "wheel"]
    assert python_env["dependencies"] == ["-r requirements.txt"]


def test_promptlab_run_defaults(flowops_server, experiment_id):
    body = _request(experiment_id, "Hi {{ name }}", prompt_parameters=[{"key": "name", "value": "bob"}])
    for optional in ("run_name", "model_parameters", "model_output", "model_output_parameters", "user_id"):
        del body[optional]
    del body["start_time"]
    response = _post(flowops_server.url, body)
    assert response.status_code == 200, response.text
    run = mlflow.get_run(response.json()["run"]["info"]["run_id"])
    assert run.info.status == "FINISHED"
    assert run.info.user_id == "unknown"
    assert run.info.run_name and run.data.tags["mlflow.runName"] == run.info.run_name
    assert abs(run.info.start_time - run.info.end_time) < 60_000
    assert run.data.params == {"model_route": "chat-route", "prompt_template": "Hi {{ name }}"}


REQUIRED = ["experiment_id", "prompt_template", "prompt_parameters", "model_route", "model_input", "mlflow_version"]


@pytest.mark.parametrize("field", REQUIRED)
@pytest.mark.parametrize("value", ["<missing>", None, "", [], 0, False])
def test_promptlab_run_requires_each_field(flowops_server, experiment_id, field, value):
    body = _request(experiment_id, "Hi")
    if value == "<missing>":
        del body[field]
    else:
        body[field] = value
    response = _post(flowops_server.url, body)
    assert response.status_code == 400
    assert _error(response) == {
        "error_code": "INVALID_PARAMETER_VALUE",
        "message": f"CreatePromptlabRun request must specify {field}.",
    }
    assert _runs_in(experiment_id) == []


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"Content-Type": "text/plain"}, "Bad Request. Content-Type must be one of ['application/json']."),
        ({"Content-Type": "application/x-www-form-urlencoded"}, "Bad Request. Content-Type must be one of ['application/json']."),
        ({}, "Bad Request. Content-Type header is missing."),
    ],
)
def test_promptlab_run_content_type(flowops_server, experiment_id, headers, message):
    data = json.dumps(_request(experiment_id, "Hi")).encode()
    response = _post(flowops_server.url, None, data=data, headers=headers)
    assert response.status_code == 400
    assert _error(response) == {"error_code": "INVALID_PARAMETER_VALUE", "message": message}
    charset = _post(flowops_server.url, None, data=data, headers={"Content-Type": "application/json; charset=utf-8"})
    assert charset.status_code == 200


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ([{"key": "team", "value": "ml"}], "'dict' object has no attribute 'key'"),
        ([None], "'NoneType' object has no attribute 'key'"),
        # The store copies the tags, then reads `.key` off each: a dict gives its keys, a str has no copy.
        ({"team": "ml"}, "'str' object has no attribute 'key'"),
        ("team", "'str' object has no attribute 'copy'"),
        (5, "'int' object has no attribute 'copy'"),
    ],
)
def test_promptlab_run_tags_fail_in_the_store(flowops_server, experiment_id, tags, message):
    response = _post(flowops_server.url, _request(experiment_id, "Hi", tags=tags))
    assert response.status_code == 500
    assert _error(response) == {"error_code": "INTERNAL_ERROR", "message": message}
    assert _runs_in(experiment_id) == []


@pytest.mark.parametrize("tags", [[], None, {}, "", 0])
def test_promptlab_run_empty_tags(flowops_server, experiment_id, tags):
    response = _post(flowops_server.url, _request(experiment_id, "Hi", tags=tags))
    assert response.status_code == 200
    assert response.json()["run"]["info"]["status"] == "FINISHED"


@pytest.mark.parametrize(
    ("field", "message"), [("user_id", "user_id cannot be None"), ("start_time", "start_time cannot be None")]
)
def test_promptlab_run_explicit_null(flowops_server, experiment_id, field, message):
    response = _post(flowops_server.url, _request(experiment_id, "Hi", **{field: None}))
    assert response.status_code == 500
    assert _error(response) == {"error_code": "INTERNAL_ERROR", "message": message}
    assert _runs_in(experiment_id) == []


@pytest.mark.parametrize(("sent", "stored"), [("12", 12), (" 7", 7), ("-3", -3), ("12.0", 12), (True, 1)])
def test_promptlab_run_start_time_as_sqlite_stores_it(flowops_server, experiment_id, sent, stored):
    response = _post(flowops_server.url, _request(experiment_id, "Hi", start_time=sent))
    assert response.status_code == 200, response.text
    assert mlflow.get_run(response.json()["run"]["info"]["run_id"]).info.start_time == stored


@pytest.mark.parametrize("value", [["a"], {"a": 1}, True, 1.5, 7])
@pytest.mark.parametrize("field", ["model_route", "prompt_template"])
def test_promptlab_run_fails_for_a_param_that_is_no_string(flowops_server, experiment_id, field, value):
    # The run exists before its params are logged; the store refuses a value that is no str, so it ends FAILED.
    response = _post(flowops_server.url, _request(experiment_id, "Hi", **{field: value}))
    assert response.status_code == 200
    run = mlflow.get_run(response.json()["run"]["info"]["run_id"])
    assert run.info.status == "FAILED"
    assert run.data.params == {}
    assert set(run.data.tags) == {"mlflow.runName"}


@pytest.mark.parametrize(
    "model_parameters",
    [
        [{"value": "no key"}],
        [{"key": "", "value": "1"}],
        [{"key": "dup", "value": "1"}, {"key": "dup", "value": "2"}],
        [{"key": "model_route", "value": "clash"}],
    ],
)
def test_promptlab_run_fails_for_params_the_store_refuses(flowops_server, experiment_id, model_parameters):
    response = _post(flowops_server.url, _request(experiment_id, "Hi", model_parameters=model_parameters))
    assert response.status_code == 200
    run = mlflow.get_run(response.json()["run"]["info"]["run_id"])
    assert run.info.status == "FAILED"
    assert run.data.params == {}
    assert list(mlflow.MlflowClient().list_artifacts(run.info.run_id)) == []


@pytest.mark.parametrize("field", ["model_parameters", "model_output_parameters"])
@pytest.mark.parametrize("value", [None, 0, 5])
def test_promptlab_run_param_list_that_is_not_iterable(flowops_server, experiment_id, field, value):
    # Python's TypeError in the handler: Flask's HTML 500 page in MLflow, so only the status is compared.
    response = _post(flowops_server.url, _request(experiment_id, "Hi", **{field: value}))
    assert response.status_code == 500
    assert _runs_in(experiment_id) == []


@pytest.mark.parametrize("body", [[1], "text", 5])
def test_promptlab_run_body_that_is_no_object(flowops_server, body):
    assert _post(flowops_server.url, body).status_code == 500


def test_promptlab_run_unknown_experiment(flowops_server):
    response = _post(flowops_server.url, _request("987654321", "Hi"))
    assert response.status_code == 404
    assert _error(response) == {
        "error_code": "RESOURCE_DOES_NOT_EXIST",
        "message": "No Experiment with id=987654321 exists",
    }


@pytest.mark.skipif(bool(os.environ.get("MLFLOW_DEPLOYMENTS_TARGET")), reason="a deployments target is set")
def test_gateway_proxy_without_target(flowops_server):
    url = flowops_server.url + GATEWAY_PROXY
    answers = [
        requests.get(url),
        requests.get(url, params={"gateway_path": "api/2.0/endpoints"}),
        requests.post(url, json={"gateway_path": "gateway/chat/invocations", "json_data": {"prompt": "hi"}}),
        requests.post(url),
        requests.post(url, data="not json", headers={"Content-Type": "text/plain"}),
    ]
    for response in answers:
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json() == {"endpoints": []}
