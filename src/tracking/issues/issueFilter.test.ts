import { describe, expect, it } from "vitest";
import { parseIssueFilter } from "./issueFilter.js";

// Expected clauses and messages are what mlflow 3.17.2's SearchIssuesUtils.parse_search_filter gives.
describe("issue filter", () => {
  const refused = (filter: string) => {
    try {
      parseIssueFilter(filter);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`accepted ${filter}`);
  };

  it("reads comparisons joined by AND, by nothing, or trailed by AND", () => {
    expect(parseIssueFilter("status = 'a' AND source_run_id != \"b\"")).toEqual([
      { key: "status", comparator: "=", value: "a" },
      { key: "source_run_id", comparator: "!=", value: "b" },
    ]);
    expect(parseIssueFilter("status='a'and status = 'b' status = 'c' AND").map((c) => c.value)).toEqual([
      "a",
      "b",
      "c",
    ]);
    expect(parseIssueFilter("")).toEqual([]);
    expect(parseIssueFilter(undefined)).toEqual([]);
  });

  it("strips one pair of quotes and the spaces inside, and takes other values as written", () => {
    const value = (filter: string) => parseIssueFilter(filter)[0]?.value;
    expect(value("status = ' pending '")).toBe("pending");
    expect(value("status = pending")).toBe("pending");
    expect(value("status = 'it''s'")).toBe("it''s");
    expect(value("status = -1")).toBe("-1");
    expect(value("status = a.b")).toBe("a.b");
    expect(value("status = (1)")).toBe("(1)");
    expect(value("status = `a`")).toBe("`a`");
    expect(value("\"status\" = 'x'")).toBe("x");
  });

  it("refuses other fields, comparators and clauses with mlflow's messages", () => {
    expect(refused("severity = 'high'")).toBe(
      "Invalid filter field 'severity'. Supported fields: {'source_run_id', 'status'}",
    );
    expect(refused("`status` = 'a'")).toBe(
      "Invalid filter field '`status`'. Supported fields: {'source_run_id', 'status'}",
    );
    expect(refused("issue.id = 'a'")).toBe(
      "Invalid filter field 'issue.id'. Supported fields: {'source_run_id', 'status'}",
    );
    expect(refused("status LIKE 'p%'")).toBe("Invalid comparator 'LIKE'. Supported comparators: {'!=', '='}");
    expect(refused("status == 'a'")).toBe("Invalid comparator '=='. Supported comparators: {'!=', '='}");
    expect(refused("status NOT IN ('a')")).toBe(
      "Invalid comparator 'NOT IN'. Supported comparators: {'!=', '='}",
    );
    expect(refused("status = 'a' OR status = 'b'")).toBe("Invalid clause(s) in filter string: OR");
    expect(refused("(status = 'a')")).toBe("Invalid clause(s) in filter string: (status = 'a')");
    expect(refused("status")).toBe("Invalid clause(s) in filter string: status");
    expect(refused("status = ")).toBe("Invalid clause(s) in filter string: status, =");
    expect(refused("NOT status = 'a'")).toBe("Invalid clause(s) in filter string: NOT");
    expect(refused("'status' = 'a'")).toBe(
      "Invalid comparison: left side must be an identifier, got <class 'sqlparse.sql.Token'>",
    );
    expect(refused("  ")).toBe("Invalid filter '  '. Could not be parsed.");
    expect(refused("status = 'a';")).toBe("Invalid clause(s) in filter string: ;");
    expect(refused("status = 'a'; status = 'b'")).toBe(
      `Search filter contained multiple expression "status = 'a'; status = 'b'". Provide AND-ed expression list.`,
    );
    expect(parseIssueFilter("status = 'a;b'")[0]?.value).toBe("a;b");
  });
});
