import { describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import { eachTestWithExperiment } from "../../../test/support/experimentSuites.js";
import { rejection } from "../../../test/support/thrownError.js";
import type { MetadataDb } from "../../db/connect.js";
import { createExperiment, deleteExperiment } from "../experimentStore.js";
import { LabelSchemaStore } from "../labelSchemas/store.js";
import { ReviewQueueItemStore } from "./items.js";
import { ReviewQueueStore, type NewReviewQueue } from "./store.js";

// Expected messages are what `mlflow server` 3.17.2 (SQLite store) answered to the same calls.
const custom = (name: string, extra: Partial<NewReviewQueue> = {}): NewReviewQueue => ({
  name,
  queueType: "custom",
  users: [],
  schemaIds: [],
  ...extra,
});

describe.each(metadataBackends())("review queue store on $name", (backend: TestBackend) => {
  let meta: MetadataDb;
  let store: ReviewQueueStore;
  let experimentId: string;

  eachTestWithExperiment(backend, (world) => {
    ({ meta, experimentId } = world);
    store = new ReviewQueueStore(meta, world.now);
  });

  const failure = async (promise: Promise<unknown>) => {
    const error = await rejection(promise);
    return [error.code, error.message];
  };
  const schema = async (name: string, experiment = experimentId) =>
    (
      await new LabelSchemaStore(meta).create(experiment, {
        name,
        type: "FEEDBACK",
        input: { kind: "text", maxLength: undefined },
        instruction: undefined,
        enableComment: false,
      })
    ).schemaId;

  it("creates custom and user queues with mlflow's normalization and reads them back", async () => {
    const [s1, s2] = [await schema("q1"), await schema("q2")];
    const queue = await store.create(
      experimentId,
      custom(" My Queue ", { users: ["Bob", " alice ", "bob"], schemaIds: [s2, ` ${s1} `, s2] }),
    );
    expect(queue).toEqual({
      queueId: expect.stringMatching(/^rq-[0-9a-f]{32}$/),
      experimentId,
      name: "My Queue",
      queueType: "custom",
      createdBy: undefined,
      creationTimeMs: 1000,
      lastUpdateTimeMs: 1000,
      users: ["alice", "bob"],
      schemaIds: [s1, s2].sort(),
    });
    expect(await store.get(queue.queueId)).toEqual(queue);
    expect(await store.getByName(experimentId, "MY QUEUE")).toEqual(queue);
    const user = await store.create(experimentId, {
      name: " Carol ",
      queueType: "user",
      users: [],
      schemaIds: [],
    });
    expect([user.name, user.users, user.schemaIds]).toEqual(["carol", ["carol"], []]);
  });

  it("refuses what mlflow refuses on create, in its order", async () => {
    await store.create(experimentId, custom("Taken"));
    const create = (queue: NewReviewQueue, experiment = experimentId) =>
      failure(store.create(experiment, queue));
    const invalid = (message: string) => ["INVALID_PARAMETER_VALUE", message];
    expect(await create(custom("TAKEN"))).toEqual([
      "RESOURCE_ALREADY_EXISTS",
      "Review queue with name 'TAKEN' already exists (names are case-insensitive).",
    ]);
    expect(await create(custom(" DeFault "))).toEqual(
      invalid("`DeFault` is a reserved queue name and cannot be used for a custom queue."),
    );
    expect(await create(custom("  "))).toEqual(invalid("`name` must be a non-empty string; got ''."));
    expect(await create(custom("x".repeat(251)))).toEqual(
      invalid("`name` must be at most 250 characters; got 251."),
    );
    expect(await create(custom("z", { users: [..."abcdefghijk"] }))).toEqual(
      invalid("A review queue can have at most 10 assigned users; got 11."),
    );
    expect(await create(custom("z", { users: [""] }))).toEqual(
      invalid("`user` must be a non-empty string; got ''."),
    );
    expect(await create(custom("z", { schemaIds: ["s".repeat(37)] }))).toEqual(
      invalid("`schema_id` must be at most 36 characters; got 37."),
    );
    expect(await create({ name: "dave", queueType: "user", users: ["eve"], schemaIds: [] })).toEqual(
      invalid(
        "A user queue must have exactly one assigned user equal to its name; got name='dave' and users=['eve'].",
      ),
    );
    expect(await create({ name: "dave", queueType: "user", users: [], schemaIds: ["ls-1"] })).toEqual(
      invalid(
        "A user queue cannot have explicitly-attached schemas; it resolves to all of the experiment's label schemas.",
      ),
    );
    const other = await createExperiment(meta.db, { name: "other" }, "mlflow-artifacts:/", 1);
    const foreign = await schema("q", other);
    expect(await create(custom("z", { schemaIds: ["ls-nope", " ls-x ", foreign] }))).toEqual(
      invalid(
        `Label schema id(s) ['ls-nope', 'ls-x', '${foreign}'] not found for experiment '${experimentId}'.`,
      ),
    );
    expect(await create(custom("z"), "99999")).toEqual([
      "RESOURCE_DOES_NOT_EXIST",
      "No Experiment with id=99999 exists",
    ]);
    expect(await create(custom("z"), "abc")).toEqual(
      invalid("Invalid experiment ID 'abc'. Experiment ID must be a valid integer."),
    );
    await deleteExperiment(meta.db, other, 2);
    expect(await create(custom("z"), other)).toEqual([
      "RESOURCE_DOES_NOT_EXIST",
      `No Experiment with id=${other} exists`,
    ]);
  });

  it("gets or creates a user's queue, owned by that user, and will not hand back a custom queue", async () => {
    const created = await store.getOrCreateUserQueue(experimentId, " Newbie ");
    expect([created.name, created.createdBy, created.users]).toEqual(["newbie", "newbie", ["newbie"]]);
    expect(await store.getOrCreateUserQueue(experimentId, "NEWBIE")).toEqual(created);
    await store.create(experimentId, custom("Renamed"));
    expect(await failure(store.getOrCreateUserQueue(experimentId, "renamed"))).toEqual([
      "RESOURCE_ALREADY_EXISTS",
      "A non-user queue named 'renamed' already exists; cannot get-or-create a user queue with that name.",
    ]);
    expect(await failure(store.getOrCreateUserQueue(experimentId, "  "))).toEqual([
      "INVALID_PARAMETER_VALUE",
      "`name` must be a non-empty string; got ''.",
    ]);
  });

  it("lists newest first with mlflow's page tokens and the user and item filters", async () => {
    const a = await store.create(experimentId, custom("a", { users: ["Bob"] }));
    const b = await store.create(experimentId, custom("b"));
    const c = await store.create(experimentId, custom("c", { users: ["bob", "amy"] }));
    const first = await store.list(experimentId, { maxResults: 2 });
    expect([first.queues.map((q) => q.name), first.nextPageToken]).toEqual([
      ["c", "b"],
      "eyJvZmZzZXQiOiAyfQ==",
    ]);
    const rest = await store.list(experimentId, { maxResults: 2, pageToken: first.nextPageToken });
    expect([rest.queues.map((q) => q.name), rest.nextPageToken]).toEqual([["a"], undefined]);
    expect((await store.list(experimentId, { user: " BOB " })).queues.map((q) => q.queueId)).toEqual([
      c.queueId,
      a.queueId,
    ]);
    expect((await store.list(experimentId, { itemId: "tr-none" })).queues).toEqual([]);
    expect(b.users).toEqual([]);
    expect(await failure(store.list(experimentId, { pageToken: "xyz" }))).toEqual([
      "INVALID_PARAMETER_VALUE",
      "Invalid page token, could not base64-decode",
    ]);
    expect(await failure(store.list("99999", {}))).toEqual([
      "RESOURCE_DOES_NOT_EXIST",
      "No Experiment with id=99999 exists",
    ]);
  });

  it("updates a custom queue field by field and refuses user queues, taken names and locked questions", async () => {
    const s1 = await schema("q1");
    const queue = await store.create(experimentId, custom("q", { users: ["amy"] }));
    await store.create(experimentId, custom("Other"));
    const user = await store.getOrCreateUserQueue(experimentId, "carol");
    expect(await store.update(queue.queueId, {})).toEqual(queue);
    expect(await failure(store.update(user.queueId, {}))).toEqual([
      "INVALID_PARAMETER_VALUE",
      "A user queue's name, assigned user, schemas, and owner are fixed and cannot be updated.",
    ]);
    expect(await failure(store.update("rq-nope", { name: "x" }))).toEqual([
      "RESOURCE_DOES_NOT_EXIST",
      "Review queue with id 'rq-nope' not found.",
    ]);
    expect(await failure(store.update(queue.queueId, { name: "OTHER" }))).toEqual([
      "RESOURCE_ALREADY_EXISTS",
      "Review queue with name 'OTHER' already exists (names are case-insensitive).",
    ]);
    expect(await failure(store.update(queue.queueId, { newOwner: "  " }))).toEqual([
      "INVALID_PARAMETER_VALUE",
      "`new_owner` must be a non-empty string; got ''.",
    ]);
    const updated = await store.update(queue.queueId, {
      name: " Q2 ",
      newOwner: " Owner ",
      users: ["Zed"],
      schemaIds: [s1],
    });
    expect(updated).toEqual({
      ...queue,
      name: "Q2",
      createdBy: "Owner",
      users: ["zed"],
      schemaIds: [s1],
      lastUpdateTimeMs: updated.lastUpdateTimeMs,
    });
    expect(updated.lastUpdateTimeMs).toBeGreaterThan(queue.lastUpdateTimeMs);
    expect((await store.update(queue.queueId, { users: [] })).users).toEqual([]);

    await meta.db
      .insertInto("trace_info")
      .values({ request_id: "tr-1", experiment_id: Number(experimentId), timestamp_ms: 1, status: "OK" })
      .execute();
    await new ReviewQueueItemStore(meta).add(queue.queueId, ["tr-1"]);
    expect(await failure(store.update(queue.queueId, { schemaIds: [] }))).toEqual([
      "INVALID_PARAMETER_VALUE",
      "A review queue's questions are locked once items are assigned to it. Remove the items before changing its questions.",
    ]);
  });

  it("deletes a queue with its children, and keeps a deleted label schema's id as mlflow does", async () => {
    const s1 = await schema("q1");
    const queue = await store.create(experimentId, custom("q", { users: ["amy"], schemaIds: [s1] }));
    await new LabelSchemaStore(meta).delete(s1);
    expect((await store.get(queue.queueId)).schemaIds).toEqual([s1]);
    await store.delete(queue.queueId);
    await store.delete(queue.queueId);
    expect(await failure(store.get(queue.queueId))).toEqual([
      "RESOURCE_DOES_NOT_EXIST",
      `Review queue with id '${queue.queueId}' not found.`,
    ]);
  });

  it("reads a queue by id after its experiment is deleted, but not by name", async () => {
    const queue = await store.create(experimentId, custom("q"));
    await deleteExperiment(meta.db, experimentId, 2);
    expect((await store.get(queue.queueId)).name).toBe("q");
    expect(await failure(store.getByName(experimentId, "q"))).toEqual([
      "RESOURCE_DOES_NOT_EXIST",
      `No Experiment with id=${experimentId} exists`,
    ]);
  });
});
