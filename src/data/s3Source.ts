/**
 * An `import-url` source behind s3://bucket/key, read as dvc reads it through dvc-s3 (s3fs): a key that is an
 * object is a file, recorded by its ETag (quotes stripped) and size; otherwise the key is a prefix and, when
 * objects lie under it, a directory, recorded by the md5 of dvc's tree of the objects' ETags
 * (`[{"etag": .., "relpath": ..}]` as Python's json writes it) with its size and file count. The endpoint,
 * region and credentials come from the dep's `fs_config` (dvc's `--fs-config`, the keys of an S3 remote's
 * config) over the environment (AWS_ENDPOINT_URL, AWS_*), which is what dvc's boto stack reads too, so both
 * tools reach the same server with the same settings. MLflow's MLFLOW_S3_ENDPOINT_URL is not read (dvc
 * never reads it).
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type * as S3Sdk from "@aws-sdk/client-s3";
import { describeS3Error, s3ClientConfig, withSettings } from "../artifacts/s3.js";
import { FlowOpsError } from "../errors.js";
import { s3Environment } from "./dataRemote.js";
import { pythonJsonString, sortByCodePoints } from "./dirManifest.js";
import { s3RemoteSettings } from "./s3RemoteOptions.js";

export interface S3Location {
  bucket: string;
  /** The key or prefix, without a leading or trailing slash. */
  key: string;
}

export type S3SourceInfo =
  | { kind: "file"; etag: string; size: number }
  | { kind: "directory"; treeMd5: string; size: number; files: S3SourceFile[] };

export interface S3SourceFile {
  /** The key below the directory's prefix, `/`-separated. */
  relpath: string;
  etag: string;
  size: number;
}

export { isS3Url } from "./importSource.js";

export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(url);
  if (match === null || match[1] === undefined) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `'${url}': not an s3://bucket/key URL`);
  }
  return { bucket: match[1], key: (match[2] ?? "").replace(/\/+$/, "") };
}

export interface S3SourceOptions {
  /** The environment the endpoint and credentials fall back to; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** The dep's `fs_config`: dvc-s3's options (endpointurl, region, profile, access_key_id, ssl_verify...). */
  fsConfig?: Record<string, string>;
  /** Where a relative `credentialpath` or CA bundle in `fsConfig` is found; the cwd by default. */
  configDir?: string;
}

interface Connection {
  sdk: typeof S3Sdk;
  client: S3Sdk.S3Client;
  endpoint: string | undefined;
}

async function connect(url: string, options: S3SourceOptions): Promise<Connection> {
  const fsConfig = options.fsConfig ?? {};
  if (/^(true|yes|on|1)$/i.test(fsConfig.version_aware ?? "")) {
    // dvc's --version-aware records object versions and `push: false` outs, which flowops does not write.
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `'${url}': version_aware (dvc's --version-aware) is not supported by flowops yet; import without it`,
    );
  }
  const config = s3ClientConfig(s3Environment(fsConfig, options.env ?? process.env));
  const settings = s3RemoteSettings(`fs_config of ${url}`, fsConfig, options.configDir ?? process.cwd());
  const sdk = await import("@aws-sdk/client-s3");
  return {
    sdk,
    client: new sdk.S3Client(await withSettings(config, settings)),
    endpoint: config.endpoint as string | undefined,
  };
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NotFound" || e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404;
}

/** s3fs's `info`: the object at the key, else the objects under it as a directory; gone is dvc's error. */
export async function s3SourceInfo(url: string, options: S3SourceOptions = {}): Promise<S3SourceInfo> {
  const { bucket, key } = parseS3Url(url);
  const { sdk, client, endpoint } = await connect(url, options);
  try {
    if (key !== "") {
      try {
        const head = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { kind: "file", etag: stripQuotes(head.ETag ?? ""), size: head.ContentLength ?? 0 };
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    const files = await listFiles(client, sdk, bucket, key === "" ? "" : `${key}/`);
    if (files.length === 0) {
      throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `dependency '${url}' does not exist`);
    }
    return {
      kind: "directory",
      treeMd5: etagTreeMd5(files),
      size: files.reduce((sum, file) => sum + file.size, 0),
      files,
    };
  } catch (error) {
    // dvc (s3fs) reports a missing bucket as it reports a missing key.
    if ((error as { name?: string }).name === "NoSuchBucket") {
      throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `dependency '${url}' does not exist`, {
        cause: error,
      });
    }
    throw describeS3Error(error, url, endpoint);
  } finally {
    client.destroy();
  }
}

async function listFiles(
  client: S3Sdk.S3Client,
  sdk: typeof S3Sdk,
  bucket: string,
  prefix: string,
): Promise<S3SourceFile[]> {
  const files: S3SourceFile[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new sdk.ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token !== undefined ? { ContinuationToken: token } : {}),
      }),
    );
    for (const object of page.Contents ?? []) {
      const relpath = (object.Key ?? "").slice(prefix.length);
      // A key ending in '/' is a console-made folder marker, not a file (s3fs lists it as a directory).
      if (relpath === "" || relpath.endsWith("/")) continue;
      files.push({ relpath, etag: stripQuotes(object.ETag ?? ""), size: object.Size ?? 0 });
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return files;
}

function stripQuotes(etag: string): string {
  return etag.replace(/^"|"$/g, "");
}

/** dvc-data's `Tree.digest` of a tree whose hash name is `etag`, without the `.dir` suffix. */
export function etagTreeMd5(files: readonly S3SourceFile[]): string {
  const sorted = sortByCodePoints([...files], (file) => file.relpath);
  const body = sorted
    .map((file) => `{"etag": ${pythonJsonString(file.etag)}, "relpath": ${pythonJsonString(file.relpath)}}`)
    .join(", ");
  return createHash("md5").update(`[${body}]`, "utf8").digest("hex");
}

/**
 * Downloads the source into `dest` (a file, or a directory for a prefix), as `info` described it: a
 * directory's files are the ones listed then, so the data matches the recorded tree.
 */
export async function downloadS3(
  url: string,
  info: S3SourceInfo,
  dest: string,
  onProgress?: (bytes: number) => void,
  options: S3SourceOptions = {},
): Promise<void> {
  const { bucket, key } = parseS3Url(url);
  const { sdk, client, endpoint } = await connect(url, options);
  try {
    if (info.kind === "file") {
      await downloadObject(client, sdk, bucket, key, info.size, dest, onProgress);
      return;
    }
    for (const file of info.files) {
      const target = join(dest, ...file.relpath.split("/"));
      await mkdir(dirname(target), { recursive: true });
      await downloadObject(client, sdk, bucket, `${key}/${file.relpath}`, file.size, target, onProgress);
    }
  } catch (error) {
    await rm(dest, { recursive: true, force: true });
    throw describeS3Error(error, url, endpoint);
  } finally {
    client.destroy();
  }
}

async function downloadObject(
  client: S3Sdk.S3Client,
  sdk: typeof S3Sdk,
  bucket: string,
  key: string,
  size: number,
  path: string,
  onProgress?: (bytes: number) => void,
): Promise<void> {
  const response = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = response.Body as Readable;
  let bytes = 0;
  body.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    onProgress?.(chunk.length);
  });
  await pipeline(body, createWriteStream(path));
  if (bytes !== size) {
    throw new FlowOpsError("DATA_LOSS", `s3://${bucket}/${key}: received ${bytes} of ${size} bytes`);
  }
}
