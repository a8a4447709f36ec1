/**
 * Key order as mlflow 3.17.2's server (SQLite store) answered it: dicts in records, the schema and dataset tags
 * keep the order they were sent in, integer-like keys ("10") included, and merges follow `dict.update`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import { pythonJsonDumps } from "../../pythonJson.js";
import { recordsText, toDatasetWire } from "./entities.js";
import { parseJsonObjectField, parseRecords } from "./recordMerge.js";
import { EvaluationDatasetStore } from "./store.js";

describe.each(metadataBackends())("evaluation dataset key order on $name", (backend: TestBackend) => {
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

  it("answers record dicts in the order sent, and merges new keys after the ones already there", async () => {
    const { datasetId } = await store.create("ko");
    await store.upsertRecords(
      datasetId,
      parseRecords(
        '[{"inputs": {"q": "x", "10": 1, "b": {"9": 1, "a": 2, "1": 3}}, "outputs": {"z": 1, "3": 2},' +
          ' "expectations": {"b": 1, "10": 2, "a": 3}, "tags": {"t": "1", "5": "2"},' +
          ' "source": {"source_type": "HUMAN", "source_data": {"x": 1, "7": 2}}}]',
      ),
    );
    // The same inputs in another order: one record, whose expectations and tags take the new keys last.
    await store.upsertRecords(
      datasetId,
      parseRecords(
        '[{"inputs": {"b": {"a": 2, "9": 1, "1": 3}, "10": 1, "q": "x"},' +
          ' "expectations": {"c": 0, "a": 9, "4": 4, "10": 7}, "tags": {"8": "x", "t": "u"}}]',
      ),
    );
    await store.upsertRecords(datasetId, parseRecords('[{"inputs": {"20": 1, "y": 2}, "outputs": "plain"}]'));

    const read = (await store.records(datasetId)).records;
    const texts = read.map((r) => recordsText([r]));
    expect(texts[0]).toContain(
      '"inputs": {"q": "x", "10": 1, "b": {"9": 1, "a": 2, "1": 3}}, ' +
        '"expectations": {"b": 1, "10": 7, "a": 9, "c": 0, "4": 4}, "tags": {"t": "u", "5": "2", "8": "x"}, ' +
        '"source": {"source_type": "HUMAN", "source_data": {"x": 1, "7": 2}}, "source_type": "HUMAN", ',
    );
    expect(texts[0]).toMatch(/"outputs": \{"z": 1, "3": 2\}\}\]$/);
    expect(texts[1]).toContain('"inputs": {"20": 1, "y": 2}, "tags": {}, ');
    expect((await store.get(datasetId)).schema).toBe(
      '{"inputs": {"q": "string", "10": "integer", "b": "object", "20": "integer", "y": "integer"}, ' +
        '"outputs": {"z": "integer", "3": "integer"}, ' +
        '"expectations": {"b": "integer", "10": "integer", "a": "integer", "c": "integer", "4": "integer"}, ' +
        '"version": "1.0"}',
    );
  });

  it("answers dataset tags in the order they were created, a tag set anew last", async () => {
    const tags = (text: string) => parseJsonObjectField("tags", text);
    const created = await store.create("ko", tags('{"z": "1", "10": "2", "a": "3", "2": "4"}'));
    const { datasetId } = created;
    expect(pythonJsonDumps(created.tags)).toBe('{"z": "1", "10": "2", "a": "3", "2": "4"}');
    await store.setTags(datasetId, tags('{"b": "x", "1": "y"}'));
    await store.deleteTag(datasetId, "z");
    const expected = '{"10": "2", "a": "3", "2": "4", "b": "x", "1": "y"}';
    expect(pythonJsonDumps((await store.get(datasetId)).tags)).toBe(expected);
    await store.setTags(datasetId, tags('{"z": "again"}'));
    const [searched] = await store.getMany([datasetId]);
    expect(searched === undefined ? undefined : toDatasetWire(searched)).toMatchObject({
      tags: '{"10": "2", "a": "3", "2": "4", "b": "x", "1": "y", "z": "again"}',
    });
  });

  // An update in place keeps SQLite's rowid; PostgreSQL writes a new row version, which has no such place.
  it.runIf(backend.name === "sqlite")("keeps an updated tag in its place, as mlflow on SQLite", async () => {
    const created = await store.create("ko", parseJsonObjectField("tags", '{"z": "1", "10": "2", "a": "3"}'));
    await store.setTags(created.datasetId, parseJsonObjectField("tags", '{"a": "new", "10": "ten"}'));
    expect(pythonJsonDumps((await store.get(created.datasetId)).tags)).toBe(
      '{"z": "1", "10": "ten", "a": "new"}',
    );
  });
});
