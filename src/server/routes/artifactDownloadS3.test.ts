/**
 * Downloads from an S3 artifact destination (a moto server), against what `mlflow server` 3.17.2 answered with
 * `--artifacts-destination s3://...` on moto: `/get-artifact` is werkzeug's send_file of a temporary copy (tag
 * and time change per request, one range as 206, several as 416, 304 and 412 as for a local file), the proxy's
 * GET is a plain stream that ignores Range, the proxy's HEAD is Flask's send_file answer, and every 416 says
 * "Requested Range Not Satisfiable" on its status line. FlowOps reads only the asked range from S3.
 */
import { request as httpRequest } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { S3ArtifactStore } from "../../artifacts/s3.js";
import {
  createBucket,
  findMotoServer,
  startMotoServer,
  type MotoServer,
} from "../../../test/support/moto.js";
import { callMlflowApi, startTestServer, type TestServer } from "../../../test/support/testServer.js";

interface Answer {
  status: number;
  reason: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request through node:http, which keeps the status line's reason phrase that fetch() drops. */
function send(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          reason: response.statusMessage ?? "",
          headers: response.headers,
          body: Buffer.concat(chunks).toString("latin1"),
        }),
      );
      response.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

/** A run in the default experiment with `files` logged through the proxy; answers the run id. */
async function logRun(
  server: TestServer,
  files: Record<string, string>,
): Promise<{ runId: string; proxy: string }> {
  const created = await callMlflowApi<{ run: { info: { run_id: string; artifact_uri: string } } }>(
    server,
    "POST",
    "runs/create",
    { experiment_id: "0" },
  );
  const { run_id: runId, artifact_uri: uri } = created.json.run.info;
  const proxy = `${server.url}/api/2.0/mlflow-artifacts/artifacts/${uri.replace(/^mlflow-artifacts:\/*/, "")}`;
  for (const [path, body] of Object.entries(files)) {
    expect((await fetch(`${proxy}/${path}`, { method: "PUT", body })).status).toBe(200);
  }
  return { runId, proxy };
}

const WERKZEUG_ETAG = /^"\d+\.\d+-10-\d+"$/;

describe("416 status line on a local destination", () => {
  let server: TestServer;
  let run: { runId: string; proxy: string };
  beforeAll(async () => {
    server = await startTestServer();
    run = await logRun(server, { "plain.txt": "0123456789" });
  });
  afterAll(async () => server?.close());

  it("says uvicorn's 'Requested Range Not Satisfiable' on the Flask and the FastAPI answers", async () => {
    const flask = await send(`${server.url}/get-artifact?run_id=${run.runId}&path=plain.txt`, {
      range: "bytes=10-",
    });
    expect([flask.status, flask.reason, flask.headers["content-range"]]).toEqual([
      416,
      "Requested Range Not Satisfiable",
      "bytes */10",
    ]);
    const starlette = await send(`${run.proxy}/plain.txt`, { range: "bytes=20-" });
    expect([starlette.status, starlette.reason]).toEqual([416, "Requested Range Not Satisfiable"]);
  });

  it("answers a HEAD on the proxy as Flask's send_file, not as Starlette's FileResponse", async () => {
    const whole = await send(`${run.proxy}/plain.txt`, {}, "HEAD");
    expect(whole.status).toBe(200);
    expect(whole.headers["cache-control"]).toBe("no-cache");
    expect(whole.headers.etag).toMatch(WERKZEUG_ETAG);
    expect(whole.headers["content-length"]).toBe("10");
    // Starlette merges two ranges into multipart; werkzeug refuses them.
    const two = await send(`${run.proxy}/plain.txt`, { range: "bytes=0-1,4-5" }, "HEAD");
    expect([two.status, two.headers["content-range"]]).toEqual([416, "bytes */10"]);
    const notModified = await send(`${run.proxy}/plain.txt`, { "if-none-match": "*" }, "HEAD");
    expect(notModified.status).toBe(304);
    // The GET keeps Starlette's answer.
    const get = await send(`${run.proxy}/plain.txt`);
    expect(get.headers["cache-control"]).toBeUndefined();
    expect(get.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
  });
});

const motoBinary = findMotoServer();
describe.skipIf(motoBinary === undefined)("downloads from an S3 destination", () => {
  let moto: MotoServer;
  let server: TestServer;
  let run: { runId: string; proxy: string };
  const saved = { ...process.env };
  const big = Buffer.alloc(3 * 1024 * 1024, "abcdefghij").toString("latin1");

  beforeAll(async () => {
    moto = await startMotoServer(motoBinary as string);
    await createBucket(moto, "ranged");
    // The server reads S3 settings from its environment, as MLflow's boto3 client does.
    Object.assign(process.env, moto.env);
    server = await startTestServer({ config: { artifactsDestination: "s3://ranged/mlartifacts" } });
    run = await logRun(server, { "plain.txt": "0123456789", "empty.txt": "", "big.bin": big });
  });
  afterAll(async () => {
    await server?.close();
    await moto?.stop();
    process.env = saved;
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const runFile = (path: string) => `${server.url}/get-artifact?run_id=${run.runId}&path=${path}`;

  it("reads only the asked range from S3 for a 206", async () => {
    const read = vi.spyOn(S3ArtifactStore.prototype, "read");
    const readRange = vi.spyOn(S3ArtifactStore.prototype, "readRange");
    const part = await send(runFile("big.bin"), { range: "bytes=1048576-1048585" });
    expect([part.status, part.body, part.headers["content-range"]]).toEqual([
      206,
      big.slice(1048576, 1048586),
      `bytes 1048576-1048585/${big.length}`,
    ]);
    expect(part.headers["content-length"]).toBe("10");
    expect(read).not.toHaveBeenCalled();
    expect(readRange).toHaveBeenCalledWith(
      expect.stringMatching(/big\.bin$/),
      1048576,
      1048586,
      expect.stringMatching(/^"[0-9a-f]{32}"$/),
    );

    const suffix = await send(runFile("plain.txt"), { range: "bytes=-3" });
    expect([suffix.status, suffix.body, suffix.headers["content-range"]]).toEqual([
      206,
      "789",
      "bytes 7-9/10",
    ]);
    const past = await send(runFile("plain.txt"), { range: "bytes=5-100" });
    expect([past.status, past.body, past.headers["content-range"]]).toEqual([206, "56789", "bytes 5-9/10"]);
  });

  it("answers as send_file of a fresh temporary copy: validators, 304, 412, 416", async () => {
    const whole = await send(runFile("plain.txt"));
    expect([whole.status, whole.body, whole.headers["cache-control"]]).toEqual([
      200,
      "0123456789",
      "no-cache",
    ]);
    expect(whole.headers.etag).toMatch(WERKZEUG_ETAG);
    expect(whole.headers["accept-ranges"]).toBe("bytes");
    expect(whole.headers["last-modified"]).toBeDefined();
    // The copy's st_mtime, as Python prints it: finer than milliseconds, so tags of two requests differ.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await send(runFile("plain.txt"), { "if-none-match": whole.headers.etag as string });
    expect(again.status).toBe(200);
    expect(again.headers.etag).not.toBe(whole.headers.etag);

    expect((await send(runFile("plain.txt"), { "if-none-match": "*" })).status).toBe(304);
    const future = "Mon, 07 Dec 2099 00:00:00 GMT";
    expect((await send(runFile("plain.txt"), { "if-modified-since": future })).status).toBe(304);
    const failed = await send(runFile("plain.txt"), { "if-match": "*" });
    expect([failed.status, failed.body]).toEqual([412, "0123456789"]);

    for (const range of ["bytes=10-", "bytes=0-1,4-5"]) {
      const refused = await send(runFile("plain.txt"), { range });
      expect([refused.status, refused.reason, refused.headers["content-range"]], range).toEqual([
        416,
        "Requested Range Not Satisfiable",
        "bytes */10",
      ]);
    }
    // werkzeug skips ranges of an empty file.
    const empty = await send(runFile("empty.txt"), { range: "bytes=0-5" });
    expect([empty.status, empty.body]).toEqual([200, ""]);
  });

  it("streams the proxy's GET whole, whatever Range or validator is asked", async () => {
    for (const headers of [{ range: "bytes=2-5" }, { range: "bytes=0-1,4-5" }, { "if-none-match": "*" }]) {
      const answer = await send(`${run.proxy}/plain.txt`, headers);
      expect([answer.status, answer.body], JSON.stringify(headers)).toEqual([200, "0123456789"]);
      expect(answer.headers.etag).toBeUndefined();
      expect(answer.headers["accept-ranges"]).toBeUndefined();
    }
  });

  /** Rewrites `path` through the proxy right after the server's next stat of it, before its bytes are read. */
  function replaceAfterNextStat(path: string, content: string, times = 1): void {
    const stat = S3ArtifactStore.prototype.stat;
    let left = times;
    vi.spyOn(S3ArtifactStore.prototype, "stat").mockImplementation(async function (
      this: S3ArtifactStore,
      statPath: string,
    ) {
      const info = await stat.call(this, statPath);
      if (left > 0 && statPath.endsWith(path)) {
        left -= 1;
        expect(
          (await fetch(`${run.proxy}/${path}`, { method: "PUT", body: `${content}${left}` })).status,
        ).toBe(200);
      }
      return info;
    });
  }

  it("sends one version's bytes when the object is replaced between its stat and its read", async () => {
    await fetch(`${run.proxy}/moving.txt`, { method: "PUT", body: "0123456789" });
    replaceAfterNextStat("moving.txt", "a longer replacement ");
    const flask = await send(runFile("moving.txt"));
    expect([flask.status, flask.body, flask.headers["content-length"]]).toEqual([
      200,
      "a longer replacement 0",
      "22",
    ]);

    replaceAfterNextStat("moving.txt", "short ");
    const ranged = await send(runFile("moving.txt"), { range: "bytes=2-4" });
    expect([ranged.status, ranged.body, ranged.headers["content-range"]]).toEqual([
      206,
      "ort",
      "bytes 2-4/7",
    ]);

    replaceAfterNextStat("moving.txt", "proxied, again ");
    const proxied = await send(`${run.proxy}/moving.txt`);
    expect([proxied.status, proxied.body]).toEqual([200, "proxied, again 0"]);
  });

  it("refuses with ABORTED when the object keeps changing under every look-up", async () => {
    await fetch(`${run.proxy}/churn.txt`, { method: "PUT", body: "0123456789" });
    replaceAfterNextStat("churn.txt", "changed ", 3);
    const answer = await send(runFile("churn.txt"));
    expect(answer.status).toBe(409);
    expect(JSON.parse(answer.body)).toMatchObject({ error_code: "ABORTED" });
    expect(JSON.parse(answer.body).message).toMatch(/churn\.txt' changed while it was being read/);
  });

  it("answers the proxy's HEAD from the object's size without reading it", async () => {
    const read = vi.spyOn(S3ArtifactStore.prototype, "read");
    const readRange = vi.spyOn(S3ArtifactStore.prototype, "readRange");
    const whole = await send(`${run.proxy}/big.bin`, {}, "HEAD");
    expect([whole.status, whole.headers["content-length"], whole.headers["cache-control"]]).toEqual([
      200,
      String(big.length),
      "no-cache",
    ]);
    const part = await send(`${run.proxy}/plain.txt`, { range: "bytes=2-5" }, "HEAD");
    expect([part.status, part.headers["content-range"], part.headers["content-length"]]).toEqual([
      206,
      "bytes 2-5/10",
      "4",
    ]);
    expect(read).not.toHaveBeenCalled();
    expect(readRange).not.toHaveBeenCalled();
    expect((await send(`${run.proxy}/nope.txt`, {}, "HEAD")).status).toBe(404);
  });
});
