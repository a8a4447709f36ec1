import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatedBytes, sha256Of } from "../../../test/support/artifactStoreContract.js";
import {
  createBucket,
  findMotoServer,
  startMotoServer,
  type MotoServer,
} from "../../../test/support/moto.js";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";

/** Sends a request with the path exactly as given: fetch would normalise `..` and `%2e%2e` away. */
function rawRequest(
  base: string,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/`, { method, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function insertRun(server: TestServer, runId: string, artifactUri: string): Promise<void> {
  const db = server.ctx.meta.db;
  const name = `exp-${runId}`;
  await db
    .insertInto("experiments")
    .values({
      name,
      artifact_location: "mlflow-artifacts:/x",
      lifecycle_stage: "active",
      creation_time: 1,
      last_update_time: 1,
    })
    .execute();
  const { experiment_id } = await db
    .selectFrom("experiments")
    .select("experiment_id")
    .where("name", "=", name)
    .executeTakeFirstOrThrow();
  await db
    .insertInto("runs")
    .values({
      run_uuid: runId,
      name: "run",
      experiment_id,
      user_id: "u",
      status: "RUNNING",
      start_time: 1,
      end_time: null,
      lifecycle_stage: "active",
      artifact_uri: artifactUri,
      deleted_time: null,
    })
    .execute();
}

describe("artifact proxy routes", () => {
  let server: TestServer;
  let api: string;
  const put = (path: string, body: string, type = "application/octet-stream") =>
    fetch(`${api}/artifacts/${path}`, { method: "PUT", body, headers: { "content-type": type } });

  beforeAll(async () => {
    server = await startTestServer();
    api = `${server.url}/api/2.0/mlflow-artifacts`;
  });
  afterAll(async () => {
    await server.close();
  });

  it("stores an upload at <destination>/<path> and answers {}", async () => {
    const response = await put("1/run1/artifacts/model/MLmodel", "flavors: {}", "text/plain");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    expect(readFileSync(join(server.artifactsDir, "1/run1/artifacts/model/MLmodel"), "utf8")).toBe(
      "flavors: {}",
    );
  });

  it("takes JSON uploads as raw bytes rather than parsing them", async () => {
    const response = await put("1/run1/artifacts/conf.json", '"not an object"', "application/json");
    expect(response.status).toBe(200);
    expect(readFileSync(join(server.artifactsDir, "1/run1/artifacts/conf.json"), "utf8")).toBe(
      '"not an object"',
    );
  });

  it("streams an upload larger than the JSON body limit", async () => {
    const size = server.ctx.config.bodyLimit + 3 * 1024 * 1024;
    const expected = await sha256Of(generatedBytes(size, 3));
    const response = await fetch(`${api}/artifacts/big/weights.bin`, {
      method: "PUT",
      body: generatedBytes(size, 3),
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(200);
    const download = await fetch(`${api}/artifacts/big/weights.bin`);
    const { Readable } = await import("node:stream");
    expect(await sha256Of(Readable.fromWeb(download.body as never))).toEqual(expected);
  });

  it("downloads a file as an attachment with a guessed type and nosniff", async () => {
    await put("dl/page.html", "<script>alert(1)</script>", "text/plain");
    const html = await fetch(`${api}/artifacts/dl/page.html`);
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html.headers.get("content-disposition")).toBe("attachment; filename=page.html");
    expect(html.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await html.text()).toBe("<script>alert(1)</script>");

    await put("dl/MLmodel", "x");
    const mlmodel = await fetch(`${server.url}/ajax-api/2.0/mlflow-artifacts/artifacts/dl/MLmodel`);
    expect(mlmodel.headers.get("content-type")).toMatch(/^text\/plain/);
    await put("dl/model.pkl", "x");
    expect((await fetch(`${api}/artifacts/dl/model.pkl`)).headers.get("content-type")).toBe(
      "application/octet-stream",
    );
  });

  it("sanitises a file name that could split or smuggle a header", async () => {
    await put("dl/we%22ird%20na%C3%AFve.txt", "x");
    const response = await fetch(`${api}/artifacts/dl/we%22ird%20na%C3%AFve.txt`);
    expect(response.headers.get("content-disposition")).toBe(
      // MLflow 3.17's: the quote escaped, the accent dropped by NFKD, the exact name in filename*.
      `attachment; filename="we\\"ird naive.txt"; filename*=UTF-8''we%22ird%20na%C3%AFve.txt`,
    );
  });

  it("answers a missing file with 404 RESOURCE_DOES_NOT_EXIST", async () => {
    const response = await fetch(`${api}/artifacts/nope/missing.txt`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error_code: "RESOURCE_DOES_NOT_EXIST" });
  });

  it("lists a directory by basenames, with no size for directories", async () => {
    await put("ls/a.txt", "a");
    await put("ls/sub/b.txt", "bb");
    const response = await fetch(`${api}/artifacts?path=ls`);
    expect(await response.json()).toEqual({
      files: [
        { path: "a.txt", is_dir: false, file_size: 1 },
        { path: "sub", is_dir: true },
      ],
    });
    const nested = await fetch(`${server.url}/ajax-api/2.0/mlflow-artifacts/artifacts?path=ls/sub`);
    expect(await nested.json()).toEqual({ files: [{ path: "b.txt", is_dir: false, file_size: 2 }] });
  });

  it("lists a file or a missing path as {}", async () => {
    await put("ls2/a.txt", "a");
    expect(await (await fetch(`${api}/artifacts?path=ls2/a.txt`)).json()).toEqual({});
    expect(await (await fetch(`${api}/artifacts?path=nothing/here`)).json()).toEqual({});
  });

  it("deletes a directory and everything below it", async () => {
    await put("del/x/a.txt", "a");
    await put("del/keep.txt", "k");
    const response = await fetch(`${api}/artifacts/del/x`, { method: "DELETE" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    expect(existsSync(join(server.artifactsDir, "del/x"))).toBe(false);
    expect(existsSync(join(server.artifactsDir, "del/keep.txt"))).toBe(true);
  });

  it("refuses a delete without a path instead of emptying the destination", async () => {
    await put("stay.txt", "s");
    const response = await fetch(`${api}/artifacts/`, { method: "DELETE" });
    expect(response.status).toBe(400);
    expect(existsSync(join(server.artifactsDir, "stay.txt"))).toBe(true);
  });

  describe("traversal", () => {
    const variants = [
      "../outside.txt",
      "a/../../outside.txt",
      "..%2foutside.txt",
      "..%2Foutside.txt",
      "%2e%2e/outside.txt",
      "%252e%252e%252foutside.txt",
      "..%5coutside.txt",
      "a%5c..%5c..%5coutside.txt",
      "a%00b",
      "%2fetc%2fpasswd",
      "C:%2fwindows",
      "a%23/../../x",
      "a%3b/x",
    ];

    it.each(variants)("refuses the artifact path %s on every method", async (variant) => {
      for (const method of ["GET", "PUT", "DELETE"]) {
        const response = await rawRequest(
          server.url,
          method,
          `/api/2.0/mlflow-artifacts/artifacts/${variant}`,
          method === "PUT" ? "x" : undefined,
        );
        expect(response.status, `${method} ${variant}`).toBe(400);
        expect(JSON.parse(response.text)).toMatchObject({ error_code: "INVALID_PARAMETER_VALUE" });
      }
      const list = await rawRequest(server.url, "GET", `/api/2.0/mlflow-artifacts/artifacts?path=${variant}`);
      expect(list.status).toBe(400);
      expect(existsSync(join(server.artifactsDir, "..", "outside.txt"))).toBe(false);
    });

    it("refuses traversal in multipart paths too", async () => {
      const response = await rawRequest(
        server.url,
        "POST",
        "/api/2.0/mlflow-artifacts/mpu/create/..%252fx",
        "{}",
      );
      expect(response.status).toBe(400);
    });
  });

  // Bodies as the client sends them: MLflow checks the request fields before the store, so a bad one is a 400.
  it.each([
    ["create", { path: "/tmp/big.bin", num_parts: 2 }],
    ["complete", { path: "/tmp/big.bin", upload_id: "u", parts: [{ part_number: 1, etag: '"e"', url: "" }] }],
    ["abort", { path: "/tmp/big.bin", upload_id: "u" }],
  ])("answers mpu/%s with 501 and the message the client falls back on", async (action, request) => {
    const response = await fetch(`${api}/mpu/${action}/1/run/artifacts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    expect(response.status).toBe(501);
    const body = (await response.json()) as { error_code: string; message: string };
    expect(body.error_code).toBe("NOT_IMPLEMENTED");
    expect(
      body.message.startsWith("Multipart upload is not supported for the current artifact repository"),
    ).toBe(true);
  });
});

describe("artifact proxy routes with --no-serve-artifacts", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { serveArtifacts: false } });
  });
  afterAll(async () => {
    await server.close();
  });

  it.each([
    ["GET", "/api/2.0/mlflow-artifacts/artifacts?path=x"],
    ["GET", "/api/2.0/mlflow-artifacts/artifacts/a.txt"],
    ["PUT", "/ajax-api/2.0/mlflow-artifacts/artifacts/a.txt"],
    ["DELETE", "/api/2.0/mlflow-artifacts/artifacts/a.txt"],
    ["POST", "/api/2.0/mlflow-artifacts/mpu/create/a.txt"],
  ])("answers %s %s with 503 plain text", async (method, path) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      ...(method === "PUT" ? { body: "x" } : {}),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toContain("--no-serve-artifacts");
    expect(existsSync(join(server.artifactsDir, "a.txt"))).toBe(false);
  });
});

describe("tracking-side artifact routes", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await insertRun(server, "proxied1", "mlflow-artifacts:/7/proxied1/artifacts");
    const local = join(server.artifactsDir, "..", `${server.artifactsDir.split("/").pop()}-plain`);
    mkdirSync(join(local, "model"), { recursive: true });
    writeFileSync(join(local, "model", "MLmodel"), "m");
    await insertRun(server, "local1", local);
    const api = `${server.url}/api/2.0/mlflow-artifacts/artifacts/7/proxied1/artifacts`;
    await fetch(`${api}/model/MLmodel`, { method: "PUT", body: "flavors: {}" });
    await fetch(`${api}/model/data/weights.bin`, { method: "PUT", body: "0123" });
    await fetch(`${api}/metrics.csv`, { method: "PUT", body: "a,b" });
  });
  afterAll(async () => {
    await server.close();
  });

  it("lists a run's artifacts with paths relative to the run root", async () => {
    const root = await fetch(`${server.url}/api/2.0/mlflow/artifacts/list?run_id=proxied1`);
    expect(await root.json()).toEqual({
      root_uri: "mlflow-artifacts:/7/proxied1/artifacts",
      files: [
        { path: "metrics.csv", is_dir: false, file_size: 3 },
        { path: "model", is_dir: true },
      ],
    });
    const model = await fetch(`${server.url}/ajax-api/2.0/mlflow/artifacts/list?run_id=proxied1&path=model`);
    expect(await model.json()).toEqual({
      root_uri: "mlflow-artifacts:/7/proxied1/artifacts",
      files: [
        { path: "model/MLmodel", is_dir: false, file_size: 11 },
        { path: "model/data", is_dir: true },
      ],
    });
  });

  it("lists a run whose artifact root is a plain local directory", async () => {
    const response = await fetch(`${server.url}/api/2.0/mlflow/artifacts/list?run_uuid=local1&path=model`);
    const body = (await response.json()) as { files: unknown[] };
    expect(body.files).toEqual([{ path: "model/MLmodel", is_dir: false, file_size: 1 }]);
  });

  it("answers an unknown run with 404 and a missing run_id with 400", async () => {
    const missing = await fetch(`${server.url}/api/2.0/mlflow/artifacts/list?run_id=nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error_code: "RESOURCE_DOES_NOT_EXIST" });
    const noId = await fetch(`${server.url}/api/2.0/mlflow/artifacts/list`);
    expect(noId.status).toBe(400);
  });

  it("refuses a list path that leaves the run root", async () => {
    for (const path of ["..", "../../7", "%252e%252e", "model/../../x"]) {
      const response = await fetch(
        `${server.url}/api/2.0/mlflow/artifacts/list?run_id=proxied1&path=${path}`,
      );
      expect(response.status, path).toBe(400);
    }
  });

  it("downloads one file of a run through /get-artifact", async () => {
    const response = await fetch(`${server.url}/get-artifact?run_id=proxied1&path=model/MLmodel`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("flavors: {}");
    expect(response.headers.get("content-disposition")).toBe("attachment; filename=MLmodel");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("refuses /get-artifact paths that leave the run root", async () => {
    for (const path of ["../../../etc/passwd", "..%252f..%252fx", "/etc/passwd"]) {
      const response = await fetch(`${server.url}/get-artifact?run_id=proxied1&path=${path}`);
      expect(response.status, path).toBe(400);
    }
  });
});

const motoBinary = findMotoServer();
if (motoBinary !== undefined) {
  describe("artifact proxy routes on an S3 destination", () => {
    let moto: MotoServer;
    let server: TestServer;
    const saved = { ...process.env };

    beforeAll(async () => {
      moto = await startMotoServer(motoBinary);
      await createBucket(moto, "proxied");
      // The server reads S3 settings from its environment, as MLflow's boto3 client does.
      Object.assign(process.env, moto.env);
      server = await startTestServer({ config: { artifactsDestination: "s3://proxied/mlartifacts" } });
    });
    afterAll(async () => {
      await server?.close();
      await moto?.stop();
      process.env = saved;
    });

    it("streams uploads into the bucket and serves, lists and deletes them", async () => {
      const api = `${server.url}/api/2.0/mlflow-artifacts/artifacts`;
      const size = 9 * 1024 * 1024;
      const expected = await sha256Of(generatedBytes(size, 5));
      const upload = await fetch(`${api}/2/r/artifacts/model/model.bin`, {
        method: "PUT",
        body: generatedBytes(size, 5),
        duplex: "half",
      } as RequestInit);
      expect(upload.status).toBe(200);
      await fetch(`${api}/2/r/artifacts/model/MLmodel`, { method: "PUT", body: "flavors: {}" });

      const download = await fetch(`${api}/2/r/artifacts/model/model.bin`);
      expect(download.headers.get("content-disposition")).toBe("attachment; filename=model.bin");
      const { Readable } = await import("node:stream");
      expect(await sha256Of(Readable.fromWeb(download.body as never))).toEqual(expected);

      expect(await (await fetch(`${api}?path=2/r/artifacts/model`)).json()).toEqual({
        files: [
          { path: "MLmodel", is_dir: false, file_size: 11 },
          { path: "model.bin", is_dir: false, file_size: size },
        ],
      });
      expect((await fetch(`${api}/2/r/artifacts/model`, { method: "DELETE" })).status).toBe(200);
      expect(await (await fetch(`${api}?path=2/r/artifacts`)).json()).toEqual({});
      expect((await fetch(`${api}/2/r/artifacts/model/MLmodel`)).status).toBe(404);
    });
  });
}
