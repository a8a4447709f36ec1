import { describe, expect, it } from "vitest";
import {
  invalidParameterAnswer as invalid,
  missingParameterAnswer as missing,
  serverWithExperiment,
} from "../../../test/support/experimentSuites.js";
import { jsonCaller, type TestServer } from "../../../test/support/testServer.js";

// Expected answers are what `mlflow server` 3.17.2 (SQLite store) answered to the same requests.
describe("review queue routes", () => {
  let server: TestServer;
  let exp: string;
  const call = jsonCaller(() => server);
  const api = "/api/3.0/mlflow/review-queues";
  const post = (path: string, body: object) => call("POST", `${api}/${path}`, body);
  const get = (path: string, query: Record<string, string>) =>
    call("GET", `${api}/${path}?${new URLSearchParams(query).toString()}`);
  const answer = async (response: Promise<{ status: number; body: Record<string, unknown> }>) => {
    const { status, body } = await response;
    return { status, body };
  };

  serverWithExperiment(async (started, experimentId) => {
    server = started;
    exp = experimentId;
    for (const id of ["tr-1", "tr-2"]) {
      await server.ctx.meta.db
        .insertInto("trace_info")
        .values({ request_id: id, experiment_id: Number(exp), timestamp_ms: 1, status: "OK" })
        .execute();
    }
  });

  it("answers the ReviewQueue message in field order, leaving out unset and empty fields", async () => {
    const created = await post("create", {
      experiment_id: exp,
      name: "Triage",
      queue_type: "CUSTOM",
      users: ["Bob", 5, "amy"],
      created_by: "mallory",
    });
    expect(created.status).toBe(200);
    const queue = created.body.review_queue;
    expect(Object.keys(queue)).toEqual([
      "queue_id",
      "experiment_id",
      "name",
      "queue_type",
      "creation_time_ms",
      "last_update_time_ms",
      "users",
    ]);
    // protobuf stops reading `users` at the number; the client's created_by is not an owner without auth.
    expect(queue).toEqual(expect.objectContaining({ name: "Triage", queue_type: "CUSTOM", users: ["bob"] }));
    const mine = await post("get-or-create-user", { experiment_id: exp, user: " Carol " });
    expect(Object.keys(mine.body.review_queue)).toEqual([
      "queue_id",
      "experiment_id",
      "name",
      "queue_type",
      "created_by",
      "creation_time_ms",
      "last_update_time_ms",
      "users",
    ]);
    expect((await get("get", { queue_id: queue.queue_id })).body).toEqual({ review_queue: queue });
    const ajax = await call(
      "GET",
      `/ajax-api/3.0/mlflow/review-queues/get-by-name?experiment_id=${exp}&name=TRIAGE`,
    );
    expect(ajax.body).toEqual({ review_queue: queue });
  });

  it("checks required fields and enums as mlflow's handlers do", async () => {
    expect(await answer(post("create", { name: "x", queue_type: "CUSTOM" }))).toEqual(
      missing("experiment_id"),
    );
    expect(await answer(post("create", { experiment_id: exp, name: "", queue_type: "CUSTOM" }))).toEqual(
      missing("name"),
    );
    expect(await answer(post("create", { experiment_id: 3, name: "x", queue_type: "CUSTOM" }))).toEqual(
      invalid(
        "Invalid value 3 for parameter 'experiment_id' supplied:  Hint: Value was of type 'int'. See the API docs for more information about request parameters.",
      ),
    );
    for (const queueType of [undefined, 0, "FOO", 9]) {
      expect(await answer(post("create", { experiment_id: exp, name: "x", queue_type: queueType }))).toEqual(
        invalid("`queue_type` must be one of USER or CUSTOM; got proto enum value 0."),
      );
    }
    expect(await answer(post("get-or-create-user", { experiment_id: exp, user: "" }))).toEqual(
      missing("user"),
    );
    expect(await answer(get("get", {}))).toEqual(missing("queue_id"));
    expect(await answer(post("items/set-status", { queue_id: "rq-x", item_id: "tr-1" }))).toEqual(
      invalid("`status` must be one of PENDING, COMPLETE, or DECLINED; got proto enum value 0."),
    );
    expect(await answer(get("list", { experiment_id: exp, max_results: "0" }))).toEqual(
      invalid(
        "max_results must be between 1 and 50000. See the API docs for more information about request parameters.",
      ),
    );
    expect(await answer(get("items/list", { queue_id: "rq-x", max_results: "abc" }))).toEqual(
      invalid(
        `Invalid value "abc" for parameter 'max_results' supplied:  Hint: Value was of type 'str'. See the API docs for more information about request parameters.`,
      ),
    );
    expect(await answer(post("items/add", { queue_id: "rq-nope" }))).toEqual(
      invalid("`item_ids` must be a non-empty list; got []."),
    );
  });

  it("changes users and schemas only with their update flags, and an empty name is refused", async () => {
    const queue = (await post("create", { experiment_id: exp, name: "flags", queue_type: 2, users: ["amy"] }))
      .body.review_queue;
    const ignored = await post("update", { queue_id: queue.queue_id, users: ["zed"] });
    expect(ignored.body.review_queue).toEqual(queue);
    const cleared = await post("update", { queue_id: queue.queue_id, update_users: true });
    expect(cleared.body.review_queue.users).toBeUndefined();
    expect(await answer(post("update", { queue_id: queue.queue_id, name: "" }))).toEqual(
      invalid("`name` must be a non-empty string; got ''."),
    );
  });

  it("adds, lists, sets and removes items, always answering a page token", async () => {
    const queueId = (await post("create", { experiment_id: exp, name: "items", queue_type: "CUSTOM" })).body
      .review_queue.queue_id;
    const added = await post("items/add", { queue_id: queueId, item_ids: ["tr-2", "tr-1"], item_type: 5 });
    expect(added.body.items.map((i: { item_id: string }) => i.item_id)).toEqual(["tr-2", "tr-1"]);
    expect(Object.keys(added.body.items[0])).toEqual([
      "queue_id",
      "item_type",
      "item_id",
      "status",
      "creation_time_ms",
      "last_update_time_ms",
    ]);
    const done = await post("items/set-status", {
      queue_id: queueId,
      item_id: "tr-1",
      status: "COMPLETE",
      completed_by: " Bob ",
    });
    expect(Object.keys(done.body.item)).toEqual([
      "queue_id",
      "item_type",
      "item_id",
      "status",
      "completed_by",
      "completed_time_ms",
      "creation_time_ms",
      "last_update_time_ms",
    ]);
    expect([done.body.item.status, done.body.item.completed_by]).toEqual(["COMPLETE", "bob"]);
    const complete = await get("items/list", { queue_id: queueId, status: "2" });
    expect(complete.body.items.map((i: { item_id: string }) => i.item_id)).toEqual(["tr-1"]);
    const page = await get("items/list", { queue_id: queueId, max_results: "1", status: "bogus" });
    expect([page.body.items.length, page.body.next_page_token]).toEqual([1, "eyJvZmZzZXQiOiAxfQ=="]);
    expect((await post("items/remove", { queue_id: queueId, item_ids: ["tr-1", "tr-2"] })).body).toEqual({});
    expect((await get("items/list", { queue_id: queueId })).body).toEqual({ next_page_token: "" });
    expect((await post("delete", { queue_id: queueId })).body).toEqual({});
    expect((await get("list", { experiment_id: exp, item_id: "tr-1" })).body).toEqual({
      next_page_token: "",
    });
  });
});
