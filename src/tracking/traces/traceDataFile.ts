/**
 * A trace's data as the UI downloads it (`get-trace-artifact`): MLflow's `traces.json`, `{"spans": [...]}`.
 * Spans kept in the database are answered from their stored JSON, joined as MLflow's
 * `TraceData.to_json_bytes` joins them (root first, then by start time, each span's text untouched);
 * spans a client uploaded to the artifact store are read from `traces.json` under the trace's artifact
 * location, which MLflow falls back to whenever the spans are not in its tracking store.
 */
import type { Kysely } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import type { TraceSpanDatabase } from "../../db/schema.js";
import { FlowOpsError, notFound } from "../../errors.js";
import { readTraceInfos } from "./reader.js";
import { SPANS_LOCATION_TAG, TRACKING_STORE_LOCATION } from "./spanStore.js";

export const TRACE_DATA_FILE_NAME = "traces.json";
const ARTIFACT_LOCATION_TAG = "mlflow.artifactLocation";
/** `str(uuid.UUID(x)) == x` in Python: lower-case hex in 8-4-4-4-12 groups. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The trace data's JSON text, or where the file that holds it lies. */
export type TraceDataSource = { json: string } | { artifactLocation: string; path: string };

export async function traceDataSource(meta: MetadataDb, traceId: string): Promise<TraceDataSource> {
  const [info] = await readTraceInfos(meta.db, [traceId]);
  if (info === undefined) throw notFound(`Trace with ID ${traceId} is not found.`);
  if (info.tags[SPANS_LOCATION_TAG] === TRACKING_STORE_LOCATION) {
    return { json: await storedSpansJson(meta.db.withTables<Pick<TraceSpanDatabase, "spans">>(), traceId) };
  }
  return { artifactLocation: traceArtifactRoot(info.tags, traceId), path: TRACE_DATA_FILE_NAME };
}

/** Where one of the trace's attachments lies: `attachments/<id>` under the trace's artifact location. */
export async function traceAttachmentSource(
  meta: MetadataDb,
  traceId: string,
  attachmentId: string,
): Promise<{ artifactLocation: string; path: string }> {
  assertAttachmentId(attachmentId);
  const [info] = await readTraceInfos(meta.db, [traceId]);
  if (info === undefined) throw notFound(`Trace with ID '${traceId}' not found.`);
  return { artifactLocation: traceArtifactRoot(info.tags, traceId), path: `attachments/${attachmentId}` };
}

/** MLflow's `_validate_attachment_path`: attachments are named by a UUID in its canonical spelling. */
function assertAttachmentId(id: string): void {
  if (!CANONICAL_UUID.test(id)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `Invalid attachment path: '${id}'. Attachment path must be a valid UUID.`,
    );
  }
}

function traceArtifactRoot(tags: Record<string, string>, traceId: string): string {
  const location = tags[ARTIFACT_LOCATION_TAG];
  if (location === undefined || location === "") {
    throw new FlowOpsError(
      "INTERNAL_ERROR",
      `Unable to determine trace artifact location for trace '${traceId}': tag '${ARTIFACT_LOCATION_TAG}' is not set.`,
    );
  }
  return location;
}

/** A trace in the tracking store may have no spans yet; the UI then gets `{"spans":[]}`, as from MLflow. */
async function storedSpansJson(db: Kysely<TraceSpanDatabase>, traceId: string): Promise<string> {
  const rows = await db
    .selectFrom("spans")
    .select("content")
    .where("trace_id", "=", traceId)
    // A span whose payload was cleared (archival) has empty content; MLflow skips it.
    .where("content", "!=", "")
    .orderBy((eb) => eb.case().when("parent_span_id", "is", null).then(0).else(1).end())
    .orderBy("start_time_unix_nano")
    .orderBy("span_id")
    .execute();
  return `{"spans":[${rows.map((row) => row.content).join(",")}]}`;
}
