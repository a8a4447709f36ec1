import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findMotoServer } from "../../../test/support/moto.js";
import { s3ArtifactServers } from "../../../test/support/s3ArtifactServers.js";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";

const MPU = "/api/2.0/mlflow-artifacts/mpu";
const UNSUPPORTED = "Multipart upload is not supported for the current artifact repository";

async function post(
  server: TestServer,
  path: string,
  body: unknown,
  contentType = "application/json",
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function multipartAdvertised(server: TestServer): Promise<unknown> {
  const info = (await (await fetch(`${server.url}/api/3.0/mlflow/server-info`)).json()) as Record<
    string,
    unknown
  >;
  return info.multipart_uploads_enabled;
}

/** mlflow 3.17.2 `mlflow server --artifacts-destination <local dir>` answered each of these (recorded). */
describe("multipart upload routes on a local artifact destination", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it("is not advertised in server-info", async () => {
    expect(await multipartAdvertised(server)).toBe(false);
  });

  it.each([
    ["create", { path: "/tmp/x/big.bin", num_parts: 3 }],
    ["complete", { path: "b.bin", upload_id: "u", parts: [{ part_number: 1, etag: "e" }] }],
    ["abort", { path: "b.bin", upload_id: "u" }],
  ])("refuses mpu/%s with MLflow's 501, on which the client falls back to one PUT", async (action, body) => {
    const answer = await post(server, `${MPU}/${action}/x/y`, body);
    expect(answer).toEqual({ status: 501, json: { error_code: "NOT_IMPLEMENTED", message: UNSUPPORTED } });
  });

  it("checks the request fields first, as MLflow does", async () => {
    const answer = await post(server, `${MPU}/create/x/y`, {});
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
      message:
        "Missing value for required parameter 'path'. See the API docs for more information about request parameters.",
    });
  });
});

const motoBinary = findMotoServer();
if (motoBinary !== undefined) {
  describe("multipart upload routes on an S3 artifact destination", () => {
    const s3 = s3ArtifactServers(motoBinary, "mpu");

    it("is advertised in server-info only while the server proxies artifacts", async () => {
      expect(await multipartAdvertised(s3.server)).toBe(true);
      expect(await multipartAdvertised(s3.noServe)).toBe(false);
    });

    it("creates, takes presigned parts and completes as mlflow's S3 repository does", async () => {
      const dir = "1/run/artifacts/sub/dir";
      // The client sends its local file path; only the name is used, under the URL's directory.
      const created = await post(s3.server, `${MPU}/create/${dir}`, {
        path: "/home/me/big.bin",
        num_parts: 2,
      });
      expect(created.status).toBe(200);
      const credentials = created.json.credentials as { url: string; part_number: number }[];
      expect(Object.keys(created.json)).toEqual(["upload_id", "credentials"]);
      // MLflow leaves the empty headers map out of each credential.
      expect(credentials.map((c) => Object.keys(c))).toEqual([
        ["url", "part_number"],
        ["url", "part_number"],
      ]);
      expect(new URL(credentials[0]?.url ?? "").pathname).toBe(`/mpu/mlartifacts/${dir}/big.bin`);

      const parts = [Buffer.alloc(5 * 1024 * 1024, 7), Buffer.from("the end")];
      const sent = [];
      for (const credential of credentials) {
        const put = await fetch(credential.url, {
          method: "PUT",
          body: parts[credential.part_number - 1] ?? Buffer.alloc(0),
        });
        expect(put.status).toBe(200);
        sent.push({
          part_number: credential.part_number,
          etag: put.headers.get("etag"),
          url: credential.url,
        });
      }
      const completed = await post(s3.server, `${MPU}/complete/${dir}`, {
        path: "/home/me/big.bin",
        upload_id: created.json.upload_id,
        parts: sent,
      });
      expect(completed).toEqual({ status: 200, json: {} });

      const download = await fetch(`${s3.server.url}/api/2.0/mlflow-artifacts/artifacts/${dir}/big.bin`);
      expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.concat(parts))).toBe(true);
    });

    it("aborts an upload, and answers a second abort with 404", async () => {
      const created = await post(s3.server, `${MPU}/create/x`, {
        path: "C:\\Users\\me\\a.bin",
        num_parts: 1,
      });
      const credentials = created.json.credentials as { url: string }[];
      // A Windows client's path is cut at backslashes too, as the client's own single PUT would name it.
      expect(new URL(credentials[0]?.url ?? "").pathname).toBe("/mpu/mlartifacts/x/a.bin");
      const body = { path: "a.bin", upload_id: created.json.upload_id };
      expect(await post(s3.server, `${MPU}/abort/x`, body)).toEqual({ status: 200, json: {} });
      const again = await post(s3.server, `${MPU}/abort/x`, body);
      expect(again.status).toBe(404);
      expect(again.json.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    });

    it("answers only an upload_id for zero parts, as MLflow leaves out an empty credentials list", async () => {
      const created = await post(s3.server, `${MPU}/create/x`, { path: "z.bin", num_parts: "0" });
      expect(created.status).toBe(200);
      expect(Object.keys(created.json)).toEqual(["upload_id"]);
      await post(s3.server, `${MPU}/abort/x`, { path: "z.bin", upload_id: created.json.upload_id });
    });

    it.each([
      ["create", "/x", { num_parts: 2 }, "Missing value for required parameter 'path'"],
      ["create", "/x", { path: 5, num_parts: 1 }, "Invalid value 5 for parameter 'path' supplied"],
      ["create", "/x", { path: "c.bin", num_parts: "abc" }, `Invalid value "abc" for parameter 'num_parts'`],
      ["create", "/x", { path: "c.bin", num_parts: 10001 }, "S3 takes at most 10000 parts"],
      ["create", "/x", { path: "dir/", num_parts: 1 }, "it names no file"],
      ["complete", "/x", { path: "c.bin", upload_id: "u" }, "Missing value for required parameter 'parts'"],
      ["complete", "/x", { path: "c.bin", upload_id: "u", parts: [{ part_number: 1 }] }, "'parts[0].etag'"],
      ["abort", "/x", { path: "c.bin" }, "Missing value for required parameter 'upload_id'"],
      ["create", "/x/..%2f..%2fy", { path: "c.bin", num_parts: 1 }, "'..' is not allowed"],
    ])("refuses mpu/%s%s %j with 400", async (action, dir, body, message) => {
      const answer = await post(s3.server, `${MPU}/${action}${dir}`, body);
      expect(answer.status).toBe(400);
      expect(answer.json.error_code).toBe("INVALID_PARAMETER_VALUE");
      expect(answer.json.message).toContain(message);
    });

    it("refuses a body that is not JSON", async () => {
      const answer = await post(s3.server, `${MPU}/create/x`, "path=c.bin", "text/plain");
      expect(answer.status).toBe(400);
      expect(answer.json.message).toContain("Content-Type must be one of [application/json]");
    });

    it("answers 503 before reading the request when artifacts are not served", async () => {
      const response = await fetch(`${s3.noServe.url}${MPU}/create/x`, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: "not json",
      });
      expect(response.status).toBe(503);
    });
  });
}
