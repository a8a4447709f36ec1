import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3ArtifactStore } from "../artifacts/s3.js";
import { FlowOpsError } from "../errors.js";
import { createBucket, findMotoServer, startMotoServer, type MotoServer } from "../../test/support/moto.js";
import { downloadS3, etagTreeMd5, parseS3Url, s3SourceInfo } from "./s3Source.js";

const md5 = (text: string): string => createHash("md5").update(text).digest("hex");

describe("s3 import sources", () => {
  it("splits s3 URLs into bucket and key, without trailing slashes", () => {
    expect(parseS3Url("s3://src/dir/")).toEqual({ bucket: "src", key: "dir" });
    expect(parseS3Url("s3://src/data/a.csv")).toEqual({ bucket: "src", key: "data/a.csv" });
    expect(parseS3Url("s3://src")).toEqual({ bucket: "src", key: "" });
    expect(() => parseS3Url("s3://")).toThrow(FlowOpsError);
  });

  it("hashes a prefix as dvc-data's tree of ETags (the value dvc 3.67.1 wrote for these two objects)", () => {
    const files = [
      { relpath: "sub/two.txt", etag: md5("two\n"), size: 4 },
      { relpath: "one.txt", etag: md5("one\n"), size: 4 },
    ];
    expect(etagTreeMd5(files)).toBe("188e57133001903489fba07345f5d891");
  });
});

const motoBinary = findMotoServer();
if (motoBinary !== undefined) {
  describe("s3 import sources on moto", () => {
    let server: MotoServer;
    let bucket: string;
    let scratch: string;
    // dvc reads AWS_ENDPOINT_URL, never MLflow's MLFLOW_S3_ENDPOINT_URL (which the moto helper sets).
    const env = (): NodeJS.ProcessEnv => ({ ...server.env, AWS_ENDPOINT_URL: server.endpoint });
    beforeAll(async () => {
      server = await startMotoServer(motoBinary);
      bucket = `src-${randomUUID().slice(0, 8)}`;
      await createBucket(server, bucket);
      const store = new S3ArtifactStore(`s3://${bucket}`, { env: env() });
      for (const [key, body] of Object.entries({
        "data/a.csv": "x,y\n1,2\n",
        "dir/one.txt": "one\n",
        "dir/sub/two.txt": "two\n",
        "dirty/other.txt": "beside dir/, not in it\n",
      })) {
        await store.write(key, Readable.from([Buffer.from(body)]));
      }
      scratch = await mkdtemp(join(tmpdir(), "flowops-s3-source-"));
    });
    afterAll(async () => {
      await server?.stop();
      await rm(scratch, { recursive: true, force: true });
    });

    it("describes an object by its ETag and size and downloads it", async () => {
      const info = await s3SourceInfo(`s3://${bucket}/data/a.csv`, { env: env() });
      expect(info).toEqual({ kind: "file", etag: md5("x,y\n1,2\n"), size: 8 });
      const dest = join(scratch, "a.csv");
      let bytes = 0;
      await downloadS3(`s3://${bucket}/data/a.csv`, info, dest, (n) => (bytes += n), { env: env() });
      expect(await readFile(dest, "utf8")).toBe("x,y\n1,2\n");
      expect(bytes).toBe(8);
    });

    it("describes a prefix as a directory of the objects under it, and downloads them", async () => {
      const info = await s3SourceInfo(`s3://${bucket}/dir`, { env: env() });
      expect(info).toMatchObject({ kind: "directory", treeMd5: "188e57133001903489fba07345f5d891", size: 8 });
      const dest = join(scratch, "dir");
      await downloadS3(`s3://${bucket}/dir`, info, dest, undefined, { env: env() });
      expect((await readdir(dest, { recursive: true })).sort()).toEqual(["one.txt", "sub", "sub/two.txt"]);
    });

    it("takes the endpoint from the dep's fs_config over the environment", async () => {
      const fsConfig = { endpointurl: server.endpoint, region: "us-east-1" };
      const noEndpoint = { ...server.env, MLFLOW_S3_ENDPOINT_URL: "http://127.0.0.1:9" };
      const info = await s3SourceInfo(`s3://${bucket}/data/a.csv`, { env: noEndpoint, fsConfig });
      expect(info).toMatchObject({ kind: "file", size: 8 });
    });

    it("reports a missing key or bucket with dvc's sentence", async () => {
      for (const url of [`s3://${bucket}/absent`, "s3://no-such-bucket-here/x"]) {
        const error = await s3SourceInfo(url, { env: env() }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(FlowOpsError);
        expect((error as FlowOpsError).code).toBe("RESOURCE_DOES_NOT_EXIST");
        expect((error as FlowOpsError).message).toBe(`dependency '${url}' does not exist`);
      }
    });
  });
}
