import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { parseSearchFilter, type FilterClause } from "./filterParser.js";

function parseError(filter: string): FlowOpsError {
  try {
    parseSearchFilter(filter);
  } catch (error) {
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as FlowOpsError).code).toBe("INVALID_PARAMETER_VALUE");
    return error as FlowOpsError;
  }
  throw new Error(`expected '${filter}' to be rejected`);
}

describe("parseSearchFilter", () => {
  it("returns no clauses for an absent, empty or blank filter", () => {
    expect(parseSearchFilter(undefined)).toEqual([]);
    expect(parseSearchFilter("")).toEqual([]);
    expect(parseSearchFilter("   \n\t ")).toEqual([]);
  });

  it("parses a metric comparison with a number", () => {
    expect(parseSearchFilter("metrics.acc > 0.9")).toEqual<FilterClause[]>([
      { type: "metric", key: "acc", comparator: ">", value: 0.9 },
    ]);
  });

  it("parses comparisons joined by AND in any case", () => {
    expect(parseSearchFilter("metrics.loss <= -1.5e-3 and params.lr = '0.01' AND tags.x != \"y\"")).toEqual([
      { type: "metric", key: "loss", comparator: "<=", value: -0.0015 },
      { type: "parameter", key: "lr", comparator: "=", value: "0.01" },
      { type: "tag", key: "x", comparator: "!=", value: "y" },
    ]);
  });

  it("maps every entity alias to its entity type", () => {
    const cases: Array<[string, FilterClause["type"]]> = [
      ["metric", "metric"],
      ["metrics", "metric"],
      ["parameter", "parameter"],
      ["parameters", "parameter"],
      ["param", "parameter"],
      ["params", "parameter"],
      ["tag", "tag"],
      ["tags", "tag"],
      ["attribute", "attribute"],
      ["attributes", "attribute"],
      ["attr", "attribute"],
      ["run", "attribute"],
      ["dataset", "dataset"],
      ["datasets", "dataset"],
    ];
    for (const [alias, type] of cases) {
      const value = type === "metric" ? "1" : "'v'";
      expect(parseSearchFilter(`${alias}.k = ${value}`)[0]?.type).toBe(type);
    }
  });

  it("refuses an entity name in another case, as MLflow's parsers do", () => {
    // mlflow 3.17.2 SearchUtils / SearchExperimentsUtils / SearchModel(Version)Utils: "Invalid entity type 'Tags'".
    for (const prefix of ["Tags", "TAGS", "Metrics", "Params", "Attribute"]) {
      expect(parseError(`${prefix}.k = 'v'`).message).toMatch(`invalid entity type '${prefix}'`);
    }
  });

  it("treats a bare key as an attribute", () => {
    expect(parseSearchFilter("status = 'FINISHED'")).toEqual([
      { type: "attribute", key: "status", comparator: "=", value: "FINISHED" },
    ]);
  });

  it("reads keys quoted with double quotes or backticks, keeping spaces and dots", () => {
    expect(parseSearchFilter("tags.\"extra key\" = 'a' AND metrics.`m.1 x` < 3")).toEqual([
      { type: "tag", key: "extra key", comparator: "=", value: "a" },
      { type: "metric", key: "m.1 x", comparator: "<", value: 3 },
    ]);
    expect(parseSearchFilter("\"run name\" = 'r'")[0]).toMatchObject({ type: "attribute", key: "run name" });
    expect(parseSearchFilter("attributes.`run name` LIKE 'r%'")[0]).toMatchObject({ key: "run name" });
  });

  it("splits the entity at the first dot so keys may contain dots and slashes", () => {
    expect(parseSearchFilter("tags.mlflow.user = 'me'")[0]).toMatchObject({
      type: "tag",
      key: "mlflow.user",
    });
    expect(parseSearchFilter("metrics.val/loss-1 > 0")[0]).toMatchObject({ key: "val/loss-1" });
  });

  it("parses LIKE, ILIKE, IN and NOT IN case-insensitively", () => {
    expect(parseSearchFilter("params.a like '%x%' AND tags.b ilike 'Y_'").map((c) => c.comparator)).toEqual([
      "LIKE",
      "ILIKE",
    ]);
    expect(parseSearchFilter("run_id IN ('a', \"b\") AND datasets.name not in ('d')")).toEqual([
      { type: "attribute", key: "run_id", comparator: "IN", value: ["a", "b"] },
      { type: "dataset", key: "name", comparator: "NOT IN", value: ["d"] },
    ]);
  });

  it("keeps unicode keys and values", () => {
    expect(parseSearchFilter("tags.ключ = '数据 ✓'")).toEqual([
      { type: "tag", key: "ключ", comparator: "=", value: "数据 ✓" },
    ]);
  });

  // MLflow 3.17.2: SearchUtils.parse_search_filter("params.p = 'it''s'") gives the value "it''s".
  it("keeps a doubled quote inside a string as written, as MLflow does", () => {
    expect(parseSearchFilter("params.p = 'it''s'")[0]?.value).toBe("it''s");
    expect(parseSearchFilter('params.p = "it""s"')[0]?.value).toBe('it""s');
    expect(parseSearchFilter("tags.`a``b` = 'x'")[0]?.key).toBe("a``b");
  });

  it("does not end a string at a backslash-quote, and keeps it as written", () => {
    expect(parseSearchFilter("params.p = 'a\\'b' AND tags.t = 'c'")).toEqual([
      { type: "parameter", key: "p", comparator: "=", value: "a\\'b" },
      { type: "tag", key: "t", comparator: "=", value: "c" },
    ]);
    // With no later quote to close it, the backslash is plain text and its quote ends the string.
    expect(parseSearchFilter("params.p = 'a\\'")[0]?.value).toBe("a\\");
  });

  it("keeps SQL injection attempts as plain string values", () => {
    const clauses = parseSearchFilter("params.p = 'x''; DROP TABLE runs; --'");
    expect(clauses).toEqual([
      { type: "parameter", key: "p", comparator: "=", value: "x''; DROP TABLE runs; --" },
    ]);
  });

  it("rejects OR with MLflow's invalid clause message", () => {
    expect(parseError("metrics.a > 1 OR metrics.b > 2").message).toMatch(
      /Invalid clause\(s\) in filter string/,
    );
  });

  it("rejects parentheses around comparisons", () => {
    expect(parseError("(metrics.a > 1)").message).toMatch(/Invalid clause\(s\) in filter string/);
    expect(parseError("metrics.a > 1 AND (metrics.b > 2)").message).toMatch(/Invalid clause/);
  });

  it("names the position and the offending text of a syntax error", () => {
    const error = parseError("metrics.a > 1 AND params.b == 'x'");
    expect(error.message).toContain("position 27");
    expect(error.message).toContain("'=='");
  });

  it("rejects an unbalanced quote", () => {
    expect(parseError("params.a = 'abc").message).toMatch(/unterminated ' quote at position 11/);
    expect(parseError("tags.\"k = 'v'").message).toMatch(/unterminated " quote/);
    expect(parseError("tags.`k = 'v'").message).toMatch(/unterminated ` quote/);
  });

  // Regression: these were 400s; mlflow server 3.17.2 answers them as the filter without the stray ANDs.
  it("skips a leading, doubled or trailing AND, as MLflow's parser does", () => {
    const one = parseSearchFilter("metrics.a > 1");
    expect(parseSearchFilter("metrics.a > 1 AND")).toEqual(one);
    expect(parseSearchFilter("and metrics.a > 1 and ")).toEqual(one);
    expect(parseSearchFilter("metrics.a > 1 AND and metrics.b > 1")).toEqual(
      parseSearchFilter("metrics.a > 1 AND metrics.b > 1"),
    );
    expect(parseSearchFilter(" and AND ")).toEqual([]);
  });

  it("still refuses two comparisons without AND between them", () => {
    expect(parseError("metrics.a > 1 metrics.b > 1").message).toMatch(/expected AND between comparisons/);
  });

  // Regression: `metrics.m > 1e400` was a 400; MLflow reads the value with float(), so it is infinity.
  it("reads a metric value beyond double range as an infinity, and refuses it for attributes", () => {
    expect(parseSearchFilter("metrics.m > 1e400")[0]?.value).toBe(Number.POSITIVE_INFINITY);
    expect(parseSearchFilter("metrics.m < -1e400")[0]?.value).toBe(Number.NEGATIVE_INFINITY);
    expect(parseError("attributes.start_time > 1e400").message).toMatch(/number out of range '1e400'/);
  });

  it("rejects a missing comparator or value", () => {
    expect(parseError("metrics.a").message).toMatch(/expected a comparator/);
    expect(parseError("metrics.a >").message).toMatch(/expected a value/);
    expect(parseError("metrics.a 1").message).toMatch(/expected a comparator/);
  });

  it("rejects a second comparison glued on without AND", () => {
    expect(parseError("metrics.a > 1 metrics.b > 2").message).toMatch(/expected AND/);
  });

  it("rejects unquoted string values and identifiers on the right", () => {
    expect(parseError("params.a = abc").message).toMatch(/strings must be quoted/);
    expect(parseError("metrics.a > metrics.b").message).toMatch(/expected a value/);
  });

  it("requires numbers for metrics and strings for params, tags and datasets", () => {
    expect(parseError("metrics.a > '1'").message).toMatch(/numeric value for metric/);
    expect(parseError("params.a = 1").message).toMatch(/must be quoted strings/);
    expect(parseError("tags.a = 1").message).toMatch(/must be quoted strings/);
    expect(parseError("datasets.name = 1").message).toMatch(/must be quoted strings/);
  });

  it("rejects unknown entities and empty keys", () => {
    expect(parseError("foo.bar = 'x'").message).toMatch(/invalid entity type 'foo'/);
    // Object's own property names are no entities (was a function taken as the entity type).
    expect(parseError("constructor.bar = 'x'").message).toMatch(/invalid entity type 'constructor'/);
    expect(parseError("__proto__.bar = 'x'").message).toMatch(/invalid entity type '__proto__'/);
    expect(parseError("tags. = 'x'").message).toMatch(/missing key/);
    expect(parseError("tags.\"\" = 'x'").message).toMatch(/empty key/);
  });

  it("rejects malformed lists", () => {
    expect(parseError("run_id IN 'a'").message).toMatch(/parenthesised list/);
    expect(parseError("run_id IN ()").message).toMatch(/empty list/);
    expect(parseError("run_id IN ('a',)").message).toMatch(/list items must be quoted strings/);
    expect(parseError("run_id IN ('a' 'b')").message).toMatch(/expected ',' or '\)'/);
    expect(parseError("run_id IN ('a'").message).toMatch(/unclosed/);
    expect(parseError("run_id IN (1, 2)").message).toMatch(/quoted strings/);
    expect(parseError("run_id = ('a')").message).toMatch(/only allowed with IN/);
    expect(parseError("run_id NOT ('a')").message).toMatch(/expected IN after NOT/);
  });

  it("rejects invalid comparators and stray characters", () => {
    expect(parseError("metrics.a <> 1").message).toMatch(/invalid comparator '<>'/);
    expect(parseError("metrics.a ; 1").message).toMatch(/unexpected character ';'/);
    expect(parseError("metrics.a > 1abc").message).toMatch(/malformed number/);
  });

  it("handles very long inputs in linear time and keeps errors short", () => {
    const long = "x".repeat(200_000);
    expect(parseSearchFilter(`tags.k = '${long}'`)[0]?.value).toHaveLength(200_000);
    const error = parseError(`tags.k = '${long}`);
    expect(error.message.length).toBeLessThan(400);
    const many = Array.from({ length: 2000 }, (_, i) => `metrics.m${i} > ${i}`).join(" AND ");
    expect(parseSearchFilter(many)).toHaveLength(2000);
    const quotes = "'".repeat(100_001);
    expect(() => parseSearchFilter(`tags.k = ${quotes}`)).toThrow(FlowOpsError);
  });
});
