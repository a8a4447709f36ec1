import { describe, expect, it } from "vitest";
import { parseTraceOrderBy } from "./traceOrderBy.js";

const message = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected an error");
};

// mlflow 3.17.2, POST /api/3.0/mlflow/traces/search on SQLite; its sets print in an order that changes with
// each server process, these are in its source's order.
const ORDER_BY_KEYS =
  "{'experiment_id', 'timestamp', 'timestamp_ms', 'execution_time', 'execution_time_ms', 'end_time', 'end_time_ms', 'status', 'request_id', 'name', 'run_id'}";

describe("trace order_by", () => {
  it("reads attributes, tags and metadata, renaming keys by their lower-cased form", () => {
    expect(parseTraceOrderBy(["timestamp", "tags.K DESC", "metadata.K", "status asc"])).toEqual([
      { entity: "attribute", key: "timestamp_ms", ascending: true },
      { entity: "tag", key: "K", ascending: false },
      { entity: "metadata", key: "K", ascending: true },
      { entity: "attribute", key: "status", ascending: true },
    ]);
    expect(parseTraceOrderBy(["name", "run_id DESC", "timestamp_ms Desc"])).toEqual([
      { entity: "tag", key: "mlflow.traceName", ascending: true },
      { entity: "metadata", key: "mlflow.sourceRun", ascending: false },
      { entity: "attribute", key: "timestamp_ms", ascending: false },
    ]);
    expect(parseTraceOrderBy(["tag.NAME", "tag.Timestamp", "feedback.run_id DESC"])).toEqual([
      { entity: "tag", key: "mlflow.traceName", ascending: true },
      { entity: "tag", key: "timestamp_ms", ascending: true },
      { entity: "metadata", key: "mlflow.sourceRun", ascending: false },
    ]);
    expect(parseTraceOrderBy(["tags.`my key` DESC", '"status"', "`timestamp_ms`", '"tags.k" DESC'])).toEqual([
      { entity: "tag", key: "my key", ascending: false },
      { entity: "attribute", key: "status", ascending: true },
      { entity: "attribute", key: "timestamp_ms", ascending: true },
      { entity: "tag", key: "k", ascending: false },
    ]);
  });

  it("matches attribute keys exactly", () => {
    for (const key of [
      "TIMESTAMP_MS DESC",
      "Name",
      "NAME DESC",
      "RUN_ID",
      "Status",
      "trace.Status",
      "prompt",
    ]) {
      const written = key.replace(/^trace\./, "").replace(/ DESC$/, "");
      expect(message(() => parseTraceOrderBy([key]))).toBe(
        `Invalid attribute key '${written}' specified. Valid keys are '${ORDER_BY_KEYS}'`,
      );
    }
  });

  it.each([
    "Timestamp",
    "TIMESTAMP DESC",
    "timestamp foo",
    "text",
    "date",
    "'status'",
    "name ",
    " name",
    "name 5",
    "timestamp_ms DESC x",
    "",
  ])("refuses %j as sqlparse reads no single identifier in it", (clause) => {
    expect(message(() => parseTraceOrderBy([clause]))).toBe(
      `Invalid order_by clause '${clause}'. Could not be parsed.`,
    );
  });

  it("names a word that is no direction, entities matched exactly and the entities it cannot sort by", () => {
    expect(message(() => parseTraceOrderBy(["timestamp_ms up"]))).toBe(
      "Invalid ordering key in order_by clause 'timestamp_ms up'.",
    );
    expect(message(() => parseTraceOrderBy(["TAG.k"]))).toMatch(
      /^Invalid entity type 'TAG'\. Valid values are \{/,
    );
    expect(message(() => parseTraceOrderBy(['"tags.k"']))).toMatch(/^Invalid entity type '"tags'/);
    expect(message(() => parseTraceOrderBy(["tag.text"]))).toBe("Invalid identifier type 'span'");
    expect(message(() => parseTraceOrderBy(["span.name"]))).toBe("Invalid identifier type 'span'");
    expect(message(() => parseTraceOrderBy(["feedback.x DESC"]))).toBe("Invalid identifier type 'feedback'");
    expect(message(() => parseTraceOrderBy(["metadata.mlflow.trace.tokenUsage"]))).toBe(
      "Ordering by reserved metadata 'mlflow.trace.tokenUsage' is not supported because it is represented by multiple columns.",
    );
  });

  it("refuses a field named twice before reading the entries after it", () => {
    expect(message(() => parseTraceOrderBy(["tag.x", "tag.x", "Bad"]))).toBe(
      "`order_by` contains duplicate fields: ['tag.x', 'tag.x', 'Bad']",
    );
    expect(message(() => parseTraceOrderBy(["name", "tag.mlflow.traceName"]))).toMatch(/duplicate fields/);
  });
});
