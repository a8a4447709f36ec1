/**
 * The media types MLflow's `/invocations` accepts: `application/json`, `text/csv` or (MLflow 3)
 * `application/vnd.apache.parquet`, with no parameter but `charset=utf-8`. Anything else is 415, worded as
 * MLflow words it.
 */
import { FlowOpsError } from "../../errors.js";
import { CONTENT_TYPES, SCORING_PROTOCOL_CHANGE_INFO, pythonListRepr } from "./mlflowMessages.js";

export type MlflowMediaType = (typeof CONTENT_TYPES)[number];

export function mlflowMediaType(contentType: string | undefined): MlflowMediaType {
  if (contentType === "application/json" || contentType === "text/csv") return contentType;
  const parts = (contentType ?? "").split(";").map((part) => part.trim());
  const mime = (parts[0] ?? "").toLowerCase();
  const parameters = new Map<string, string>();
  for (const pair of parts.slice(1)) {
    const equals = pair.indexOf("=");
    const key = (equals === -1 ? pair : pair.slice(0, equals)).trim().toLowerCase();
    parameters.set(key, equals === -1 ? "" : pair.slice(equals + 1).trim());
  }
  const charset = (parameters.get("charset") ?? "utf-8").replace(/^"|"$/g, "").toLowerCase();
  if (charset !== "utf-8" && charset !== "utf8") {
    throw new FlowOpsError("UNSUPPORTED_MEDIA_TYPE", "The scoring server only supports UTF-8");
  }
  parameters.delete("charset");
  if (parameters.size > 0) {
    throw new FlowOpsError(
      "UNSUPPORTED_MEDIA_TYPE",
      `Unrecognized content type parameters: ${[...parameters.keys()].join(", ")}. ${SCORING_PROTOCOL_CHANGE_INFO}`,
    );
  }
  if (mime === "application/json" || mime === "text/csv" || mime === "application/vnd.apache.parquet")
    return mime;
  throw new FlowOpsError(
    "UNSUPPORTED_MEDIA_TYPE",
    `This predictor only supports the following content types: Types: ${pythonListRepr(CONTENT_TYPES)}. ` +
      `Got '${contentType ?? ""}'.`,
  );
}
