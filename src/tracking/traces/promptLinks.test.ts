import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import { rejection } from "../../../test/support/thrownError.js";
import type { MetadataDb } from "../../db/connect.js";
import { createExperiment } from "../experimentStore.js";
import { TracePromptLinkStore } from "./promptLinks.js";
import { searchTraces } from "./search.js";
import { TraceStore } from "./store.js";

describe.each(metadataBackends())("trace prompt links on $name", (backend: TestBackend) => {
  let opened: Awaited<ReturnType<TestBackend["open"]>>;
  let meta: MetadataDb;
  let traces: TraceStore;
  let links: TracePromptLinkStore;
  let experimentId: string;
  let clock: number;

  const start = (traceId: string) =>
    traces.start({ traceId, experimentId, requestTime: 1000, state: "OK", metadata: {}, tags: {} });
  const search = async (filter: string) =>
    (await searchTraces(meta, { experimentIds: [experimentId], filter })).traces.map((t) => t.traceId);

  beforeEach(async () => {
    opened = await backend.open();
    meta = opened.meta;
    clock = 1;
    traces = new TraceStore(meta);
    links = new TracePromptLinkStore(meta, () => clock++);
    experimentId = await createExperiment(meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
    await start("tr-a");
    await start("tr-b");
  });
  afterEach(async () => {
    await opened.close();
  });

  it("links versions to a trace and ignores links it already has", async () => {
    await links.link("tr-a", [{ name: "p", version: 1 }]);
    await links.link("tr-a", [
      { name: "p", version: 1 },
      { name: "q", version: 2 },
      { name: "q", version: 2 },
    ]);
    expect(await links.linkedVersions("tr-a")).toEqual(["p/1", "q/2"]);
    expect(await links.linkedVersions("tr-b")).toEqual([]);
  });

  it("refuses a trace that does not exist, with mlflow's message, and links nothing", async () => {
    const error = await rejection(links.link("tr-missing", [{ name: "p", version: 1 }]));
    expect([error.code, error.message]).toEqual([
      "RESOURCE_DOES_NOT_EXIST",
      "Trace with ID 'tr-missing' not found.",
    ]);
    expect(await links.linkedVersions("tr-missing")).toEqual([]);
  });

  it("accepts an empty list without checking the trace, as mlflow does", async () => {
    await expect(links.link("tr-missing", [])).resolves.toBeUndefined();
  });

  it("finds traces by prompt = name/version and by the linked-prompts tag", async () => {
    await links.link("tr-a", [
      { name: "p", version: 5 },
      { name: "a/b", version: 1 },
    ]);
    await links.link("tr-b", [{ name: "p", version: 6 }]);
    expect(await search('prompt = "p/5"')).toEqual(["tr-a"]);
    expect(await search("prompt = 'p/6'")).toEqual(["tr-b"]);
    expect(await search('tags.`mlflow.linkedPrompts` = "p/5"')).toEqual(["tr-a"]);
    // The version is compared as text, as mlflow compares its `name/version` ids.
    expect(await search('prompt = "p/05"')).toEqual([]);
    expect(await search('prompt = "p/5" AND prompt = "p/6"')).toEqual([]);
  });

  it("refuses prompt filters mlflow refuses, with its messages", async () => {
    const message = async (filter: string) => (await rejection(search(filter))).message;
    expect(await message('prompt != "p/1"')).toBe(
      `Invalid comparator '!=' for prompts filter. Only '=' is supported with format: prompt = "name/version"`,
    );
    expect(await message('prompt LIKE "p%"')).toBe(
      `Invalid comparator 'LIKE' for prompts filter. Only '=' is supported with format: prompt = "name/version"`,
    );
    expect(await message('prompt = "p"')).toBe(
      `Invalid prompts filter value 'p'. Expected format: prompt = "name/version"`,
    );
    expect(await message('prompt = "a/b/1"')).toBe(
      `Invalid prompts filter value 'a/b/1'. Expected format: prompt = "name/version"`,
    );
  });

  it("does not sort by prompt, which mlflow takes in filters only", async () => {
    const error = await rejection(searchTraces(meta, { experimentIds: [experimentId], orderBy: ["prompt"] }));
    expect(error.message).toMatch(/^Invalid attribute key 'prompt' specified/);
  });

  it("drops a trace's links with the trace, so a reused id starts with none", async () => {
    await links.link("tr-a", [{ name: "p", version: 1 }]);
    await traces.delete({ experimentId, traceIds: ["tr-a"] });
    await start("tr-a");
    expect(await links.linkedVersions("tr-a")).toEqual([]);
    expect(await search('prompt = "p/1"')).toEqual([]);
  });
});
