"""MLflow 3 evaluation datasets through `mlflow.genai.datasets`: created in an experiment, filled with
`merge_records` (records with the same inputs merge their expectations and tags), read back with `to_df`,
found with `search_datasets` and `get_dataset(name=...)`, tagged, linked to more experiments, and deleted.
"""

from __future__ import annotations

import mlflow
import pytest
from mlflow.exceptions import MlflowException

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])

# The 2.x client has no mlflow.genai.datasets; importing it there would fail the whole 2.x run at collection.
if MLFLOW_MAJOR >= 3:
    from mlflow.genai.datasets import (
        add_dataset_to_experiments,
        create_dataset,
        delete_dataset,
        delete_dataset_tag,
        get_dataset,
        remove_dataset_from_experiments,
        search_datasets,
        set_dataset_tags,
    )

pytestmark = pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="evaluation datasets exist from MLflow 3")


def _own(tags: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in tags.items() if k != "mlflow.user"}


def test_records_merge_by_inputs_and_read_back(experiment_id: str, unique: str):
    dataset = create_dataset(name=f"qa-{unique}", experiment_id=experiment_id, tags={"team": "search"})
    assert dataset.dataset_id.startswith("d-")
    # The client adds the caller as the `mlflow.user` tag, which the server also records as created_by.
    assert _own(dataset.tags) == {"team": "search"}
    assert dataset.created_by == dataset.tags["mlflow.user"]

    dataset.merge_records([
        {"inputs": {"question": "What is MLflow?"}, "expectations": {"answer": "A platform"}},
        {"inputs": {"question": "What is FlowOps?"}, "expectations": {"answer": "A server"}, "tags": {"k": "v"}},
    ])
    dataset.merge_records([{"inputs": {"question": "What is MLflow?"}, "expectations": {"facts": ["open"]}}])

    df = get_dataset(dataset_id=dataset.dataset_id).to_df()
    assert len(df) == 2
    by_question = {row["inputs"]["question"]: row for _, row in df.iterrows()}
    assert by_question["What is MLflow?"]["expectations"] == {"answer": "A platform", "facts": ["open"]}
    assert _own(by_question["What is FlowOps?"]["tags"]) == {"k": "v"}

    fetched = get_dataset(dataset_id=dataset.dataset_id)
    assert fetched.profile == '{"num_records": 2}'
    assert '"question": "string"' in fetched.schema
    assert fetched.experiment_ids == [experiment_id]


def test_search_get_by_name_tags_and_delete(experiment_id: str, unique: str):
    first = create_dataset(name=f"alpha-{unique}", experiment_id=experiment_id)
    second = create_dataset(name=f"beta-{unique}", experiment_id=experiment_id, tags={"stage": "dev"})

    found = search_datasets(experiment_ids=[experiment_id], order_by=["name ASC"])
    assert [d.name for d in found] == [f"alpha-{unique}", f"beta-{unique}"]
    tagged = search_datasets(filter_string="tags.stage = 'dev'", experiment_ids=[experiment_id])
    assert [d.dataset_id for d in tagged] == [second.dataset_id]
    assert get_dataset(name=f"alpha-{unique}").dataset_id == first.dataset_id

    set_dataset_tags(dataset_id=second.dataset_id, tags={"stage": "prod", "owner": "qa"})
    delete_dataset_tag(dataset_id=second.dataset_id, key="owner")
    assert _own(get_dataset(dataset_id=second.dataset_id).tags) == {"stage": "prod"}

    delete_dataset(dataset_id=first.dataset_id)
    with pytest.raises(MlflowException, match="not found") as missing:
        get_dataset(dataset_id=first.dataset_id)
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_experiment_links_are_added_and_removed(experiment_id: str, unique: str):
    other = mlflow.create_experiment(f"other-{unique}")
    dataset = create_dataset(name=f"linked-{unique}", experiment_id=experiment_id)
    add_dataset_to_experiments(dataset.dataset_id, [other])
    assert sorted(get_dataset(dataset_id=dataset.dataset_id).experiment_ids) == sorted([experiment_id, other])
    remove_dataset_from_experiments(dataset.dataset_id, [experiment_id])
    assert get_dataset(dataset_id=dataset.dataset_id).experiment_ids == [other]


def test_float_values_keep_their_type_in_records_and_schema(experiment_id: str, unique: str):
    import json

    dataset = create_dataset(name=f"floats-{unique}", experiment_id=experiment_id)
    dataset.merge_records([
        {"inputs": {"q": 1.0, "n": 2}, "expectations": {"score": 1.0, "big": 12345678901234567890}},
        {"inputs": {"q": 1}, "outputs": 3.0},
    ])
    df = get_dataset(dataset_id=dataset.dataset_id).to_df()
    # Python's json keeps 1.0 and 1 apart, so they are two records with their own input types.
    assert len(df) == 2
    by_n = {"n" in row["inputs"]: row for _, row in df.iterrows()}
    assert type(by_n[True]["inputs"]["q"]) is float
    assert by_n[True]["expectations"] == {"score": 1.0, "big": 12345678901234567890}
    assert type(by_n[True]["expectations"]["score"]) is float
    assert type(by_n[False]["inputs"]["q"]) is int
    assert type(by_n[False]["outputs"]) is float
    schema = json.loads(get_dataset(dataset_id=dataset.dataset_id).schema)
    assert schema["inputs"] == {"q": "float", "n": "integer"}
    assert schema["expectations"] == {"score": "float", "big": "integer"}


def test_time_filters_take_int64_values(experiment_id: str, unique: str):
    dataset = create_dataset(name=f"times-{unique}", experiment_id=experiment_id)
    ids = lambda f: [d.dataset_id for d in search_datasets(filter_string=f, experiment_ids=[experiment_id])]  # noqa: E731
    assert dataset.dataset_id in ids("created_time < 9223372036854775807")
    assert dataset.dataset_id in ids("last_update_time > -9223372036854775808")
    assert ids("created_time >= 9007199254740993") == []


@pytest.mark.parametrize(
    ("filter_string", "message"),
    [
        ("created_time > 'abc'", "Expected numeric value type for numeric attribute: created_time. Found 'abc'"),
        ("created_time > 1.5", "Invalid value for numeric attribute 'created_time': '1.5'"),
        ("created_time LIKE 1", "Invalid comparator for numeric attribute: LIKE"),
        ("name NOT IN ('a')", "List values for 'name' are only supported with the IN comparator."),
        ("created_by IN ('a')", "Only ['name'] attributes support comparison with a list of quoted string values."),
        ("tags.k > 'a'", "Invalid comparator for tag: >"),
        ("tags.k = 1", "Expected a quoted string value for tag (e.g. 'my-value'). Got value 1"),
        ("metrics.m > 1", "Invalid identifier token 'metrics' specified"),
        ("name = 'a' OR (name = 'b')", "Invalid clause(s) in filter string: OR, (name = 'b')"),
        ("name IS NULL", "IS NULL / IS NOT NULL is only supported for tags and params, not for 'attribute' 'name'"),
        # mlflow prints the valid keys as a Python set, in an order that changes with each server process.
        ("foo = 'a'", "Invalid attribute key 'foo' specified. Valid keys are: {"),
    ],
)
def test_bad_filters_are_refused_with_mlflows_messages(filter_string: str, message: str):
    with pytest.raises(MlflowException) as refused:
        search_datasets(filter_string=filter_string)
    assert refused.value.error_code == "INVALID_PARAMETER_VALUE"
    # The client's RestException may put the error code in front of the server's message.
    text = refused.value.message.removeprefix("INVALID_PARAMETER_VALUE: ")
    assert text.startswith(message)
    if message.endswith("{"):
        keys = text[len(message) - 1 :]
        assert sorted(keys.strip("{}").split(", ")) == sorted(
            ["'name'", "'created_time'", "'last_update_time'", "'created_by'", "'last_updated_by'"]
        )


@pytest.mark.parametrize(
    ("order_by", "message"),
    [
        ("name ASCX", "Invalid ordering key in order_by clause 'name ASCX'."),
        ("name ASC DESC", "Invalid order_by clause 'name ASC DESC'. Could not be parsed."),
        ("tags.k DESC", "Invalid order_by entity: tag"),
        ("attributes.name", "Invalid identifier token 'attributes' specified"),
    ],
)
def test_bad_order_by_is_refused_with_mlflows_messages(order_by: str, message: str):
    with pytest.raises(MlflowException) as refused:
        search_datasets(order_by=[order_by])
    assert refused.value.error_code == "INVALID_PARAMETER_VALUE"
    assert refused.value.message.removeprefix("INVALID_PARAMETER_VALUE: ") == message
