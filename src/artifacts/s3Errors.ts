/**
 * What S3's SDK errors mean to a FlowOps caller: a missing object, and the FlowOpsError that names the store
 * for the failures people meet (credentials, a missing bucket, an unreachable endpoint).
 */
import { FlowOpsError } from "../errors.js";

export function isS3NotFound(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === "NoSuchKey" || name === "NotFound";
}

/**
 * The SDK reports a 403 on HEAD as "UnknownError" and a refused connection as a bare errno; neither says which
 * storage was asked. Other errors keep their message, prefixed with the store.
 */
export function describeS3Error(error: unknown, rootUri: string, endpoint: string | undefined): unknown {
  if (error instanceof FlowOpsError) return error;
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e.$metadata?.httpStatusCode;
  const where = endpoint === undefined ? rootUri : `${rootUri} at ${endpoint}`;
  if (
    status === 403 ||
    ["AccessDenied", "Forbidden", "InvalidAccessKeyId", "SignatureDoesNotMatch"].includes(e.name ?? "")
  )
    return new FlowOpsError(
      "PERMISSION_DENIED",
      `${where}: access denied (403 ${e.name ?? "Forbidden"}); check the credentials`,
      { cause: error },
    );
  if (e.name === "NoSuchBucket")
    return new FlowOpsError("RESOURCE_DOES_NOT_EXIST", `${where}: the bucket does not exist`, {
      cause: error,
    });
  const code = e.code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (
    code !== undefined &&
    ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET"].includes(code)
  )
    return new FlowOpsError("TEMPORARILY_UNAVAILABLE", `${where}: cannot reach the S3 endpoint (${code})`, {
      cause: error,
    });
  if (error instanceof Error)
    return new FlowOpsError("INTERNAL_ERROR", `${where}: ${error.message}`, { cause: error });
  return error;
}
