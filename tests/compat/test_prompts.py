"""MLflow 3's prompt registry through the official client: prompts are registered models tagged
`mlflow.prompt.is_prompt`, whose versions carry the template and the placeholder source "dummy-source"."""

from __future__ import annotations

import mlflow
import pytest
import requests

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])

pytestmark = pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="mlflow.genai's prompt registry exists from MLflow 3")


def test_register_load_alias_and_search_prompts(client, unique):
    name = f"compat-prompt-{unique}"
    first = mlflow.genai.register_prompt(name=name, template="Hi {{who}}", commit_message="first", tags={"t": "1"})
    second = mlflow.genai.register_prompt(name=name, template="Hello {{who}}!")
    assert (first.version, second.version) == (1, 2)

    assert mlflow.genai.load_prompt(f"prompts:/{name}/1").format(who="Ada") == "Hi Ada"
    # `@latest` is the newest version: MLflow's store answers the reserved alias itself.
    assert mlflow.genai.load_prompt(f"prompts:/{name}@latest").template == "Hello {{who}}!"

    mlflow.genai.set_prompt_alias(name, alias="prod", version=1)
    assert mlflow.genai.load_prompt(f"prompts:/{name}@prod").template == "Hi {{who}}"

    assert name in [prompt.name for prompt in mlflow.genai.search_prompts(f"name = '{name}'")]
    # Prompts stay out of the model registry's own search, as in MLflow.
    assert name not in [model.name for model in client.search_registered_models(f"name = '{name}'")]


def test_chat_prompt_round_trips(unique):
    name = f"compat-chat-{unique}"
    mlflow.genai.register_prompt(name=name, template=[{"role": "user", "content": "Hi {{who}}"}])
    assert mlflow.genai.load_prompt(f"prompts:/{name}/1").format(who="Lin") == [{"role": "user", "content": "Hi Lin"}]


def test_a_prompt_version_source_must_be_a_placeholder(flowops_server, unique):
    # The client always sends its placeholder; another sender gets mlflow server 3.17.2's refusal.
    name = f"compat-prompt-src-{unique}"
    mlflow.genai.register_prompt(name=name, template="x")
    response = requests.post(
        f"{flowops_server.url}/api/2.0/mlflow/model-versions/create",
        json={"name": name, "source": "runs:/0123456789abcdef/model",
              "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}]},
        timeout=30,
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["error_code"], body["message"]) == (
        "INVALID_PARAMETER_VALUE",
        "Invalid prompt source: 'runs:/0123456789abcdef/model'. Prompt sources must use an MLflow placeholder.",
    )
