/**
 * MLflow's proxied multipart upload on S3 (S3ArtifactRepository's create/complete/abort_multipart_upload):
 * the server opens an upload and signs one PUT URL per part, the client sends the parts straight to S3, then
 * asks the server to join them (with the ETags S3 answered) or to drop them. No part bytes pass through the
 * server, and the object appears only when the upload is completed.
 */
import type * as S3Sdk from "@aws-sdk/client-s3";
import { FlowOpsError, invalidParameter } from "../errors.js";
import { BUCKET_OWNER_HEADER, bucketOwnerHeaders, type BucketOwnerParams } from "./s3BucketOwner.js";
import type { MultipartUploadCreated, MultipartUploadCredential, MultipartUploadPart } from "./store.js";

/** boto3's `generate_presigned_url` default, which MLflow's part URLs use. */
export const PART_URL_TTL_SECONDS = 3600;
/** S3 numbers parts 1 to 10000; a URL for part 10001 could never be used. */
export const MAX_MULTIPART_PARTS = 10_000;

/** One object's upload: where it goes, and the clients that talk to S3 and sign part URLs. */
export interface S3SignedObject {
  sdk: typeof S3Sdk;
  client: S3Sdk.S3Client;
  /** Signs URLs; built from presignerConfig. */
  presigner: S3Sdk.S3Client;
  bucket: string;
  key: string;
  /** MLFLOW_S3_EXPECTED_BUCKET_OWNER, sent on every command and signed into every URL. */
  owner: BucketOwnerParams;
  /** The store's own wording of an S3 failure. */
  describe(error: unknown): unknown;
}

export interface S3MultipartTarget extends S3SignedObject {
  /** A store's extra CreateMultipartUpload parameters (encryption, ACL). */
  createParams: Record<string, string>;
}

/**
 * The config of the client that signs part URLs. With the SDK's default (checksums whenever supported),
 * every URL would carry `x-amz-checksum-crc32=AAAAAA==`, the CRC32 of an empty body, and AWS would refuse
 * each real part as a checksum mismatch.
 */
export function presignerConfig(config: S3Sdk.S3ClientConfig): S3Sdk.S3ClientConfig {
  return { ...config, requestChecksumCalculation: "WHEN_REQUIRED" };
}

export async function createS3MultipartUpload(
  target: S3MultipartTarget,
  numParts: number,
): Promise<MultipartUploadCreated> {
  if (!Number.isInteger(numParts) || numParts < 0 || numParts > MAX_MULTIPART_PARTS) {
    throw invalidParameter(
      `Invalid number of parts ${numParts}: S3 takes between 1 and ${MAX_MULTIPART_PARTS} parts.`,
    );
  }
  const { sdk, client } = target;
  const created = await client
    .send(
      new sdk.CreateMultipartUploadCommand({
        ...target.owner,
        ...target.createParams,
        Bucket: target.bucket,
        Key: target.key,
      }),
    )
    .catch((error: unknown) => {
      throw target.describe(error);
    });
  const uploadId = created.UploadId;
  if (uploadId === undefined || uploadId === "") {
    throw new FlowOpsError("INTERNAL_ERROR", `S3 opened no upload for '${target.key}' (no UploadId).`);
  }
  try {
    return { upload_id: uploadId, credentials: await signPartUrls(target, uploadId, numParts) };
  } catch (error) {
    // The client never learns this upload id, so nobody else could abort it.
    await abortS3MultipartUpload(target, uploadId).catch(() => undefined);
    throw target.describe(error);
  }
}

/**
 * One presigned UploadPart URL per part, numbered from 1. The owner is signed as a header, as boto3 signs it
 * in MLflow's part URLs, and listed in each part's headers so the client sends it (see bucketOwnerHeaders).
 */
export async function signPartUrls(
  target: S3MultipartTarget,
  uploadId: string,
  numParts: number,
): Promise<MultipartUploadCredential[]> {
  const { getSignedUrl } = await import("@aws-sdk/s3-request-presigner");
  const partNumbers = Array.from({ length: numParts }, (_, index) => index + 1);
  const headers = bucketOwnerHeaders(target.owner);
  return Promise.all(
    partNumbers.map(async (partNumber) => ({
      url: await getSignedUrl(
        target.presigner,
        new target.sdk.UploadPartCommand({
          ...target.owner,
          Bucket: target.bucket,
          Key: target.key,
          UploadId: uploadId,
          PartNumber: partNumber,
        }),
        { expiresIn: PART_URL_TTL_SECONDS, unhoistableHeaders: new Set([BUCKET_OWNER_HEADER]) },
      ),
      part_number: partNumber,
      headers: { ...headers },
    })),
  );
}

export async function completeS3MultipartUpload(
  target: S3MultipartTarget,
  uploadId: string,
  parts: MultipartUploadPart[],
): Promise<void> {
  const { sdk, client } = target;
  await client
    .send(
      new sdk.CompleteMultipartUploadCommand({
        ...target.owner,
        Bucket: target.bucket,
        Key: target.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.part_number, ETag: part.etag })) },
      }),
    )
    .catch((error: unknown) => {
      throw describeMultipartError(error, target, uploadId);
    });
}

export async function abortS3MultipartUpload(target: S3MultipartTarget, uploadId: string): Promise<void> {
  const { sdk, client } = target;
  await client
    .send(
      new sdk.AbortMultipartUploadCommand({
        ...target.owner,
        Bucket: target.bucket,
        Key: target.key,
        UploadId: uploadId,
      }),
    )
    .catch((error: unknown) => {
      throw describeMultipartError(error, target, uploadId);
    });
}

/** S3 refusals caused by what the client sent; MLflow lets them escape as a bare 500. */
const CLIENT_MISTAKES = new Set([
  "InvalidPart",
  "InvalidPartOrder",
  "EntityTooSmall",
  "MalformedXML",
  "InvalidArgument",
  "InvalidRequest",
]);

/**
 * An unknown upload id is a missing resource and a bad part list is a bad parameter, so the client sees a
 * 404 or 400 that says which; anything else is the store's usual S3 error.
 */
function describeMultipartError(error: unknown, target: S3MultipartTarget, uploadId: string): unknown {
  const e = error as { name?: string; message?: string };
  if (e.name === "NoSuchUpload") {
    return new FlowOpsError(
      "RESOURCE_DOES_NOT_EXIST",
      `Multipart upload '${uploadId}' of '${target.key}' does not exist: it was completed, aborted or never started.`,
      { cause: error },
    );
  }
  if (e.name !== undefined && CLIENT_MISTAKES.has(e.name)) {
    return new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `S3 refused the parts of upload '${uploadId}' of '${target.key}' (${e.name}): ${e.message ?? "no details"}`,
      { cause: error },
    );
  }
  return target.describe(error);
}
