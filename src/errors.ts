/**
 * The one error type of FlowOps. Codes are MLflow's `ErrorCode` names so the server can send them to the
 * official client unchanged; the status table is exhaustive, so a new code without a status does not compile.
 */
import { classifyError, type ErrorClass } from "./errorClassification.js";

export const ERROR_CODES = [
  "INVALID_PARAMETER_VALUE",
  "BAD_REQUEST",
  "RESOURCE_DOES_NOT_EXIST",
  "NOT_FOUND",
  "ENDPOINT_NOT_FOUND",
  "RESOURCE_ALREADY_EXISTS",
  "ALREADY_EXISTS",
  "RESOURCE_CONFLICT",
  "ABORTED",
  "UNAUTHENTICATED",
  "PERMISSION_DENIED",
  "REQUEST_LIMIT_EXCEEDED",
  "RESOURCE_EXHAUSTED",
  "INTERNAL_ERROR",
  "INVALID_STATE",
  "DATA_LOSS",
  "NOT_IMPLEMENTED",
  "TEMPORARILY_UNAVAILABLE",
  "DEADLINE_EXCEEDED",
  "CANCELLED",
  // FlowOps' own, for the serving protocols (MLflow's scoring server answers 415 and 413 too).
  "UNSUPPORTED_MEDIA_TYPE",
  "PAYLOAD_TOO_LARGE",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** MLflow's `ERROR_CODE_TO_HTTP_STATUS` (mlflow/exceptions.py); RESOURCE_ALREADY_EXISTS is 400, not 409. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  NOT_FOUND: 404,
  ENDPOINT_NOT_FOUND: 404,
  RESOURCE_ALREADY_EXISTS: 400,
  ALREADY_EXISTS: 409,
  RESOURCE_CONFLICT: 409,
  ABORTED: 409,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL_ERROR: 500,
  INVALID_STATE: 500,
  DATA_LOSS: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  CANCELLED: 499,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
};

/** An error body as MLflow's `serialize_as_json` writes it: fields in this order, the last two when derived. */
export interface ErrorBody {
  error_code: ErrorCode;
  message: string;
  sqlstate?: string;
  error_class?: ErrorClass;
}

export class FlowOpsError extends Error {
  override readonly name = "FlowOpsError";
  /** Set where the code is too coarse, as MLflow's raise sites pass `error_class` (schema enforcement). */
  readonly errorClass: ErrorClass | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; errorClass?: ErrorClass },
  ) {
    super(message, options !== undefined && "cause" in options ? { cause: options.cause } : undefined);
    this.errorClass = options?.errorClass;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }

  toJSON(): ErrorBody {
    return { error_code: this.code, message: this.message, ...classifyError(this.code, this.errorClass) };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/** Shorthands for the codes the stores raise most; they keep call sites short and the wording uniform. */
export const invalidParameter = (message: string): FlowOpsError =>
  new FlowOpsError("INVALID_PARAMETER_VALUE", message);
export const notFound = (message: string): FlowOpsError =>
  new FlowOpsError("RESOURCE_DOES_NOT_EXIST", message);
export const alreadyExists = (message: string): FlowOpsError =>
  new FlowOpsError("RESOURCE_ALREADY_EXISTS", message);

/** A few words for the filesystem errors people meet, in place of "ENOENT: no such file or directory, open 'x'". */
const FILE_ERROR_WORDS: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "not a directory",
  EEXIST: "a file of that name exists",
};

/** The errno code of a Node system error (`ENOENT`), if `error` is one. */
export function systemErrorCode(error: unknown): string | undefined {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

/** Why a file could not be used, in a few words when the error is a known filesystem one. */
export function describeFileError(error: unknown): string {
  const words = FILE_ERROR_WORDS[systemErrorCode(error) ?? ""];
  if (words !== undefined) return words;
  return error instanceof Error ? error.message : String(error);
}

/**
 * A file named by a command-line option cannot be read: the option, the file and why, e.g.
 * `--policy: cannot read nope.yaml: no such file`. The original error is kept as the cause.
 */
export function unreadableFile(option: string, path: string, error: unknown): FlowOpsError {
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `${option}: cannot read ${path}: ${describeFileError(error)}`,
    { cause: error },
  );
}

/** Normalises anything thrown into a FlowOpsError once, keeping the original as the cause. */
export function toFlowOpsError(error: unknown): FlowOpsError {
  if (error instanceof FlowOpsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FlowOpsError("INTERNAL_ERROR", message, { cause: error });
}
