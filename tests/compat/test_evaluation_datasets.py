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
