/**
 * GET query strings whose percent-escapes are not UTF-8. Fastify's parser leaves such a value undecoded and
 * MLflow re-escapes the bad bytes (`experiment_name=%ED%A0%80` looks up the name "%ED%A0%80"); FlowOps answers
 * a 400 that names the parameter instead, so no undecoded or replaced text is looked up or stored.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendRaw } from "../../../test/support/rawHttp.js";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";

let server: TestServer;
let runId: string;
const MLFLOW = "/api/2.0/mlflow";

async function get(path: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const answer = await sendRaw(new URL(server.url), { method: "GET", path });
  return { status: answer.status, json: JSON.parse(answer.body.toString("utf8")) as Record<string, unknown> };
}

beforeAll(async () => {
  server = await startTestServer();
  const headers = { "content-type": "application/json" };
  const created = await fetch(`${server.url}${MLFLOW}/runs/create`, {
    method: "POST",
    headers,
    body: JSON.stringify({ experiment_id: "0" }),
  });
  runId = ((await created.json()) as { run: { info: { run_id: string } } }).run.info.run_id;
});
afterAll(async () => {
  await server.close();
});

describe("query strings with percent-escapes that are not UTF-8", () => {
  it("answers a lone surrogate with a 400 in MLflow's shape that names the parameter", async () => {
    const answer = await get(`${MLFLOW}/experiments/get-by-name?experiment_name=%ED%A0%80`);
    expect(answer).toEqual({
      status: 400,
      json: {
        error_code: "INVALID_PARAMETER_VALUE",
        sqlstate: "KAM00",
        error_class: "INVALID_PARAMETER_VALUE",
        message:
          'Query parameter "experiment_name" has a value whose percent-escapes are not UTF-8 (a lone ' +
          'surrogate such as %ED%A0%80, or a byte such as %FF): "%ED%A0%80".',
      },
    });
  });

  it("refuses a byte that starts no UTF-8 character, in a value or in a name", async () => {
    const value = await get(`${MLFLOW}/metrics/get-history?run_id=${runId}&metric_key=a%FFb`);
    expect(value.status).toBe(400);
    expect(value.json.message).toContain('Query parameter "metric_key" has a value');
    const name = await get(`${MLFLOW}/runs/get?run_id=${runId}&x%C3=1`);
    expect(name.status).toBe(400);
    expect(name.json.message).toContain('Query parameter "x%C3" has a name');
  });

  it("refuses a filter whose quoted value is not UTF-8 instead of failing on the undecoded text", async () => {
    const answer = await get(`${MLFLOW}/registered-models/search?filter=name%3D%27%ED%B0%80%27`);
    expect(answer.status).toBe(400);
    expect(answer.json.message).toContain('Query parameter "filter"');
  });

  it("refuses it on the artifact listing, which reads its query itself", async () => {
    const answer = await get(`/api/2.0/mlflow-artifacts/artifacts?path=%ED%A0%80`);
    expect(answer.status).toBe(400);
    expect(answer.json.message).toContain('Query parameter "path"');
  });

  it("still reads UTF-8 escapes, and a % that starts no escape as text, as MLflow does", async () => {
    const utf8 = await get(`${MLFLOW}/experiments/get-by-name?experiment_name=%C3%A9%F0%9F%98%80`);
    expect(utf8.status).toBe(404);
    expect(utf8.json.message).toBe("Could not find experiment with name 'é😀'");
    const literal = await get(`${MLFLOW}/experiments/get-by-name?experiment_name=a%ZZb`);
    expect(literal.status).toBe(404);
    expect(literal.json.message).toBe("Could not find experiment with name 'a%ZZb'");
  });
});
