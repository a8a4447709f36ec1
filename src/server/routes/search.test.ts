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
    expect((await post("experiments/search", { view_type: 2 })).body).toEqual({});
  });
});
