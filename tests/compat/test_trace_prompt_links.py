"""Prompts used inside a trace: `mlflow.genai.load_prompt` within `@mlflow.trace` records the version on
the span; when the trace is exported the client calls LinkPromptsToTrace on a background thread and sets
the `mlflow.linkedPrompts` tag itself. The server keeps the links, which `prompt = "name/version"`
search filters read. The client swallows a failed link call, so only the filter shows one was missed.
"""

from __future__ import annotations

import json
import time

import mlflow
import pytest
from mlflow.exceptions import MlflowException

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])

# PromptVersion and the tracking store's link_prompts_to_trace exist from MLflow 3 only.
if MLFLOW_MAJOR >= 3:
    from mlflow.entities.model_registry import PromptVersion
    from mlflow.tracking._tracking_service.utils import _get_store

pytestmark = pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="prompt links on traces exist from MLflow 3")


def _search(experiment_id: str, filter_string: str) -> list[str]:
    traces = mlflow.search_traces(locations=[experiment_id], filter_string=filter_string, return_type="list")
    return [t.info.trace_id for t in traces]


def _eventually(experiment_id: str, filter_string: str, timeout_s: float = 20) -> list[str]:
    # The exporter links prompts on a thread of its own, which flush_trace_async_logging does not wait for.
    deadline = time.monotonic() + timeout_s
    while True:
        found = _search(experiment_id, filter_string)
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_a_prompt_loaded_in_a_trace_is_linked_and_found_by_the_prompt_filter(experiment_id: str, unique: str):
    name = f"compat-linked-{unique}"
    mlflow.genai.register_prompt(name=name, template="Hi {{who}}")
    mlflow.genai.register_prompt(name=name, template="Hello {{who}}")

    @mlflow.trace
    def greet(who: str) -> str:
        return mlflow.genai.load_prompt(f"prompts:/{name}/2").format(who=who)

    assert greet("Ada") == "Hello Ada"
    mlflow.flush_trace_async_logging()
    trace_id = mlflow.get_last_active_trace_id()

    assert _eventually(experiment_id, f'prompt = "{name}/2"') == [trace_id]
    assert _search(experiment_id, f"tags.`mlflow.linkedPrompts` = '{name}/2'") == [trace_id]
    assert _search(experiment_id, f'prompt = "{name}/1"') == []
    tag = mlflow.get_trace(trace_id).info.tags["mlflow.linkedPrompts"]
    assert json.loads(tag) == [{"name": name, "version": "2"}]


def test_the_tracking_store_links_by_name_and_version_and_repeats_are_ignored(experiment_id: str, unique: str):
    with mlflow.start_span("root") as span:
        trace_id = span.trace_id
    mlflow.flush_trace_async_logging()
    store = _get_store()
    versions = [
        PromptVersion(name=f"p-{unique}", version=3, template=""),
        PromptVersion(name="q", version=1, template=""),
    ]
    store.link_prompts_to_trace(trace_id, versions)
    store.link_prompts_to_trace(trace_id, versions[:1])
    assert _search(experiment_id, f'prompt = "p-{unique}/3"') == [trace_id]
    assert _search(experiment_id, 'prompt = "q/1"') == [trace_id]


def test_linking_to_a_missing_trace_is_not_found():
    with pytest.raises(MlflowException, match=r"Trace with ID 'tr-nope' not found\.") as missing:
        _get_store().link_prompts_to_trace("tr-nope", [PromptVersion(name="p", version=1, template="")])
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_the_prompt_filter_takes_only_equality_on_name_slash_version(experiment_id: str):
    with pytest.raises(MlflowException, match="Invalid comparator '!=' for prompts filter"):
        _search(experiment_id, 'prompt != "p/1"')
    with pytest.raises(MlflowException, match="Invalid prompts filter value 'p'"):
        _search(experiment_id, 'prompt = "p"')
