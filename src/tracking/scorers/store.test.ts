import { describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import { eachTestWithExperiment } from "../../../test/support/experimentSuites.js";
import { rejection } from "../../../test/support/thrownError.js";
import type { MetadataDb } from "../../db/connect.js";
import { createExperiment, deleteExperiment } from "../experimentStore.js";
import { OnlineScoringConfigStore } from "./onlineScoringConfigs.js";
import { ScorerStore } from "./store.js";

const builtin = (name: string, model = "openai:/gpt-4") =>
  JSON.stringify({
    name,
    builtin_scorer_class: "RelevanceToQuery",
    builtin_scorer_pydantic_data: { name, model },
  });

describe.each(metadataBackends())("scorer store on $name", (backend: TestBackend) => {
  let meta: MetadataDb;
  let store: ScorerStore;
  let configs: OnlineScoringConfigStore;
  let experimentId: string;

  eachTestWithExperiment(backend, (world) => {
    ({ meta, experimentId } = world);
    store = new ScorerStore(meta, world.now);
    configs = new OnlineScoringConfigStore(meta);
  });

  it("numbers versions from 1 per name and keeps one scorer id across them", async () => {
    const first = await store.register(experimentId, "relevance", builtin("relevance"));
    const second = await store.register(experimentId, "relevance", builtin("relevance"));
    const other = await store.register(experimentId, "other", "{}");
    expect([first.version, second.version, other.version]).toEqual([1, 2, 1]);
    expect(second.scorerId).toBe(first.scorerId);
    expect(other.scorerId).not.toBe(first.scorerId);
    expect(first).toMatchObject({ experimentId, name: "relevance", creationTime: 1000 });
    expect(second.serializedScorer).toBe(builtin("relevance"));
  });

  it("numbers concurrent registrations of one name without gaps or duplicates", async () => {
    const versions = await Promise.all(
      Array.from({ length: 8 }, () => store.register(experimentId, "racy", "{}")),
    );
    expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(versions.map((v) => v.scorerId)).size).toBe(1);
  });

  it("lists the latest version of each name, ordered by name", async () => {
    await store.register(experimentId, "zeta", "{}");
    await store.register(experimentId, "alpha", builtin("alpha"));
    await store.register(experimentId, "alpha", builtin("alpha", "openai:/gpt-5"));
    const listed = await store.list(experimentId);
    expect(listed.map((s) => [s.name, s.version])).toEqual([
      ["alpha", 2],
      ["zeta", 1],
    ]);
    expect(listed[0]?.serializedScorer).toContain("gpt-5");
  });

  it("lists across named experiments, skipping missing and deleted ones, or across all active ones", async () => {
    const other = await createExperiment(meta.db, { name: "other" }, "mlflow-artifacts:/", 1);
    const gone = await createExperiment(meta.db, { name: "gone" }, "mlflow-artifacts:/", 1);
    await store.register(experimentId, "a", "{}");
    await store.register(other, "b", "{}");
    await store.register(gone, "c", "{}");
    await deleteExperiment(meta.db, gone, 2);
    const named = await store.listAcross([other, experimentId, gone, "999999"]);
    expect(named.map((s) => [s.experimentId, s.name])).toEqual([
      [experimentId, "a"],
      [other, "b"],
    ]);
    expect((await store.listAcross(undefined)).map((s) => s.name)).toEqual(["a", "b"]);
    expect((await rejection(store.listAcross(["abc"]))).message).toBe(
      "Invalid experiment ID 'abc'. Experiment ID must be a valid integer.",
    );
  });

  it("lists versions in order and gets the latest or a given one", async () => {
    await store.register(experimentId, "s", builtin("s"));
    await store.register(experimentId, "s", "{}");
    expect((await store.versions(experimentId, "s")).map((v) => v.version)).toEqual([1, 2]);
    expect((await store.get(experimentId, "s")).version).toBe(2);
    expect((await store.get(experimentId, "s", 1)).serializedScorer).toBe(builtin("s"));
  });

  it("answers mlflow's messages for a missing scorer, version or experiment", async () => {
    await store.register(experimentId, "s", "{}");
    const missing = await rejection(store.get(experimentId, "nope"));
    expect([missing.code, missing.message]).toEqual([
      "RESOURCE_DOES_NOT_EXIST",
      `Scorer with name 'nope' not found for experiment ${experimentId}.`,
    ]);
    expect((await rejection(store.get(experimentId, "s", 7))).message).toBe(
      `Scorer with name 's' and version 7 not found for experiment ${experimentId}.`,
    );
    expect((await rejection(store.versions(experimentId, "nope"))).code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect((await rejection(store.delete(experimentId, "s", 7))).message).toBe(
      `Scorer with name 's' and version 7 not found for experiment ${experimentId}.`,
    );
    expect((await rejection(store.register("999999", "s", "{}"))).message).toBe(
      "No Experiment with id=999999 exists",
    );
    await deleteExperiment(meta.db, experimentId, 2);
    const deleted = await rejection(store.list(experimentId));
    expect([deleted.code, deleted.message]).toEqual([
      "INVALID_PARAMETER_VALUE",
      `The experiment ${experimentId} must be in the 'active' state. Current state is deleted.`,
    ]);
  });

  it("refuses a blank name, invalid JSON, custom code and unusable models", async () => {
    const message = async (name: string, text: string) =>
      (await rejection(store.register(experimentId, name, text))).message;
    expect(await message("  ", "{}")).toBe("Scorer name cannot be empty or contain only whitespace.");
    expect(await message("x", "not json")).toBe("serialized_scorer must be valid JSON");
    expect(await message("x", JSON.stringify({ call_source: "return 1" }))).toContain(
      "Custom scorer registration (using @scorer decorator) is disabled by default",
    );
    expect(await message("x", builtin("x", " "))).toBe(
      "Scorer model cannot be empty or contain only whitespace.",
    );
    expect(await message("x", JSON.stringify({ builtin_scorer_pydantic_data: { model: 5 } }))).toBe(
      "Scorer model must be a string, got int.",
    );
    const gateway = await rejection(store.register(experimentId, "x", builtin("x", "gateway:/judge")));
    expect([gateway.code, gateway.message]).toEqual([
      "RESOURCE_DOES_NOT_EXIST",
      "GatewayEndpoint not found (name='judge')",
    ]);
    expect(
      await message("x", JSON.stringify({ third_party_scorer_data: { kwargs: { api_base: "h" } } })),
    ).toMatch(/^third_party_scorer_data\.kwargs must not contain 'api_base': /);
    expect(await store.list(experimentId)).toEqual([]);
  });

  it("stores custom scorers as text when the operator allows them", async () => {
    const allowing = new ScorerStore(meta, () => 1, { allowCustomScorers: true });
    const text = JSON.stringify({ name: "mine", call_source: "return 1" });
    expect((await allowing.register(experimentId, "mine", text)).serializedScorer).toBe(text);
  });

  it("deletes one version, or the scorer with its versions and config, and restarts ids after", async () => {
    const first = await store.register(experimentId, "s", "{}");
    await store.register(experimentId, "s", "{}");
    await configs.upsert(experimentId, "s", 0, undefined);
    await store.delete(experimentId, "s", 2);
    expect((await store.versions(experimentId, "s")).map((v) => v.version)).toEqual([1]);
    // mlflow hands out max + 1 of what is left, so a deleted latest number is reused.
    expect((await store.register(experimentId, "s", "{}")).version).toBe(2);
    expect(await configs.get([first.scorerId])).toHaveLength(1);
    await store.delete(experimentId, "s");
    expect(await store.list(experimentId)).toEqual([]);
    expect(await configs.get([first.scorerId])).toEqual([]);
    const again = await store.register(experimentId, "s", "{}");
    expect([again.version, again.scorerId === first.scorerId]).toEqual([1, false]);
    expect((await rejection(store.delete(experimentId, "nope"))).message).toBe(
      `Scorer with name 'nope' not found for experiment ${experimentId}.`,
    );
  });

  it("treats a scorer whose versions were all deleted one by one as not found", async () => {
    await store.register(experimentId, "s", "{}");
    await store.delete(experimentId, "s", 1);
    expect(await store.list(experimentId)).toEqual([]);
    expect((await rejection(store.get(experimentId, "s"))).message).toBe(
      `Scorer with name 's' not found for experiment ${experimentId}.`,
    );
    expect((await rejection(store.delete(experimentId, "s"))).code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("replaces a scorer's online config and refuses starting a scorer without a gateway model", async () => {
    const scorer = await store.register(experimentId, "s", builtin("s"));
    const first = await configs.upsert(experimentId, "s", 0, "trace.status = 'OK'");
    const second = await configs.upsert(experimentId, "s", 0, undefined);
    expect(second.onlineScoringConfigId).not.toBe(first.onlineScoringConfigId);
    expect(await configs.get([scorer.scorerId, "unknown"])).toEqual([
      { ...second, experimentId, filterString: undefined },
    ]);
    expect((await rejection(configs.upsert(experimentId, "s", 0.5, undefined))).message).toBe(
      "Scorer 's' does not use a gateway model. Automatic evaluation is only supported for scorers that use gateway models.",
    );
    expect((await rejection(configs.upsert(experimentId, "s", 2, undefined))).message).toBe(
      "sample_rate must be between 0.0 and 1.0, got 2.0",
    );
    expect((await rejection(configs.upsert(experimentId, "nope", 0, undefined))).code).toBe(
      "RESOURCE_DOES_NOT_EXIST",
    );
  });
});
