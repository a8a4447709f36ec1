import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  jsonCaller,
  startTestServer,
  type TestServer,
  type WireBody,
} from "../../../test/support/testServer.js";
import { createExperiment } from "../../tracking/experimentStore.js";

// Expected answers are what `mlflow server` 3.17.2 (SQLite store) answered to the same requests.
describe("evaluation dataset routes", () => {
  let server: TestServer;
  let exp: string;
  const wire = jsonCaller(() => server);
  const call = (method: string, path: string, body?: unknown) =>
    wire(method, `/api/3.0/mlflow/datasets${path}`, body);

  beforeAll(async () => {
    server = await startTestServer();
    exp = await createExperiment(server.ctx.meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
  });
  afterAll(async () => {
    await server.close();
  });

  it("creates, merges records, reads them back and deletes with mlflow's answers", async () => {
    const created = await call("POST", "/create", {
      name: "ds1",
      experiment_ids: [exp],
      tags: JSON.stringify({ team: "a", "mlflow.user": "bob" }),
    });
    expect(created.status).toBe(200);
    const id = created.body.dataset.dataset_id as string;
    expect(Object.keys(created.body.dataset)).toEqual([
      "dataset_id",
      "name",
      "tags",
      "digest",
      "created_time",
      "last_update_time",
      "created_by",
      "last_updated_by",
      "experiment_ids",
    ]);
    // Tags are JSON text with Python's spacing, in the order they were sent, as mlflow answers them.
    expect(created.body.dataset).toMatchObject({
      tags: '{"team": "a", "mlflow.user": "bob"}',
      experiment_ids: [exp],
    });
    const fetched = await call("GET", `/${id}`);
    expect(fetched.body.dataset.experiment_ids).toBeUndefined();

    const upsert = await call("POST", `/${id}/records`, {
      records: JSON.stringify([
        { inputs: { q: "a" }, expectations: { ans: "x" } },
        { inputs: { q: "b" }, outputs: "out" },
      ]),
    });
    expect(upsert).toEqual({ status: 200, body: { inserted_count: 2, updated_count: 0 } });
    const merged = await call("POST", `/${id}/records`, {
      records: JSON.stringify([{ inputs: { q: "a" }, expectations: { more: 1 } }]),
    });
    expect(merged.body).toEqual({ inserted_count: 0, updated_count: 1 });

    const page = await call("GET", `/${id}/records?max_results=1`);
    expect(typeof page.body.records).toBe("string");
    expect(JSON.parse(page.body.records as string)).toHaveLength(1);
    const rest = await call(
      "GET",
      `/${id}/records?max_results=1&page_token=${encodeURIComponent(page.body.next_page_token as string)}`,
    );
    expect(rest.body.next_page_token).toBeUndefined();
    const all = [...JSON.parse(page.body.records as string), ...JSON.parse(rest.body.records as string)];
    expect(all.find((r) => r.inputs.q === "a")).toMatchObject({
      expectations: { ans: "x", more: 1 },
      tags: {},
      outputs: {},
    });
    expect(await call("GET", "/d-nope/records")).toEqual({ status: 200, body: { records: "[]" } });

    expect(await call("DELETE", `/${id}`)).toEqual({ status: 200, body: {} });
    expect(await call("DELETE", `/${id}`)).toEqual({ status: 200, body: {} });
    expect(await call("GET", `/${id}`)).toMatchObject({
      status: 404,
      body: {
        error_code: "RESOURCE_DOES_NOT_EXIST",
        sqlstate: "KAM00",
        error_class: "RESOURCE_NOT_FOUND",
        message: `Evaluation dataset with id '${id}' not found`,
      },
    });
  });

  it("refuses missing required fields with mlflow's message", async () => {
    expect(await call("POST", "/create", {})).toMatchObject({
      status: 400,
      body: {
        error_code: "INVALID_PARAMETER_VALUE",
        sqlstate: "KAM00",
        error_class: "INVALID_PARAMETER_VALUE",
        message:
          "Missing value for required parameter 'name'. See the API docs for more information about request parameters.",
      },
    });
    const { body } = await call("POST", "/create", { name: "x" });
    expect((await call("POST", `/${body.dataset.dataset_id}/records`, {})).body.message).toBe(
      "Missing value for required parameter 'records'. See the API docs for more information about request parameters.",
    );
  });

  it("sets and deletes tags, links experiments and searches by GET and POST", async () => {
    const { body } = await call("POST", "/create", { name: "tagged" });
    const id = body.dataset.dataset_id as string;
    expect(
      await call("PATCH", `/${id}/tags`, { tags: JSON.stringify({ team: "b", k2: "v", n: 5 }) }),
    ).toEqual({ status: 200, body: {} });
    expect(await call("DELETE", `/${id}/tags/k2`)).toEqual({ status: 200, body: {} });
    expect((await call("GET", `/${id}`)).body.dataset.tags).toBe('{"team": "b", "n": "5"}');
    expect((await call("PATCH", "/d-nope/tags", { tags: "{}" })).body.message).toBe(
      "Could not find evaluation dataset with ID d-nope",
    );

    expect(await call("GET", `/${id}/experiment-ids`)).toEqual({ status: 200, body: {} });
    const added = await call("POST", `/${id}/add-experiments`, { experiment_ids: [exp] });
    expect(added.body.dataset.dataset_id).toBe(id);
    expect((await call("GET", `/${id}/experiment-ids`)).body).toEqual({ experiment_ids: [exp] });
    expect((await call("POST", `/${id}/add-experiments`, { experiment_ids: ["999"] })).body.message).toBe(
      "No Experiment with id=999",
    );
    await call("POST", `/${id}/remove-experiments`, { experiment_ids: [exp] });
    expect((await call("GET", `/${id}/experiment-ids`)).body).toEqual({});

    const byGet = await call("GET", `/search?filter_string=${encodeURIComponent("tags.team = 'b'")}`);
    expect(byGet.body.datasets.map((d: WireBody) => d.dataset_id)).toEqual([id]);
    const byPost = await call("POST", "/search", { filter_string: "name = 'no such'" });
    expect(byPost).toEqual({ status: 200, body: {} });
    expect((await call("POST", "/search", { filter_string: "tags.team > 'b'" })).status).toBe(400);
  });

  it("pages searches with mlflow 3.17.2's tokens and reads odd ones as it does", async () => {
    for (const name of ["pg-a", "pg-b"]) await call("POST", "/create", { name });
    const token = (text: string) => Buffer.from(text).toString("base64");
    const search = (page_token?: string) =>
      call("POST", "/search", { filter_string: "name LIKE 'pg-%'", max_results: 1, page_token });
    const first = await search();
    expect(first.body.next_page_token).toBe(token('{"offset": 1}'));
    // The last page, exactly full, hands out no token (mlflow fetches one row more than a page).
    expect((await search(first.body.next_page_token as string)).body.next_page_token).toBeUndefined();
    const fromStart = await search(token('{"offset": -1}'));
    expect(fromStart.body.next_page_token).toBe(token('{"offset": 0}'));
    expect((await search(token('{"offset": 1.5}'))).body.next_page_token).toBeUndefined();
    expect((await search("abc")).body.message).toBe("Invalid page token, could not base64-decode");
    expect((await search(token('{"foo": 1}'))).body.message).toBe(
      "Invalid page token, parsed value={'foo': 1}",
    );
  });
  it("answers records and schema with floats written 1.0 kept, and filter errors as mlflow does", async () => {
    const { body } = await call("POST", "/create", { name: "floats" });
    const id = body.dataset.dataset_id as string;
    const records = '[{"inputs": {"q": 1.0, "n": 2}, "expectations": {"score": 1.0}, "outputs": 3.0}]';
    expect((await call("POST", `/${id}/records`, { records })).body).toEqual({
      inserted_count: 1,
      updated_count: 0,
    });
    const text = (await call("GET", `/${id}/records`)).body.records as string;
    expect(text).toContain('"inputs": {"q": 1.0, "n": 2}, "expectations": {"score": 1.0}');
    expect(text).toMatch(/"outputs": 3\.0}]$/);
    expect((await call("GET", `/${id}`)).body.dataset.schema).toBe(
      '{"inputs": {"q": "float", "n": "integer"}, "outputs": "float", "expectations": {"score": "float"}, "version": "1.0"}',
    );
    expect(await call("POST", "/search", { filter_string: "created_time > 1.5" })).toEqual({
      status: 400,
      body: {
        error_code: "INVALID_PARAMETER_VALUE",
        sqlstate: "KAM00",
        error_class: "INVALID_PARAMETER_VALUE",
        message: "Invalid value for numeric attribute 'created_time': '1.5'",
      },
    });
    expect((await call("POST", "/search", { order_by: ["tags.k"] })).body.message).toBe(
      "Invalid order_by entity: tag",
    );
  });
});
