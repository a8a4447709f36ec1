/**
 * The error of a malformed request body, worded as MLflow's `MlflowInvalidInputException` (BAD_REQUEST, 400,
 * "Invalid input. ..."), and the JSON object test every payload parser needs.
 */
import { FlowOpsError } from "../../errors.js";

export function invalidInput(message: string): FlowOpsError {
  return new FlowOpsError("BAD_REQUEST", `Invalid input. ${message}`);
}

/** A JSON object (not null, not a list). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
