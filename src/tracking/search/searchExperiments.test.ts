import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetadataDb } from "../../db/connect.js";
import { metadataBackends } from "../../../test/support/backends.js";
import { insertExperiment } from "../../../test/support/searchFixtures.js";
import { offsetFromPageToken } from "./mlflowPageToken.js";
import { searchExperiments, type SearchExperimentsRequest } from "./searchExperiments.js";

describe.each(metadataBackends())("searchExperiments on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
    await insertExperiment(
      meta.db,
      { id: 1, name: "Alpha", creationTime: 100, lastUpdateTime: 500 },
      { team: "a" },
    );
    await insertExperiment(
      meta.db,
      { id: 2, name: "beta", creationTime: 300, lastUpdateTime: 300 },
      { team: "b" },
    );
    await insertExperiment(meta.db, { id: 3, name: "gamma", creationTime: 300, lastUpdateTime: 400 });
    await insertExperiment(meta.db, { id: 4, name: "old", creationTime: 50, deleted: true });
  });

  afterAll(async () => {
    await close();
  });

  const ids = async (request: SearchExperimentsRequest) =>
    (await searchExperiments(meta, request)).experimentIds;

  it("orders by creation_time descending then experiment_id by default", async () => {
    expect(await ids({})).toEqual([2, 3, 1]);
  });

  it("honours the view type", async () => {
    expect(await ids({ view_type: "DELETED_ONLY" })).toEqual([4]);
    expect(await ids({ view_type: "ALL" })).toEqual([2, 3, 1, 4]);
  });

  it("filters on name, times and tags", async () => {
    expect(await ids({ filter: "name = 'beta'" })).toEqual([2]);
    expect(await ids({ filter: "name LIKE 'a%'" })).toEqual([]);
    expect(await ids({ filter: "name ILIKE 'a%'" })).toEqual([1]);
    expect(await ids({ filter: "creation_time >= 300" })).toEqual([2, 3]);
    expect(await ids({ filter: "last_update_time < 450 AND creation_time > 100" })).toEqual([2, 3]);
    expect(await ids({ filter: "tags.team = 'a'" })).toEqual([1]);
    expect(await ids({ filter: "tags.team != 'a'" })).toEqual([2]);
    // MLflow 3.17.2 accepts IS NULL / IS NOT NULL on experiment tags.
    expect(await ids({ filter: "tags.team IS NULL" })).toEqual([3]);
    expect(await ids({ filter: "tags.team IS NOT NULL AND name != 'beta'" })).toEqual([1]);
    await expect(ids({ filter: "name IS NULL" })).rejects.toThrow(
      "IS NULL / IS NOT NULL is only supported for tags, not for 'attribute' 'name'",
    );
  });

  // mlflow server 3.17.2 (curl): `creation_time = 9223372036854775807` finds none and `<` finds all (200).
  it("compares times with integers beyond 2^53 exactly", async () => {
    expect(await ids({ filter: "creation_time = 9223372036854775807" })).toEqual([]);
    expect(await ids({ filter: "last_update_time < 9223372036854775807" })).toEqual([2, 3, 1]);
  });

  // MLflow 3.17.2 (curl against `mlflow server`): quoted ids compared as integers, = != IN NOT IN only.
  it("filters on experiment_id as MLflow 3.17 does", async () => {
    expect(await ids({ filter: "experiment_id = '2'" })).toEqual([2]);
    expect(await ids({ filter: "experiment_id = '02'" })).toEqual([2]);
    expect(await ids({ filter: "experiment_id IN ('1', '3')" })).toEqual([3, 1]);
    expect(await ids({ filter: "experiment_id NOT IN ('1') AND experiment_id != '3'" })).toEqual([2]);
    expect(await ids({ filter: "experiment_id = '99999999999999999999'" })).toEqual([]);
    await expect(ids({ filter: "experiment_id = 'abc'" })).rejects.toThrow(
      "Invalid experiment ID 'abc'. Experiment ID must be a valid integer.",
    );
    await expect(ids({ filter: "experiment_id IN ('1', 'x')" })).rejects.toThrow(/Invalid experiment ID 'x'/);
    await expect(ids({ filter: "experiment_id LIKE '1'" })).rejects.toThrow(/Invalid comparator/);
    await expect(ids({ filter: "experiment_id > '1'" })).rejects.toThrow(/Invalid comparator/);
    await expect(ids({ filter: "experiment_id = 1" })).rejects.toThrow(/quoted string/);
  });

  it("orders by the allowed keys with experiment_id as tiebreak", async () => {
    expect(await ids({ order_by: ["name"] })).toEqual([1, 2, 3]);
    expect(await ids({ order_by: ["creation_time ASC"] })).toEqual([1, 2, 3]);
    expect(await ids({ order_by: ["experiment_id DESC"] })).toEqual([3, 2, 1]);
    expect(await ids({ order_by: ["last_update_time DESC"] })).toEqual([1, 3, 2]);
  });

  it("returns a next page token only when more rows exist", async () => {
    const first = await searchExperiments(meta, { max_results: 2 });
    expect(first.experimentIds).toEqual([2, 3]);
    expect(offsetFromPageToken(first.nextPageToken)).toBe(2);
    const second = await searchExperiments(meta, { max_results: 2, page_token: first.nextPageToken });
    expect(second).toEqual({ experimentIds: [1] });
    expect((await searchExperiments(meta, { max_results: 3 })).nextPageToken).toBeUndefined();
  });

  it("rejects keys, comparators and limits it does not support", async () => {
    await expect(ids({ filter: "metrics.a > 1" })).rejects.toThrow(/Invalid entity type 'metric'/);
    await expect(ids({ filter: "artifact_location = 'x'" })).rejects.toThrow(/Invalid attribute key/);
    await expect(ids({ filter: "creation_time LIKE '1'" })).rejects.toThrow(/Invalid comparator/);
    await expect(ids({ order_by: ["lifecycle_stage"] })).rejects.toThrow(/invalid attribute key/);
    await expect(ids({ max_results: 0 })).rejects.toThrow(/max_results/);
    await expect(ids({ max_results: 50_001 })).rejects.toThrow(/at most 50000/);
  });

  // Regression (tracking fuzz): 250 tag clauses overflowed SQLite's 64 tables in a join and answered 500.
  it("refuses a filter that would join more than 60 tags", async () => {
    const filter = Array.from({ length: 250 }, () => "tags.team = 'a'").join(" AND ");
    await expect(ids({ filter })).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: expect.stringContaining("compare 250 metrics, params and tags; at most 60") as unknown,
    });
  });
});
