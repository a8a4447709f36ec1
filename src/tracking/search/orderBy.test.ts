import { describe, expect, it } from "vitest";
import { parseOrderBy } from "./orderBy.js";
import { RUN_ORDER_BY_SCHEMA } from "./runSearchSchema.js";

describe("parseOrderBy", () => {
  it("reads identifiers with an optional direction, ascending by default", () => {
    expect(parseOrderBy(["metrics.acc", "params.lr desc", "tags.`a b` ASC"], RUN_ORDER_BY_SCHEMA)).toEqual([
      { type: "metric", key: "acc", ascending: true },
      { type: "parameter", key: "lr", ascending: false },
      { type: "tag", key: "a b", ascending: true },
    ]);
  });

  it("maps attribute aliases to canonical keys", () => {
    expect(
      parseOrderBy(["created DESC", "attributes.`Run Name`", "run.end_time"], RUN_ORDER_BY_SCHEMA),
    ).toEqual([
      { type: "attribute", key: "start_time", ascending: false },
      { type: "attribute", key: "run_name", ascending: true },
      { type: "attribute", key: "end_time", ascending: true },
    ]);
  });

  it("returns nothing for no clauses", () => {
    expect(parseOrderBy(undefined, RUN_ORDER_BY_SCHEMA)).toEqual([]);
  });

  it("rejects empty clauses, bad directions, trailing text and unsortable entities", () => {
    expect(() => parseOrderBy([""], RUN_ORDER_BY_SCHEMA)).toThrow(/Could not be parsed/);
    expect(() => parseOrderBy(["metrics.a UP"], RUN_ORDER_BY_SCHEMA)).toThrow(/expected ASC or DESC/);
    expect(() => parseOrderBy(["metrics.a ASC, x"], RUN_ORDER_BY_SCHEMA)).toThrow(/unexpected ','/);
    expect(() => parseOrderBy(["dataset.name"], RUN_ORDER_BY_SCHEMA)).toThrow(/cannot order by dataset/);
    expect(() => parseOrderBy(["lifecycle_stage"], RUN_ORDER_BY_SCHEMA)).toThrow(/invalid attribute key/);
    expect(() => parseOrderBy(["tags.x"], { attribute: { name: "name" } })).toThrow(/cannot order by tag/);
    expect(() => parseOrderBy(["toString"], { attribute: { name: "name" } })).toThrow(
      /invalid attribute key/,
    );
  });
});
