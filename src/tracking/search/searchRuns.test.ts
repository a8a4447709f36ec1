import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetadataDb } from "../../db/connect.js";
import { metadataBackends } from "../../../test/support/backends.js";
import { insertExperiment, insertRun } from "../../../test/support/searchFixtures.js";
import { offsetFromPageToken } from "./mlflowPageToken.js";
import { createRun, updateRun } from "../runStore.js";
import { searchRuns, type SearchRunsRequest } from "./searchRuns.js";

describe.each(metadataBackends())("searchRuns on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
    await insertExperiment(meta.db, { id: 1, name: "one" });
    await insertExperiment(meta.db, { id: 2, name: "two" });
    const db = meta.db;
    await insertRun(db, {
      id: "r1",
      experimentId: 1,
      name: "alpha",
      startTime: 100,
      endTime: 150,
      metrics: { acc: 0.9, loss: 0.1 },
      params: { lr: "0.01", model: "Linear" },
      tags: { team: "vision", "extra key": "yes" },
      datasets: [{ name: "train_ds", digest: "d1", context: "training" }],
    });
    await insertRun(db, {
      id: "r2",
      experimentId: 1,
      name: "beta",
      status: "FAILED",
      userId: "bob",
      startTime: 200,
      metrics: { acc: 0.5, loss: Number.NaN },
      params: { lr: "0.1", model: "linear" },
      tags: { team: "nlp", quote: "It's" },
      datasets: [{ name: "eval_ds", digest: "d2", context: "eval" }],
    });
    await insertRun(db, {
      id: "r3",
      experimentId: 1,
      name: "gamma_x",
      startTime: 300,
      endTime: 400,
      metrics: { acc: 0.7 },
      params: { lr: "0.01" },
      tags: { quote: "It''s" },
    });
    await insertRun(db, { id: "r4", experimentId: 1, name: "deleted", startTime: 50, deleted: true });
    await insertRun(db, { id: "r5", experimentId: 2, name: "other", startTime: 500, metrics: { acc: 0.99 } });
  });

  afterAll(async () => {
    await close();
  });

  const ids = async (request: Partial<SearchRunsRequest>) =>
    (await searchRuns(meta, { experiment_ids: ["1"], ...request })).runIds;

  it("orders active runs by start_time descending by default", async () => {
    expect(await ids({})).toEqual(["r3", "r2", "r1"]);
  });

  it("searches several experiments and none when no ids are given", async () => {
    expect(await ids({ experiment_ids: ["1", "2"] })).toEqual(["r5", "r3", "r2", "r1"]);
    expect(await ids({ experiment_ids: [] })).toEqual([]);
  });

  it("honours the view type", async () => {
    expect(await ids({ run_view_type: "DELETED_ONLY" })).toEqual(["r4"]);
    expect(await ids({ run_view_type: "ALL" })).toEqual(["r3", "r2", "r1", "r4"]);
  });

  it("filters on metrics with numeric comparators", async () => {
    expect(await ids({ filter: "metrics.acc > 0.6" })).toEqual(["r3", "r1"]);
    expect(await ids({ filter: "metrics.acc >= 0.5 AND metrics.acc < 0.9" })).toEqual(["r3", "r2"]);
    expect(await ids({ filter: "metrics.acc = 0.9" })).toEqual(["r1"]);
  });

  // mlflow server 3.17.2 answers these as comparisons with infinity; FlowOps answered 400.
  it("compares a metric with a value beyond double range as with an infinity", async () => {
    expect(await ids({ filter: "metrics.acc < 1e400" })).toEqual(["r3", "r2", "r1"]);
    expect(await ids({ filter: "metrics.acc > -1e400" })).toEqual(["r3", "r2", "r1"]);
    expect(await ids({ filter: "metrics.acc != 1e400" })).toEqual(["r3", "r2", "r1"]);
    expect(await ids({ filter: "metrics.acc > 1e400" })).toEqual([]);
    expect(await ids({ filter: "metrics.acc = 1e400" })).toEqual([]);
  });

  // mlflow server 3.17.2 (curl): an integer literal is compared with every digit; FlowOps refused past 2^53.
  it("compares start_time and end_time with integers beyond 2^53 exactly", async () => {
    const max = 2n ** 63n - 1n;
    await insertExperiment(meta.db, { id: 7, name: "wide" });
    const wide = async (start: bigint, end?: bigint) => {
      const { info } = await createRun(meta.db, { experiment_id: "7", start_time: start }, 1);
      if (end !== undefined) await updateRun(meta.db, info.run_id, { end_time: end });
      return info.run_id;
    };
    const top = await wide(max, max);
    const below = await wide(max - 1n);
    const past53 = await wide(2n ** 53n + 1n);
    const search = async (filter?: string) =>
      (await searchRuns(meta, { experiment_ids: ["7"], ...(filter === undefined ? {} : { filter }) })).runIds;
    expect(await search()).toEqual([top, below, past53]);
    expect(await search("attributes.start_time = 9223372036854775807")).toEqual([top]);
    expect(await search("start_time >= 9223372036854775806")).toEqual([top, below]);
    expect(await search("attributes.start_time = 9007199254740993")).toEqual([past53]);
    expect(await search("attributes.start_time < 9007199254740993")).toEqual([]);
    expect(await search("attributes.end_time = 9223372036854775807")).toEqual([top]);
    await expect(search("attributes.start_time = 9223372036854775808")).rejects.toThrow(
      "Invalid value 9223372036854775808 for attribute 'start_time': expected an integer (milliseconds)",
    );
  });

  // Regression: FlowOps sorted by the first of the two; MLflow refuses the list (with a 500, here a 400).
  it("refuses a field named twice in order_by, quoting the list as MLflow does", async () => {
    await expect(ids({ order_by: ["created", "attributes.start_time DESC"] })).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: "`order_by` contains duplicate fields: ['created', 'attributes.start_time DESC']",
    });
    await expect(ids({ order_by: ["metrics.acc", "metrics.`acc` DESC"] })).rejects.toThrow(
      "`order_by` contains duplicate fields: ['metrics.acc', 'metrics.`acc` DESC']",
    );
    expect(await ids({ order_by: ["metrics.acc", "params.acc"] })).toHaveLength(3);
  });

  it("fails every comparison on a missing metric, param or tag, including !=", async () => {
    expect(await ids({ filter: "metrics.loss != 5" })).toEqual(["r2", "r1"]);
    expect(await ids({ filter: "params.model != 'x'" })).toEqual(["r2", "r1"]);
    expect(await ids({ filter: "tags.team != 'nlp'" })).toEqual(["r1"]);
  });

  it("treats a NaN metric as unequal to everything and not ordered", async () => {
    expect(await ids({ filter: "metrics.loss = 0" })).toEqual([]);
    expect(await ids({ filter: "metrics.loss < 1" })).toEqual(["r1"]);
    expect(await ids({ filter: "metrics.loss != 0.1" })).toEqual(["r2"]);
  });

  it("filters on params and tags with = and !=", async () => {
    expect(await ids({ filter: "params.lr = '0.01'" })).toEqual(["r3", "r1"]);
    expect(await ids({ filter: "params.lr = '0.01' AND metrics.acc > 0.8" })).toEqual(["r1"]);
    expect(await ids({ filter: "tags.`extra key` = 'yes'" })).toEqual(["r1"]);
  });

  // Regression: MLflow 3.17 accepts IS NULL / IS NOT NULL for params and tags; FlowOps answered 400.
  it("finds runs without or with a param or tag using IS NULL and IS NOT NULL", async () => {
    expect(await ids({ filter: "params.model IS NULL" })).toEqual(["r3"]);
    expect(await ids({ filter: "params.model is not null" })).toEqual(["r2", "r1"]);
    expect(await ids({ filter: "tags.team IS NOT NULL AND params.lr = '0.01'" })).toEqual(["r1"]);
    expect(await ids({ filter: "tags.`extra key` IS NULL" })).toEqual(["r3", "r2"]);
    await expect(ids({ filter: "metrics.acc IS NULL" })).rejects.toThrow(
      "IS NULL / IS NOT NULL is only supported for tags and params, not for 'metric' 'acc'",
    );
    await expect(ids({ filter: "params.lr IS 'x'" })).rejects.toThrow(/expected NULL or NOT NULL after IS/);
  });

  it("matches LIKE case-sensitively and ILIKE case-insensitively", async () => {
    expect(await ids({ filter: "params.model LIKE 'Lin%'" })).toEqual(["r1"]);
    expect(await ids({ filter: "params.model ILIKE 'lin%'" })).toEqual(["r2", "r1"]);
    expect(await ids({ filter: "params.model LIKE '_inear'" })).toEqual(["r2", "r1"]);
    expect(await ids({ filter: "attributes.run_name LIKE '%\\_x'" })).toEqual(["r3"]);
    expect(await ids({ filter: "attributes.run_name LIKE 'GAMMA%'" })).toEqual([]);
  });

  it("does not treat GLOB metacharacters in a LIKE pattern as wildcards", async () => {
    expect(await ids({ filter: "params.model LIKE '[L]inear'" })).toEqual([]);
    expect(await ids({ filter: "params.model LIKE 'Lin*'" })).toEqual([]);
  });

  it("filters on string and numeric attributes and their aliases", async () => {
    expect(await ids({ filter: "attributes.status = 'FAILED'" })).toEqual(["r2"]);
    expect(await ids({ filter: "user_id != 'bob'" })).toEqual(["r3", "r1"]);
    expect(await ids({ filter: "`Run Name` = 'alpha'" })).toEqual(["r1"]);
    expect(await ids({ filter: "run.start_time >= 200" })).toEqual(["r3", "r2"]);
    expect(await ids({ filter: "created < 200" })).toEqual(["r1"]);
    expect(await ids({ filter: "end_time > 100" })).toEqual(["r3", "r1"]);
    expect(await ids({ filter: "attributes.run_id IN ('r1', 'r3', 'nope')" })).toEqual(["r3", "r1"]);
    expect(await ids({ filter: "attributes.run_id NOT IN ('r1')" })).toEqual(["r3", "r2"]);
  });

  it("filters on dataset name, digest and context", async () => {
    expect(await ids({ filter: "dataset.name = 'train_ds'" })).toEqual(["r1"]);
    expect(await ids({ filter: "datasets.digest IN ('d1', 'd2')" })).toEqual(["r2", "r1"]);
    expect(await ids({ filter: "dataset.context = 'eval'" })).toEqual(["r2"]);
    expect(await ids({ filter: "dataset.name LIKE '%_ds' AND dataset.context != 'eval'" })).toEqual(["r1"]);
  });

  // MLflow 3.17.2 keeps `''` as written: `tags.x = 'It''s'` finds the run tagged It''s, not It's.
  it("matches a doubled quote in a value as written", async () => {
    expect(await ids({ filter: "tags.quote = 'It''s'" })).toEqual(["r3"]);
    expect(await ids({ filter: 'tags.quote = "It\'s"' })).toEqual(["r2"]);
  });

  it("binds hostile values as data, not SQL", async () => {
    expect(await ids({ filter: "params.lr = '0.01'' OR ''1''=''1'" })).toEqual([]);
    expect(await ids({ filter: "tags.team = 'x\"; DROP TABLE runs; --'" })).toEqual([]);
    expect(await ids({})).toHaveLength(3);
  });

  it("orders by a metric with NaN and missing values last in both directions", async () => {
    expect(await ids({ order_by: ["metrics.loss ASC"] })).toEqual(["r1", "r2", "r3"]);
    expect(await ids({ order_by: ["metrics.loss DESC"] })).toEqual(["r1", "r2", "r3"]);
    expect(await ids({ order_by: ["metrics.acc"] })).toEqual(["r2", "r3", "r1"]);
    expect(await ids({ order_by: ["metrics.acc DESC"] })).toEqual(["r1", "r3", "r2"]);
  });

  it("orders by params, tags and attributes with missing values last", async () => {
    expect(await ids({ order_by: ["params.model DESC"] })).toEqual(["r2", "r1", "r3"]);
    expect(await ids({ order_by: ["tags.team ASC"] })).toEqual(["r2", "r1", "r3"]);
    expect(await ids({ order_by: ["attributes.end_time DESC"] })).toEqual(["r3", "r1", "r2"]);
    expect(await ids({ order_by: ["run_name DESC"] })).toEqual(["r3", "r2", "r1"]);
    expect(await ids({ order_by: ["params.lr ASC", "start_time ASC"] })).toEqual(["r1", "r3", "r2"]);
  });

  it("pages with offset tokens, with no token after an exactly full last page (MLflow 3.17)", async () => {
    const first = await searchRuns(meta, { experiment_ids: ["1"], max_results: 2 });
    expect(first.runIds).toEqual(["r3", "r2"]);
    expect(offsetFromPageToken(first.nextPageToken)).toBe(2);
    const second = await searchRuns(meta, {
      experiment_ids: ["1"],
      max_results: 2,
      page_token: first.nextPageToken,
    });
    expect(second).toEqual({ runIds: ["r1"] });
    const exact = await searchRuns(meta, { experiment_ids: ["1"], max_results: 3 });
    expect(exact).toEqual({ runIds: ["r3", "r2", "r1"] });
  });

  it("rejects bad max_results, filters, order_by and page tokens", async () => {
    await expect(ids({ max_results: 50_001 })).rejects.toThrow(
      "Invalid value for request parameter max_results. It must be at most 50000",
    );
    await expect(ids({ max_results: 0 })).rejects.toThrow(/max_results/);
    await expect(ids({ filter: "metrics.acc LIKE 1" })).rejects.toThrow(/Invalid comparator 'LIKE'/);
    await expect(ids({ filter: "attributes.nope = 'x'" })).rejects.toThrow(/Invalid attribute key 'nope'/);
    await expect(ids({ filter: "status IN ('FAILED')" })).rejects.toThrow(/Invalid comparator 'IN'/);
    await expect(ids({ filter: "start_time > '5'" })).rejects.toThrow(/numeric value/);
    await expect(ids({ filter: "start_time > 1.5" })).rejects.toThrow(/integer/);
    await expect(ids({ filter: "dataset.size = 'x'" })).rejects.toThrow(/Invalid dataset key/);
    await expect(ids({ order_by: ["metrics.acc SIDEWAYS"] })).rejects.toThrow(/expected ASC or DESC/);
    await expect(ids({ order_by: ["bogus"] })).rejects.toThrow(/invalid attribute key 'bogus'/);
    await expect(ids({ page_token: "garbage!" })).rejects.toThrow(/Invalid page token/);
  });

  // Regression (tracking fuzz): 501 metric clauses, or 250 order_by metrics, overflowed SQLite's 64 tables in
  // a join and answered 500; MLflow answers 500 too. Now a 400 that names the limit.
  it("refuses a filter or order_by that would join more than 60 metrics, params and tags", async () => {
    const filter = Array.from({ length: 501 }, () => "metrics.acc > 0").join(" AND ");
    await expect(ids({ filter })).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: expect.stringContaining("compare 501 metrics, params and tags; at most 60") as unknown,
    });
    const orderBy = Array.from({ length: 250 }, (_, i) => `metrics.m${i}`);
    await expect(ids({ order_by: orderBy })).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    const atLimit = Array.from({ length: 60 }, () => "params.lr = '0.01'").join(" AND ");
    expect(await ids({ filter: atLimit })).toEqual(await ids({ filter: "params.lr = '0.01'" }));
  });
});
