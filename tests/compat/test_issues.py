"""MLflow 3 issues: quality problems found in an experiment's traces. The client has no public API to
create or search them (issue detection does, through TracingClient and the tracking store); mlflow.log_issue
links a trace to one, reading the issue back by id. A search can rank issues by how many traces they touch.
"""

from __future__ import annotations

import mlflow
import pytest
from mlflow.exceptions import MlflowException

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])

# The 2.x client has no issues; importing them there would fail the whole 2.x run at collection.
if MLFLOW_MAJOR >= 3:
    from mlflow.entities import IssueSeverity, IssueStatus
    from mlflow.tracing.client import TracingClient

pytestmark = pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="issues exist from MLflow 3")


@mlflow.trace
def _answer(question: str) -> str:
    return question.upper()


def _trace_id() -> str:
    _answer("why?")
    mlflow.flush_trace_async_logging()
    return mlflow.get_last_active_trace_id()


def test_issues_create_get_update_and_round_trip_every_field(experiment_id: str):
    client = TracingClient()
    run_id = mlflow.start_run(experiment_id=experiment_id).info.run_id
    mlflow.end_run()
    full = client._create_issue(
        experiment_id=experiment_id,
        name="slow answers",
        description="responses take over 2 s",
        status=IssueStatus.PENDING,
        severity=IssueSeverity.HIGH,
        root_causes=["cold cache", "large prompt"],
        source_run_id=run_id,
        categories=["latency"],
        created_by="detector",
    )
    assert full.issue_id.startswith("iss-")
    assert full.experiment_id == experiment_id
    assert (full.status, full.severity) == (IssueStatus.PENDING, IssueSeverity.HIGH)
    assert full.root_causes == ["cold cache", "large prompt"]
    assert (full.source_run_id, full.categories, full.created_by) == (run_id, ["latency"], "detector")
    assert full.created_timestamp == full.last_updated_timestamp
    assert full.trace_count is None
    assert client.store.get_issue(full.issue_id) == full

    plain = client._create_issue(experiment_id=experiment_id, name="wrong", description="wrong answer")
    assert plain.status == IssueStatus.PENDING
    assert (plain.severity, plain.root_causes, plain.source_run_id, plain.categories, plain.created_by) == (
        None,
        None,
        None,
        None,
        None,
    )

    updated = client.store.update_issue(plain.issue_id, status=IssueStatus.RESOLVED, severity=IssueSeverity.LOW)
    assert (updated.name, updated.description) == ("wrong", "wrong answer")
    assert (updated.status, updated.severity) == (IssueStatus.RESOLVED, IssueSeverity.LOW)
    assert updated.last_updated_timestamp >= plain.last_updated_timestamp
    renamed = client.store.update_issue(plain.issue_id, name="wrong answers", description="")
    assert (renamed.name, renamed.description) == ("wrong answers", "wrong answer")
    assert renamed.status == IssueStatus.RESOLVED


def test_missing_issue_and_experiment_are_not_found(experiment_id: str):
    client = TracingClient()
    with pytest.raises(MlflowException, match="Issue with ID 'iss-nope' not found") as missing:
        client.store.get_issue("iss-nope")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException, match="Issue with ID 'iss-nope' not found"):
        client.store.update_issue("iss-nope", name="x")
    with pytest.raises(MlflowException, match="No Experiment with id=987654 exists"):
        client._create_issue(experiment_id="987654", name="n", description="d")


def test_search_ranks_by_severity_filters_and_pages(experiment_id: str):
    client = TracingClient()
    for name, severity in [("a", IssueSeverity.LOW), ("b", IssueSeverity.HIGH), ("c", None), ("d", IssueSeverity.HIGH)]:
        client._create_issue(experiment_id=experiment_id, name=name, description="x", severity=severity)
    resolved = client._create_issue(experiment_id=experiment_id, name="e", description="x", status=IssueStatus.RESOLVED)

    everything = client.store.search_issues(experiment_id=experiment_id)
    assert [i.name for i in everything] == ["d", "b", "a", "e", "c"]
    assert everything.token is None

    first = client.store.search_issues(experiment_id=experiment_id, max_results=2)
    assert [i.name for i in first] == ["d", "b"]
    assert first.token
    rest = client.store.search_issues(experiment_id=experiment_id, max_results=10, page_token=first.token)
    assert [i.name for i in rest] == ["a", "e", "c"]
    assert rest.token is None

    only = client.store.search_issues(experiment_id=experiment_id, filter_string="status = 'resolved'")
    assert [i.issue_id for i in only] == [resolved.issue_id]
    others = client.store.search_issues(experiment_id=experiment_id, filter_string="status != 'resolved'")
    assert [i.name for i in others] == ["d", "b", "a", "c"]

    with pytest.raises(MlflowException, match="Invalid filter field 'severity'") as bad_field:
        client.store.search_issues(experiment_id=experiment_id, filter_string="severity = 'high'")
    assert bad_field.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException, match="Invalid comparator 'LIKE'"):
        client.store.search_issues(experiment_id=experiment_id, filter_string="status LIKE 'p%'")
    with pytest.raises(MlflowException, match="must be a positive integer"):
        client.store.search_issues(experiment_id=experiment_id, max_results=0)


def test_log_issue_links_traces_and_search_counts_them(experiment_id: str):
    client = TracingClient()
    slow = client._create_issue(experiment_id=experiment_id, name="slow", description="x", severity=IssueSeverity.LOW)
    wrong = client._create_issue(experiment_id=experiment_id, name="wrong", description="x", severity=IssueSeverity.LOW)
    first, second = _trace_id(), _trace_id()
    mlflow.log_issue(trace_id=first, issue_id=slow.issue_id)
    mlflow.log_issue(trace_id=second, issue_id=slow.issue_id, issue_name="slow")
    # A second reference on the same trace does not count twice.
    mlflow.log_issue(trace_id=second, issue_id=slow.issue_id)
    with pytest.raises(MlflowException, match="does not match the issue name 'wrong'"):
        mlflow.log_issue(trace_id=first, issue_id=wrong.issue_id, issue_name="other")

    references = [a for a in mlflow.get_trace(first).info.assessments if a.issue is not None]
    assert [(a.name, a.issue.issue_name) for a in references] == [(slow.issue_id, "slow")]

    counted = client.store.search_issues(experiment_id=experiment_id, include_trace_count=True)
    assert [(i.name, i.trace_count) for i in counted] == [("slow", 2), ("wrong", 0)]
    uncounted = client.store.search_issues(experiment_id=experiment_id)
    assert [(i.name, i.trace_count) for i in uncounted] == [("wrong", None), ("slow", None)]
