import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_EXPORT_REQUEST, CLIENT_EXPORT_TRACE_ID } from "../../../test/support/otlpExportRequest.js";
import { jsonCaller, startTestServer, type TestServer } from "../../../test/support/testServer.js";
import { createExperiment } from "../../tracking/experimentStore.js";

/** Sends the query exactly as given: fetch would normalise `..` and `%2e%2e` away. */
function rawGet(base: string, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/`, { method: "GET", path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end();
  });
}

const TRAVERSALS = ["../secret.txt", "..%2fsecret.txt", "..%252f..%252fx", "/etc/passwd", "a/../../x"];

/** The stored `content` of the export's root span ("outer"), as mlflow keeps it. */
const ROOT_SPAN_START =
  '{"trace_id": "QSP152If+qJvlG0/IF06Cw==", "span_id": "DZlNVZTlEmc=", "parent_span_id": null';
const CHILD_SPAN_START = '{"trace_id": "QSP152If+qJvlG0/IF06Cw==", "span_id": "0xcCSh4zxVI="';

describe("the UI's artifact routes", () => {
  let server: TestServer;
  let experimentId: string;
  let runId: string;
  const call = jsonCaller(() => server);
  const get = (path: string) => fetch(`${server.url}${path}`);
  const put = (path: string, body: string) =>
    fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${path}`, { method: "PUT", body });

  beforeAll(async () => {
    server = await startTestServer();
    experimentId = await createExperiment(server.ctx.meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
    const run = await call("POST", "/api/2.0/mlflow/runs/create", { experiment_id: experimentId });
    runId = run.body.run.info.run_id as string;
    await put(`${experimentId}/${runId}/artifacts/model/MLmodel`, "flavors: {}\n");
    await put(`${experimentId}/${runId}/artifacts/secret.txt`, "outside the model");
    await call("POST", "/api/2.0/mlflow/registered-models/create", { name: "m" });
    for (const source of [
      `runs:/${runId}/model`,
      `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`,
    ]) {
      const created = await call("POST", "/api/2.0/mlflow/model-versions/create", {
        name: "m",
        source,
        run_id: runId,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
    }
  });
  afterAll(async () => {
    await server.close();
  });

  describe("GET /model-versions/get-artifact", () => {
    it.each(["1", "2"])("serves a file of version %s as an attachment", async (version) => {
      const response = await get(`/model-versions/get-artifact?name=m&version=${version}&path=MLmodel`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("flavors: {}\n");
      expect(response.headers.get("content-type")).toBe("text/plain");
      expect(response.headers.get("content-disposition")).toBe("attachment; filename=MLmodel");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    });

    it("refuses paths that leave the model's root, before any lookup", async () => {
      for (const path of TRAVERSALS) {
        for (const name of ["m", "no-such-model"]) {
          const answer = await rawGet(
            server.url,
            `/model-versions/get-artifact?name=${name}&version=1&path=${path}`,
          );
          expect(answer.status, path).toBe(400);
          expect(JSON.parse(answer.text).error_code).toBe("INVALID_PARAMETER_VALUE");
        }
      }
    });

    it("answers MLflow's errors for missing parameters and unknown versions", async () => {
      const cases: [string, number, string][] = [
        ["name=m&version=1", 400, "INVALID_PARAMETER_VALUE"],
        ["version=1&path=MLmodel", 400, "INVALID_PARAMETER_VALUE"],
        ["name=m&version=abc&path=MLmodel", 400, "INVALID_PARAMETER_VALUE"],
        ["name=m&version=99&path=MLmodel", 404, "RESOURCE_DOES_NOT_EXIST"],
        ["name=m&version=1&path=nope.txt", 404, "RESOURCE_DOES_NOT_EXIST"],
      ];
      for (const [query, status, code] of cases) {
        const response = await get(`/model-versions/get-artifact?${query}`);
        expect(
          [response.status, ((await response.json()) as { error_code: string }).error_code],
          query,
        ).toEqual([status, code]);
      }
      const unknown = await get("/model-versions/get-artifact?name=m&version=99&path=MLmodel");
      expect(await unknown.json()).toMatchObject({ message: "Model Version (name=m, version=99) not found" });
    });
  });

  describe("GET /ajax-api/2.0/mlflow/logged-models/:id/artifacts/files", () => {
    let modelId: string;
    const files = (id: string, query: string) =>
      `/ajax-api/2.0/mlflow/logged-models/${id}/artifacts/files?${query}`;

    beforeAll(async () => {
      const created = await call("POST", "/api/2.0/mlflow/logged-models", { experiment_id: experimentId });
      modelId = created.body.model.info.model_id as string;
      await put(`${experimentId}/models/${modelId}/artifacts/sub/x.txt`, "x");
    });

    it("serves a file of the model as an attachment", async () => {
      const response = await get(files(modelId, "artifact_file_path=sub/x.txt"));
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("x");
      expect(response.headers.get("content-disposition")).toBe("attachment; filename=x.txt");
      expect(response.headers.get("content-type")).toBe("text/plain");
    });

    it("refuses a missing path as BAD_REQUEST and traversal as INVALID_PARAMETER_VALUE", async () => {
      for (const query of ["", "artifact_file_path="]) {
        const response = await get(files(modelId, query));
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({
          error_code: "BAD_REQUEST",
          sqlstate: "KAM00",
          error_class: "INVALID_PARAMETER_VALUE",
          message: 'Request must include the "artifact_file_path" query parameter.',
        });
      }
      for (const path of TRAVERSALS) {
        const answer = await rawGet(server.url, files(modelId, `artifact_file_path=${path}`));
        expect(answer.status, path).toBe(400);
        expect(JSON.parse(answer.text).error_code).toBe("INVALID_PARAMETER_VALUE");
      }
    });

    it("answers 404 for an unknown model and a missing file", async () => {
      const unknown = await get(files("m-nosuch", "artifact_file_path=MLmodel"));
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({
        error_code: "RESOURCE_DOES_NOT_EXIST",
        sqlstate: "KAM00",
        error_class: "RESOURCE_NOT_FOUND",
        message: "Logged model with ID 'm-nosuch' not found.",
      });
      expect((await get(files(modelId, "artifact_file_path=nope"))).status).toBe(404);
    });

    it("is served under /ajax-api only, as in MLflow", async () => {
      expect(
        (await get(`/api/2.0/mlflow/logged-models/${modelId}/artifacts/files?artifact_file_path=a`)).status,
      ).toBe(404);
    });
  });

  describe("GET /ajax-api/{2.0,3.0}/mlflow/get-trace-artifact", () => {
    beforeAll(async () => {
      const logged = await fetch(`${server.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/x-protobuf", "x-mlflow-experiment-id": experimentId },
        body: CLIENT_EXPORT_REQUEST,
      });
      expect(logged.status).toBe(200);
    });

    it.each(["2.0", "3.0"])(
      "answers spans kept in the database as MLflow's traces.json (%s)",
      async (version) => {
        const response = await get(
          `/ajax-api/${version}/mlflow/get-trace-artifact?request_id=${CLIENT_EXPORT_TRACE_ID}`,
        );
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toBe("text/plain");
        expect(response.headers.get("content-disposition")).toBe("attachment; filename=traces.json");
        expect(response.headers.get("x-content-type-options")).toBe("nosniff");
        const text = await response.text();
        // Root first although the export sent the child first; each span's stored text passes through as is.
        expect(text.startsWith(`{"spans":[${ROOT_SPAN_START}`)).toBe(true);
        expect(text).toContain(`"links": []},${CHILD_SPAN_START}`);
        expect(text.endsWith("]}")).toBe(true);
        expect((JSON.parse(text) as { spans: unknown[] }).spans).toHaveLength(2);
      },
    );

    it("answers the database's trace data as werkzeug sends a buffer: ranges, but no validators", async () => {
      const route = `/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${CLIENT_EXPORT_TRACE_ID}`;
      const whole = await get(route);
      const body = Buffer.from(await whole.arrayBuffer());
      expect(whole.headers.get("accept-ranges")).toBe("bytes");
      expect(whole.headers.get("cache-control")).toBe("no-cache");
      expect(whole.headers.get("etag")).toBeNull();
      expect(whole.headers.get("last-modified")).toBeNull();

      const ranged = await fetch(`${server.url}${route}`, { headers: { range: "bytes=-5" } });
      expect(ranged.status).toBe(206);
      expect(ranged.headers.get("content-range")).toBe(
        `bytes ${body.length - 5}-${body.length - 1}/${body.length}`,
      );
      expect(ranged.headers.get("content-length")).toBe("5");
      expect(ranged.headers.get("content-disposition")).toBe("attachment; filename=traces.json");
      expect(Buffer.from(await ranged.arrayBuffer())).toEqual(body.subarray(body.length - 5));

      for (const range of ["bytes=0-1,4-5", "garbage", `bytes=${body.length}-`]) {
        const refused = await fetch(`${server.url}${route}`, { headers: { range } });
        expect(refused.status, range).toBe(416);
        expect(refused.headers.get("content-range")).toBe(`bytes */${body.length}`);
        expect(refused.headers.get("content-type")).toBe("text/html; charset=utf-8");
        expect(await refused.text()).toContain("<title>416 Requested Range Not Satisfiable</title>");
      }

      // With nothing to compare against, werkzeug never answers 304 or 412, and If-Range always drops the range.
      for (const headers of [
        { "if-none-match": "*" },
        { "if-modified-since": "Fri, 01 Jan 2100 00:00:00 GMT" },
        { "if-match": '"x"' },
        { range: "bytes=0-9", "if-range": "Fri, 01 Jan 2100 00:00:00 GMT" },
      ]) {
        const answer = await fetch(`${server.url}${route}`, { headers });
        expect(answer.status, JSON.stringify(headers)).toBe(200);
        expect(Buffer.from(await answer.arrayBuffer())).toEqual(body);
      }
    });

    it("reads traces.json from the trace's artifact location when its spans are not in the database", async () => {
      const traceId = "tr-artifact-spans";
      const created = await call("POST", "/api/3.0/mlflow/traces", {
        trace: {
          trace_info: {
            trace_id: traceId,
            trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } },
            request_time: "2026-12-06T09:03:02.326Z",
            state: "OK",
          },
        },
      });
      expect(created.status).toBe(200);
      const dir = join(server.artifactsDir, experimentId, "traces", traceId, "artifacts");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "traces.json"), '{"spans": []}');
      const response = await get(`/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${traceId}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('{"spans": []}');
      expect(response.headers.get("content-disposition")).toBe("attachment; filename=traces.json");

      const attachmentId = "0b6f2f0c-3f4e-4a53-9a1e-5a4c2b1d0e9f";
      mkdirSync(join(dir, "attachments"));
      writeFileSync(join(dir, "attachments", attachmentId), "bytes");
      const attachment = await get(
        `/ajax-api/3.0/mlflow/get-trace-artifact?request_id=${traceId}&path=${attachmentId}`,
      );
      expect(attachment.status).toBe(200);
      expect(await attachment.text()).toBe("bytes");
      expect(attachment.headers.get("content-disposition")).toBe(`attachment; filename=${attachmentId}`);
    });

    it("answers MLflow's errors", async () => {
      const cases: [string, number, Record<string, string>][] = [
        ["", 400, { error_code: "BAD_REQUEST", sqlstate: "KAM00", error_class: "INVALID_PARAMETER_VALUE", message: 'Request must include the "request_id" query parameter.' }],
        ["request_id=", 400, { error_code: "BAD_REQUEST", sqlstate: "KAM00", error_class: "INVALID_PARAMETER_VALUE", message: 'Request must include the "request_id" query parameter.' }],
        ["request_id=tr-0000", 404, { error_code: "RESOURCE_DOES_NOT_EXIST", sqlstate: "KAM00", error_class: "RESOURCE_NOT_FOUND", message: "Trace with ID tr-0000 is not found." }],
        [
          `request_id=${CLIENT_EXPORT_TRACE_ID}&path=x.txt`,
          400,
          {
            error_code: "INVALID_PARAMETER_VALUE", sqlstate: "KAM00", error_class: "INVALID_PARAMETER_VALUE",
            message: "Invalid attachment path: 'x.txt'. Attachment path must be a valid UUID.",
          },
        ],
      ]; // prettier-ignore
      for (const [query, status, body] of cases) {
        const response = await get(`/ajax-api/2.0/mlflow/get-trace-artifact?${query}`);
        expect([response.status, await response.json()], query).toEqual([status, body]);
      }
      for (const path of TRAVERSALS) {
        const answer = await rawGet(
          server.url,
          `/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${CLIENT_EXPORT_TRACE_ID}&path=${path}`,
        );
        expect(answer.status, path).toBe(400);
        expect(JSON.parse(answer.text).error_code).toBe("INVALID_PARAMETER_VALUE");
      }
    });
  });

  describe("POST /ajax-api/2.0/mlflow/upload-artifact", () => {
    const upload = (query: string, body?: string | Buffer, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/ajax-api/2.0/mlflow/upload-artifact?${query}`, {
        method: "POST",
        headers,
        ...(body === undefined ? {} : { body }),
      });

    it("writes the body to the path under the run's artifact root and answers an empty body", async () => {
      for (const contentType of ["text/plain", "application/json", "application/octet-stream"]) {
        const response = await upload(`run_uuid=${runId}&path=up/new.txt`, `{"by": "${contentType}"}`, {
          "content-type": contentType,
        });
        expect(response.status).toBe(200);
        expect(await response.text()).toBe("");
        const stored = join(server.artifactsDir, experimentId, runId, "artifacts", "up", "new.txt");
        expect(readFileSync(stored, "utf8")).toBe(`{"by": "${contentType}"}`);
      }
    });

    it("answers MLflow's errors, checking the parameters and size before the run", async () => {
      const cases: [string, string | Buffer | undefined, number, string][] = [
        ["path=x", "x", 400, "Request must specify run_uuid."],
        [`run_id=${runId}&path=x`, "x", 400, "Request must specify run_uuid."],
        ["run_uuid=nosuch", "x", 400, "Request must specify path."],
        ["run_uuid=nosuch&path=x", undefined, 400, "Request must specify data."],
        ["run_uuid=nosuch&path=x", Buffer.alloc(10 * 1024 * 1024 + 1), 400, "Artifact size is too large. Max size is 10MB."],
        ["run_uuid=nosuch&path=x", "x", 404, "Run with id=nosuch not found"],
      ]; // prettier-ignore
      for (const [query, body, status, message] of cases) {
        const response = await upload(query, body);
        expect([response.status, ((await response.json()) as { message: string }).message], query).toEqual([
          status,
          message,
        ]);
      }
    });

    it("refuses paths that leave the run's root", async () => {
      for (const path of TRAVERSALS) {
        const response = await upload(`run_uuid=${runId}&path=${path}`, "x");
        expect(response.status, path).toBe(400);
        expect(((await response.json()) as { error_code: string }).error_code).toBe(
          "INVALID_PARAMETER_VALUE",
        );
      }
    });
  });
});
