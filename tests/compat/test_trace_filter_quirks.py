"""Trace search filters and order_by that MLflow 3's parser (sqlparse) reads in its own way: a bare `timestamp`
is a comparison only lower-case with an integer, keys are matched case-sensitively in order_by too, every clause
sqlparse cannot group is named at once before any value is read, comparators are checked only once every clause
is read, and a list compared with `=` fails when SQLite's driver binds it. Called over REST, so the MLflow
client's version does not matter.
"""

from __future__ import annotations

import ast
import re

import pytest
import requests


def _search(server_url: str, experiment_id: str, filter_string: str | None = None, order_by=None):
    body: dict = {"locations": [{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": experiment_id}}]}
    if filter_string is not None:
        body["filter"] = filter_string
    if order_by is not None:
        body["order_by"] = order_by
    return requests.post(f"{server_url}/api/3.0/mlflow/traces/search", json=body, timeout=30)


def _with_sorted_sets(message: str) -> str:
    """MLflow prints Python sets, whose order changes from server process to server process."""
    return re.sub(r"\{[^{}]*\}", lambda m: repr(sorted(ast.literal_eval(m.group(0)))), message)


def _refused(response: requests.Response, error_code: str = "INVALID_PARAMETER_VALUE") -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error_code"] == error_code
    return body["message"]


@pytest.mark.parametrize(
    ("filter_string", "tokens"),
    [
        ("timestamp = 'x'", "'timestamp', '=', ''x'', 'timestamp'"),
        ("timestamp > '5'", "'timestamp', '>', ''5'', 'timestamp'"),
        ("timestamp > 5.5", "'timestamp', '>', '5.5', 'timestamp'"),
        ("timestamp IS NULL", "'timestamp', 'IS', 'NULL', 'timestamp'"),
        ("TIMESTAMP > 5", "'TIMESTAMP', '>', '5'"),
        ("Timestamp >= 5", "'Timestamp', '>=', '5'"),
        ("timestamp > 5 AND timestamp = 'x'", "'timestamp', '=', ''x'', 'timestamp'"),
        ("timestamp = 'x' AND text LIKE 'y'", "'timestamp', '=', ''x'', 'timestamp', 'text', 'LIKE', ''y''"),
        ("type = 'x'", "'type', '=', ''x''"),
        ("tag.x IS 'a'", "'tag.x', 'IS', ''a''"),
        ("tag.a = 'x' OR tag.b = 'y'", "'OR'"),
        ("tag.x = 5 AND feedback.x > True", "'feedback.x', '>', 'True'"),
        ("status IN 'a' AND timestamp = 'x'", "'status', 'IN', ''a'', 'timestamp', '=', ''x'', 'timestamp'"),
    ],
)
def test_clauses_sqlparse_cannot_group_are_named_together(flowops_server, experiment_id, filter_string, tokens):
    response = _search(flowops_server.url, experiment_id, filter_string)
    assert _refused(response) == f"Invalid clause(s) in filter string: {tokens}"


@pytest.mark.parametrize(
    "filter_string",
    ["timestamp > 5", "timestamp>5", "timestamp != -5", "timestamp_ms > '5'", "trace.timestamp = 'x'",
     "attributes.timestamp > '5'", '"timestamp" > \'5\''],
)
def test_bare_lower_case_timestamp_with_an_integer_or_a_qualified_one_is_read(
    flowops_server, experiment_id, filter_string
):
    response = _search(flowops_server.url, experiment_id, filter_string)
    assert response.status_code == 200, response.text


_TAG_COMPARATORS = "{'!=', '=', 'ILIKE', 'IS NOT NULL', 'IS NULL', 'LIKE', 'RLIKE'}"


@pytest.mark.parametrize(
    ("filter_string", "message"),
    [
        ("tag.x > 'a' AND status = 5", "Only the '{'end_time', 'end_time_ms', 'execution_time', 'execution_time_ms', "
         "'timestamp', 'timestamp_ms'}' attributes support comparison with numeric values."),
        ("tag.x > 'a' AND foo.y = 'b'", "Invalid entity type 'foo'. Valid values are {'attribute', 'attributes', "
         "'expectation', 'feedback', 'issue', 'metadata', 'request_metadata', 'span', 'tag', 'tags', 'trace'}"),
        ("tag.x IN ('a') AND status IS NULL", f"Invalid comparator 'IN' not one of '{_TAG_COMPARATORS}"),
        ("issue.foo = 'x' AND tag.x > 'a'", "Invalid issue attribute 'foo'. Supported attributes: id"),
        ("tag.x > 'a' AND issue.foo = 'x'", f"Invalid comparator '>' not one of '{_TAG_COMPARATORS}"),
        ("tag.x = ('a') AND tag.y > 'a'", f"Invalid comparator '>' not one of '{_TAG_COMPARATORS}"),
        ("tag.x = (1)", "While parsing a list in the query, expected string value, punctuation, or whitespace, "
         "but got different type in list: (1,)"),
        ("status IN ('a' , 2.50)", "While parsing a list in the query, expected string value, punctuation, or "
         "whitespace, but got different type in list: ('a', 2.5)"),
    ],
)
def test_values_are_read_before_comparators_are_checked(flowops_server, experiment_id, filter_string, message):
    response = _search(flowops_server.url, experiment_id, filter_string)
    assert _with_sorted_sets(_refused(response)) == _with_sorted_sets(message)


@pytest.mark.parametrize(
    "filter_string",
    ["tag.x = ('a')", "status = ('OK')", "tag.a = 'a' AND tag.x LIKE ('a', 'b')", "status IN ('a','b') AND name = ('a')"],
)
def test_a_list_compared_with_equals_is_a_bad_request(flowops_server, experiment_id, filter_string):
    # MLflow's message is SQLite's driver refusing to bind a tuple; FlowOps words it for the filter instead.
    _refused(_search(flowops_server.url, experiment_id, filter_string), "BAD_REQUEST")


_ORDER_BY_KEYS = (
    "{'end_time', 'end_time_ms', 'execution_time', 'execution_time_ms', 'experiment_id', 'name', 'request_id', "
    "'run_id', 'status', 'timestamp', 'timestamp_ms'}"
)


@pytest.mark.parametrize(
    ("order_by", "message"),
    [
        (["TIMESTAMP_MS DESC"], f"Invalid attribute key 'TIMESTAMP_MS' specified. Valid keys are '{_ORDER_BY_KEYS}'"),
        (["Name"], f"Invalid attribute key 'Name' specified. Valid keys are '{_ORDER_BY_KEYS}'"),
        (["trace.Status"], f"Invalid attribute key 'Status' specified. Valid keys are '{_ORDER_BY_KEYS}'"),
        (["Timestamp"], "Invalid order_by clause 'Timestamp'. Could not be parsed."),
        (["TIMESTAMP DESC"], "Invalid order_by clause 'TIMESTAMP DESC'. Could not be parsed."),
        (["text"], "Invalid order_by clause 'text'. Could not be parsed."),
        (["name "], "Invalid order_by clause 'name '. Could not be parsed."),
        (["timestamp_ms up"], "Invalid ordering key in order_by clause 'timestamp_ms up'."),
        (["tag.text"], "Invalid identifier type 'span'"),
        (["status", "Bad"], f"Invalid attribute key 'Bad' specified. Valid keys are '{_ORDER_BY_KEYS}'"),
    ],
)
def test_order_by_keys_are_matched_as_written(flowops_server, experiment_id, order_by, message):
    response = _search(flowops_server.url, experiment_id, order_by=order_by)
    assert _with_sorted_sets(_refused(response)) == _with_sorted_sets(message)


@pytest.mark.parametrize(
    "order_by",
    [["timestamp DESC"], ["tags.K"], ["name"], ["tag.NAME"], ["tag.Timestamp"], ["timestamp_ms Desc"],
     ['"status"'], ["tags.`my key` DESC"], ["feedback.name"]],
)
def test_order_by_keys_mlflow_takes(flowops_server, experiment_id, order_by):
    response = _search(flowops_server.url, experiment_id, order_by=order_by)
    assert response.status_code == 200, response.text


def test_order_by_is_read_before_the_filter(flowops_server, experiment_id):
    response = _search(flowops_server.url, experiment_id, "tag.x > 'a'", ["Bad"])
    assert _refused(response).startswith("Invalid attribute key 'Bad' specified.")
