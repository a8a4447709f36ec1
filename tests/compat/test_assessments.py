"""MLflow 3 assessments: a person's or a judge's feedback on a trace, and the expected answer. The client
logs them with log_feedback / log_expectation, edits them with update_assessment, replaces feedback with
override_feedback (the original then reads valid=False) and deletes them; get_trace and search_traces
return them inside the trace info.
"""

from __future__ import annotations

import mlflow
import pytest
from mlflow.exceptions import MlflowException

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])

# The 2.x client has none of these; importing them there would fail the whole 2.x run at collection.
if MLFLOW_MAJOR >= 3:
    from mlflow.entities import AssessmentError, AssessmentSource, Feedback

pytestmark = pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="assessments exist from MLflow 3")


@mlflow.trace
def _predict(x: int) -> int:
    return x * 2


def _trace_id(experiment_id: str) -> str:
    _predict(3)
    mlflow.flush_trace_async_logging()
    return mlflow.get_last_active_trace_id()


def _by_id(trace_id: str) -> dict:
    return {a.assessment_id: a for a in mlflow.get_trace(trace_id).info.assessments}


def test_feedback_and_expectations_round_trip(experiment_id: str):
    trace_id = _trace_id(experiment_id)
    human = AssessmentSource(source_type="HUMAN", source_id="bob@example.com")
    feedback = mlflow.log_feedback(
        trace_id=trace_id, name="correct", value=True, source=human, rationale="looks right", metadata={"k": "v"}
    )
    expected = mlflow.log_expectation(trace_id=trace_id, name="expected", value={"answer": [1, 2]}, source=human)
    scalar = mlflow.log_expectation(trace_id=trace_id, name="expected_text", value="six")
    judged = mlflow.log_feedback(
        trace_id=trace_id,
        name="judge",
        error=AssessmentError(error_code="RATE_LIMIT", error_message="slow"),
        source=AssessmentSource(source_type="LLM_JUDGE", source_id="gpt"),
    )

    got = mlflow.get_assessment(trace_id, feedback.assessment_id)
    assert got.name == "correct"
    assert got.value is True
    assert got.rationale == "looks right"
    assert got.metadata == {"k": "v"}
    assert got.source == human
    assert got.create_time_ms == feedback.create_time_ms
    assert got.valid is True

    listed = mlflow.get_trace(trace_id).info.assessments
    assert [a.name for a in listed] == ["correct", "expected", "expected_text", "judge"]
    by_id = _by_id(trace_id)
    assert by_id[expected.assessment_id].value == {"answer": [1, 2]}
    assert by_id[scalar.assessment_id].value == "six"
    assert by_id[judged.assessment_id].error.error_code == "RATE_LIMIT"
    assert by_id[judged.assessment_id].error.error_message == "slow"
    assert by_id[judged.assessment_id].value is None

    found = mlflow.search_traces(locations=[experiment_id], return_type="list")
    assert [len(t.info.assessments) for t in found if t.info.trace_id == trace_id] == [4]


def test_update_override_and_delete(experiment_id: str):
    trace_id = _trace_id(experiment_id)
    original = mlflow.log_feedback(
        trace_id=trace_id,
        name="correct",
        value=True,
        source=AssessmentSource(source_type="HUMAN", source_id="bob@example.com"),
        metadata={"k": "v"},
    )
    updated = mlflow.update_assessment(
        trace_id=trace_id,
        assessment_id=original.assessment_id,
        assessment=Feedback(name="correct2", value=0.5, rationale="new"),
    )
    assert (updated.name, updated.value, updated.rationale) == ("correct2", 0.5, "new")
    assert updated.metadata == {"k": "v"}
    assert updated.source.source_id == "bob@example.com"
    assert updated.last_update_time_ms >= original.last_update_time_ms

    override = mlflow.override_feedback(
        trace_id=trace_id,
        assessment_id=original.assessment_id,
        value=False,
        rationale="wrong",
        source=AssessmentSource(source_type="HUMAN", source_id="alice@example.com"),
    )
    assert override.overrides == original.assessment_id
    by_id = _by_id(trace_id)
    assert by_id[original.assessment_id].valid is False
    assert by_id[override.assessment_id].valid is True
    assert by_id[override.assessment_id].value is False

    mlflow.delete_assessment(trace_id, override.assessment_id)
    by_id = _by_id(trace_id)
    assert list(by_id) == [original.assessment_id]
    assert by_id[original.assessment_id].valid is True
    # Deleting what is gone succeeds, as on mlflow's server.
    mlflow.delete_assessment(trace_id, override.assessment_id)


def test_missing_trace_or_assessment_is_resource_does_not_exist(experiment_id: str):
    trace_id = _trace_id(experiment_id)
    with pytest.raises(MlflowException, match="Assessment with ID 'a-missing' not found") as missing:
        mlflow.get_assessment(trace_id, "a-missing")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException, match="Trace with request_id 'tr-missing' not found"):
        mlflow.get_assessment("tr-missing", "a-missing")
    with pytest.raises(MlflowException, match="Trace with ID 'tr-missing' not found") as no_trace:
        mlflow.log_feedback(trace_id="tr-missing", name="x", value=1)
    assert no_trace.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_deleting_a_trace_deletes_its_assessments(experiment_id: str):
    trace_id = _trace_id(experiment_id)
    feedback = mlflow.log_feedback(trace_id=trace_id, name="correct", value=True)
    assert mlflow.MlflowClient().delete_traces(experiment_id=experiment_id, trace_ids=[trace_id]) == 1
    with pytest.raises(MlflowException, match=f"Trace with request_id '{trace_id}' not found"):
        mlflow.get_assessment(trace_id, feedback.assessment_id)


def test_search_traces_by_feedback_and_expectation(experiment_id: str):
    yes, no, overridden, none = (_trace_id(experiment_id) for _ in range(4))
    mlflow.log_feedback(trace_id=yes, name="relevance", value="yes")
    mlflow.log_feedback(trace_id=yes, name="score", value=3)
    mlflow.log_feedback(trace_id=yes, name="correct", value=True)
    mlflow.log_expectation(trace_id=yes, name="answer", value="x")
    mlflow.log_feedback(trace_id=no, name="relevance", value="no")
    mlflow.log_feedback(trace_id=no, name="score", value=4.5)
    mlflow.log_feedback(trace_id=no, name="correct", value=False)
    original = mlflow.log_feedback(trace_id=overridden, name="relevance", value="yes")
    mlflow.override_feedback(trace_id=overridden, assessment_id=original.assessment_id, value="no")

    def found(filter_string: str) -> set[str]:
        traces = mlflow.MlflowClient().search_traces(locations=[experiment_id], filter_string=filter_string)
        return {t.info.trace_id for t in traces}

    assert found("feedback.relevance = 'yes'") == {yes}
    assert found("feedback.relevance != 'yes'") == {no, overridden}
    assert found("feedback.relevance IS NULL") == {none}
    assert found("feedback.relevance LIKE '%e%'") == {yes}
    # The stored value is the JSON of the wire's double: 3.0, not 3.
    assert found("feedback.score = '3.0'") == {yes}
    assert found("feedback.score = '3'") == set()
    assert found("feedback.score > 3") == {no}
    assert found("feedback.correct = 'true'") == {yes}
    assert found("feedback.correct > 0") == set()
    assert found("expectation.answer = 'x'") == {yes}
    assert found("feedback.answer = 'x'") == set()
    with pytest.raises(MlflowException, match=r"Expected a quoted string value for feedback \(e.g. 'my-value'\)"):
        found("feedback.score = 3")
    with pytest.raises(MlflowException, match="Expected a numeric value for feedback when using comparator '>'"):
        found("feedback.relevance > 'a'")
