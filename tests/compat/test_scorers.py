"""MLflow 3 scorer registry: builtin scorers registered to an experiment with `.register`, read back with
list_scorers / get_scorer / list_scorer_versions and removed with delete_scorer. Each registration of a
name adds a version; the server stores the serialized scorer as text. Like mlflow's own server (without
MLFLOW_SERVER_ENABLE_CUSTOM_SCORERS), FlowOps refuses `@scorer` functions, whose code clients would run.
"""

from __future__ import annotations

import mlflow
import pytest
from mlflow.exceptions import MlflowException

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])

# The 2.x client has no mlflow.genai.scorers; importing it there would fail the whole 2.x run at collection.
if MLFLOW_MAJOR >= 3:
    from mlflow.genai.scorers import (
        Guidelines,
        RelevanceToQuery,
        delete_scorer,
        get_scorer,
        list_scorers,
        scorer,
    )
    from mlflow.genai.scorers.registry import list_scorer_versions

pytestmark = pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="the scorer registry exists from MLflow 3")


def test_builtin_scorers_register_list_get_and_delete(experiment_id: str):
    RelevanceToQuery(model="openai:/gpt-4o-mini").register(name="relevance", experiment_id=experiment_id)
    RelevanceToQuery(model="openai:/gpt-4o").register(name="relevance", experiment_id=experiment_id)
    Guidelines(name="polite", guidelines=["Be polite."]).register(experiment_id=experiment_id)

    listed = list_scorers(experiment_id=experiment_id)
    assert [s.name for s in listed] == ["polite", "relevance"]
    latest = get_scorer(name="relevance", experiment_id=experiment_id)
    assert isinstance(latest, RelevanceToQuery)
    assert latest.model == "openai:/gpt-4o"
    assert get_scorer(name="relevance", experiment_id=experiment_id, version=1).model == "openai:/gpt-4o-mini"
    versions = list_scorer_versions(name="relevance", experiment_id=experiment_id)
    assert [v for _, v in versions] == [1, 2]
    assert get_scorer(name="polite", experiment_id=experiment_id).guidelines == ["Be polite."]

    delete_scorer(name="relevance", experiment_id=experiment_id, version=1)
    assert [v for _, v in list_scorer_versions(name="relevance", experiment_id=experiment_id)] == [2]
    delete_scorer(name="relevance", experiment_id=experiment_id, version="all")
    assert [s.name for s in list_scorers(experiment_id=experiment_id)] == ["polite"]


def test_missing_scorers_and_versions_are_not_found(experiment_id: str):
    RelevanceToQuery().register(name="relevance", experiment_id=experiment_id)
    with pytest.raises(MlflowException, match="Scorer with name 'nope' not found") as missing:
        get_scorer(name="nope", experiment_id=experiment_id)
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException, match="Scorer with name 'relevance' and version 9 not found"):
        get_scorer(name="relevance", experiment_id=experiment_id, version=9)
    with pytest.raises(MlflowException, match="Scorer with name 'nope' not found"):
        delete_scorer(name="nope", experiment_id=experiment_id, version="all")


def test_decorator_scorers_are_refused_as_mlflow_refuses_them(experiment_id: str):
    @scorer
    def exact_match(outputs, expectations) -> bool:
        return outputs == expectations["expected_response"]

    with pytest.raises(MlflowException, match="Custom scorer registration") as refused:
        exact_match.register(experiment_id=experiment_id)
    assert refused.value.error_code == "INVALID_PARAMETER_VALUE"
    assert list_scorers(experiment_id=experiment_id) == []
