/**
 * The `error_class` and `sqlstate` fields MLflow 3.17 adds to every error body (mlflow/error_classification.py,
 * mlflow/exceptions.py `MlflowException.__init__` and `serialize_as_json`).
 *
 * MLflow keeps two namespaces: the client one (KAM0x user errors, XXM0x system errors) that `MlflowException`
 * derives when it is raised, and the server ("CP") one (KAMCx, XXMCx) that the client's `RestException` derives
 * only when a response body carries neither field. MLflow's tracking and scoring servers answer with
 * `MlflowException.serialize_as_json()`, so the client namespace is what goes on the wire (a missing run is
 * `"sqlstate": "KAM00", "error_class": "RESOURCE_NOT_FOUND"`, not KAMC2); the server namespace is never sent
 * and so is not kept here.
 */
import type { ErrorCode } from "./errors.js";

/** MLflow's client-side `ErrorClass` names; a raise site passes one when its error code is too coarse. */
const ERROR_CLASSES = [
  "ATTRIBUTE_NOT_FOUND",
  "CLIENT_INTERNAL_ERROR",
  "FEATURE_DISABLED",
  "INVALID_PARAMETER_VALUE",
  "MODEL_SERIALIZATION_FAILED",
  "PERMISSION_DENIED",
  "PREDICTION_FUNCTION_FAILED",
  "RESOURCE_ALREADY_EXISTS",
  "RESOURCE_NOT_FOUND",
  "SCHEMA_ENFORCEMENT_FAILED",
] as const;

export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** Whether a class a Python model's MLflow sent is one FlowOps can send on (a newer MLflow may add more). */
export function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === "string" && (ERROR_CLASSES as readonly string[]).includes(value);
}

/**
 * `_CLIENT_ERROR_CODE_TO_ERROR_CLASS`. Codes absent here (NOT_IMPLEMENTED, RESOURCE_CONFLICT, ALREADY_EXISTS,
 * REQUEST_LIMIT_EXCEEDED, ...) get no error_class, and MLflow then leaves both fields out of the body. FlowOps'
 * own codes (UNSUPPORTED_MEDIA_TYPE, PAYLOAD_TOO_LARGE) are absent for the same reason: MLflow's lookup is a
 * `dict.get`, so a code it does not list is answered without either field.
 */
const ERROR_CLASS_OF_CODE: Partial<Record<ErrorCode, ErrorClass>> = {
  BAD_REQUEST: "INVALID_PARAMETER_VALUE",
  ENDPOINT_NOT_FOUND: "RESOURCE_NOT_FOUND",
  INTERNAL_ERROR: "CLIENT_INTERNAL_ERROR",
  INVALID_PARAMETER_VALUE: "INVALID_PARAMETER_VALUE",
  INVALID_STATE: "CLIENT_INTERNAL_ERROR",
  NOT_FOUND: "RESOURCE_NOT_FOUND",
  PERMISSION_DENIED: "PERMISSION_DENIED",
  RESOURCE_ALREADY_EXISTS: "RESOURCE_ALREADY_EXISTS",
  RESOURCE_DOES_NOT_EXIST: "RESOURCE_NOT_FOUND",
  TEMPORARILY_UNAVAILABLE: "CLIENT_INTERNAL_ERROR",
};

/** `_CLIENT_ERROR_CODE_TO_SQLSTATE`: every user error is KAM00, every system error XXM00. */
const SQLSTATE_OF_CODE: Partial<Record<ErrorCode, string>> = {
  BAD_REQUEST: "KAM00",
  ENDPOINT_NOT_FOUND: "KAM00",
  INTERNAL_ERROR: "XXM00",
  INVALID_PARAMETER_VALUE: "KAM00",
  INVALID_STATE: "XXM00",
  NOT_FOUND: "KAM00",
  PERMISSION_DENIED: "KAM00",
  RESOURCE_ALREADY_EXISTS: "KAM00",
  RESOURCE_DOES_NOT_EXIST: "KAM00",
  TEMPORARILY_UNAVAILABLE: "XXM00",
};

/**
 * `_ERROR_CLASS_TO_SQLSTATE`: the classes raise sites pass to tell apart failures that share
 * INVALID_PARAMETER_VALUE (a schema enforcement failure is KAM01, a bad attribute name KAM04).
 */
const SQLSTATE_OF_CLASS: Partial<Record<ErrorClass, string>> = {
  ATTRIBUTE_NOT_FOUND: "KAM04",
  MODEL_SERIALIZATION_FAILED: "KAM03",
  PREDICTION_FUNCTION_FAILED: "KAM02",
  SCHEMA_ENFORCEMENT_FAILED: "KAM01",
};

export interface ErrorClassification {
  sqlstate?: string;
  error_class?: ErrorClass;
}

/**
 * The two fields as `MlflowException.__init__` derives them: the raise site's class, else the code's; the
 * class's own sqlstate, else the code's. A field MLflow would leave as None is absent, as `serialize_as_json`
 * then omits it.
 */
export function classifyError(code: ErrorCode, errorClass?: ErrorClass): ErrorClassification {
  const derivedClass = errorClass ?? ERROR_CLASS_OF_CODE[code];
  const sqlstate =
    (derivedClass === undefined ? undefined : SQLSTATE_OF_CLASS[derivedClass]) ?? SQLSTATE_OF_CODE[code];
  return {
    ...(sqlstate === undefined ? {} : { sqlstate }),
    ...(derivedClass === undefined ? {} : { error_class: derivedClass }),
  };
}
