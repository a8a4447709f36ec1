/**
 * Artifact store on S3 or an S3-compatible server (MinIO, moto, Ceph), rooted at `s3://bucket/prefix`.
 * The endpoint override follows MLflow (MLFLOW_S3_ENDPOINT_URL, then AWS_ENDPOINT_URL) with path-style
 * addressing. The AWS SDK is imported on first use so a server that never touches S3 never loads it.
 * Uploads stream through lib-storage (bounded part buffers; multipart aborted on failure, so an object
 * appears only when complete); downloads stream the response body, a byte range as a ranged GET; nothing
 * holds a whole file. MLflow's proxied multipart upload, where clients send parts to presigned URLs, is in
 * s3Multipart.ts; URLs that read or write one object directly are in s3Presigned.ts. Every request carries
 * MLFLOW_S3_EXPECTED_BUCKET_OWNER, as MLflow's do (s3BucketOwner.ts).
 */
import type { Readable } from "node:stream";
import type * as S3Sdk from "@aws-sdk/client-s3";
import { FlowOpsError, invalidParameter, notFound } from "../errors.js";
import { assertSafeRelativePath } from "./pathSafety.js";
import { bucketOwnerParams, type BucketOwnerParams } from "./s3BucketOwner.js";
import { describeS3Error, isS3NotFound } from "./s3Errors.js";
import {
  abortS3MultipartUpload,
  completeS3MultipartUpload,
  createS3MultipartUpload,
  presignerConfig,
  type S3MultipartTarget,
} from "./s3Multipart.js";
import { presignS3Download, presignS3Upload, type S3PresignTarget } from "./s3Presigned.js";
import {
  artifactChanged,
  joinArtifactPath,
  type ArtifactEntry,
  type ArtifactStat,
  type MultipartUploadCreated,
  type MultipartUploadPart,
  type MultipartUploadStore,
  type PresignedDownload,
  type PresignedDownloadStore,
  type PresignedUpload,
  type PresignedUploadStore,
  type RangedReadStore,
} from "./store.js";

/** S3's DeleteObjects limit. */
const DELETE_BATCH = 1000;
const PART_SIZE = 8 * 1024 * 1024;
const PARALLEL_PARTS = 4;

export interface S3StoreOptions {
  /** Where endpoint, region, credentials and bucket owner are read from; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** A dvc remote's own options (data/s3RemoteOptions.ts). */
  settings?: S3StoreSettings;
}

export interface S3StoreSettings {
  /** A profile of the shared credentials and config files (explicit keys in `env` still win). */
  profile?: string;
  /** The shared credentials file to read that profile from, instead of ~/.aws/credentials. */
  credentialsFile?: string;
  /** TLS for an https endpoint: skip verification, or trust this CA bundle (PEM). */
  tls?: { rejectUnauthorized?: boolean; ca?: string };
  /** Extra PutObject / CreateMultipartUpload parameters: encryption, ACL, grants. */
  uploadParams?: Record<string, string>;
  /** Extra GetObject / HeadObject parameters (the SSE-C key an object was written with). */
  readParams?: Record<string, string>;
}

interface Connection {
  sdk: typeof S3Sdk;
  client: S3Sdk.S3Client;
  /** Signs multipart part URLs; see S3MultipartTarget.presigner. */
  presigner: S3Sdk.S3Client;
}

export class S3ArtifactStore
  implements MultipartUploadStore, PresignedDownloadStore, PresignedUploadStore, RangedReadStore
{
  readonly rootUri: string;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly settings: S3StoreSettings;
  /** Read once, as MLflow reads it when the repository is created. */
  private readonly owner: BucketOwnerParams;
  private connection: Promise<Connection> | undefined;

  constructor(uri: string, options: S3StoreOptions = {}) {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
    if (match?.[1] === undefined) {
      throw invalidParameter(`Invalid S3 URI '${uri}': expected s3://<bucket>/<prefix>.`);
    }
    this.bucket = match[1];
    this.prefix = (match[2] ?? "").replace(/^\/+|\/+$/g, "");
    this.rootUri = `s3://${this.bucket}${this.prefix === "" ? "" : `/${this.prefix}`}`;
    this.env = options.env ?? process.env;
    this.settings = options.settings ?? {};
    this.owner = bucketOwnerParams(this.env);
  }

  async write(path: string, body: Readable): Promise<void> {
    const rel = assertSafeRelativePath(path);
    if (rel === "") throw invalidParameter("An artifact path is required to write a file.");
    const { client } = await this.connect();
    const { Upload } = await import("@aws-sdk/lib-storage");
    const upload = new Upload({
      client,
      // lib-storage repeats these on each part and on completion, as s3transfer does with MLflow's ExtraArgs.
      params: { ...this.settings.uploadParams, ...this.objectInput(rel), Body: body },
      partSize: PART_SIZE,
      queueSize: PARALLEL_PARTS,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      throw this.describe(error);
    } finally {
      // A failed source stream leaves the request side waiting; make sure it is released.
      if (!body.readableEnded) body.destroy();
    }
  }

  async read(path: string): Promise<Readable> {
    return this.getObject(path, {});
  }

  async readRange(path: string, start: number, end: number, ifMatch?: string): Promise<Readable> {
    return this.getObject(path, { Range: `bytes=${start}-${end - 1}`, IfMatch: ifMatch });
  }

  async list(dir: string): Promise<ArtifactEntry[]> {
    const rel = assertSafeRelativePath(dir);
    const listPrefix = directoryPrefix(this.key(rel));
    const entries: ArtifactEntry[] = [];
    for await (const page of this.pages(listPrefix, "/")) {
      for (const common of page.CommonPrefixes ?? []) {
        const name = (common.Prefix ?? "").slice(listPrefix.length).replace(/\/$/, "");
        if (name !== "") entries.push({ path: joinArtifactPath(rel, name), is_dir: true });
      }
      for (const object of page.Contents ?? []) {
        const name = (object.Key ?? "").slice(listPrefix.length);
        // A zero-length "dir/" marker written by other tools is the directory itself, not a child.
        if (name === "") continue;
        entries.push({ path: joinArtifactPath(rel, name), is_dir: false, file_size: object.Size ?? 0 });
      }
    }
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async stat(path: string): Promise<ArtifactStat | undefined> {
    const rel = assertSafeRelativePath(path);
    if (rel === "") return { is_dir: true };
    const { sdk, client } = await this.connect();
    try {
      const head = await client.send(
        new sdk.HeadObjectCommand({ ...this.settings.readParams, ...this.objectInput(rel) }),
      );
      const etag = head.ETag === undefined ? {} : { etag: head.ETag };
      return { is_dir: false, file_size: head.ContentLength ?? 0, ...etag };
    } catch (error) {
      if (!isS3NotFound(error)) throw this.describe(error);
    }
    const probe = await client
      .send(
        new sdk.ListObjectsV2Command({
          ...this.owner,
          Bucket: this.bucket,
          Prefix: directoryPrefix(this.key(rel)),
          MaxKeys: 1,
        }),
      )
      .catch((error: unknown) => {
        throw this.describe(error);
      });
    return (probe.KeyCount ?? 0) > 0 ? { is_dir: true } : undefined;
  }

  async delete(path: string): Promise<void> {
    const rel = assertSafeRelativePath(path);
    const { sdk, client } = await this.connect();
    if (rel !== "") {
      await client.send(new sdk.DeleteObjectCommand(this.objectInput(rel)));
    }
    // Collect first: deleting while paging can make some servers skip keys after the continuation token.
    const keys: string[] = [];
    for await (const page of this.pages(directoryPrefix(this.key(rel)), undefined)) {
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
    }
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH).map((Key) => ({ Key }));
      const result = await client.send(
        new sdk.DeleteObjectsCommand({
          ...this.owner,
          Bucket: this.bucket,
          Delete: { Objects: batch, Quiet: true },
        }),
      );
      const failed = result.Errors?.[0];
      if (failed !== undefined) {
        throw new FlowOpsError(
          "INTERNAL_ERROR",
          `Failed to delete '${failed.Key ?? "?"}' from ${this.rootUri}: ${failed.Message ?? failed.Code ?? "unknown error"}.`,
        );
      }
    }
  }

  async createMultipartUpload(path: string, numParts: number): Promise<MultipartUploadCreated> {
    return createS3MultipartUpload(await this.multipartTarget(path), numParts);
  }

  async completeMultipartUpload(path: string, uploadId: string, parts: MultipartUploadPart[]): Promise<void> {
    return completeS3MultipartUpload(await this.multipartTarget(path), uploadId, parts);
  }

  async abortMultipartUpload(path: string, uploadId: string): Promise<void> {
    return abortS3MultipartUpload(await this.multipartTarget(path), uploadId);
  }

  async presignDownload(path: string, expiresIn: number): Promise<PresignedDownload> {
    return presignS3Download(await this.presignTarget(path, "sign a URL for a file"), expiresIn);
  }

  async presignUpload(path: string, expiresIn: number): Promise<PresignedUpload> {
    return presignS3Upload(await this.presignTarget(path, "sign a URL for a file"), expiresIn);
  }

  /** The object a signed URL or a multipart upload is for; `purpose` completes "An artifact path is required to". */
  private async presignTarget(path: string, purpose: string): Promise<S3PresignTarget> {
    const rel = assertSafeRelativePath(path);
    if (rel === "") throw invalidParameter(`An artifact path is required to ${purpose}.`);
    const { sdk, client, presigner } = await this.connect();
    return {
      sdk,
      client,
      presigner,
      bucket: this.bucket,
      key: this.key(rel),
      owner: this.owner,
      uploadParams: this.settings.uploadParams ?? {},
      readParams: this.settings.readParams ?? {},
      describe: (error) => this.describe(error),
    };
  }

  private async multipartTarget(path: string): Promise<S3MultipartTarget> {
    const {
      uploadParams,
      readParams: _readParams,
      ...target
    } = await this.presignTarget(path, "upload a file in parts");
    return { ...target, createParams: uploadParams };
  }

  private async getObject(
    path: string,
    extra: { Range?: string; IfMatch?: string | undefined },
  ): Promise<Readable> {
    const rel = assertSafeRelativePath(path);
    const { sdk, client } = await this.connect();
    try {
      const result = await client.send(
        new sdk.GetObjectCommand({ ...this.settings.readParams, ...this.objectInput(rel), ...extra }),
      );
      return result.Body as Readable;
    } catch (error) {
      if (isS3NotFound(error)) throw notFound(`Artifact '${path}' does not exist.`);
      if ((error as { name?: string }).name === "PreconditionFailed") throw artifactChanged(path);
      throw this.describe(error);
    }
  }

  private key(rel: string): string {
    return joinArtifactPath(this.prefix, rel);
  }

  /** What every command on one object starts from. */
  private objectInput(rel: string): BucketOwnerParams & { Bucket: string; Key: string } {
    return { ...this.owner, Bucket: this.bucket, Key: this.key(rel) };
  }

  private async *pages(prefix: string, delimiter: string | undefined) {
    const { sdk, client } = await this.connect();
    let token: string | undefined;
    do {
      const page = await client
        .send(
          new sdk.ListObjectsV2Command({
            ...this.owner,
            Bucket: this.bucket,
            Prefix: prefix,
            ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        )
        .catch((error: unknown) => {
          throw this.describe(error);
        });
      yield page;
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /** An S3 failure that names this store, and says what a 403, a missing bucket or a dead endpoint means. */
  private describe(error: unknown): unknown {
    return describeS3Error(error, this.rootUri, s3ClientConfig(this.env).endpoint as string | undefined);
  }

  private connect(): Promise<Connection> {
    this.connection ??= import("@aws-sdk/client-s3").then(async (sdk) => {
      const config = await withSettings(s3ClientConfig(this.env), this.settings);
      return {
        sdk,
        client: new sdk.S3Client(config),
        presigner: new sdk.S3Client(presignerConfig(config)),
      };
    });
    return this.connection;
  }
}

/** The client config with a remote's profile, credentials file and TLS settings applied. */
export async function withSettings(
  config: S3Sdk.S3ClientConfig,
  settings: S3StoreSettings,
): Promise<S3Sdk.S3ClientConfig> {
  const result = { ...config };
  if (settings.profile !== undefined) result.profile = settings.profile;
  if (settings.credentialsFile !== undefined && result.credentials === undefined) {
    const { fromIni } = await import("@aws-sdk/credential-provider-ini");
    result.credentials = fromIni({
      filepath: settings.credentialsFile,
      ...(settings.profile !== undefined ? { profile: settings.profile } : {}),
    });
  }
  if (settings.tls !== undefined) {
    const { Agent } = await import("node:https");
    result.requestHandler = { httpsAgent: new Agent({ keepAlive: true, ...settings.tls }) };
  }
  return result;
}

/** Client settings the way MLflow's boto3 setup reads them from the environment. */
export function s3ClientConfig(env: NodeJS.ProcessEnv): S3Sdk.S3ClientConfig {
  const endpoint = env.MLFLOW_S3_ENDPOINT_URL || env.AWS_ENDPOINT_URL || undefined;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1";
  const config: S3Sdk.S3ClientConfig = { region };
  if (endpoint !== undefined) {
    // S3-compatible servers rarely have per-bucket DNS, and older ones reject the SDK's default checksums.
    config.endpoint = endpoint;
    config.forcePathStyle = true;
    config.requestChecksumCalculation = "WHEN_REQUIRED";
    config.responseChecksumValidation = "WHEN_REQUIRED";
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    config.credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  return config;
}

function directoryPrefix(key: string): string {
  return key === "" ? "" : `${key}/`;
}

// Kept importable from here: data sources share the wording.
export { describeS3Error } from "./s3Errors.js";
