import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type * as S3Sdk from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createBucket, findMotoServer, startMotoServer, type MotoServer } from "../../test/support/moto.js";
import { S3ArtifactStore, type S3StoreSettings } from "./s3.js";

const OWNER = "111122223333";
const OWNER_HEADER = "x-amz-expected-bucket-owner";
/** A dead endpoint: a command the spy below does not answer fails instead of reaching a real S3. */
const BASE_ENV = {
  MLFLOW_S3_ENDPOINT_URL: "http://127.0.0.1:9",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "secret",
};

interface Sent {
  command: string;
  input: Record<string, unknown>;
}

/**
 * Records the input of every command the store sends and answers it as S3 would; HEAD of a key ending in
 * "dir" is a 404, so stat() goes on to its directory probe.
 */
async function recordCommands(): Promise<Sent[]> {
  const sdk = await import("@aws-sdk/client-s3");
  const sent: Sent[] = [];
  const answer = (command: string, input: Record<string, unknown>): unknown => {
    switch (command) {
      case "GetObjectCommand":
        return { Body: Readable.from([Buffer.from("x")]) };
      case "HeadObjectCommand":
        if (String(input.Key).endsWith("dir")) throw Object.assign(new Error("404"), { name: "NotFound" });
        return { ContentLength: 1 };
      case "ListObjectsV2Command":
        return { Contents: [{ Key: "root/a.txt", Size: 1 }], KeyCount: 1, IsTruncated: false };
      case "CreateMultipartUploadCommand":
        return { UploadId: "up-1" };
      default:
        return {};
    }
  };
  vi.spyOn(sdk.S3Client.prototype, "send").mockImplementation(async function (command: {
    constructor: { name: string };
    input: Record<string, unknown>;
  }) {
    sent.push({ command: command.constructor.name, input: command.input });
    return answer(command.constructor.name, command.input);
  } as unknown as S3Sdk.S3Client["send"]);
  return sent;
}

/** Every store operation that talks to S3, as the artifact proxy and the multipart routes use them. */
async function exerciseStore(store: S3ArtifactStore) {
  await store.write("a.txt", Readable.from([Buffer.from("abc")]));
  await (await store.read("a.txt")).resume();
  await store.list("");
  await store.stat("a.txt");
  await store.stat("dir");
  await store.delete("a.txt");
  const created = await store.createMultipartUpload("big.bin", 2);
  await store.completeMultipartUpload("big.bin", created.upload_id, [{ part_number: 1, etag: '"e"' }]);
  await store.abortMultipartUpload("big.bin", created.upload_id);
  const download = await store.presignDownload("a.txt", 300);
  const upload = await store.presignUpload("a.txt", 900);
  return { created, download, upload };
}

function storeWith(env: NodeJS.ProcessEnv, settings?: S3StoreSettings): S3ArtifactStore {
  return new S3ArtifactStore("s3://bkt/root", {
    env: { ...BASE_ENV, ...env },
    ...(settings ? { settings } : {}),
  });
}

function signedHeaders(url: string): string[] {
  return (new URL(url).searchParams.get("X-Amz-SignedHeaders") ?? "").split(";");
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("MLFLOW_S3_EXPECTED_BUCKET_OWNER (MLflow's S3ArtifactRepository._bucket_owner_params)", () => {
  it("reaches every S3 command the store sends", async () => {
    const sent = await recordCommands();
    await exerciseStore(storeWith({ MLFLOW_S3_EXPECTED_BUCKET_OWNER: OWNER }));
    expect(new Set(sent.map((s) => s.command))).toEqual(
      new Set([
        "PutObjectCommand",
        "GetObjectCommand",
        "ListObjectsV2Command",
        "HeadObjectCommand",
        "DeleteObjectCommand",
        "DeleteObjectsCommand",
        "CreateMultipartUploadCommand",
        "CompleteMultipartUploadCommand",
        "AbortMultipartUploadCommand",
      ]),
    );
    expect(sent.filter((s) => s.input.ExpectedBucketOwner !== OWNER)).toEqual([]);
  });

  it("puts the owner in the signed query of a download URL, so a browser needs no header", async () => {
    await recordCommands();
    const { download } = await exerciseStore(storeWith({ MLFLOW_S3_EXPECTED_BUCKET_OWNER: OWNER }));
    const url = new URL(download.url);
    expect(url.searchParams.get(OWNER_HEADER)).toBe(OWNER);
    expect(signedHeaders(download.url)).toEqual(["host"]);
    expect(download.headers).toEqual({});
  });

  it("signs the owner as a header of upload and part URLs, and tells the client to send it", async () => {
    await recordCommands();
    const { created, upload } = await exerciseStore(storeWith({ MLFLOW_S3_EXPECTED_BUCKET_OWNER: OWNER }));
    expect(signedHeaders(upload.presigned_url)).toContain(OWNER_HEADER);
    expect(new URL(upload.presigned_url).searchParams.has(OWNER_HEADER)).toBe(false);
    expect(upload.headers).toEqual({ "Content-Type": "text/plain", [OWNER_HEADER]: OWNER });
    expect(created.credentials).toHaveLength(2);
    for (const part of created.credentials) {
      expect(signedHeaders(part.url)).toEqual(["host", OWNER_HEADER]);
      expect(part.headers).toEqual({ [OWNER_HEADER]: OWNER });
    }
  });

  it.each([
    ["unset", {}],
    ["empty", { MLFLOW_S3_EXPECTED_BUCKET_OWNER: "" }],
  ])("is left out when %s, as MLflow's `if owner`", async (_, env) => {
    const sent = await recordCommands();
    const { created, download, upload } = await exerciseStore(storeWith(env));
    expect(sent.filter((s) => "ExpectedBucketOwner" in s.input)).toEqual([]);
    for (const url of [download.url, upload.presigned_url, ...created.credentials.map((c) => c.url)]) {
      expect(url).not.toContain(OWNER_HEADER);
    }
    expect(upload.headers).toEqual({ "Content-Type": "text/plain" });
    expect(created.credentials.map((c) => c.headers)).toEqual([{}, {}]);
  });
});

interface WireRequest {
  method: string;
  url: string;
  header: string | undefined;
  query: string | null;
}

/** An HTTP proxy in front of moto recording where each request carried the owner. */
async function recordingProxy(target: string) {
  const { createServer, request } = await import("node:http");
  const requests: WireRequest[] = [];
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    const header = req.headers[OWNER_HEADER];
    requests.push({
      method: req.method ?? "",
      url,
      header: Array.isArray(header) ? header.join(",") : header,
      query: new URL(url, target).searchParams.get(OWNER_HEADER),
    });
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const motoBinary = findMotoServer();
if (motoBinary !== undefined) {
  describe("MLFLOW_S3_EXPECTED_BUCKET_OWNER on the wire to moto", () => {
    let server: MotoServer;
    let proxy: Awaited<ReturnType<typeof recordingProxy>>;
    let bucket: string;
    beforeAll(async () => {
      server = await startMotoServer(motoBinary);
      proxy = await recordingProxy(server.endpoint);
      bucket = `flowops-${randomUUID().slice(0, 8)}`;
      await createBucket(server, bucket);
    });
    afterAll(async () => {
      await proxy?.close();
      await server?.stop();
    });
    const store = (owner: string) =>
      new S3ArtifactStore(`s3://${bucket}/root`, {
        env: {
          ...server.env,
          MLFLOW_S3_ENDPOINT_URL: proxy.endpoint,
          MLFLOW_S3_EXPECTED_BUCKET_OWNER: owner,
        },
      });
    const text = async (body: Readable) => Buffer.concat(await body.toArray()).toString("utf8");

    it("goes on every request, including lib-storage's parts and the clients' presigned ones", async () => {
      const s3 = store(OWNER);
      proxy.requests.length = 0;
      await s3.write("a.txt", Readable.from([Buffer.from("abc")]));
      // Over lib-storage's 8 MiB part size: create, two parts, complete.
      await s3.write("big.bin", Readable.from([Buffer.alloc(9 * 1024 * 1024, 1)]));
      expect(await text(await s3.read("a.txt"))).toBe("abc");
      expect((await s3.list("")).map((e) => e.path)).toEqual(["a.txt", "big.bin"]);
      expect(await s3.stat("a.txt")).toMatchObject({ is_dir: false, file_size: 3 });

      const download = await s3.presignDownload("a.txt", 300);
      expect(await (await fetch(download.url)).text()).toBe("abc");
      const upload = await s3.presignUpload("up.txt", 900);
      const put = await fetch(upload.presigned_url, { method: "PUT", headers: upload.headers, body: "up" });
      expect(put.status).toBe(200);

      const created = await s3.createMultipartUpload("mp.bin", 1);
      const [part] = created.credentials;
      if (part === undefined) throw new Error("no part URL was signed");
      const sent = await fetch(part.url, { method: "PUT", headers: part.headers, body: "mp" });
      const etag = sent.headers.get("etag") ?? "";
      await s3.completeMultipartUpload("mp.bin", created.upload_id, [{ part_number: 1, etag }]);
      expect(await text(await s3.read("mp.bin"))).toBe("mp");
      await s3.abortMultipartUpload("x.bin", (await s3.createMultipartUpload("x.bin", 0)).upload_id);
      await s3.delete("");
      expect(await s3.list("")).toEqual([]);

      const methods = new Set(proxy.requests.map((r) => r.method));
      expect(methods).toEqual(new Set(["PUT", "POST", "GET", "HEAD", "DELETE"]));
      expect(proxy.requests.filter((r) => r.header !== OWNER && r.query !== OWNER)).toEqual([]);
      // The presigned GET carries it in its signed query, so a browser can follow the URL.
      expect(proxy.requests.find((r) => r.url.includes("response-content-disposition"))).toMatchObject({
        header: undefined,
        query: OWNER,
      });
    });

    it("is not enforced by moto, which is why the requests above are checked instead", async () => {
      const s3 = store("999999999999");
      await s3.write("other.txt", Readable.from([Buffer.from("x")]));
      expect(await text(await s3.read("other.txt"))).toBe("x");
    });
  });
}
