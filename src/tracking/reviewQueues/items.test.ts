import { describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import { eachTestWithExperiment } from "../../../test/support/experimentSuites.js";
import { rejection } from "../../../test/support/thrownError.js";
import type { MetadataDb } from "../../db/connect.js";
import { createExperiment } from "../experimentStore.js";
import { TraceStore } from "../traces/store.js";
import { ReviewQueueItemStore } from "./items.js";
import { ReviewQueueStore } from "./store.js";

// Expected messages are what `mlflow server` 3.17.2 (SQLite store) answered to the same calls.
describe.each(metadataBackends())("review queue items on $name", (backend: TestBackend) => {
  let meta: MetadataDb;
  let items: ReviewQueueItemStore;
  let experimentId: string;
  let queueId: string;

  const trace = (traceId: string, experiment = experimentId) =>
    meta.db
      .insertInto("trace_info")
      .values({ request_id: traceId, experiment_id: Number(experiment), timestamp_ms: 1, status: "OK" })
      .execute();
  const failure = async (promise: Promise<unknown>) => {
    const error = await rejection(promise);
    return [error.code, error.message];
  };

  eachTestWithExperiment(backend, async (world) => {
    ({ meta, experimentId } = world);
    items = new ReviewQueueItemStore(meta, world.now);
    const queues = new ReviewQueueStore(meta, world.now);
    queueId = (
      await queues.create(experimentId, { name: "q", queueType: "custom", users: [], schemaIds: [] })
    ).queueId;
    for (const id of ["tr-a", "tr-b", "tr-c"]) await trace(id);
  });

  it("attaches traces once each, in request order, keeping an attached item's status", async () => {
    const first = await items.add(queueId, ["tr-b", " tr-a ", "tr-b"]);
    expect(first).toEqual([
      {
        queueId,
        itemType: "trace",
        itemId: "tr-b",
        status: "pending",
        completedBy: undefined,
        completedTimeMs: undefined,
        creationTimeMs: 1001,
        lastUpdateTimeMs: 1001,
      },
      expect.objectContaining({ itemId: "tr-a", creationTimeMs: 1001 }),
    ]);
    await items.setStatus(queueId, "tr-b", "complete", " Bob ");
    const again = await items.add(queueId, ["tr-c", "tr-b"]);
    expect(again.map((i) => [i.itemId, i.status, i.creationTimeMs])).toEqual([
      ["tr-c", "pending", 1003],
      ["tr-b", "complete", 1001],
    ]);
    const page = await items.list(queueId, { maxResults: 2 });
    expect([page.items.map((i) => i.itemId), page.nextPageToken]).toEqual([
      ["tr-c", "tr-a"],
      "eyJvZmZzZXQiOiAyfQ==",
    ]);
    const rest = await items.list(queueId, { maxResults: 2, pageToken: page.nextPageToken });
    expect([rest.items.map((i) => i.itemId), rest.nextPageToken]).toEqual([["tr-b"], undefined]);
    expect((await items.list(queueId, { status: "complete" })).items.map((i) => i.itemId)).toEqual(["tr-b"]);
  });

  it("refuses traces of other experiments, bad ids and unknown queues with mlflow's messages", async () => {
    const other = await createExperiment(meta.db, { name: "other" }, "mlflow-artifacts:/", 1);
    await trace("tr-other", other);
    expect(await failure(items.add(queueId, ["tr-other", "tr-missing", "tr-other"]))).toEqual([
      "RESOURCE_DOES_NOT_EXIST",
      `Cannot attach trace(s) ['tr-other', 'tr-missing'] to review queue '${queueId}': they do not exist in experiment '${experimentId}'.`,
    ]);
    expect(await failure(items.add("rq-nope", []))).toEqual([
      "INVALID_PARAMETER_VALUE",
      "`item_ids` must be a non-empty list; got [].",
    ]);
    expect(await failure(items.add(queueId, ["  "]))).toEqual([
      "INVALID_PARAMETER_VALUE",
      "`item_id` must be a non-empty string; got ''.",
    ]);
    expect(await failure(items.add(queueId, ["a".repeat(51)]))).toEqual([
      "INVALID_PARAMETER_VALUE",
      "`item_id` must be at most 50 characters; got 51.",
    ]);
    const onMissingQueue = [
      () => items.add("rq-nope", ["tr-a"]),
      () => items.remove("rq-nope", ["tr-a"]),
      () => items.list("rq-nope", {}),
    ];
    for (const call of onMissingQueue) {
      expect(await failure(call())).toEqual([
        "RESOURCE_DOES_NOT_EXIST",
        "Review queue with id 'rq-nope' not found.",
      ]);
    }
  });

  it("sets the shared status with its completer, leaves a repeat alone and clears it on reopening", async () => {
    await items.add(queueId, ["tr-a"]);
    const done = await items.setStatus(queueId, " tr-a ", "complete", " Bob ");
    expect(done).toEqual(
      expect.objectContaining({
        status: "complete",
        completedBy: "bob",
        completedTimeMs: 1002,
        lastUpdateTimeMs: 1002,
      }),
    );
    expect(await items.setStatus(queueId, "tr-a", "complete", "other")).toEqual(done);
    const declined = await items.setStatus(queueId, "tr-a", "declined", "Amy");
    expect([declined.completedBy, declined.completedTimeMs]).toEqual(["amy", 1003]);
    const reopened = await items.setStatus(queueId, "tr-a", "pending", undefined);
    expect([reopened.status, reopened.completedBy, reopened.completedTimeMs]).toEqual([
      "pending",
      undefined,
      undefined,
    ]);
    const invalid = (message: string) => ["INVALID_PARAMETER_VALUE", message];
    expect(await failure(items.setStatus(queueId, "tr-a", "complete", undefined))).toEqual(
      invalid("`completed_by` is required when setting status to `complete`."),
    );
    expect(await failure(items.setStatus(queueId, "tr-a", "declined", "  "))).toEqual(
      invalid("`completed_by` is required when setting status to `declined`."),
    );
    expect(await failure(items.setStatus(queueId, "tr-a", "pending", ""))).toEqual(
      invalid("`completed_by` must not be set when reopening an item to `pending`."),
    );
    expect(await failure(items.setStatus(queueId, "tr-a", "complete", "a".repeat(251)))).toEqual(
      invalid("`completed_by` must be at most 250 characters; got 251."),
    );
    expect(await failure(items.setStatus(queueId, "tr-x", "pending", undefined))).toEqual([
      "RESOURCE_DOES_NOT_EXIST",
      `Item 'tr-x' is not attached to review queue '${queueId}'.`,
    ]);
  });

  it("drops a deleted trace from every queue, as mlflow's trace deletion does", async () => {
    const queues = new ReviewQueueStore(meta);
    const second = await queues.create(experimentId, {
      name: "q2",
      queueType: "custom",
      users: [],
      schemaIds: [],
    });
    await items.add(queueId, ["tr-a", "tr-b"]);
    await items.add(second.queueId, ["tr-a"]);
    await new TraceStore(meta).delete({ experimentId, traceIds: ["tr-a"] });
    expect((await items.list(queueId, {})).items.map((i) => i.itemId)).toEqual(["tr-b"]);
    expect((await items.list(second.queueId, {})).items).toEqual([]);
    expect((await queues.list(experimentId, { itemId: "tr-a" })).queues).toEqual([]);
    await items.remove(queueId, [" tr-b ", "tr-none"]);
    expect((await items.list(queueId, {})).items).toEqual([]);
  });
});
