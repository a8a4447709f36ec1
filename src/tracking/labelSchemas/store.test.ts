import { describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import { eachTestWithExperiment } from "../../../test/support/experimentSuites.js";
import { rejection } from "../../../test/support/thrownError.js";
import type { MetadataDb } from "../../db/connect.js";
import { deleteExperiment } from "../experimentStore.js";
import type { LabelSchemaInput } from "./entities.js";
import { LabelSchemaStore, type NewLabelSchema } from "./store.js";

// Expected messages are what `mlflow server` 3.17.2 (SQLite store) answered to the same calls.
const passFail: LabelSchemaInput = { kind: "pass_fail", positiveLabel: "Yes", negativeLabel: "No" };
const schema = (name: string, input: LabelSchemaInput = passFail): NewLabelSchema => ({
  name,
  type: "FEEDBACK",
  input,
  instruction: undefined,
  enableComment: false,
});

describe.each(metadataBackends())("label schema store on $name", (backend: TestBackend) => {
  let meta: MetadataDb;
  let store: LabelSchemaStore;
  let experimentId: string;

  eachTestWithExperiment(backend, (world) => {
    ({ meta, experimentId } = world);
    store = new LabelSchemaStore(meta, world.now);
  });

  it("creates and reads back every input variant by id and by name", async () => {
    const inputs: LabelSchemaInput[] = [
      passFail,
      { kind: "categorical", options: ["a", "b"], multiSelect: true },
      { kind: "numeric", minValue: Number.NEGATIVE_INFINITY, maxValue: 5.5 },
      { kind: "numeric", minValue: undefined, maxValue: undefined },
      { kind: "text", maxLength: 10 },
      { kind: "text", maxLength: undefined },
    ];
    for (const [at, input] of inputs.entries()) {
      const created = await store.create(experimentId, { ...schema(`q${at}`, input), instruction: "why" });
      expect(created).toEqual({
        schemaId: expect.stringMatching(/^ls-[0-9a-f]{32}$/),
        experimentId,
        name: `q${at}`,
        type: "FEEDBACK",
        instruction: "why",
        enableComment: false,
        input,
        createdBy: undefined,
        createdAt: created.createdAt,
        lastUpdatedAt: created.createdAt,
        isDefault: false,
      });
      expect(await store.get(created.schemaId)).toEqual(created);
      expect(await store.getByName(experimentId, `q${at}`)).toEqual(created);
    }
  });

  it("refuses a taken name, the reserved one and mlflow's invalid inputs", async () => {
    await store.create(experimentId, schema("q"));
    const taken = await rejection(store.create(experimentId, schema("q")));
    expect([taken.code, taken.message]).toEqual([
      "RESOURCE_ALREADY_EXISTS",
      `Label schema with name 'q' already exists for experiment '${experimentId}'.`,
    ]);
    const message = async (s: NewLabelSchema) => (await rejection(store.create(experimentId, s))).message;
    expect(await message(schema(" feedBACK "))).toBe(
      "` feedBACK ` is reserved for the experiment's default question and cannot be used for another label schema.",
    );
    expect(await message(schema("x".repeat(251)))).toBe(
      "Label schema `name` must be at most 250 characters; got 251.",
    );
    expect(await message({ ...schema("x"), instruction: "i".repeat(1001) })).toBe(
      "Label schema `instruction` must be at most 1000 characters; got 1001.",
    );
    expect(await message(schema("x", { kind: "pass_fail", positiveLabel: "a", negativeLabel: "a" }))).toBe(
      "`InputPassFail.positive_label` and `negative_label` must be distinct; got 'a' for both.",
    );
    expect(await message(schema("x", { kind: "pass_fail", positiveLabel: "a", negativeLabel: "" }))).toBe(
      "`InputPassFail.negative_label` must be a non-empty string; got ''.",
    );
    expect(await message(schema("x", { kind: "categorical", options: ["a", "a"], multiSelect: false }))).toBe(
      "`InputCategorical.options` must be deduplicated; 'a' appears twice.",
    );
    expect(
      await message(
        schema("x", { kind: "categorical", options: [`it's${"x".repeat(70)}`], multiSelect: false }),
      ),
    ).toBe(
      `\`InputCategorical.options\` entries must be at most 64 characters; got 74 for "it's${"x".repeat(70)}".`,
    );
    expect(await message(schema("x", { kind: "numeric", minValue: 1e16, maxValue: 1 }))).toBe(
      "`InputNumeric.min_value` must be strictly less than `max_value`; got min=1e+16, max=1.0.",
    );
    expect(await message(schema("x", { kind: "text", maxLength: 0 }))).toBe(
      "`InputText.max_length` must be at least 1; got 0.",
    );
  });

  it("seeds the default question on the first listing and pages newest first", async () => {
    expect((await rejection(store.getByName(experimentId, "Feedback"))).code).toBe("RESOURCE_DOES_NOT_EXIST");
    for (const name of ["a", "b", "c"]) await store.create(experimentId, schema(name));
    const first = await store.list(experimentId, 2, undefined);
    expect(first.schemas.map((s) => s.name)).toEqual(["Feedback", "c"]);
    expect(first.schemas[0]).toMatchObject({
      type: "FEEDBACK",
      instruction: "Share any feedback on this trace.",
      input: { kind: "text", maxLength: undefined },
      isDefault: true,
    });
    // mlflow's token, byte for byte: base64 of `{"offset": 2}`.
    expect(first.nextPageToken).toBe("eyJvZmZzZXQiOiAyfQ==");
    const second = await store.list(experimentId, 2, first.nextPageToken);
    expect(second.schemas.map((s) => s.name)).toEqual(["b", "a"]);
    expect(second.nextPageToken).toBeUndefined();
    const again = await store.list(experimentId, 10, undefined);
    expect(again.schemas.filter((s) => s.isDefault)).toHaveLength(1);
  });

  it("seeds one default question when first listings race", async () => {
    await Promise.all(Array.from({ length: 4 }, () => store.list(experimentId, 10, undefined)));
    expect((await store.list(experimentId, 10, undefined)).schemas.map((s) => s.name)).toEqual(["Feedback"]);
  });

  it("reads page tokens with mlflow's messages", async () => {
    const message = async (token: string) => (await rejection(store.list(experimentId, 1, token))).message;
    const b64 = (text: string) => Buffer.from(text).toString("base64");
    expect(await message("garbage")).toBe("Invalid page token, could not base64-decode");
    expect(await message(b64("notjson"))).toBe("Invalid page token, decoded value=b'notjson'");
    expect(await message("////")).toBe("Invalid page token, decoded value=b'\\xff\\xff\\xff'");
    expect(await message(b64('{"x": 1}'))).toBe("Invalid page token, parsed value={'x': 1}");
    expect(await message(b64('{"offset": null}'))).toBe("Invalid page token, parsed value={'offset': None}");
    expect(await message(b64('{"offset": "a"}'))).toBe("Invalid page token, not stringable a");
    await store.create(experimentId, schema("a"));
    // Python's int() truncates 1.7 and reads "1"; a negative offset is SQLite's no offset.
    for (const token of [b64('{"offset": 1.7}'), b64('{"offset": "1"}'), b64('{"offset": true}')]) {
      expect((await store.list(experimentId, 1, token)).schemas.map((s) => s.name)).toEqual(["a"]);
    }
    expect((await store.list(experimentId, 1, b64('{"offset": -1}'))).schemas[0]?.name).toBe("Feedback");
  });

  it("updates sparsely, keeps type and variant, and refuses collisions and the default question", async () => {
    const q = await store.create(experimentId, schema("q"));
    await store.create(experimentId, schema("other"));
    const renamed = await store.update(q.schemaId, { name: "q2", instruction: "", enableComment: true });
    expect(renamed).toMatchObject({ name: "q2", instruction: "", enableComment: true, input: passFail });
    expect(renamed.lastUpdatedAt).toBeGreaterThan(q.lastUpdatedAt);
    const untouched = await store.update(q.schemaId, {});
    expect(untouched.lastUpdatedAt).toBeGreaterThan(renamed.lastUpdatedAt);
    const relabelled = await store.update(q.schemaId, {
      input: { kind: "pass_fail", positiveLabel: "Good", negativeLabel: "Bad" },
    });
    expect(await store.get(q.schemaId)).toEqual(relabelled);
    const message = async (changes: Parameters<LabelSchemaStore["update"]>[1], id = q.schemaId) =>
      (await rejection(store.update(id, changes))).message;
    expect(await message({ name: "other" })).toBe(
      `Label schema with name 'other' already exists for experiment '${experimentId}'.`,
    );
    expect(await message({ name: "" })).toBe("Label schema `name` must be a non-empty string; got ''.");
    expect(await message({ name: "Feedback" })).toMatch(/^`Feedback` is reserved/);
    expect(await message({ input: { kind: "text", maxLength: undefined } })).toBe(
      "A label schema's input type cannot be changed after creation (existing: InputPassFail, got: InputText).",
    );
    const multi = await store.create(
      experimentId,
      schema("m", { kind: "categorical", options: ["a"], multiSelect: true }),
    );
    expect(
      await message({ input: { kind: "categorical", options: ["c"], multiSelect: false } }, multi.schemaId),
    ).toBe("`InputCategorical.multi_select` cannot be changed after creation.");
    const missing = await rejection(store.update("ls-nope", { name: "x" }));
    expect([missing.code, missing.message]).toEqual([
      "RESOURCE_DOES_NOT_EXIST",
      "Label schema with id 'ls-nope' not found.",
    ]);
    const [fallback] = (await store.list(experimentId, 100, undefined)).schemas.filter((s) => s.isDefault);
    expect(await message({}, fallback?.schemaId)).toBe("The experiment's default question cannot be edited.");
  });

  it("deletes, ignores a missing id and refuses the default question", async () => {
    const q = await store.create(experimentId, schema("q"));
    await store.delete(q.schemaId);
    await store.delete(q.schemaId);
    expect((await rejection(store.get(q.schemaId))).message).toBe(
      `Label schema with id '${q.schemaId}' not found.`,
    );
    const [fallback] = (await store.list(experimentId, 100, undefined)).schemas;
    const refused = await rejection(store.delete(fallback?.schemaId ?? ""));
    expect([refused.code, refused.message]).toEqual([
      "INVALID_PARAMETER_VALUE",
      "The experiment's default question cannot be deleted.",
    ]);
  });

  it("wants an active experiment for what is scoped by experiment, and not for reads by id", async () => {
    expect((await rejection(store.create("abc", schema("q")))).message).toBe(
      "Invalid experiment ID 'abc'. Experiment ID must be a valid integer.",
    );
    const missing = await rejection(store.list("999999", 10, undefined));
    expect([missing.code, missing.message]).toEqual([
      "RESOURCE_DOES_NOT_EXIST",
      "No Experiment with id=999999 exists",
    ]);
    const q = await store.create(experimentId, schema("q"));
    expect((await rejection(store.getByName(`0${experimentId}`, "nope"))).message).toBe(
      `Label schema with name 'nope' not found for experiment '0${experimentId}'.`,
    );
    await deleteExperiment(meta.db, experimentId, 2);
    for (const call of [
      () => store.create(experimentId, schema("x")),
      () => store.getByName(experimentId, "q"),
      () => store.list(`0${experimentId}`, 10, undefined),
    ]) {
      expect((await rejection(call())).message).toBe(`No Experiment with id=${experimentId} exists`);
    }
    expect((await store.get(q.schemaId)).name).toBe("q");
    expect((await store.update(q.schemaId, { instruction: "still" })).instruction).toBe("still");
  });
});
