import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findMotoServer } from "../../../test/support/moto.js";
import { s3ArtifactServers } from "../../../test/support/s3ArtifactServers.js";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";

const PRESIGNED_GET = "/api/2.0/mlflow-artifacts/presigned";
const UPLOAD_URL = "/api/2.0/mlflow/artifacts/presigned-upload-url";
const DOWNLOAD_URL = "/api/2.0/mlflow/artifacts/presigned-download-url";

type Answer = { status: number; json: Record<string, unknown> };

async function call(server: TestServer, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function runIn(server: TestServer, artifactLocation?: string): Promise<{ id: string; uri: string }> {
  const name = `e-${Math.random().toString(36).slice(2)}`;
  const experiment = await call(server, "POST", "/api/2.0/mlflow/experiments/create", {
    name,
    ...(artifactLocation === undefined ? {} : { artifact_location: artifactLocation }),
  });
  const run = await call(server, "POST", "/api/2.0/mlflow/runs/create", {
    experiment_id: experiment.json.experiment_id,
  });
  const info = (run.json.run as { info: { run_id: string; artifact_uri: string } }).info;
  return { id: info.run_id, uri: info.artifact_uri };
}

/** mlflow 3.17.2 with a local artifact destination (and mlflow-artifacts:/ runs) answered each of these. */
describe("presigned artifact URLs on local storage", () => {
  let server: TestServer;
  let proxiedRun: string;
  let localRun: string;
  beforeAll(async () => {
    server = await startTestServer();
    proxiedRun = (await runIn(server)).id;
    localRun = (await runIn(server, `file://${server.artifactsDir}/direct`)).id;
  });
  afterAll(async () => server?.close());

  it("refuses the proxy's presigned GET with MLflow's 501", async () => {
    expect(await call(server, "GET", `${PRESIGNED_GET}/d/a.txt`)).toEqual({
      status: 501,
      json: {
        error_code: "NOT_IMPLEMENTED",
        message: "Multipart download is not supported for the current artifact repository",
      },
    });
  });

  it("refuses runs whose storage is proxied, naming the scheme", async () => {
    const up = await call(server, "POST", UPLOAD_URL, { run_id: proxiedRun, path: "a.txt" });
    expect(up.status).toBe(400);
    expect(up.json.message).toBe(
      "Presigned upload is not supported for proxied artifact storage (artifact URI scheme: mlflow-artifacts). " +
        "This endpoint requires a direct cloud storage artifact URI.",
    );
    const down = await call(server, "POST", DOWNLOAD_URL, { run_id: proxiedRun, path: "a.txt" });
    expect(down.status).toBe(400);
    expect(down.json.message).toBe(
      "Presigned download is not supported for runs with proxied artifact storage (artifact URI scheme: " +
        "mlflow-artifacts). This endpoint requires a run with a direct cloud storage artifact URI.",
    );
  });

  it("refuses a run on a local directory with 501", async () => {
    expect(await call(server, "POST", UPLOAD_URL, { run_id: localRun, path: "a.txt" })).toEqual({
      status: 501,
      json: {
        error_code: "NOT_IMPLEMENTED",
        message: "Presigned upload is not supported for the current artifact repository",
      },
    });
    expect(await call(server, "POST", DOWNLOAD_URL, { run_id: localRun, path: "a.txt" })).toEqual({
      status: 501,
      json: {
        error_code: "NOT_IMPLEMENTED",
        message: "Presigned download is not supported for the current artifact repository",
      },
    });
  });

  it.each([
    [UPLOAD_URL, {}, 400, "Missing value for required parameter 'path'"],
    [UPLOAD_URL, { path: "a.txt" }, 400, "Exactly one of run_id and model_id must be provided."],
    [UPLOAD_URL, { run_id: "r", model_id: "m", path: "a" }, 400, "Exactly one of run_id and model_id"],
    [UPLOAD_URL, { run_id: "r", path: "a", expiration: "x" }, 400, `Invalid value "x" for parameter 'expiration'`],
    [UPLOAD_URL, { run_id: "nope", path: "a" }, 404, "Run with id=nope not found"],
    [UPLOAD_URL, { model_id: "nope", path: "a" }, 404, "Logged model with ID 'nope' not found."],
    [DOWNLOAD_URL, {}, 400, "Missing value for required parameter 'run_id'"],
    [DOWNLOAD_URL, { run_id: "r" }, 400, "Missing value for required parameter 'path'"],
    [DOWNLOAD_URL, { run_id: "r", path: "a", expiration: 0 }, 400, "expiration must be between 1 and 604800 seconds (got 0)."],
    [DOWNLOAD_URL, { run_id: "r", path: "a", expiration: 604801 }, 400, "(got 604801)."],
    [DOWNLOAD_URL, { run_id: "nope", path: "a" }, 404, "Run with id=nope not found"],
    [DOWNLOAD_URL, { run_id: "r", path: "../a" }, 400, "'..'"],
  ])("checks %s %j in MLflow's order", async (path, body, status, message) => {
    const answer = await call(server, "POST", path, body);
    expect(answer.status).toBe(status);
    expect(answer.json.message).toContain(message);
  }); // prettier-ignore
});

const motoBinary = findMotoServer();
if (motoBinary !== undefined) {
  describe("presigned artifact URLs on S3", () => {
    const s3 = s3ArtifactServers(motoBinary, "pre");

    const serverInfo = async (target: TestServer) =>
      (await (await fetch(`${target.url}/api/3.0/mlflow/server-info`)).json()) as Record<string, unknown>;

    it("advertises multipart downloads only while the server proxies artifacts", async () => {
      expect((await serverInfo(s3.server)).multipart_downloads_enabled).toBe(true);
      expect((await serverInfo(s3.noServe)).multipart_downloads_enabled).toBe(false);
      expect((await fetch(`${s3.noServe.url}${PRESIGNED_GET}/d/a.txt`)).status).toBe(503);
    });

    it("signs a GET of a proxied file, with its size, that reads it as an attachment", async () => {
      const body = Buffer.alloc(3 * 1024 * 1024 + 5, 9);
      await fetch(`${s3.server.url}/api/2.0/mlflow-artifacts/artifacts/d/sé t.bin`, { method: "PUT", body });
      const answer = await call(s3.server, "GET", `${PRESIGNED_GET}/d/s%C3%A9%20t.bin`);
      expect(answer.status).toBe(200);
      expect(Object.keys(answer.json)).toEqual(["url", "headers", "file_size"]);
      expect(answer.json).toMatchObject({ headers: {}, file_size: body.length });
      const url = new URL(answer.json.url as string);
      expect(url.pathname).toBe("/pre/mlartifacts/d/s%C3%A9%20t.bin");
      expect(url.searchParams.get("X-Amz-Expires")).toBe("300");
      const ranged = await fetch(url, { headers: { range: "bytes=1048576-1048580" } });
      expect(ranged.status).toBe(206);
      expect(Buffer.from(await ranged.arrayBuffer()).equals(body.subarray(1048576, 1048581))).toBe(true);
      expect(ranged.headers.get("content-disposition")).toBe("attachment; filename*=UTF-8''s%C3%A9%20t.bin");
    });

    it("answers 404 for a file that is not there", async () => {
      const answer = await call(s3.server, "GET", `${PRESIGNED_GET}/d/missing.bin`);
      expect(answer.status).toBe(404);
      expect(answer.json.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    });

    it("signs a PUT and a GET for a run whose artifact URI names the bucket", async () => {
      const run = await runIn(s3.server, "s3://pre/direct");
      expect(run.uri).toMatch(/^s3:\/\/pre\/direct\//);
      const up = await call(s3.server, "POST", UPLOAD_URL, { run_id: run.id, path: "sub/model.json", expiration: "60" });
      expect(up.status).toBe(200);
      expect(up.json.headers).toEqual({ "Content-Type": "application/json" });
      const putUrl = new URL(up.json.presigned_url as string);
      expect(putUrl.searchParams.get("X-Amz-Expires")).toBe("60");
      expect(putUrl.searchParams.get("X-Amz-SignedHeaders")).toBe("content-type;host");
      const put = await fetch(putUrl, {
        method: "PUT",
        headers: up.json.headers as Record<string, string>,
        body: '{"a":1}',
      });
      expect(put.status).toBe(200);

      const down = await call(s3.server, "POST", DOWNLOAD_URL, { run_id: run.id, path: "sub/model.json" });
      expect(down.status).toBe(200);
      // Proto JSON leaves out the empty headers map; file_size is a number, as MLflow sends it.
      expect(Object.keys(down.json)).toEqual(["presigned_url", "file_size"]);
      expect(down.json.file_size).toBe(7);
      const got = await fetch(down.json.presigned_url as string);
      expect(await got.text()).toBe('{"a":1}');
      expect(got.headers.get("content-disposition")).toBe('attachment; filename="model.json"');
      expect(got.headers.get("content-type")).toBe("application/json");

      const missing = await call(s3.server, "POST", DOWNLOAD_URL, { run_id: run.id, path: "sub/none.json" });
      expect(missing.status).toBe(404);
    }); // prettier-ignore
  });
}
