import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failingBody, runArtifactStoreContract } from "../../test/support/artifactStoreContract.js";
import { createBucket, findMotoServer, startMotoServer, type MotoServer } from "../../test/support/moto.js";
import { LocalArtifactStore } from "./local.js";
import { S3ArtifactStore, s3ClientConfig } from "./s3.js";

runArtifactStoreContract("the local filesystem", async () => {
  const root = mkdtempSync(join(tmpdir(), "flowops-store-"));
  return {
    store: new LocalArtifactStore(join(root, "artifacts")),
    cleanup: async () => rmSync(root, { recursive: true, force: true }),
  };
});

const motoBinary = findMotoServer();
if (motoBinary !== undefined) {
  describe("S3 through moto", () => {
    let server: MotoServer;
    beforeAll(async () => {
      server = await startMotoServer(motoBinary);
    });
    afterAll(async () => {
      await server?.stop();
    });

    runArtifactStoreContract("S3 (moto)", async () => {
      const bucket = `flowops-${randomUUID().slice(0, 8)}`;
      await createBucket(server, bucket);
      return {
        store: new S3ArtifactStore(`s3://${bucket}/some/prefix`, { env: server.env }),
        cleanup: async () => {},
      };
    });

    it("aborts the multipart upload of a failed large write instead of leaving parts behind", async () => {
      const bucket = `flowops-${randomUUID().slice(0, 8)}`;
      await createBucket(server, bucket);
      const store = new S3ArtifactStore(`s3://${bucket}`, { env: server.env });
      await expect(store.write("big.bin", failingBody(20 * 1024 * 1024))).rejects.toThrow();
      const sdk = await import("@aws-sdk/client-s3");
      const client = new sdk.S3Client(s3ClientConfig(server.env));
      const uploads = await client.send(new sdk.ListMultipartUploadsCommand({ Bucket: bucket }));
      client.destroy();
      expect(uploads.Uploads ?? []).toEqual([]);
    });

    it("writes with a remote's encryption and ACL settings (dvc's sse, acl)", async () => {
      const bucket = `flowops-${randomUUID().slice(0, 8)}`;
      await createBucket(server, bucket);
      const store = new S3ArtifactStore(`s3://${bucket}`, {
        env: server.env,
        settings: { uploadParams: { ServerSideEncryption: "AES256", ACL: "public-read" } },
      });
      await store.write("obj", Readable.from([Buffer.from("secret")]));
      const sdk = await import("@aws-sdk/client-s3");
      const client = new sdk.S3Client(s3ClientConfig(server.env));
      const head = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: "obj" }));
      const acl = await client.send(new sdk.GetObjectAclCommand({ Bucket: bucket, Key: "obj" }));
      client.destroy();
      expect(head.ServerSideEncryption).toBe("AES256");
      expect(acl.Grants?.some((g) => g.Grantee?.URI?.endsWith("/AllUsers") && g.Permission === "READ")).toBe(
        true,
      );
    });

    it("names the store in a missing-bucket or unreachable-endpoint error", async () => {
      const missing = new S3ArtifactStore("s3://no-such-bucket-here/p", { env: server.env });
      await expect(missing.list("")).rejects.toMatchObject({
        code: "RESOURCE_DOES_NOT_EXIST",
        message: expect.stringContaining("s3://no-such-bucket-here/p") as unknown as string,
      });
      const dead = new S3ArtifactStore("s3://b/p", {
        env: { ...server.env, MLFLOW_S3_ENDPOINT_URL: "http://127.0.0.1:9" },
      });
      await expect(dead.stat("x")).rejects.toMatchObject({
        code: "TEMPORARILY_UNAVAILABLE",
        message: expect.stringContaining("cannot reach the S3 endpoint") as unknown as string,
      });
    });
  });
}
