import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import { rejection } from "../../../test/support/thrownError.js";
import { createExperiment } from "../experimentStore.js";
import { datasetJsonText, recordsText } from "./entities.js";
import { parseJsonObjectField } from "./recordMerge.js";
import { parseRecords } from "./recordMerge.js";
import { searchDatasetIds } from "./search.js";
import { datasetDigest, EvaluationDatasetStore } from "./store.js";

const records = (value: unknown) => parseRecords(JSON.stringify(value));
/** Dicts come back as Maps; plain JSON values compare more readably (key order is keyOrder.test.ts's). */
const plain = (value: unknown): unknown => JSON.parse(datasetJsonText(value));

/** What mlflow 3.17.2's server answered (INVALID_PARAMETER_VALUE, 400) to each filter_string and order_by. */
const DATASET_FILTER_ERRORS: readonly (readonly [string, string])[] = [
  ["created_time > 'abc'", "Expected numeric value type for numeric attribute: created_time. Found 'abc'"],
  ["created_time > abc", "Expected numeric value type for numeric attribute: created_time. Found abc"],
  ["created_time IN ('1')", "Expected numeric value type for numeric attribute: created_time. Found ('1')"],
  ["created_time > 1.5", "Invalid value for numeric attribute 'created_time': '1.5'"],
  ["created_time > 1e3", "Invalid value for numeric attribute 'created_time': '1000.0'"],
  ["created_time LIKE 1", "Invalid comparator for numeric attribute: LIKE"],
  ["name NOT IN ('a')", "List values for 'name' are only supported with the IN comparator."],
  ["name in ('a')", "List values for 'name' are only supported with the IN comparator."],
  ["name = ('a')", "List values for 'name' are only supported with the IN comparator."],
  ["created_by IN ('a')", "Only ['name'] attributes support comparison with a list of quoted string values."],
  ["tags.k > 'a'", "Invalid comparator for tag: >"],
  ["tags.k like 'a'", "Invalid comparator for tag: like"],
  ["tags.k IS NULL", "Invalid comparator for tag: IS NULL"],
  ["tags.k IN ('a')", "Expected a quoted string value for tag (e.g. 'my-value'). Got value ('a')"],
  ["tags.k = 1", "Expected a quoted string value for tag (e.g. 'my-value'). Got value 1"],
  ["name = 1", "Expected a quoted string value for attributes. Got value 1"],
  [
    "tags.k = v",
    "Parameter value is either not quoted or unidentified quote types used for string value v. Use either single or double quotes.",
  ],
  [
    "foo = 'a'",
    "Invalid attribute key 'foo' specified. Valid keys are: {'name', 'created_time', 'last_update_time', 'created_by', 'last_updated_by'}",
  ],
  ["attributes.name = 'a'", "Invalid identifier token 'attributes' specified"],
  ["metrics.m > 1", "Invalid identifier token 'metrics' specified"],
  ["name IS NULL", "IS NULL / IS NOT NULL is only supported for tags and params, not for 'attribute' 'name'"],
  ["name = 'a' or name = 'b'", "Invalid clause(s) in filter string: or"],
  ["name = 'a' OR (name = 'b')", "Invalid clause(s) in filter string: OR, (name = 'b')"],
  ["(name = 'a')", "Invalid clause(s) in filter string: (name = 'a')"],
  ["name =", "Invalid clause(s) in filter string: name, ="],
  ["name AND created_time > 1", "Invalid clause(s) in filter string: name"],
];
const DATASET_ORDER_BY_ERRORS: readonly (readonly [string, string])[] = [
  [
    "foo",
    "Invalid attribute key 'foo' specified. Valid keys are: {'name', 'created_time', 'last_update_time'}",
  ],
  ["name ASCX", "Invalid ordering key in order_by clause 'name ASCX'."],
  ["name ASC DESC", "Invalid order_by clause 'name ASC DESC'. Could not be parsed."],
  ["", "Invalid order_by clause ''. Could not be parsed."],
  ["tags.k DESC", "Invalid order_by entity: tag"],
  ["attributes.name", "Invalid identifier token 'attributes' specified"],
];

describe.each(metadataBackends())("evaluation dataset store on $name", (backend: TestBackend) => {
  let opened: Awaited<ReturnType<TestBackend["open"]>>;
  let store: EvaluationDatasetStore;
  let clock: number;

  beforeEach(async () => {
    opened = await backend.open();
    clock = 1000;
    store = new EvaluationDatasetStore(opened.meta, () => clock++);
  });
  afterEach(async () => {
    await opened.close();
  });

  it("creates a dataset with mlflow's id, digest, creator and tags, and deletes it with its records", async () => {
    const created = await store.create("qa", { team: "a", "mlflow.user": "bob", n: 5 }, ["1"]);
    expect(created.datasetId).toMatch(/^d-[0-9a-f]{32}$/);
    expect(created).toMatchObject({ name: "qa", digest: datasetDigest("qa", 1000), createdBy: "bob" });
    expect(plain(created.tags)).toEqual({ team: "a", "mlflow.user": "bob", n: "5" });
    expect(created.experimentIds).toEqual(["1"]);
    await store.upsertRecords(created.datasetId, records([{ inputs: { q: 1 } }]));
    await store.delete(created.datasetId);
    expect((await rejection(store.get(created.datasetId))).message).toBe(
      `Evaluation dataset with id '${created.datasetId}' not found`,
    );
    expect((await store.records(created.datasetId)).records).toEqual([]);
    await store.delete(created.datasetId);
  });

  it("merges records with the same inputs whatever their key order and updates schema, profile and digest", async () => {
    const { datasetId } = await store.create("qa", { "mlflow.user": "bob" });
    const first = await store.upsertRecords(
      datasetId,
      records([
        {
          inputs: { q: "a", n: 1 },
          expectations: { ans: "x" },
          tags: { t: "1" },
          source: { source_type: "human", source_data: { source_id: "u1" } },
        },
        { inputs: { q: "b" }, outputs: "out", expectations: { ans: "y" } },
      ]),
    );
    expect(first).toEqual({ inserted: 2, updated: 0 });
    const second = await store.upsertRecords(
      datasetId,
      records([{ inputs: { n: 1, q: "a" }, expectations: { other: 2 }, tags: { u: "2" } }]),
    );
    expect(second).toEqual({ inserted: 0, updated: 1 });
    const dataset = await store.get(datasetId);
    // As mlflow 3.17.2 stored them for the same two calls.
    expect(dataset.schema).toBe(
      '{"inputs": {"q": "string", "n": "integer"}, "outputs": "string", "expectations": {"ans": "string", "other": "integer"}, "version": "1.0"}',
    );
    expect(dataset.profile).toBe('{"num_records": 2}');
    expect(dataset.digest).toBe(datasetDigest("qa", dataset.lastUpdateTime));
    expect(dataset.lastUpdatedBy).toBeUndefined();
    // One merge shares one created_time, so the id decides the order: find each record by its inputs.
    const read = (await store.records(datasetId)).records;
    const a = read.find((r) => r.inputs.get("q") === "a");
    const b = read.find((r) => r.inputs.get("q") === "b");
    expect(plain(a)).toMatchObject({
      inputs: { q: "a", n: 1 },
      outputs: {},
      expectations: { ans: "x", other: 2 },
      tags: { t: "1", u: "2" },
      source: { source_type: "HUMAN", source_data: { source_id: "u1" } },
      sourceId: "u1",
      sourceType: "HUMAN",
    });
    expect(a?.lastUpdateTime).toBeGreaterThan(a?.createdTime ?? Infinity);
    expect(plain(b)).toMatchObject({ inputs: { q: "b" }, outputs: "out", tags: {} });
  });

  it("refuses an unknown source type and records into a missing dataset, but takes an empty merge there", async () => {
    const { datasetId } = await store.create("qa");
    expect(() => records([{ inputs: {}, source: { source_type: "weird", source_data: {} } }])).toThrow(
      "Invalid dataset record source type: WEIRD. Valid source types: ['UNSPECIFIED', 'TRACE', 'HUMAN', 'DOCUMENT', 'CODE']",
    );
    expect(await store.upsertRecords("d-nope", [])).toEqual({ inserted: 0, updated: 0 });
    expect((await rejection(store.upsertRecords("d-nope", records([{ inputs: {} }])))).message).toBe(
      "Evaluation dataset with id 'd-nope' not found",
    );
    expect((await store.records(datasetId)).records).toEqual([]);
  });

  it("pages records by a (created_time, id) cursor and deletes them, dropping the profile count", async () => {
    const { datasetId } = await store.create("qa");
    await store.upsertRecords(
      datasetId,
      records([{ inputs: { i: 1 } }, { inputs: { i: 2 } }, { inputs: { i: 3 } }]),
    );
    const first = await store.records(datasetId, 2);
    expect(first.records).toHaveLength(2);
    const last = first.records[1];
    expect(Buffer.from(first.nextPageToken ?? "", "base64").toString()).toBe(
      `${last?.createdTime}:${last?.datasetRecordId}`,
    );
    const rest = await store.records(datasetId, 2, first.nextPageToken);
    expect(rest.nextPageToken).toBeUndefined();
    const all = [...first.records, ...rest.records].map((r) => r.datasetRecordId);
    expect(new Set(all).size).toBe(3);
    expect(await store.deleteRecords(datasetId, [all[0] as string, "dr-none"])).toBe(1);
    expect((await store.get(datasetId)).profile).toBe('{"num_records": 2}');
    expect(await store.deleteRecords(datasetId, ["dr-none"])).toBe(0);
    await store.deleteRecords(datasetId, all);
    expect((await store.get(datasetId)).profile).toBe("null");
  });

  // mlflow 3.17.2 (SQLite) answered create's tags {"a": 1, "b": true, "c": null, "f": 1.0, "h": 2.5} with
  // {"a": "1", "b": "1", "c": null, "f": "1.0", "h": "2.5"}, and a list value with a 400.
  it("stores create's tag values as mlflow's create does: booleans as SQLite's 1 and 0, lists refused", async () => {
    const tags = parseJsonObjectField(
      "tags",
      '{"a": 1, "b": true, "z": false, "c": null, "f": 1.0, "h": 2.5}',
    );
    const created = await store.create("qa", tags);
    expect(plain(created.tags)).toEqual({ a: "1", b: "1", z: "0", c: null, f: "1.0", h: "2.5" });
    for (const value of [[1, 2], { x: 1 }]) {
      const refused = await rejection(store.create("qb", { d: value }));
      expect(refused).toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
      expect(refused.message).toBe(
        "Invalid value for tag 'd': a dataset tag value must be a string, a number, a boolean or null.",
      );
    }
  });

  it("sets tags as Python strings, skips null values, and deletes tags idempotently", async () => {
    const { datasetId } = await store.create("qa", { team: "a" });
    await store.setTags(datasetId, { team: "b", k: "v", n: 5, ok: true, gone: null });
    await store.deleteTag(datasetId, "k");
    await store.deleteTag("d-nope", "k");
    expect(plain((await store.get(datasetId)).tags)).toEqual({ team: "b", n: "5", ok: "True" });
    expect((await rejection(store.setTags("d-nope", {}))).message).toBe(
      "Could not find evaluation dataset with ID d-nope",
    );
  });

  it("links to existing experiments only and unlinks idempotently", async () => {
    const e1 = await createExperiment(opened.meta.db, { name: "e1" }, "mlflow-artifacts:/", 1);
    const e2 = await createExperiment(opened.meta.db, { name: "e2" }, "mlflow-artifacts:/", 1);
    const { datasetId } = await store.create("qa", {}, [e1]);
    await store.addToExperiments(datasetId, [e2, e1]);
    expect(await store.experimentIds(datasetId)).toEqual([e1, e2]);
    expect((await rejection(store.addToExperiments(datasetId, ["999"]))).message).toBe(
      "No Experiment with id=999",
    );
    // Only the canonical spelling links, as mlflow compares the ids it found as text with the ids sent.
    for (const form of [`00${e1}`, ` ${e1}`, `+${e1}`]) {
      expect((await rejection(store.addToExperiments(datasetId, [form]))).message).toBe(
        `No Experiment with id=${form}`,
      );
    }
    expect((await rejection(store.addToExperiments("d-nope", [e1]))).message).toBe(
      "Dataset 'd-nope' not found",
    );
    const before = (await store.get(datasetId)).lastUpdateTime;
    expect((await store.removeFromExperiments(datasetId, ["999"])).lastUpdateTime).toBe(before);
    await store.removeFromExperiments(datasetId, [e1, "999"]);
    expect(await store.experimentIds(datasetId)).toEqual([e2]);
    expect(await store.experimentIds("d-nope")).toEqual([]);
  });

  it("searches by name, tags, times and experiments, newest first, in offset pages", async () => {
    const a = await store.create("ds1", { team: "b" }, ["7"]);
    const b = await store.create("ds2");
    const c = await store.create("other");
    const ids = async (request: Parameters<typeof searchDatasetIds>[1]) =>
      (await searchDatasetIds(opened.meta, request)).datasetIds;
    expect(await ids({})).toEqual([c.datasetId, b.datasetId, a.datasetId]);
    expect(await ids({ filter: "name LIKE 'ds%'", orderBy: ["name ASC"] })).toEqual([
      a.datasetId,
      b.datasetId,
    ]);
    expect(await ids({ filter: "name IN ('ds1', 'other')" })).toEqual([c.datasetId, a.datasetId]);
    expect(await ids({ filter: "tags.team = 'b'" })).toEqual([a.datasetId]);
    expect(await ids({ filter: `created_time > ${a.createdTime}` })).toEqual([c.datasetId, b.datasetId]);
    expect(await ids({ experimentIds: ["7"] })).toEqual([a.datasetId]);
    const page = await searchDatasetIds(opened.meta, { maxResults: 1 });
    expect(page).toEqual({ datasetIds: [c.datasetId], nextPageToken: "eyJvZmZzZXQiOiAxfQ==" });
    expect(await ids({ maxResults: 1, pageToken: page.nextPageToken ?? "" })).toEqual([b.datasetId]);
    expect((await rejection(ids({ filter: "name = 'a' OR name = 'b'" }))).message).toMatch(/OR/);
    expect((await rejection(ids({ filter: "tags.team > 'b'" }))).message).toMatch(/comparator/);
    expect((await rejection(ids({ orderBy: ["created_by"] }))).message).toMatch(/created_by/);
    expect((await rejection(ids({ maxResults: 100000 }))).message).toBe(
      "Invalid value 100000 for parameter 'max_results' supplied. It must be at most 50000",
    );
  });
  it("keeps floats written 1.0 and long integers as Python's json does, in records, hashes and schema", async () => {
    const { datasetId } = await store.create("floats");
    const text =
      '[{"inputs": {"q": 1.0, "n": 2, "big": 12345678901234567890, "e": 1e3, "neg": -0.0, "nan": NaN},' +
      ' "outputs": 3.0, "expectations": {"score": 1.0, "l": [1.0, 2]}, "tags": {"t": 1.0}},' +
      ' {"inputs": {"q": 1}, "outputs": {"o": 2.0}}]';
    expect(await store.upsertRecords(datasetId, parseRecords(text))).toEqual({ inserted: 2, updated: 0 });
    // {"q": 1.0} and {"q": 1} hash apart in mlflow (json.dumps writes 1.0), so this one merges with neither.
    expect(await store.upsertRecords(datasetId, parseRecords('[{"inputs": {"q": 1.0}}]'))).toEqual({
      inserted: 1,
      updated: 0,
    });
    const texts = (await store.records(datasetId)).records.map((r) => recordsText([r]));
    expect(texts.find((t) => t.includes('"n": 2'))).toContain(
      '"inputs": {"q": 1.0, "n": 2, "big": 12345678901234567890, "e": 1000.0, "neg": -0.0, "nan": NaN}, ' +
        '"expectations": {"score": 1.0, "l": [1.0, 2]}, "tags": {"t": 1.0}',
    );
    expect(texts.filter((t) => t.includes('"inputs": {"q": 1}, "tags": {}'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('"inputs": {"q": 1.0}, "tags": {}'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('"outputs": {"o": 2.0}'))).toHaveLength(1);
    // mlflow 3.17.2's schema for the same records.
    expect((await store.get(datasetId)).schema).toBe(
      '{"inputs": {"q": "float", "n": "integer", "big": "integer", "e": "float", "neg": "float", "nan": "float"}, ' +
        '"outputs": "float", "expectations": {"score": "float", "l": "array"}, "version": "1.0"}',
    );
    await store.setTags(
      datasetId,
      parseJsonObjectField("tags", '{"x": 1.0, "y": {"a": 1.0, "b": [true, null]}}'),
    );
    expect(plain((await store.get(datasetId)).tags)).toEqual({
      x: "1.0",
      y: "{'a': 1.0, 'b': [True, None]}",
    });
  });

  it("compares time filters as int64s, exactly beyond 2^53", async () => {
    clock = 2 ** 53;
    const { datasetId } = await store.create("late");
    const ids = async (filter: string) => (await searchDatasetIds(opened.meta, { filter })).datasetIds;
    expect(await ids("created_time < 9007199254740993")).toEqual([datasetId]);
    expect(await ids("created_time = 9007199254740993")).toEqual([]);
    expect(await ids("created_time >= 9007199254740993")).toEqual([]);
    expect(await ids("last_update_time != 9007199254740993")).toEqual([datasetId]);
    expect(await ids("created_time = 9007199254740992")).toEqual([datasetId]);
    expect(await ids("created_time > -9223372036854775808")).toEqual([datasetId]);
  });

  it("refuses bad filters and order_by with mlflow 3.17.2's messages", async () => {
    const message = async (request: Parameters<typeof searchDatasetIds>[1]) =>
      (await rejection(searchDatasetIds(opened.meta, request))).message;
    for (const [filter, expected] of DATASET_FILTER_ERRORS) expect(await message({ filter })).toBe(expected);
    for (const [orderBy, expected] of DATASET_ORDER_BY_ERRORS) {
      expect(await message({ orderBy: [orderBy] })).toBe(expected);
    }
  });
});
