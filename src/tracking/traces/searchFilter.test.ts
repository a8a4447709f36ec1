import { describe, expect, it } from "vitest";
import { pythonFloatRepr } from "../../pythonRepr.js";
import { matchingStoredValueTexts, pythonJsonText } from "./assessmentValueText.js";
import { parseTraceFilter } from "./searchFilter.js";
import { traceFilterSql } from "./search.js";
import { parseTraceOrderBy } from "./traceOrderBy.js";

const message = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected an error");
};

/** A filter read and built, as a search builds it: comparators are checked only then, as in mlflow's store. */
const built = (filter: string) => traceFilterSql("sqlite", parseTraceFilter(filter), [1]);

describe("assessment trace filters", () => {
  it("parses feedback and expectation clauses with quoted keys, strings and numbers", () => {
    expect(parseTraceFilter("feedback.relevance = 'yes' AND expectation.`the answer` LIKE \"%x%\"")).toEqual([
      { entity: "feedback", key: "relevance", comparator: "=", value: "yes" },
      { entity: "expectation", key: "the answer", comparator: "LIKE", value: "%x%" },
    ]);
    expect(parseTraceFilter('feedback.score > 3.5 AND feedback."score" <= -1')).toEqual([
      { entity: "feedback", key: "score", comparator: ">", value: 3.5 },
      { entity: "feedback", key: "score", comparator: "<=", value: -1 },
    ]);
    expect(parseTraceFilter("feedback.x IS NOT NULL")).toEqual([
      { entity: "feedback", key: "x", comparator: "IS NOT NULL", value: "" },
    ]);
  });

  it("refuses values of the wrong kind with mlflow's messages", () => {
    expect(message(() => parseTraceFilter("feedback.score = 3"))).toBe(
      "Expected a quoted string value for feedback (e.g. 'my-value'). Got value 3",
    );
    expect(message(() => parseTraceFilter("expectation.num < '7'"))).toBe(
      "Expected a numeric value for expectation when using comparator '<'. Got value '7'",
    );
    expect(message(() => parseTraceFilter("feedback.relevance IN ('yes', 'no')"))).toBe(
      "Expected a quoted string value for feedback (e.g. 'my-value'). Got value ('yes', 'no')",
    );
    expect(message(() => parseTraceFilter("feedback.relevance = yes"))).toBe(
      "Parameter value is either not quoted or unidentified quote types used for string value yes. Use either single or double quotes.",
    );
    expect(message(() => parseTraceFilter("feedback. = 'x'"))).toBe("Assessment field name cannot be empty");
    expect(message(() => parseTraceOrderBy(["feedback.x DESC"]))).toBe("Invalid identifier type 'feedback'");
  });
});

// mlflow 3.17.2 (SearchTraceUtils.parse_search_filter and POST /api/3.0/mlflow/traces/search, both 400
// INVALID_PARAMETER_VALUE): sqlparse reads True/False/None as keywords and groups no comparison around them.
describe("a keyword as the value", () => {
  it.each([
    ["feedback.x > True", "'feedback.x', '>', 'True'"],
    ["feedback.x >= False", "'feedback.x', '>=', 'False'"],
    ["feedback.x < true", "'feedback.x', '<', 'true'"],
    ["feedback.x = True", "'feedback.x', '=', 'True'"],
    ["feedback.x>True", "'feedback.x', '>', 'True'"],
    ["feedback.`x y` > True", "'feedback.`x y`', '>', 'True'"],
    ["feedback.x > None", "'feedback.x', '>', 'None'"],
    ["tags.a = 'b' AND feedback.x > True", "'feedback.x', '>', 'True'"],
    ["tags.a = True", "'tags.a', '=', 'True'"],
    ["metadata.a = True", "'metadata.a', '=', 'True'"],
  ])("%s is refused with the clause's tokens as mlflow names them", (filter, tokens) => {
    expect(message(() => parseTraceFilter(filter))).toBe(`Invalid clause(s) in filter string: ${tokens}`);
  });

  it("is a string when quoted", () => {
    expect(parseTraceFilter("feedback.x = 'true'")).toEqual([
      { entity: "feedback", key: "x", comparator: "=", value: "true" },
    ]);
  });
});

// mlflow 3.17.2 (SearchTraceUtils): RLIKE for tags, metadata, string attributes and assessments only, and
// entity names matched exactly.
describe("trace filter RLIKE and entity names", () => {
  it("parses RLIKE where mlflow takes it", () => {
    expect(
      parseTraceFilter("tags.k rlike '^It' AND metadata.m RLIKE 'a|b' AND feedback.rel RLIKE 'y'"),
    ).toEqual([
      { entity: "tag", key: "k", comparator: "RLIKE", value: "^It" },
      { entity: "metadata", key: "m", comparator: "RLIKE", value: "a|b" },
      { entity: "feedback", key: "rel", comparator: "RLIKE", value: "y" },
    ]);
    expect(parseTraceFilter("request_id RLIKE '^tr-'")[0]?.comparator).toBe("RLIKE");
  });

  it("refuses RLIKE on numeric attributes and entity names in another case", () => {
    expect(message(() => built("timestamp_ms RLIKE '1'"))).toBe(
      `Invalid comparator 'RLIKE' not one of '${STRING_ATTRIBUTE_COMPARATORS}`,
    );
    expect(message(() => parseTraceFilter("TAG.k = 'a'"))).toMatch(
      /^Invalid entity type 'TAG'\. Valid values are/,
    );
    expect(message(() => parseTraceFilter("Feedback.rel = 'yes'"))).toMatch(
      /^Invalid entity type 'Feedback'/,
    );
  });

  it("finds no entity or attribute among Object's own member names", () => {
    // Regression: `constructor` found Object's constructor and was taken as an entity or a column.
    expect(message(() => parseTraceFilter("constructor.k = 'a'"))).toMatch(
      /^Invalid entity type 'constructor'/,
    );
    expect(message(() => parseTraceFilter("__proto__.k = 'a'"))).toMatch(/^Invalid entity type '__proto__'/);
    for (const key of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect(message(() => parseTraceFilter(`${key} = 'a'`))).toMatch(/^Invalid attribute key/);
    }
  });

  it("keeps a doubled quote in a value as written", () => {
    expect(parseTraceFilter("tags.k = 'It''s'")[0]?.value).toBe("It''s");
  });
});

describe("mlflow's stored assessment text", () => {
  it("writes numbers as Python's float repr", () => {
    expect([3, -1, 4.5, 1e16, 1.5e16, 0.0001, 0.00001, 123456.5, 1e-7].map(pythonFloatRepr)).toEqual([
      "3.0",
      "-1.0",
      "4.5",
      "1e+16",
      "1.5e+16",
      "0.0001",
      "1e-05",
      "123456.5",
      "1e-07",
    ]);
  });

  it("writes strings with ensure_ascii and lists with Python's separators", () => {
    expect(pythonJsonText(['é\n"', 1, true, null, { a: 2 }])).toBe(
      '["\\u00e9\\n\\"", 1.0, true, null, {"a": 2.0}]',
    );
  });

  it("turns an equality filter value into the texts FlowOps stores for the values it matches", () => {
    expect(matchingStoredValueTexts("feedback", "3")).toEqual(['"3"']);
    expect(matchingStoredValueTexts("feedback", "3.0")).toEqual(['"3.0"', "3"]);
    expect(matchingStoredValueTexts("feedback", "true")).toEqual(['"true"', "true"]);
    expect(matchingStoredValueTexts("feedback", '"\\u00e9"')).toEqual(['"\\"\\\\u00e9\\""', '"é"']);
    expect(matchingStoredValueTexts("feedback", "[1.0, 2.0]")).toEqual(['"[1.0, 2.0]"', "[1,2]"]);
    expect(matchingStoredValueTexts("expectation", "[1, 2]")).toEqual(['"[1, 2]"', "[1, 2]"]);
  });
});

// mlflow 3.17.2's SqlAlchemyStore.search_traces gave each message below (INVALID_PARAMETER_VALUE).
describe("issue trace filters", () => {
  it("reads an issue clause's quoted value, leaving its key and comparator to the SQL store", () => {
    expect(parseTraceFilter("issue.id = 'iss-1' AND issue.`id` = \"iss-2\" AND issue.foo != 'x'")).toEqual([
      { entity: "issue", key: "id", comparator: "=", value: "iss-1" },
      { entity: "issue", key: "id", comparator: "=", value: "iss-2" },
      { entity: "issue", key: "foo", comparator: "!=", value: "x" },
    ]);
    expect(parseTraceFilter("issue.id IS NULL")).toEqual([
      { entity: "issue", key: "id", comparator: "IS NULL", value: "" },
    ]);
  });

  it("refuses values other than quoted strings, whatever the comparator", () => {
    expect(message(() => parseTraceFilter("issue.id = 5"))).toBe(
      "Expected a quoted string value for issue (e.g. 'my-value'). Got value 5",
    );
    expect(message(() => parseTraceFilter("issue.foo > 5"))).toBe(
      "Expected a quoted string value for issue (e.g. 'my-value'). Got value 5",
    );
    expect(message(() => parseTraceFilter("issue.id IN ('a')"))).toBe(
      "Expected a quoted string value for issue (e.g. 'my-value'). Got value ('a')",
    );
    expect(message(() => parseTraceFilter("issue.id = x"))).toBe(
      "Parameter value is either not quoted or unidentified quote types used for string value x. Use either single or double quotes.",
    );
    expect(message(() => parseTraceFilter("issue.id = True"))).toBe(
      "Invalid clause(s) in filter string: 'issue.id', '=', 'True'",
    );
    expect(message(() => parseTraceOrderBy(["issue.id"]))).toBe("Invalid identifier type 'issue'");
  });

  it("reads issue.name, issue.run_id and issue.text as the bare keys, as mlflow renames keys whatever their entity", () => {
    expect(parseTraceFilter("issue.Name = 'n' AND issue.run_id = 'r'")).toEqual([
      { entity: "tag", key: "mlflow.traceName", comparator: "=", value: "n" },
      { entity: "metadata", key: "mlflow.sourceRun", comparator: "=", value: "r" },
    ]);
    expect(parseTraceFilter("issue.timestamp = 'x'")).toEqual([
      { entity: "issue", key: "timestamp_ms", comparator: "=", value: "x" },
    ]);
    expect(parseTraceFilter("issue.TEXT LIKE '%x%'")).toEqual(parseTraceFilter("attribute.text LIKE '%x%'"));
  });
});

// mlflow 3.17.2's answers to POST /api/3.0/mlflow/traces/search (400 INVALID_PARAMETER_VALUE). Its sets print
// in an order that changes with each server process; these are written in its source's order.
const TAG_COMPARATORS = "{'!=', '=', 'LIKE', 'ILIKE', 'RLIKE', 'IS NULL', 'IS NOT NULL'}";
const STRING_ATTRIBUTE_COMPARATORS = "{'!=', '=', 'IN', 'NOT IN', 'LIKE', 'ILIKE', 'RLIKE'}";
const FILTER_ATTRIBUTE_KEYS =
  "{'request_id', 'timestamp', 'timestamp_ms', 'execution_time', 'execution_time_ms', 'end_time', 'end_time_ms', 'status', 'client_request_id', 'name', 'run_id', 'prompt', 'text'}";
const NUMERIC_ATTRIBUTE_KEYS =
  "{'timestamp_ms', 'timestamp', 'execution_time_ms', 'execution_time', 'end_time_ms', 'end_time'}";

describe("trace filter messages as mlflow's", () => {
  it("reads an issue clause's value as an issue's before renaming its key", () => {
    expect(message(() => parseTraceFilter("issue.name IN ('a')"))).toBe(
      "Expected a quoted string value for issue (e.g. 'my-value'). Got value ('a')",
    );
    expect(message(() => parseTraceFilter("issue.run_id IN ('a')"))).toBe(
      "Expected a quoted string value for issue (e.g. 'my-value'). Got value ('a')",
    );
    expect(message(() => parseTraceFilter("issue.name = 5"))).toBe(
      "Expected a quoted string value for issue (e.g. 'my-value'). Got value 5",
    );
    expect(message(() => built("issue.name > 'a'"))).toBe(
      `Invalid comparator '>' not one of '${TAG_COMPARATORS}`,
    );
  });

  it("renames only mlflow's attribute aliases, keeping other keys as written", () => {
    expect(parseTraceFilter("issue.TIMESTAMP_MS = 'x' AND issue.Execution_Time_Ms = 'y'")).toEqual([
      { entity: "issue", key: "TIMESTAMP_MS", comparator: "=", value: "x" },
      { entity: "issue", key: "Execution_Time_Ms", comparator: "=", value: "y" },
    ]);
    expect(parseTraceFilter("issue.END_TIME = 'x'")[0]?.key).toBe("end_time_ms");
    expect(parseTraceFilter("tag.NAME = 'n' AND feedback.run_id = 'r'")).toEqual([
      { entity: "tag", key: "mlflow.traceName", comparator: "=", value: "n" },
      { entity: "metadata", key: "mlflow.sourceRun", comparator: "=", value: "r" },
    ]);
  });

  it("lists the valid entities as a Python set", () => {
    expect(message(() => parseTraceFilter("foo.bar = 'x'"))).toBe(
      "Invalid entity type 'foo'. Valid values are {'tag', 'request_metadata', 'attribute', 'span', 'feedback', 'expectation', 'issue', 'tags', 'attributes', 'trace', 'metadata'}",
    );
  });

  it("checks attribute keys as written", () => {
    for (const key of ["TIMESTAMP_MS", "Name", "RUN_ID", "experiment_id"]) {
      expect(message(() => parseTraceFilter(`${key} > 5`))).toBe(
        `Invalid attribute key '${key}' specified. Valid keys are '${FILTER_ATTRIBUTE_KEYS}'`,
      );
    }
    expect(message(() => parseTraceFilter("trace.Status = 'OK'"))).toMatch(/^Invalid attribute key 'Status'/);
  });

  it("reads values by entity", () => {
    expect(message(() => parseTraceFilter("tag.x = 5"))).toBe(
      "Expected a quoted string value for tag (e.g. 'my-value'). Got value 5",
    );
    expect(message(() => parseTraceFilter("metadata.x IN ('a')"))).toBe(
      "Expected a quoted string value for request_metadata (e.g. 'my-value'). Got value ('a')",
    );
    expect(message(() => parseTraceFilter("status = 5"))).toBe(
      `Only the '${NUMERIC_ATTRIBUTE_KEYS}' attributes support comparison with numeric values.`,
    );
    expect(message(() => parseTraceFilter("execution_time_ms IN ('1')"))).toBe(
      "Only attributes in {'name', 'status', 'request_id', 'run_id', 'client_request_id'} supports comparison with a list of quoted string values.",
    );
    expect(message(() => parseTraceFilter("status = OK"))).toBe(
      "Parameter value is either not quoted or unidentified quote types used for string value OK. Use either single or double quotes.",
    );
    expect(message(() => parseTraceFilter("status IN 'OK'"))).toBe(
      "Invalid clause(s) in filter string: 'status', 'IN', ''OK''",
    );
    expect(parseTraceFilter("execution_time_ms > 1.5")[0]?.value).toBe(1.5);
  });

  it("checks the comparator of the renamed entity, each message quoted as mlflow's", () => {
    expect(message(() => built("tag.x IN ('a')"))).toBe(
      `Invalid comparator 'IN' not one of '${TAG_COMPARATORS}`,
    );
    expect(message(() => built("run_id > 'a'"))).toBe(
      `Invalid comparator '>' not one of '${TAG_COMPARATORS}'`,
    );
    expect(message(() => built("status IS NULL"))).toBe(
      `Invalid comparator 'IS NULL' not one of '${STRING_ATTRIBUTE_COMPARATORS}'`,
    );
    expect(message(() => built("execution_time_ms LIKE '1'"))).toBe(
      `Invalid comparator 'LIKE' not one of '${STRING_ATTRIBUTE_COMPARATORS}`,
    );
  });
});
