/**
 * MLflow's presigned URLs on S3 (S3ArtifactRepository's get_download_presigned_url and
 * create_presigned_upload_url): the server signs one GET or PUT and the client talks to S3 itself. A GET
 * URL comes with the object's size, read by a HEAD first, so the client can fetch it in parallel ranges;
 * a PUT URL comes with the headers it was signed with, which the client must send back unchanged.
 */
import { FlowOpsError } from "../errors.js";
import { artifactBasename, type PresignedDownload, type PresignedUpload } from "./store.js";
import { bucketOwnerHeaders } from "./s3BucketOwner.js";
import type { S3SignedObject } from "./s3Multipart.js";

/** MLFLOW_PRESIGNED_DOWNLOAD_URL_TTL_SECONDS's default, for the proxy's presigned GET. */
export const DOWNLOAD_URL_TTL_SECONDS = 300;
/** The `expiration` a presigned-upload-url request gets when it names none. */
export const UPLOAD_URL_TTL_SECONDS = 900;
/** S3 (and every cloud) refuses a signed URL living longer than 7 days, but only once it is used. */
export const MAX_URL_TTL_SECONDS = 604_800;

/** One object to sign for: where it is, and the clients that talk to S3 and sign URLs. */
export interface S3PresignTarget extends S3SignedObject {
  /** The store's extra PutObject parameters (encryption, ACL), signed into the PUT and sent back as headers. */
  uploadParams: Record<string, string>;
  /** The store's extra HeadObject parameters (an SSE-C key); never signed into the URL, see presignS3Download. */
  readParams: Record<string, string>;
}

/** PutObject parameters and the header each travels in (MLflow's `_S3_PARAM_TO_HEADER`). */
const PARAM_HEADERS: Record<string, string> = {
  ACL: "x-amz-acl",
  CacheControl: "Cache-Control",
  ContentDisposition: "Content-Disposition",
  ContentEncoding: "Content-Encoding",
  ContentLanguage: "Content-Language",
  Expires: "Expires",
  GrantFullControl: "x-amz-grant-full-control",
  GrantRead: "x-amz-grant-read",
  GrantReadACP: "x-amz-grant-read-acp",
  GrantWriteACP: "x-amz-grant-write-acp",
  ObjectLockLegalHoldStatus: "x-amz-object-lock-legal-hold",
  ObjectLockMode: "x-amz-object-lock-mode",
  ObjectLockRetainUntilDate: "x-amz-object-lock-retain-until-date",
  RequestPayer: "x-amz-request-payer",
  SSECustomerAlgorithm: "x-amz-server-side-encryption-customer-algorithm",
  SSECustomerKey: "x-amz-server-side-encryption-customer-key",
  SSECustomerKeyMD5: "x-amz-server-side-encryption-customer-key-MD5",
  SSEKMSEncryptionContext: "x-amz-server-side-encryption-context",
  SSEKMSKeyId: "x-amz-server-side-encryption-aws-kms-key-id",
  ServerSideEncryption: "x-amz-server-side-encryption",
  StorageClass: "x-amz-storage-class",
  Tagging: "x-amz-tagging",
  WebsiteRedirectLocation: "x-amz-website-redirect-location",
};

/** A HEAD carries no error body, so S3's 404 and 403 arrive as these names. */
const NOT_FOUND_NAMES = new Set(["NotFound", "NoSuchKey", "404"]);

export async function presignS3Download(
  target: S3PresignTarget,
  expiresIn: number,
): Promise<PresignedDownload> {
  const { sdk, client } = target;
  const head = await client
    .send(
      new sdk.HeadObjectCommand({
        ...target.readParams,
        ...target.owner,
        Bucket: target.bucket,
        Key: target.key,
      }),
    )
    .catch((error: unknown) => {
      if (NOT_FOUND_NAMES.has((error as { name?: string }).name ?? "")) {
        throw new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `Artifact '${target.key}' does not exist.`, {
          cause: error,
        });
      }
      throw target.describe(error);
    });
  const { getSignedUrl } = await import("@aws-sdk/s3-request-presigner");
  // An attachment, so a browser opening the URL saves the file rather than rendering it; the override is
  // part of the signed query, so it cannot be stripped. The stored Content-Type is left as it is.
  // The SDK moves the owner header into the signed query, as MLflow's _hoist_expected_bucket_owner does, so
  // the URL works without headers. The SSE-C read parameters stay out, as MLflow 3.17 signs none: S3 would
  // then need the customer key as headers on the client's GET, and the server would have to hand its secret
  // key to every client that may download. An SSE-C object's URL is therefore refused by S3 (400).
  const url = await getSignedUrl(
    target.presigner,
    new sdk.GetObjectCommand({
      ...target.owner,
      Bucket: target.bucket,
      Key: target.key,
      ResponseContentDisposition: attachmentDisposition(artifactBasename(target.key)),
    }),
    { expiresIn },
  ).catch((error: unknown) => {
    throw target.describe(error);
  });
  return {
    url,
    headers: {},
    ...(head.ContentLength === undefined ? {} : { file_size: head.ContentLength }),
  };
}

export async function presignS3Upload(target: S3PresignTarget, expiresIn: number): Promise<PresignedUpload> {
  const contentType = pythonGuessType(target.key) ?? "application/octet-stream";
  const headers: Record<string, string> = {
    "Content-Type": contentType,
    ...bucketOwnerHeaders(target.owner),
  };
  for (const [param, value] of Object.entries(target.uploadParams)) {
    // A parameter with no header cannot be sent by the client; MLflow skips it (with a warning) too.
    const header = PARAM_HEADERS[param];
    if (header !== undefined) headers[header] = value;
  }
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  const { getSignedUrl } = await import("@aws-sdk/s3-request-presigner");
  const presignedUrl = await getSignedUrl(
    target.presigner,
    new target.sdk.PutObjectCommand({
      ...target.owner,
      ...target.uploadParams,
      Bucket: target.bucket,
      Key: target.key,
      ContentType: contentType,
    }),
    {
      expiresIn,
      // Signed as headers, as boto3 signs them, so the PUT must carry exactly what the answer lists; the
      // SDK would otherwise leave Content-Type unsigned and move x-amz-* headers into the query.
      signableHeaders: new Set(names),
      unhoistableHeaders: new Set(names.filter((name) => name.startsWith("x-amz-"))),
    },
  ).catch((error: unknown) => {
    throw target.describe(error);
  });
  return { presigned_url: presignedUrl, headers };
}

/**
 * RFC 6266 `attachment` for a file name, as MLflow's `_attachment_content_disposition`: printable ASCII in
 * a quoted string, anything else (non-ASCII, control characters) percent-encoded in `filename*`.
 */
export function attachmentDisposition(name: string): string {
  if (!/^[\x20-\x7e]*$/.test(name)) {
    // Python's quote(): only letters, digits and `_.-~` (and `/`) stay as they are.
    const encoded = encodeURIComponent(name).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
    return `attachment; filename*=UTF-8''${encoded}`;
  }
  return `attachment; filename="${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Python's built-in `mimetypes` table (3.11) for the extensions artifacts use; MLflow's upload URL is signed
 * with `mimetypes.guess_type(path)`, whose answer otherwise depends on the host's /etc/mime.types.
 */
const PYTHON_TYPES: Record<string, string> = {
  bin: "application/octet-stream",
  csv: "text/csv",
  gif: "image/gif",
  h5: "application/x-hdf5",
  htm: "text/html",
  html: "text/html",
  jpeg: "image/jpeg",
  jpg: "image/jpeg",
  js: "text/javascript",
  json: "application/json",
  md: "text/markdown",
  mp3: "audio/mpeg",
  mp4: "video/mp4",
  pdf: "application/pdf",
  png: "image/png",
  py: "text/x-python",
  sh: "text/x-sh",
  svg: "image/svg+xml",
  tar: "application/x-tar",
  tsv: "text/tab-separated-values",
  txt: "text/plain",
  wav: "audio/x-wav",
  webp: "image/webp",
  xml: "application/xml",
  zip: "application/zip",
};

/** Python's compression suffixes: `a.tar.gz` is a tar with an encoding, and `a.gz` has no type. */
const ENCODINGS = new Set(["gz", "bz2", "xz", "br", "z"]);

export function pythonGuessType(path: string): string | undefined {
  const parts = artifactBasename(path).toLowerCase().split(".").slice(1);
  if (parts.length > 1 && ENCODINGS.has(parts[parts.length - 1] ?? "")) parts.pop();
  const extension = parts[parts.length - 1];
  return extension === undefined ? undefined : PYTHON_TYPES[extension];
}
