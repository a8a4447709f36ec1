/**
 * Registry search paging as mlflow 3.17.2's server answers it (read off `mlflow server` with curl): its
 * token text, and the proto default of SearchModelVersions.max_results (200000), not the store's 10000.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callMlflowApi, startTestServer, type TestServer } from "../../../test/support/testServer.js";

interface SearchBody {
  registered_models?: unknown[];
  model_versions?: unknown[];
  next_page_token?: string;
  message?: string;
}

let server: TestServer;
const call = (path: string, query: object) => callMlflowApi<SearchBody>(server, "GET", path, query);
const token = (text: string) => Buffer.from(text).toString("base64");
const VERSIONS = 10_001;

beforeAll(async () => {
  server = await startTestServer();
  const { db } = server.ctx.meta;
  await db
    .insertInto("registered_models")
    .values(["paged-a", "paged-b"].map((name) => ({ name, creation_time: 1, last_updated_time: 1 })))
    .execute();
  const rows = Array.from({ length: VERSIONS }, (_, index) => ({
    name: "paged-a",
    version: index + 1,
    creation_time: 1,
    last_updated_time: 1,
    current_stage: "None",
    source: "runs:/0123456789abcdef0123456789abcdef/model",
    status: "READY",
    deleted: 0,
  }));
  for (let start = 0; start < rows.length; start += 500) {
    await db
      .insertInto("model_versions")
      .values(rows.slice(start, start + 500))
      .execute();
  }
});
afterAll(async () => server.close());

describe("registry search paging", () => {
  it("answers every version without max_results, as the proto default of 200000 does", async () => {
    const all = await call("model-versions/search", {});
    expect(all.status).toBe(200);
    expect(all.json.model_versions).toHaveLength(VERSIONS);
    expect(all.json.next_page_token).toBeUndefined();
  });

  it("hands out mlflow's token text and pages on from a negative offset as mlflow does", async () => {
    const models = await call("registered-models/search", { max_results: 1 });
    expect(models.json.next_page_token).toBe("eyJvZmZzZXQiOiAxfQ==");
    const versions = await call("model-versions/search", {
      max_results: 1,
      page_token: token('{"offset": -2}'),
    });
    expect(versions.json.model_versions).toHaveLength(1);
    expect(versions.json.next_page_token).toBe(token('{"offset": -1}'));
    const lenient = await call("registered-models/search", {
      max_results: 1,
      page_token: token('{"offset": "1"}'),
    });
    expect(lenient.json.registered_models).toHaveLength(1);
    expect(lenient.json.next_page_token).toBeUndefined();
    const refused = await call("model-versions/search", {
      max_results: 1,
      page_token: token('{"offset": 0}'),
    });
    expect(refused.status).toBe(400);
    expect(refused.json.message).toBe("Invalid page token, parsed value={'offset': 0}");
  });
});
