import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertExperiment, insertRun } from "../../../test/support/searchFixtures.js";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";

describe("search routes", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    const db = server.ctx.meta.db;
    await insertExperiment(db, { id: 7, name: "searchable", creationTime: 10 }, { owner: "me" });
    await insertRun(db, {
      id: "a1",
      experimentId: 7,
      startTime: 1,
      metrics: { acc: Number.NaN },
      params: { p: "1" },
    });
    await insertRun(db, { id: "a2", experimentId: 7, startTime: 2, metrics: { acc: 0.5 } });
  });

  afterAll(async () => {
    await server.close();
  });

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${server.url}/api/2.0/mlflow/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it("returns full runs for runs/search with NaN spelled as a string", async () => {
    const { status, body } = await post("runs/search", {
      experiment_ids: ["7"],
      order_by: ["start_time ASC"],
    });
    expect(status).toBe(200);
    const runs = body.runs as Array<{
      info: { run_id: string };
      data: { metrics: Array<{ value: unknown }> };
    }>;
    expect(runs.map((r) => r.info.run_id)).toEqual(["a1", "a2"]);
    expect(runs[0]?.data.metrics[0]?.value).toBe("NaN");
    expect(body.next_page_token).toBeUndefined();
  });

  it("omits runs when nothing matches and returns a token for a full page", async () => {
    expect((await post("runs/search", { experiment_ids: ["7"], filter: "params.p = '2'" })).body).toEqual({});
    const page = await post("runs/search", { experiment_ids: ["7"], max_results: 1 });
    expect(typeof page.body.next_page_token).toBe("string");
  });

  it("answers filter errors with INVALID_PARAMETER_VALUE", async () => {
    const { status, body } = await post("runs/search", {
      experiment_ids: ["7"],
      filter: "metrics.acc > 1 OR x",
    });
    expect(status).toBe(400);
    expect(body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(body.message).toMatch(/Invalid clause\(s\) in filter string/);
    const tooMany = await post("runs/search", { experiment_ids: ["7"], max_results: 50_001 });
    expect(tooMany.body.message).toMatch(/It must be at most 50000/);
  });

  it("serves experiments/search over POST and GET with view types by name or number", async () => {
    const viaPost = await post("experiments/search", { filter: "tags.owner = 'me'", max_results: 10 });
    const experiments = viaPost.body.experiments as Array<{ experiment_id: string; tags: unknown[] }>;
    expect(experiments.map((e) => e.experiment_id)).toEqual(["7"]);
    const query = new URLSearchParams({ filter: "name = 'searchable'", view_type: "ALL", max_results: "5" });
    const viaGet = await fetch(`${server.url}/ajax-api/2.0/mlflow/experiments/search?${query}`);
    const body = (await viaGet.json()) as { experiments: Array<{ name: string }> };
    expect(body.experiments.map((e) => e.name)).toEqual(["searchable"]);
    expect((await post("experiments/search", { view_type: 2, max_results: 10 })).body).toEqual({});
  });

  // mlflow 3.17.2's server, asked the same: SearchExperiments.max_results has no proto default.
  it("refuses experiments/search without max_results, as MLflow's store refuses the 0 it gets", async () => {
    const refusal = {
      error_code: "INVALID_PARAMETER_VALUE",
      message: "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer",
    };
    expect(await post("experiments/search", {})).toMatchObject({ status: 400, body: refusal });
    const viaGet = await fetch(`${server.url}/api/2.0/mlflow/experiments/search`);
    expect(viaGet.status).toBe(400);
    expect(await viaGet.json()).toMatchObject(refusal);
  });

  // Token text and offsets as mlflow 3.17.2's server hands them out (`json.dumps` spacing, base64).
  it("pages runs and experiments with mlflow's token text, none after an exactly full last page", async () => {
    const first = await post("runs/search", { experiment_ids: ["7"], max_results: 1 });
    expect(first.body.next_page_token).toBe("eyJvZmZzZXQiOiAxfQ==");
    const last = await post("runs/search", {
      experiment_ids: ["7"],
      max_results: 1,
      page_token: "eyJvZmZzZXQiOiAxfQ==",
    });
    expect((last.body.runs as unknown[]).length).toBe(1);
    expect(last.body.next_page_token).toBeUndefined();
    expect(
      (await post("runs/search", { experiment_ids: ["7"], max_results: 2 })).body.next_page_token,
    ).toBeUndefined();
    await insertExperiment(server.ctx.meta.db, { id: 8, name: "second", creationTime: 5 });
    const experiments = await post("experiments/search", { max_results: 1 });
    expect(experiments.body.next_page_token).toBe("eyJvZmZzZXQiOiAxfQ==");
  });

  it("reads page tokens as mlflow does: a negative offset starts at the first row but pages from itself", async () => {
    const token = (text: string) => Buffer.from(text).toString("base64");
    const negative = await post("runs/search", {
      experiment_ids: ["7"],
      max_results: 1,
      page_token: token('{"offset": -1}'),
    });
    expect((negative.body.runs as Array<{ info: { run_id: string } }>)[0]?.info.run_id).toBe("a2");
    expect(negative.body.next_page_token).toBe(token('{"offset": 0}'));
    const zero = await post("runs/search", {
      experiment_ids: ["7"],
      max_results: 1,
      page_token: token('{"offset": 0}'),
    });
    expect(zero).toMatchObject({
      status: 400,
      body: { message: "Invalid page token, parsed value={'offset': 0}" },
    });
    const lenient = await post("experiments/search", {
      max_results: 1,
      page_token: token('{"offset": 1.5}'),
    });
    expect(lenient.body.next_page_token).toBe(token('{"offset": 2}'));
    const messages = {
      "!!!": "Invalid page token, decoded value=b''",
      abc: "Invalid page token, could not base64-decode",
      [token('{"foo": 1}')]: "Invalid page token, parsed value={'foo': 1}",
      [token('{"offset": "x"}')]: "Invalid page token, not stringable x",
    };
    for (const [pageToken, message] of Object.entries(messages)) {
      const refused = await post("experiments/search", { max_results: 1, page_token: pageToken });
      expect(refused).toMatchObject({
        status: 400,
        body: { error_code: "INVALID_PARAMETER_VALUE", message },
      });
    }
  });
});
