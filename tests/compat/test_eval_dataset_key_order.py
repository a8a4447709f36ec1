"""Key order in MLflow 3 evaluation datasets: record inputs, outputs, expectations and tags come back in the
order they were sent, integer-like keys ("10") included; a merge keeps the keys already there in place and
adds new ones after them (`dict.update`); dataset tags come back in the order they were first set.
"""

from __future__ import annotations

import json

import mlflow
import pytest

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])

# The 2.x client has no mlflow.genai.datasets; importing it there would fail the whole 2.x run at collection.
if MLFLOW_MAJOR >= 3:
    from mlflow.genai.datasets import create_dataset, delete_dataset_tag, get_dataset, search_datasets, set_dataset_tags

pytestmark = pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="evaluation datasets exist from MLflow 3")


def _keys(value: dict) -> list[str]:
    return [k for k in value if k != "mlflow.user"]


def _records_by_question(dataset_id: str) -> dict[str, dict]:
    df = get_dataset(dataset_id=dataset_id).to_df()
    return {row["inputs"]["q"]: row for _, row in df.iterrows()}


def test_record_dicts_keep_their_key_order_through_merges(experiment_id: str, unique: str):
    dataset = create_dataset(name=f"order-{unique}", experiment_id=experiment_id)
    dataset.merge_records([
        {
            "inputs": {"q": "x", "10": 1, "b": {"9": 1, "a": 2, "1": 3}},
            "outputs": {"z": 1, "3": 2},
            "expectations": {"b": 1, "10": 2, "a": 3},
            "tags": {"t": "1", "5": "2"},
        },
        {"inputs": {"q": "y", "20": 1}, "outputs": "plain"},
    ])
    # The same inputs in another order are the same record: known keys keep their place, new ones come last.
    dataset.merge_records([
        {
            "inputs": {"b": {"a": 2, "9": 1, "1": 3}, "10": 1, "q": "x"},
            "expectations": {"c": 0, "a": 9, "4": 4, "10": 7},
            "tags": {"8": "x", "t": "u"},
        }
    ])

    records = _records_by_question(dataset.dataset_id)
    assert len(records) == 2
    x = records["x"]
    assert list(x["inputs"]) == ["q", "10", "b"]
    assert list(x["inputs"]["b"]) == ["9", "a", "1"]
    assert list(x["outputs"]) == ["z", "3"]
    assert list(x["expectations"].items()) == [("b", 1), ("10", 7), ("a", 9), ("c", 0), ("4", 4)]
    assert _keys(x["tags"]) == ["t", "5", "8"]
    assert x["tags"]["t"] == "u"
    assert list(records["y"]["inputs"]) == ["q", "20"]

    schema = json.loads(get_dataset(dataset_id=dataset.dataset_id).schema)
    assert list(schema["inputs"]) == ["q", "10", "b", "20"]
    assert list(schema["outputs"]) == ["z", "3"]
    assert list(schema["expectations"]) == ["b", "10", "a", "c", "4"]


def test_dataset_tags_keep_the_order_they_were_set_in(experiment_id: str, unique: str):
    created = create_dataset(
        name=f"tag-order-{unique}", experiment_id=experiment_id, tags={"z": "1", "10": "2", "a": "3", "2": "4"}
    )
    assert _keys(created.tags) == ["z", "10", "a", "2"]
    dataset_id = created.dataset_id

    set_dataset_tags(dataset_id=dataset_id, tags={"a": "new", "b": "x", "1": "y"})
    fetched = get_dataset(dataset_id=dataset_id).tags
    assert _keys(fetched) == ["z", "10", "a", "2", "b", "1"]
    assert fetched["a"] == "new"

    # A tag deleted and set again comes after the others.
    delete_dataset_tag(dataset_id=dataset_id, key="z")
    set_dataset_tags(dataset_id=dataset_id, tags={"z": "again"})
    expected = ["10", "a", "2", "b", "1", "z"]
    assert _keys(get_dataset(dataset_id=dataset_id).tags) == expected
    [found] = search_datasets(filter_string=f"name = 'tag-order-{unique}'", experiment_ids=[experiment_id])
    assert _keys(found.tags) == expected
