import { describe, expect, it } from "vitest";
import type { FlowOpsError } from "../../errors.js";
import { traceFilterSql } from "./search.js";
import { parseTraceFilter } from "./searchFilter.js";

const refusal = (run: () => unknown): { code: string; message: string } => {
  try {
    run();
  } catch (error) {
    return { code: (error as FlowOpsError).code, message: (error as Error).message };
  }
  throw new Error("expected an error");
};
const message = (run: () => unknown): string => refusal(run).message;
/** A filter read and built as a search builds it (comparators are checked, lists bound, only then). */
const built = (filter: string, dialect: "sqlite" | "postgres" = "sqlite") =>
  traceFilterSql(dialect, parseTraceFilter(filter), [1]);

// mlflow 3.17.2, POST /api/3.0/mlflow/traces/search on SQLite: 400 INVALID_PARAMETER_VALUE with each message.
describe("a bare timestamp key, which sqlparse reads as a type", () => {
  it("is a comparison only lower-case, with a comparator and an integer", () => {
    for (const filter of ["timestamp > 5", "timestamp>5", "timestamp != -5", "timestamp <= 0"]) {
      expect(parseTraceFilter(filter)).toEqual([
        {
          entity: "attribute",
          key: "timestamp_ms",
          comparator: filter.match(/[<>!=]+/)?.[0],
          value: expect.any(Number),
        },
      ]);
    }
  });

  it.each([
    ["timestamp = 'x'", "'timestamp', '=', ''x'', 'timestamp'"],
    ["timestamp > '5'", "'timestamp', '>', ''5'', 'timestamp'"],
    ['timestamp = "x"', "'timestamp', '=', '\"x\"', 'timestamp'"],
    ["timestamp > 5.5", "'timestamp', '>', '5.5', 'timestamp'"],
    ["timestamp = x", "'timestamp', '=', 'x', 'timestamp'"],
    ["timestamp LIKE 'x'", "'timestamp', 'LIKE', ''x'', 'timestamp'"],
    ["timestamp IN (5)", "'timestamp', 'IN', '(5)', 'timestamp'"],
    ["timestamp IS NULL", "'timestamp', 'IS', 'NULL', 'timestamp'"],
    ["timestamp IS NOT NULL", "'timestamp', 'IS', 'NOT NULL', 'timestamp'"],
    ["timestamp NOT IN (5)", "'timestamp', 'NOT', 'IN', 'timestamp', '(5)'"],
    ["timestamp > +5", "'timestamp', '>', '+', 'timestamp', '5'"],
    ["timestamp >", "'timestamp', '>'"],
    ["timestamp", "'timestamp'"],
    ["timestamp > AND name = 'a'", "'timestamp', '>', 'timestamp'"],
    ["TIMESTAMP > 5", "'TIMESTAMP', '>', '5'"],
    ["Timestamp >= 5", "'Timestamp', '>=', '5'"],
    ["timestamp > 5 AND timestamp = 'x'", "'timestamp', '=', ''x'', 'timestamp'"],
    ["timestamp = 'a' and name = 'b'", "'timestamp', '=', ''a'', 'timestamp'"],
  ])("%s names the tokens mlflow finds in no comparison", (filter, tokens) => {
    expect(message(() => parseTraceFilter(filter))).toBe(`Invalid clause(s) in filter string: ${tokens}`);
  });

  it("is any attribute's key when qualified or quoted, and timestamp_ms is a name", () => {
    for (const filter of ["trace.timestamp = 'x'", "attributes.timestamp > '5'", "\"timestamp\" > '5'"]) {
      expect(parseTraceFilter(filter)).toEqual([
        {
          entity: "attribute",
          key: "timestamp_ms",
          comparator: expect.any(String),
          value: expect.any(String),
        },
      ]);
    }
    expect(parseTraceFilter("timestamp_ms > '5'")[0]?.value).toBe("5");
    expect(message(() => parseTraceFilter("trace.TIMESTAMP > 5"))).toMatch(
      /^Invalid attribute key 'TIMESTAMP'/,
    );
  });
});

describe("ungrouped clauses across a filter", () => {
  it.each([
    ["type = 'x'", "'type', '=', ''x''"],
    ["key = 'a' AND name = 'b'", "'key', '=', ''a''"],
    ["issue = 'x'", "'issue', '=', ''x''"],
    ["TEXT LIKE 'x' AND Timestamp > 5", "'TEXT', 'LIKE', ''x'', 'Timestamp', '>', '5'"],
    ["timestamp = 'x' AND text LIKE 'y'", "'timestamp', '=', ''x'', 'timestamp', 'text', 'LIKE', ''y''"],
    ["status IN 'a' AND timestamp = 'x'", "'status', 'IN', ''a'', 'timestamp', '=', ''x'', 'timestamp'"],
    [
      "timestamp = 'x' AND tag.x NOT IN 'a'",
      "'timestamp', '=', ''x'', 'timestamp', 'tag.x', 'NOT', 'IN', ''a''",
    ],
    ["tag.x IS 'a'", "'tag.x', 'IS', ''a''"],
    ["tag.a = 'x' OR tag.b = 'y'", "'OR'"],
    ["tag.a = 'x' or status = 'y' AND name = 'b'", "'or'"],
    // Refused before any clause is read, so before the first clause's value.
    ["tag.x = 5 AND feedback.x > True", "'feedback.x', '>', 'True'"],
    ["foo.y = 'b' AND TIMESTAMP > 5", "'TIMESTAMP', '>', '5'"],
  ])("%s lists every ungrouped token", (filter, tokens) => {
    expect(message(() => parseTraceFilter(filter))).toBe(`Invalid clause(s) in filter string: ${tokens}`);
  });
});

const TAG_COMPARATORS = "{'!=', '=', 'LIKE', 'ILIKE', 'RLIKE', 'IS NULL', 'IS NOT NULL'}";

describe("which of two bad clauses mlflow names", () => {
  it("reads every clause's key and value before checking any comparator", () => {
    expect(message(() => built("tag.x > 'a' AND status = 5"))).toMatch(/^Only the '.*' attributes support/);
    expect(message(() => built("tag.x > 'a' AND foo.y = 'b'"))).toMatch(/^Invalid entity type 'foo'/);
    expect(message(() => built("tag.x > 'a' AND span.name like 'x'"))).toMatch(
      /^span\.name comparator 'like'/,
    );
  });

  it("then checks comparators clause by clause", () => {
    expect(message(() => built("tag.x IN ('a') AND status IS NULL"))).toBe(
      `Invalid comparator 'IN' not one of '${TAG_COMPARATORS}`,
    );
    expect(message(() => built("issue.foo = 'x' AND tag.x > 'a'"))).toBe(
      "Invalid issue attribute 'foo'. Supported attributes: id",
    );
    expect(message(() => built("tag.x > 'a' AND issue.foo = 'x'"))).toBe(
      `Invalid comparator '>' not one of '${TAG_COMPARATORS}`,
    );
    // A list is refused only when the query runs, after every comparator.
    expect(message(() => built("tag.x = ('a') AND tag.y > 'a'"))).toBe(
      `Invalid comparator '>' not one of '${TAG_COMPARATORS}`,
    );
  });
});

describe("a list compared other than by IN", () => {
  it.each([
    "tag.x = ('a')",
    "tag.x LIKE ('a', 'b')",
    "status = ('OK')",
    "name RLIKE ('a')",
    "run_id != ('a')",
    "tag.a = 'a' AND tag.x = ('a')",
    "status IN ('a','b') AND name = ('a')",
  ])("%s is MLflow's BAD_REQUEST, worded for the filter", (filter) => {
    const comparator = / (=|!=|LIKE|RLIKE) \(/.exec(filter)?.[1];
    expect(refusal(() => built(filter))).toEqual({
      code: "BAD_REQUEST",
      message: `A parenthesised list is compared with IN or NOT IN only, not '${comparator}'`,
    });
  });

  it.each([
    ["tag.x = (1)", "(1,)"],
    ["status IN (1.50)", "(1.5,)"],
    ["status IN ('a' , 2.50)", "('a', 2.5)"],
    ['status IN ("a", 1)', "('a', 1)"],
    ['status IN ("it\'s", 1)', '("it\'s", 1)'],
    ["status IN (True)", "(True,)"],
    ["status IN (-1)", "(-1,)"],
    ["status IN (1e3)", "(1000.0,)"],
  ])("%s names the list as Python prints its tuple", (filter, tuple) => {
    expect(message(() => parseTraceFilter(filter))).toBe(
      `While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ${tuple}`,
    );
  });
});
