/**
 * An `import-url` source behind s3://bucket/key, read as dvc reads it through dvc-s3 (s3fs): a key that is an
 * object is a file, recorded by its ETag (quotes stripped) and size; otherwise the key is a prefix and, when
 * objects lie under it, a directory, recorded by the md5 of dvc's tree of the objects' ETags
 * (`[{"etag": .., "relpath": ..}]` as Python's json writes it) with its size and file count. The endpoint,
 * region and credentials come from the dep's `fs_config` (dvc's `--fs-config`, the keys of an S3 remote's
 * config) over the environment (AWS_ENDPOINT_URL, AWS_*), which is what dvc's boto stack reads too, so both
 * tools reach the same server with the same settings. MLflow's MLFLOW_S3_ENDPOINT_URL is not read (dvc
 * never reads it). Read version-aware (dvc's `--version-aware`, `version_aware` in the `fs_config`, or a
 * `?versionId=` in the URL), an object also answers its version id and a prefix lists the latest version of
 * each key (ListObjectVersions), and downloads ask for exactly those versions, so data overwritten since is
 * not what lands.
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
import { isVersionAwareConfig } from "./importSource.js";
import { s3RemoteSettings } from "./s3RemoteOptions.js";

export interface S3Location {
  bucket: string;
  /** The key or prefix, without a leading or trailing slash. */
  key: string;
  /** The object version a `?versionId=` at the end of the URL names (s3fs's versioned path). */
  versionId?: string;
}

export type S3SourceInfo =
  | { kind: "file"; etag: string; size: number; versionId?: string }
  | { kind: "directory"; treeMd5: string; size: number; files: S3SourceFile[] };

export interface S3SourceFile {
  /** The key below the directory's prefix, `/`-separated. */
  relpath: string;
  etag: string;
  size: number;
  /** Read version-aware: the version listed (`null` in a bucket that never had versioning, as S3 says). */
  versionId?: string;
}

export { isS3Url } from "./importSource.js";

export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/?]+)\/?(.*?)(?:\?versionId=([^&]*))?$/i.exec(url);
  if (match === null || match[1] === undefined) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `'${url}': not an s3://bucket/key URL`);
  }
  const location: S3Location = { bucket: match[1], key: (match[2] ?? "").replace(/\/+$/, "") };
  if (match[3] !== undefined) {
    if (match[3] === "" || location.key === "") {
      throw new FlowOpsError("INVALID_PARAMETER_VALUE", `'${url}': a versionId needs a key and a version`);
    }
    location.versionId = decodeURIComponent(match[3]);
  }
  return location;
}

export interface S3SourceOptions {
  /** The environment the endpoint and credentials fall back to; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** The dep's `fs_config`: dvc-s3's options (endpointurl, region, profile, access_key_id, ssl_verify...). */
  fsConfig?: Record<string, string>;
  /** Where a relative `credentialpath` or CA bundle in `fsConfig` is found; the cwd by default. */
  configDir?: string;
  /** Read versions (also when `fsConfig` says `version_aware`, or the URL names a version). */
  versionAware?: boolean;
  /** The object version to describe, over one the URL names (dvc's `update --rev` of a versioned import). */
  versionId?: string;
}

interface Connection {
  sdk: typeof S3Sdk;
  client: S3Sdk.S3Client;
  endpoint: string | undefined;
}

async function connect(url: string, options: S3SourceOptions): Promise<Connection> {
  // For a source, version_aware says how to read it (here), not how a remote lays data out.
  const { version_aware: _versionAware, ...fsConfig } = options.fsConfig ?? {};
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
  const location = parseS3Url(url);
  const { bucket, key } = location;
  const versionId = options.versionId ?? location.versionId;
  const versioned =
    options.versionAware === true || isVersionAwareConfig(options.fsConfig) || versionId !== undefined;
  const { sdk, client, endpoint } = await connect(url, options);
  try {
    if (key !== "") {
      try {
        const head = await client.send(
          new sdk.HeadObjectCommand({ Bucket: bucket, Key: key, ...versionParam(versionId) }),
        );
        return {
          kind: "file",
          etag: stripQuotes(head.ETag ?? ""),
          size: head.ContentLength ?? 0,
          ...(versioned && head.VersionId !== undefined ? { versionId: head.VersionId } : {}),
        };
      } catch (error) {
        if (!isNotFound(error) && !(versionId !== undefined && isBadRequest(error))) throw error;
        if (versionId !== undefined) {
          throw new FlowOpsError(
            "RESOURCE_DOES_NOT_EXIST",
            `dependency '${url}' does not exist: s3://${bucket}/${key} has no version '${versionId}'`,
            { cause: error },
          );
        }
      }
    }
    const list = versioned ? listLatestVersions : listFiles;
    const files = await list(client, sdk, bucket, key === "" ? "" : `${key}/`);
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

/**
 * The latest version of each key under `prefix` (ListObjectVersions), as s3fs lists a version-aware
 * directory: a key whose latest entry is a delete marker is gone.
 */
async function listLatestVersions(
  client: S3Sdk.S3Client,
  sdk: typeof S3Sdk,
  bucket: string,
  prefix: string,
): Promise<S3SourceFile[]> {
  const files: S3SourceFile[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await client.send(
      new sdk.ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix,
        ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
        ...(versionMarker !== undefined ? { VersionIdMarker: versionMarker } : {}),
      }),
    );
    for (const version of page.Versions ?? []) {
      if (version.IsLatest !== true) continue;
      const relpath = (version.Key ?? "").slice(prefix.length);
      if (relpath === "" || relpath.endsWith("/")) continue;
      files.push({
        relpath,
        etag: stripQuotes(version.ETag ?? ""),
        size: version.Size ?? 0,
        versionId: version.VersionId ?? "null",
      });
    }
    const more = page.IsTruncated === true;
    keyMarker = more ? page.NextKeyMarker : undefined;
    versionMarker = more ? page.NextVersionIdMarker : undefined;
  } while (keyMarker !== undefined);
  return files;
}

/**
 * The VersionId parameter for a recorded version. `null` (an object written before versioning, or in a bucket
 * that never had it) is sent as no version: servers such as moto refuse `null` where versioning never was,
 * and the ETag check after the download catches a different object.
 */
function versionParam(versionId: string | undefined): { VersionId?: string } {
  return versionId === undefined || versionId === "null" ? {} : { VersionId: versionId };
}

function isBadRequest(error: unknown): boolean {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 400;
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
      await downloadObject(client, sdk, { bucket, key, ...info }, dest, onProgress);
      return;
    }
    for (const file of info.files) {
      const target = join(dest, ...file.relpath.split("/"));
      await mkdir(dirname(target), { recursive: true });
      await downloadObject(
        client,
        sdk,
        { bucket, ...file, key: `${key}/${file.relpath}` },
        target,
        onProgress,
      );
    }
  } catch (error) {
    await rm(dest, { recursive: true, force: true });
    throw describeS3Error(error, url, endpoint);
  } finally {
    client.destroy();
  }
}

/** One connection to a source's bucket for reading many of its objects, each at its recorded version. */
export interface S3ObjectReader {
  /**
   * Downloads the object at the file's `relpath` below the URL's key ("" for the key itself) into the file
   * `dest`, checked against the recorded ETag and size; a failed download leaves no file at `dest`.
   */
  download(file: S3SourceFile, dest: string): Promise<void>;
  close(): void;
}

/**
 * A reader for many objects under `url` through one client, so that callers can run downloads side by side
 * (versionedFetch.ts bounds them by `--jobs`) without a client each.
 */
export async function openS3ObjectReader(
  url: string,
  options: S3SourceOptions = {},
): Promise<S3ObjectReader> {
  const { bucket, key } = parseS3Url(url);
  const { sdk, client, endpoint } = await connect(url, options);
  return {
    download: async (file, dest) => {
      const objectKey = file.relpath === "" ? key : `${key}/${file.relpath}`;
      try {
        await mkdir(dirname(dest), { recursive: true });
        await downloadObject(client, sdk, { bucket, ...file, key: objectKey }, dest);
      } catch (error) {
        await rm(dest, { force: true });
        throw describeS3Error(error, `s3://${bucket}/${objectKey}`, endpoint);
      }
    },
    close: () => client.destroy(),
  };
}

interface ObjectToFetch {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  versionId?: string;
}

async function downloadObject(
  client: S3Sdk.S3Client,
  sdk: typeof S3Sdk,
  { bucket, key, size, etag, versionId }: ObjectToFetch,
  path: string,
  onProgress?: (bytes: number) => void,
): Promise<void> {
  let response: S3Sdk.GetObjectCommandOutput;
  try {
    response = await client.send(
      new sdk.GetObjectCommand({ Bucket: bucket, Key: key, ...versionParam(versionId) }),
    );
  } catch (error) {
    if (!isNotFound(error) && !(versionId !== undefined && isBadRequest(error))) throw error;
    // A version deleted since it was recorded: the data it named is gone from the source for good.
    throw new FlowOpsError(
      "RESOURCE_DOES_NOT_EXIST",
      versionId === undefined
        ? `s3://${bucket}/${key} does not exist`
        : `s3://${bucket}/${key} has no version '${versionId}'`,
      { cause: error },
    );
  }
  // A version is immutable, so another ETag means another object than the one recorded.
  if (versionId !== undefined && response.ETag !== undefined && stripQuotes(response.ETag) !== etag) {
    (response.Body as Readable | undefined)?.destroy();
    throw new FlowOpsError(
      "DATA_LOSS",
      `s3://${bucket}/${key}: version '${versionId}' has ETag ${stripQuotes(response.ETag)}, not the recorded ${etag}`,
    );
  }
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
