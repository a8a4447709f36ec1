import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBucket, findMotoServer, startMotoServer, type MotoServer } from "../../test/support/moto.js";
import { LocalArtifactStore } from "./local.js";
import { S3ArtifactStore, s3ClientConfig } from "./s3.js";
import { MAX_MULTIPART_PARTS, presignerConfig, signPartUrls } from "./s3Multipart.js";
import { supportsMultipartUpload, type MultipartUploadCreated } from "./store.js";

const AWS_ENV = {
  AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "secret",
  AWS_REGION: "eu-west-1",
};

describe("multipart upload capability", () => {
  it("is offered by S3 and not by the local filesystem, as MLflow's MultipartUploadMixin", () => {
    const root = mkdtempSync(join(tmpdir(), "flowops-mpu-"));
    try {
      expect(supportsMultipartUpload(new S3ArtifactStore("s3://b/p", { env: AWS_ENV }))).toBe(true);
      expect(supportsMultipartUpload(new LocalArtifactStore(root))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("signs part URLs for AWS without the empty-body checksum the SDK would otherwise bake in", async () => {
    const sdk = await import("@aws-sdk/client-s3");
    const config = s3ClientConfig(AWS_ENV);
    const target = (presigner: InstanceType<typeof sdk.S3Client>) => ({
      sdk,
      client: presigner,
      presigner,
      bucket: "bkt",
      key: "root/sub/big.bin",
      owner: {},
      createParams: {},
      describe: (error: unknown) => error,
    });
    const [part] = await signPartUrls(target(new sdk.S3Client(presignerConfig(config))), "up-1", 1);
    const url = new URL(part?.url ?? "");
    expect(`${url.host}${url.pathname}`).toBe("bkt.s3.eu-west-1.amazonaws.com/root/sub/big.bin");
    expect(url.searchParams.get("partNumber")).toBe("1");
    expect(url.searchParams.get("uploadId")).toBe("up-1");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("3600");
    expect([...url.searchParams.keys()].filter((key) => key.includes("checksum"))).toEqual([]);
    // The SDK's default client would sign a CRC32 into the URL, which S3 checks against each part.
    const [unsafe] = await signPartUrls(target(new sdk.S3Client(config)), "up-1", 1);
    expect(new URL(unsafe?.url ?? "").searchParams.get("x-amz-checksum-crc32")).toBe("AAAAAA==");
  });
});

const motoBinary = findMotoServer();
if (motoBinary !== undefined) {
  describe("S3 multipart upload through moto", () => {
    let server: MotoServer;
    let bucket: string;
    let store: S3ArtifactStore;
    beforeAll(async () => {
      server = await startMotoServer(motoBinary);
    });
    afterAll(async () => {
      await server?.stop();
    });
    beforeAll(async () => {
      bucket = `flowops-${randomUUID().slice(0, 8)}`;
      await createBucket(server, bucket);
      store = new S3ArtifactStore(`s3://${bucket}/root`, { env: server.env });
    });

    const openUploads = async (): Promise<string[]> => {
      const sdk = await import("@aws-sdk/client-s3");
      const client = new sdk.S3Client(s3ClientConfig(server.env));
      try {
        const listed = await client.send(new sdk.ListMultipartUploadsCommand({ Bucket: bucket }));
        return (listed.Uploads ?? []).map((upload) => upload.Key ?? "");
      } finally {
        client.destroy();
      }
    };

    /** PUTs each part to its URL as MLflow's client does (plain requests.put, no signing of its own). */
    const sendParts = async (created: MultipartUploadCreated, parts: Buffer[]) =>
      Promise.all(
        created.credentials.map(async (credential) => {
          const response = await fetch(credential.url, {
            method: "PUT",
            body: parts[credential.part_number - 1] ?? Buffer.alloc(0),
            headers: credential.headers,
          });
          expect(response.status).toBe(200);
          return { part_number: credential.part_number, etag: response.headers.get("etag") ?? "" };
        }),
      );

    it("joins parts sent straight to S3 into one object, visible only once completed", async () => {
      const parts = [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.alloc(5 * 1024 * 1024, 2), Buffer.from("tail")];
      const created = await store.createMultipartUpload("sub/big.bin", parts.length);
      expect(created.upload_id).not.toBe("");
      expect(created.credentials.map((c) => c.part_number)).toEqual([1, 2, 3]);
      expect(created.credentials.every((c) => Object.keys(c.headers).length === 0)).toBe(true);
      const sent = await sendParts(created, parts);
      expect(await store.stat("sub/big.bin")).toBeUndefined();

      await store.completeMultipartUpload("sub/big.bin", created.upload_id, sent);
      const read = Buffer.concat(await (await store.read("sub/big.bin")).toArray());
      expect(read.equals(Buffer.concat(parts))).toBe(true);
      expect(await openUploads()).toEqual([]);
    });

    it("aborts an upload and drops its parts", async () => {
      const created = await store.createMultipartUpload("gone.bin", 1);
      await sendParts(created, [Buffer.from("part")]);
      expect(await openUploads()).toEqual(["root/gone.bin"]);
      await store.abortMultipartUpload("gone.bin", created.upload_id);
      expect(await openUploads()).toEqual([]);
      expect(await store.stat("gone.bin")).toBeUndefined();
    });

    it("opens an upload with no part URLs for zero parts, as MLflow does", async () => {
      const created = await store.createMultipartUpload("empty.bin", 0);
      expect(created.credentials).toEqual([]);
      await store.abortMultipartUpload("empty.bin", created.upload_id);
    });

    it("answers an unknown upload with 404 and a wrong part list with 400, not a bare 500", async () => {
      await expect(store.abortMultipartUpload("x.bin", "no-such-upload")).rejects.toMatchObject({
        code: "RESOURCE_DOES_NOT_EXIST",
      });
      const created = await store.createMultipartUpload("x.bin", 1);
      await sendParts(created, [Buffer.from("only part")]);
      await expect(
        store.completeMultipartUpload("x.bin", created.upload_id, [
          { part_number: 1, etag: '"not-the-etag"' },
        ]),
      ).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
      await store.abortMultipartUpload("x.bin", created.upload_id);
    });

    it("refuses more parts than S3 numbers, and paths that leave the root, before opening anything", async () => {
      await expect(store.createMultipartUpload("big.bin", MAX_MULTIPART_PARTS + 1)).rejects.toMatchObject({
        code: "INVALID_PARAMETER_VALUE",
      });
      await expect(store.createMultipartUpload("../escape.bin", 1)).rejects.toMatchObject({
        code: "INVALID_PARAMETER_VALUE",
      });
      expect(await openUploads()).toEqual([]);
    });
  });
}
