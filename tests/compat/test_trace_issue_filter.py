"""MLflow 3 trace search by issue: `issue.id = '<issue id>'` finds the traces mlflow.log_issue linked to that
issue; other issue attributes and comparators are refused with mlflow's messages. Filter correlation reads the
same filter.
"""

from __future__ import annotations

import ast
import re

import mlflow
import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])

# The 2.x client has no issues; importing them there would fail the whole 2.x run at collection.
if MLFLOW_MAJOR >= 3:
    from mlflow.tracing.client import TracingClient

pytestmark = pytest.mark.skipif(
    MLFLOW_MAJOR < 3 or not hasattr(mlflow, "log_issue"), reason="issues exist from MLflow 3 with log_issue"
)


@mlflow.trace
def _answer(question: str) -> str:
    return question.upper()


def _trace_id() -> str:
    _answer("why?")
    mlflow.flush_trace_async_logging()
    return mlflow.get_last_active_trace_id()


def _found(experiment_id: str, filter_string: str) -> set[str]:
    traces = MlflowClient().search_traces(locations=[experiment_id], filter_string=filter_string)
    return {t.info.trace_id for t in traces}


def test_issue_id_finds_the_traces_linked_to_the_issue(experiment_id: str):
    client = TracingClient()
    slow = client._create_issue(experiment_id=experiment_id, name="slow", description="x")
    wrong = client._create_issue(experiment_id=experiment_id, name="wrong", description="x")
    first, second, plain = _trace_id(), _trace_id(), _trace_id()
    mlflow.log_issue(trace_id=first, issue_id=slow.issue_id)
    mlflow.log_issue(trace_id=second, issue_id=slow.issue_id)
    mlflow.log_issue(trace_id=second, issue_id=slow.issue_id)
    mlflow.log_issue(trace_id=second, issue_id=wrong.issue_id)

    assert _found(experiment_id, f"issue.id = '{slow.issue_id}'") == {first, second}
    assert _found(experiment_id, f'issue.id = "{wrong.issue_id}"') == {second}
    assert _found(experiment_id, f"issue.id = '{slow.issue_id}' AND issue.id = '{wrong.issue_id}'") == {second}
    assert _found(experiment_id, "issue.id = 'iss-none'") == set()

    correlation = client.calculate_trace_filter_correlation(
        [experiment_id], f"issue.id = '{slow.issue_id}'", f"issue.id = '{wrong.issue_id}'"
    )
    counts = (correlation.filter1_count, correlation.filter2_count, correlation.joint_count, correlation.total_count)
    assert counts == (2, 1, 1, 3)


@pytest.mark.parametrize(
    ("filter_string", "message"),
    [
        ("issue.foo = 'x'", "Invalid issue attribute 'foo'. Supported attributes: id"),
        ("issue.ID = 'x'", "Invalid issue attribute 'ID'. Supported attributes: id"),
        ("issue.id != 'x'", "issue.id comparator '!=' not one of '{'='}'"),
        ("issue.id LIKE 'x'", "issue.id comparator 'LIKE' not one of '{'='}'"),
        ("issue.id IS NULL", "issue.id comparator 'IS NULL' not one of '{'='}'"),
        ("issue.id = 5", "Expected a quoted string value for issue (e.g. 'my-value'). Got value 5"),
        # The value is read as an issue's before `name` and `run_id` rename the clause to a tag or metadata.
        ("issue.name IN ('a')", "Expected a quoted string value for issue (e.g. 'my-value'). Got value ('a')"),
        ("issue.run_id = 5", "Expected a quoted string value for issue (e.g. 'my-value'). Got value 5"),
        # Only `timestamp`, `execution_time` and `end_time` are renamed; other keys keep their case.
        ("issue.TIMESTAMP_MS = 'x'", "Invalid issue attribute 'TIMESTAMP_MS'. Supported attributes: id"),
        ("issue.END_TIME = 'x'", "Invalid issue attribute 'end_time_ms'. Supported attributes: id"),
    ],
)
def test_other_issue_attributes_comparators_and_values_are_refused(experiment_id: str, filter_string, message):
    with pytest.raises(MlflowException) as refused:
        MlflowClient().search_traces(locations=[experiment_id], filter_string=filter_string)
    assert refused.value.error_code == "INVALID_PARAMETER_VALUE"
    assert message in refused.value.message


_KEY_VALUE_COMPARATORS = "{'!=', '=', 'ILIKE', 'IS NOT NULL', 'IS NULL', 'LIKE', 'RLIKE'}"


def _with_sorted_sets(message: str) -> str:
    """MLflow prints Python sets, whose order changes from server process to server process."""
    return re.sub(r"\{[^{}]*\}", lambda m: repr(sorted(ast.literal_eval(m.group(0)))), message)


@pytest.mark.parametrize(
    ("filter_string", "message"),
    [
        (
            "foo.bar = 'x'",
            "Invalid entity type 'foo'. Valid values are {'attribute', 'attributes', 'expectation', 'feedback', "
            "'issue', 'metadata', 'request_metadata', 'span', 'tag', 'tags', 'trace'}",
        ),
        # The tag message lacks its closing quote, the metadata one has it, as in MLflow's f-strings.
        ("issue.name > 'a'", f"Invalid comparator '>' not one of '{_KEY_VALUE_COMPARATORS}"),
        (
            "issue.run_id IS NULL AND issue.run_id > 'a'",
            f"Invalid comparator '>' not one of '{_KEY_VALUE_COMPARATORS}'",
        ),
        (
            "TIMESTAMP_MS > 5",
            "Invalid attribute key 'TIMESTAMP_MS' specified. Valid keys are '{'client_request_id', 'end_time', "
            "'end_time_ms', 'execution_time', 'execution_time_ms', 'name', 'prompt', 'request_id', 'run_id', 'status', "
            "'text', 'timestamp', 'timestamp_ms'}'",
        ),
    ],
)
def test_issue_and_entity_refusals_name_mlflows_sets(experiment_id: str, filter_string, message):
    with pytest.raises(MlflowException) as refused:
        MlflowClient().search_traces(locations=[experiment_id], filter_string=filter_string)
    assert refused.value.error_code == "INVALID_PARAMETER_VALUE"
    assert _with_sorted_sets(message) in _with_sorted_sets(refused.value.message)
