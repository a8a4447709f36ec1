"""MLflow 3 review queues: experiment-scoped worklists of traces for human reviewers, driven with
`mlflow.genai.review_queues`. A user queue is a reviewer's own list (named by the user, asking all of the
experiment's questions); a custom queue has chosen users and label schemas. Items are traces of the queue's
experiment with a status the queue's reviewers share.
"""

from __future__ import annotations

import mlflow
import pytest
import requests
from mlflow.exceptions import MlflowException

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])

# The 2.x client has no mlflow.genai.review_queues; importing it there would fail the whole 2.x run at collection.
if MLFLOW_MAJOR >= 3:
    from mlflow.genai.label_schemas import InputText, create_label_schema, delete_label_schema
    from mlflow.genai.review_queues import (
        add_items_to_review_queue,
        create_review_queue,
        delete_review_queue,
        get_or_create_user_queue,
        get_review_queue,
        list_review_queue_items,
        list_review_queues,
        remove_items_from_review_queue,
        set_review_queue_item_status,
        update_review_queue,
    )

pytestmark = pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="review queues exist from MLflow 3")


def _traces(count: int) -> list[str]:
    ids = []
    for index in range(count):
        with mlflow.start_span(name=f"answer-{index}") as span:
            span.set_inputs({"question": index})
        ids.append(span.trace_id)
    mlflow.flush_trace_async_logging()
    return ids


def _question(name: str, experiment_id: str) -> str:
    return create_label_schema(name, type="feedback", input=InputText(), experiment_id=experiment_id).schema_id


def test_custom_and_user_queues(experiment_id: str):
    correct, tone = _question("Correct?", experiment_id), _question("Tone", experiment_id)
    queue = create_review_queue(
        " Launch review ",
        queue_type="custom",
        users=["Bob", " alice ", "bob"],
        schema_ids=[tone, correct],
        experiment_id=experiment_id,
    )
    assert queue.queue_id.startswith("rq-")
    assert (queue.name, queue.queue_type, queue.created_by) == ("Launch review", "custom", None)
    assert (queue.users, queue.schema_ids) == (["alice", "bob"], sorted([tone, correct]))
    assert queue.creation_time_ms == queue.last_update_time_ms
    assert get_review_queue(queue.queue_id) == queue
    assert get_review_queue(name="LAUNCH REVIEW", experiment_id=experiment_id) == queue

    mine = get_or_create_user_queue(" Carol ", experiment_id=experiment_id)
    assert (mine.name, mine.queue_type, mine.created_by, mine.users, mine.schema_ids) == (
        "carol",
        "user",
        "carol",
        ["carol"],
        [],
    )
    assert get_or_create_user_queue("CAROL", experiment_id=experiment_id) == mine

    listed = list_review_queues(experiment_id=experiment_id)
    assert [q.queue_id for q in listed] == [mine.queue_id, queue.queue_id]
    assert listed.token is None
    first = list_review_queues(experiment_id=experiment_id, max_results=1)
    assert [q.queue_id for q in first] == [mine.queue_id]
    rest = list_review_queues(experiment_id=experiment_id, max_results=1, page_token=first.token)
    assert ([q.queue_id for q in rest], rest.token) == ([queue.queue_id], None)
    assert [q.queue_id for q in list_review_queues(user=" BOB ", experiment_id=experiment_id)] == [queue.queue_id]

    renamed = update_review_queue(queue.queue_id, name="Launch", new_owner=" Owner ", users=["Zed"], schema_ids=[])
    assert (renamed.name, renamed.created_by, renamed.users, renamed.schema_ids) == ("Launch", "Owner", ["zed"], [])
    assert renamed.last_update_time_ms >= queue.last_update_time_ms
    assert update_review_queue(queue.queue_id) == renamed

    delete_review_queue(queue.queue_id)
    delete_review_queue(queue.queue_id)
    assert [q.queue_id for q in list_review_queues(experiment_id=experiment_id)] == [mine.queue_id]


def test_items_status_and_trace_deletion(experiment_id: str):
    first, second, third = _traces(3)
    queue = create_review_queue("Triage", queue_type="custom", experiment_id=experiment_id)
    added = add_items_to_review_queue(queue.queue_id, item_ids=[second, f" {first} ", second])
    assert [(i.item_id, i.item_type, i.status) for i in added] == [(second, "trace", "pending"), (first, "trace", "pending")]
    assert added[0].completed_by is None

    done = set_review_queue_item_status(queue.queue_id, item_id=first, status="complete", completed_by=" Bob ")
    assert (done.status, done.completed_by) == ("complete", "bob")
    assert done.completed_time_ms == done.last_update_time_ms
    # A second completion keeps the first reviewer's attribution.
    assert set_review_queue_item_status(queue.queue_id, item_id=first, status="complete", completed_by="eve") == done
    again = add_items_to_review_queue(queue.queue_id, item_ids=[first, third])
    assert [(i.item_id, i.status) for i in again] == [(first, "complete"), (third, "pending")]

    assert [i.item_id for i in list_review_queue_items(queue.queue_id, status="complete")] == [first]
    page = list_review_queue_items(queue.queue_id, max_results=1)
    assert [i.item_id for i in page] == [third]
    rest = list_review_queue_items(queue.queue_id, max_results=5, page_token=page.token)
    assert len(rest) == 2 and rest.token is None

    reopened = set_review_queue_item_status(queue.queue_id, item_id=first, status="pending")
    assert (reopened.status, reopened.completed_by, reopened.completed_time_ms) == ("pending", None, None)

    mlflow.MlflowClient().delete_traces(experiment_id, trace_ids=[first])
    assert sorted(i.item_id for i in list_review_queue_items(queue.queue_id)) == sorted([second, third])
    remove_items_from_review_queue(queue.queue_id, item_ids=[second, "tr-not-attached"])
    assert [i.item_id for i in list_review_queue_items(queue.queue_id)] == [third]


def test_errors_match_mlflow(experiment_id: str):
    (trace_id,) = _traces(1)
    question = _question("Q", experiment_id)
    queue = create_review_queue("Queue", queue_type="custom", schema_ids=[question], experiment_id=experiment_id)
    with pytest.raises(MlflowException, match=r"Review queue with name 'QUEUE' already exists \(names are") as taken:
        create_review_queue("QUEUE", queue_type="custom", experiment_id=experiment_id)
    assert taken.value.error_code == "RESOURCE_ALREADY_EXISTS"
    with pytest.raises(MlflowException, match="`Default` is a reserved queue name") as reserved:
        create_review_queue("Default", queue_type="custom", experiment_id=experiment_id)
    assert reserved.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException, match=r"Label schema id\(s\) \['ls-nope'\] not found for experiment"):
        create_review_queue("z", queue_type="custom", schema_ids=["ls-nope"], experiment_id=experiment_id)
    with pytest.raises(MlflowException, match="A user queue must have exactly one assigned user equal to its name"):
        create_review_queue("dave", queue_type="user", users=["eve"], experiment_id=experiment_id)
    with pytest.raises(MlflowException, match="Review queue with id 'rq-nope' not found.") as missing:
        get_review_queue("rq-nope")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException, match="A non-user queue named 'queue' already exists"):
        get_or_create_user_queue("Queue", experiment_id=experiment_id)
    with pytest.raises(MlflowException, match="No Experiment with id=999999 exists"):
        list_review_queues(experiment_id="999999")

    with pytest.raises(MlflowException, match=r"Cannot attach trace\(s\) \['tr-missing'\] to review queue"):
        add_items_to_review_queue(queue.queue_id, item_ids=[trace_id, "tr-missing"])
    add_items_to_review_queue(queue.queue_id, item_ids=[trace_id])
    with pytest.raises(MlflowException, match="questions are locked once items are assigned to it"):
        update_review_queue(queue.queue_id, schema_ids=[])
    with pytest.raises(MlflowException, match="`completed_by` is required when setting status to `declined`."):
        set_review_queue_item_status(queue.queue_id, item_id=trace_id, status="declined")
    with pytest.raises(MlflowException, match="must not be set when reopening an item to `pending`"):
        set_review_queue_item_status(queue.queue_id, item_id=trace_id, status="pending", completed_by="amy")
    with pytest.raises(MlflowException, match="Item 'tr-x' is not attached to review queue"):
        set_review_queue_item_status(queue.queue_id, item_id="tr-x", status="complete", completed_by="amy")
    user_queue = get_or_create_user_queue("carol", experiment_id=experiment_id)
    with pytest.raises(MlflowException, match="A user queue's name, assigned user, schemas, and owner are fixed"):
        update_review_queue(user_queue.queue_id, name="x")

    # A deleted question's id stays on the queue (a soft reference, as in mlflow).
    delete_label_schema(schema_id=question)
    assert get_review_queue(queue.queue_id).schema_ids == [question]


def test_raw_requests_answer_mlflow_bodies(flowops_server, experiment_id: str):
    base = f"{flowops_server.url}/api/3.0/mlflow/review-queues"
    created = requests.post(
        f"{base}/create",
        json={"experiment_id": experiment_id, "name": "raw", "queue_type": "CUSTOM", "created_by": "mallory"},
        timeout=30,
    )
    assert created.status_code == 200
    queue = created.json()["review_queue"]
    assert list(queue) == ["queue_id", "experiment_id", "name", "queue_type", "creation_time_ms", "last_update_time_ms"]
    unset = requests.post(f"{base}/create", json={"experiment_id": experiment_id, "name": "x"}, timeout=30)
    assert unset.status_code == 400
    assert unset.json()["message"] == "`queue_type` must be one of USER or CUSTOM; got proto enum value 0."
    no_name = requests.post(f"{base}/create", json={"experiment_id": experiment_id, "queue_type": 2}, timeout=30)
    assert no_name.json()["message"] == (
        "Missing value for required parameter 'name'. See the API docs for more information about request parameters."
    )
    listed = requests.get(f"{base}/items/list", params={"queue_id": queue["queue_id"]}, timeout=30)
    assert listed.json() == {"next_page_token": ""}
    page = requests.get(f"{base}/list", params={"experiment_id": experiment_id, "max_results": 0}, timeout=30)
    assert page.json()["message"] == (
        "max_results must be between 1 and 50000. See the API docs for more information about request parameters."
    )
    removed = requests.post(f"{base}/delete", json={"queue_id": queue["queue_id"]}, timeout=30)
    assert (removed.status_code, removed.json()) == (200, {})
