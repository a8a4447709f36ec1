import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readText } from "../../test/support/artifactStoreContract.js";
import { downloadArtifacts } from "./download.js";
import { LocalArtifactStore } from "./local.js";
import { createArtifactLocator, openArtifactLocation, proxiedArtifactPath } from "./location.js";
import { resolveArtifactStore } from "./resolveStore.js";
import { S3ArtifactStore, s3ClientConfig } from "./s3.js";
import { supportsLocalPaths } from "./store.js";

describe("resolveArtifactStore", () => {
  it("opens bare paths and file URIs as local stores and s3 URIs as S3 stores", () => {
    expect(resolveArtifactStore("/tmp/a")).toBeInstanceOf(LocalArtifactStore);
    expect(resolveArtifactStore("file:///tmp/a").rootUri).toBe("file:///tmp/a");
    const s3 = resolveArtifactStore("s3://bucket/some/prefix/");
    expect(s3).toBeInstanceOf(S3ArtifactStore);
    expect(s3.rootUri).toBe("s3://bucket/some/prefix");
  });

  it("refuses an unknown scheme and names the supported ones", () => {
    expect(() => resolveArtifactStore("gs://bucket/x")).toThrow(
      /Unsupported artifact URI scheme 'gs'.*file:\/\/, s3:\/\//,
    );
    expect(() => resolveArtifactStore("http://169.254.169.254/latest")).toThrow(/'http'/);
  });

  it("refuses a file URI naming another host", () => {
    expect(() => resolveArtifactStore("file://evil.example/etc")).toThrow(/Invalid file URI/);
  });
});

describe("s3ClientConfig", () => {
  it("uses MLflow's endpoint variable first, with path-style addressing", () => {
    const config = s3ClientConfig({
      MLFLOW_S3_ENDPOINT_URL: "http://minio:9000",
      AWS_ENDPOINT_URL: "http://other",
    });
    expect(config).toMatchObject({
      endpoint: "http://minio:9000",
      forcePathStyle: true,
      region: "us-east-1",
    });
  });

  it("falls back to AWS_ENDPOINT_URL and leaves AWS itself virtual-hosted", () => {
    expect(s3ClientConfig({ AWS_ENDPOINT_URL: "http://other" }).endpoint).toBe("http://other");
    const aws = s3ClientConfig({ AWS_REGION: "eu-west-1" });
    expect(aws.endpoint).toBeUndefined();
    expect(aws.forcePathStyle).toBeUndefined();
    expect(aws.region).toBe("eu-west-1");
  });
});

describe("proxiedArtifactPath", () => {
  it.each([
    ["mlflow-artifacts:/1/abc/artifacts", "1/abc/artifacts"],
    ["mlflow-artifacts:///1/abc/artifacts", "1/abc/artifacts"],
    ["mlflow-artifacts://tracking:5000/1/abc/artifacts", "1/abc/artifacts"],
    ["mlflow-artifacts:/", ""],
    ["http://host:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts", "1/abc/artifacts"],
    ["https://host/prefix/api/2.0/mlflow-artifacts/artifacts", ""],
  ])("maps %s under the destination as %j", (uri, path) => {
    expect(proxiedArtifactPath(uri)).toBe(path);
  });

  it("leaves other URIs to the store registry", () => {
    expect(proxiedArtifactPath("s3://b/x")).toBeUndefined();
    expect(proxiedArtifactPath("/tmp/x")).toBeUndefined();
    expect(proxiedArtifactPath("http://host/api/2.0/mlflow-artifacts/artifactsX/y")).toBeUndefined();
  });
});

describe("artifact locations", () => {
  let dir: string;
  let destination: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flowops-location-"));
    destination = join(dir, "mlartifacts");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("opens a proxied run root as a view of the destination with run-relative paths", async () => {
    const run = openArtifactLocation("mlflow-artifacts:/3/r1/artifacts", {
      artifactsDestination: destination,
    });
    await run.write("model/MLmodel", Readable.from([Buffer.from("m")]));
    expect(readFileSync(join(destination, "3/r1/artifacts/model/MLmodel"), "utf8")).toBe("m");
    expect(await run.list("model")).toEqual([{ path: "model/MLmodel", is_dir: false, file_size: 1 }]);
    expect(run.rootUri).toBe("mlflow-artifacts:/3/r1/artifacts");
    expect(supportsLocalPaths(run)).toBe(true);
  });

  it("keeps a run view from reaching a sibling run", async () => {
    const locator = createArtifactLocator({ artifactsDestination: destination });
    await locator.destination.write("3/other/artifacts/secret.txt", Readable.from([Buffer.from("s")]));
    const run = locator.open("mlflow-artifacts:/3/r1/artifacts");
    await expect(run.read("../../other/artifacts/secret.txt")).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
    });
  });

  it.each([
    "mlflow-artifacts:/1/..%2f..%2fetc",
    "mlflow-artifacts://host:5000/../x",
    "http://h/api/2.0/mlflow-artifacts/artifacts/%252e%252e/x",
    "file:///tmp/x#/../../etc",
    "http://h/bar?a=../../..",
  ])("refuses the traversing artifact URI %s", (uri) => {
    expect(() => openArtifactLocation(uri, { artifactsDestination: destination })).toThrow(
      expect.objectContaining({ code: "INVALID_PARAMETER_VALUE" }),
    );
  });

  it("downloads a run's directory tree to a local folder", async () => {
    const run = openArtifactLocation("mlflow-artifacts:/1/r/artifacts", {
      artifactsDestination: destination,
    });
    await run.write("model/MLmodel", Readable.from([Buffer.from("flavors")]));
    await run.write("model/data/w.bin", Readable.from([Buffer.from("0101")]));
    await run.write("other.txt", Readable.from([Buffer.from("o")]));
    const target = join(dir, "download");
    const local = await downloadArtifacts(run, "model", target);
    expect(local).toBe(join(target, "model"));
    expect(readFileSync(join(local, "MLmodel"), "utf8")).toBe("flavors");
    expect(readFileSync(join(local, "data", "w.bin"), "utf8")).toBe("0101");
    expect(await readText(new LocalArtifactStore(target), "model/MLmodel")).toBe("flavors");
  });

  it("downloads a single file and reports a missing one", async () => {
    const run = openArtifactLocation(destination, { artifactsDestination: join(dir, "unused") });
    await run.write("a/b.txt", Readable.from([Buffer.from("b")]));
    const local = await downloadArtifacts(run, "a/b.txt", join(dir, "dl"));
    expect(readFileSync(local, "utf8")).toBe("b");
    await expect(downloadArtifacts(run, "a/none", join(dir, "dl"))).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
  });
});
