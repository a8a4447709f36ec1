/**
 * User-visible wording of MLflow's scoring server (`mlflow/pyfunc/scoring_server/__init__.py`), kept verbatim
 * so that clients and runbooks written against `mlflow models serve` read the same errors here.
 */

import { pythonStrRepr } from "./pythonRepr.js";

export const MLFLOW_INPUT_KEYS = ["dataframe_split", "dataframe_records", "instances", "inputs"] as const;
export type MlflowInputKey = (typeof MLFLOW_INPUT_KEYS)[number];

export const REQUIRED_INPUT_FORMAT =
  "The input must be a JSON dictionary with exactly one of the input fields " +
  "{'dataframe_split', 'dataframe_records', 'instances', 'inputs'}";

export const SCORING_PROTOCOL_CHANGE_INFO =
  "IMPORTANT: The MLflow Model scoring protocol has changed in MLflow version 2.0. If you are" +
  " seeing this error, you are likely using an outdated scoring request format. To resolve the" +
  " error, either update your request format or adjust your MLflow Model's requirements file to" +
  " specify an older version of MLflow (for example, change the 'mlflow' requirement specifier" +
  " to 'mlflow==1.30.0'). If you are making a request using the MLflow client" +
  " (e.g. via `mlflow.pyfunc.spark_udf()`), upgrade your MLflow client to a version >= 2.0 in" +
  " order to use the new request format. For more information about the updated MLflow" +
  " Model scoring protocol in MLflow 2.0, see" +
  " https://mlflow.org/docs/latest/models.html#deploy-mlflow-models.";

export const CONTENT_TYPES = ["text/csv", "application/json", "application/vnd.apache.parquet"] as const;

/** A Python list repr (`['a', 'b']`), as MLflow prints the keys it received. */
export function pythonListRepr(items: readonly string[]): string {
  return `[${items.map(pythonStrRepr).join(", ")}]`;
}

/**
 * MLflow's answer (400, BAD_REQUEST) when the model's predict raises something other than an MlflowException, as
 * onnxruntime does for a numpy array of text or objects fed to a numeric input.
 */
export const UNEXPECTED_MODEL_ERROR =
  "Encountered an unexpected error while evaluating the model. Verify that the serialized input Dataframe is " +
  "compatible with the model for inference.";
