/**
 * The refusals MLflow 3.17's create-model-version handler answers for a source it will not register, worded
 * as MLflow words them so clients that read the message see the same text from either server.
 */
import { invalidParameter } from "../errors.js";

/** The named id field does not name the run or logged model that holds the source. */
export function notOwnedBy(source: string, idField: "run_id" | "model_id"): Error {
  return invalidParameter(
    `Invalid model version source: '${source}'. The ${idField} request parameter must identify the ` +
      "resource that contains the source.",
  );
}

/**
 * A local path outside the artifact directory of the run (or logged model) the request names. MLflow shows
 * the resolved path once an id is given, the source as sent otherwise, and says "of the run" for both ids.
 */
export function localPathRefused(shown: string, idField: "run_id" | "model_id"): Error {
  return invalidParameter(
    `Invalid model version source: '${shown}'. To use a local path as a model version source, the ` +
      `${idField} request parameter has to be specified and the local path has to be contained within the ` +
      `artifact directory of the run specified by the ${idField}.`,
  );
}
