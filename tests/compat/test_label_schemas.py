"""MLflow 3 label schemas: the questions reviewers answer, created with `mlflow.genai.label_schemas` in an
experiment and read back by id, by name and by listing. Every experiment lists a protected default question
("Feedback", free text) that the server seeds on the first listing and that cannot be edited or deleted.
"""

from __future__ import annotations

import mlflow
import pytest
import requests
from mlflow.exceptions import MlflowException

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])

# The 2.x client has no mlflow.genai.label_schemas; importing it there would fail the whole 2.x run at collection.
if MLFLOW_MAJOR >= 3:
    from mlflow.genai.label_schemas import (
        InputCategorical,
        InputNumeric,
        InputPassFail,
        InputText,
        create_label_schema,
        delete_label_schema,
        get_label_schema,
        list_label_schemas,
        update_label_schema,
    )

pytestmark = pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="label schemas exist from MLflow 3")


def test_create_get_list_update_and_delete(experiment_id: str):
    correct = create_label_schema(
        "Is the answer correct?",
        type="feedback",
        input=InputPassFail(positive_label="Correct", negative_label="Incorrect"),
        instruction="Check the facts.",
        enable_comment=True,
        experiment_id=experiment_id,
    )
    assert correct.schema_id.startswith("ls-")
    assert correct.experiment_id == experiment_id
    assert correct.type == "feedback"
    assert correct.input == InputPassFail(positive_label="Correct", negative_label="Incorrect")
    assert (correct.instruction, correct.enable_comment, correct.is_default) == ("Check the facts.", True, False)
    assert correct.created_at == correct.updated_at
    topics = create_label_schema(
        "Topics",
        type="expectation",
        input=InputCategorical(options=["billing", "shipping"], multi_select=True),
        experiment_id=experiment_id,
    )
    score = create_label_schema(
        "Score", type="feedback", input=InputNumeric(min_value=1, max_value=5), experiment_id=experiment_id
    )
    assert score.input == InputNumeric(min_value=1.0, max_value=5.0)
    assert score.instruction is None

    assert get_label_schema(schema_id=topics.schema_id) == topics
    assert get_label_schema("Topics", experiment_id=experiment_id) == topics

    listed = list_label_schemas(experiment_id)
    assert [s.name for s in listed] == ["Feedback", "Score", "Topics", "Is the answer correct?"]
    assert listed.token is None
    default = listed[0]
    assert default.is_default
    assert (default.type, default.input, default.instruction) == (
        "feedback",
        InputText(),
        "Share any feedback on this trace.",
    )
    first = list_label_schemas(experiment_id, max_results=3)
    assert [s.name for s in first] == ["Feedback", "Score", "Topics"]
    rest = list_label_schemas(experiment_id, max_results=3, page_token=first.token)
    assert [s.name for s in rest] == ["Is the answer correct?"]
    assert rest.token is None

    renamed = update_label_schema(
        topics.schema_id, name="Topic", input=InputCategorical(options=["returns"], multi_select=True)
    )
    assert (renamed.name, renamed.type, renamed.input.options) == ("Topic", "expectation", ["returns"])
    assert renamed.updated_at >= topics.updated_at
    cleared = update_label_schema(correct.schema_id, instruction="")
    assert cleared.instruction == ""

    delete_label_schema(schema_id=score.schema_id)
    delete_label_schema(schema_id=score.schema_id)
    assert [s.name for s in list_label_schemas(experiment_id)] == ["Feedback", "Topic", "Is the answer correct?"]


def test_errors_match_mlflow(experiment_id: str):
    create_label_schema("q", type="feedback", input=InputText(max_length=10), experiment_id=experiment_id)
    with pytest.raises(MlflowException, match="Label schema with name 'q' already exists") as taken:
        create_label_schema("q", type="feedback", input=InputText(), experiment_id=experiment_id)
    assert taken.value.error_code == "RESOURCE_ALREADY_EXISTS"
    with pytest.raises(MlflowException, match="is reserved for the experiment's default question"):
        create_label_schema("feedback", type="feedback", input=InputText(), experiment_id=experiment_id)
    with pytest.raises(MlflowException, match="must be distinct; got 'a' for both"):
        create_label_schema(
            "pf", type="feedback", input=InputPassFail("a", "a"), experiment_id=experiment_id
        )
    with pytest.raises(MlflowException, match="got min=5.0, max=1.0") as bounds:
        create_label_schema(
            "n", type="feedback", input=InputNumeric(min_value=5, max_value=1), experiment_id=experiment_id
        )
    assert bounds.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException, match="Label schema with id 'ls-nope' not found") as missing:
        get_label_schema(schema_id="ls-nope")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException, match="Label schema with name 'nope' not found for experiment"):
        get_label_schema("nope", experiment_id=experiment_id)
    with pytest.raises(MlflowException, match="No Experiment with id=999999 exists"):
        list_label_schemas("999999")

    q = get_label_schema("q", experiment_id=experiment_id)
    with pytest.raises(MlflowException, match="input type cannot be changed after creation"):
        update_label_schema(q.schema_id, input=InputPassFail("yes", "no"))
    default = list_label_schemas(experiment_id)[0]
    with pytest.raises(MlflowException, match="The experiment's default question cannot be edited."):
        update_label_schema(default.schema_id, instruction="x")
    with pytest.raises(MlflowException, match="The experiment's default question cannot be deleted."):
        delete_label_schema(schema_id=default.schema_id)


def test_raw_requests_answer_mlflow_bodies(flowops_server, experiment_id: str):
    base = f"{flowops_server.url}/api/3.0/mlflow/label-schemas"
    created = requests.post(
        f"{base}/create",
        json={
            "experiment_id": experiment_id,
            "name": "raw",
            "type": "FEEDBACK",
            "input": {"numeric": {"max_value": 3}},
        },
        timeout=30,
    )
    assert created.status_code == 200
    schema = created.json()["label_schema"]
    assert list(schema) == [
        "schema_id",
        "experiment_id",
        "name",
        "type",
        "enable_comment",
        "input",
        "created_at",
        "last_updated_at",
        "is_default",
    ]
    assert schema["input"] == {"numeric": {"max_value": 3}}
    no_type = requests.post(
        f"{base}/create",
        json={"experiment_id": experiment_id, "name": "x", "type": "feedback", "input": {"text": {}}},
        timeout=30,
    )
    assert no_type.status_code == 400
    assert no_type.json()["message"] == (
        "Label schema `type` must be one of FEEDBACK or EXPECTATION; got proto enum value 0."
    )
    page = requests.get(f"{base}/list", params={"experiment_id": experiment_id, "max_results": 1}, timeout=30)
    assert page.json()["next_page_token"] == "eyJvZmZzZXQiOiAxfQ=="
    last = requests.get(f"{base}/list", params={"experiment_id": experiment_id}, timeout=30).json()
    assert last["next_page_token"] == ""
    too_many = requests.get(f"{base}/list", params={"experiment_id": experiment_id, "max_results": 0}, timeout=30)
    assert too_many.status_code == 400
    assert too_many.json()["message"].startswith("max_results must be between 1 and 50000.")
    gone = requests.delete(f"{base}/delete", json={"schema_id": "ls-nope"}, timeout=30)
    assert (gone.status_code, gone.json()) == (200, {})
