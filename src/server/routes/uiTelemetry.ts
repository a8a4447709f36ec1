/**
 * The UI's telemetry endpoint (`/ajax-api/3.0/mlflow/ui-telemetry`). FlowOps collects no telemetry, so it
 * answers as MLflow does when it has no telemetry client: GET gives MLflow's fallback config (UI telemetry
 * off), and POST tells the UI to stop sending records. Only a POST with no records gets `success`, which
 * MLflow answers before it looks for a client, unless telemetry is switched off by environment. Bodies are
 * Flask's `jsonify`: sorted keys, compact, one trailing newline.
 */
import type { FastifyInstance } from "fastify";

const PATH = "/ajax-api/3.0/mlflow/ui-telemetry";
const FALLBACK_UI_CONFIG = '{"disable_ui_events":[],"disable_ui_telemetry":true,"ui_rollout_percentage":0}\n';
const DISABLED = '{"status":"disabled"}\n';
const SUCCESS = '{"status":"success"}\n';

export async function uiTelemetryRoutes(app: FastifyInstance): Promise<void> {
  // Any body is read as text: MLflow answers `disabled` to bodies it cannot read rather than an error.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));

  app.get(PATH, async (_request, reply) => reply.type("application/json").send(FALLBACK_UI_CONFIG));
  app.post(PATH, async (request, reply) => {
    const isJson = /^application\/json\b/i.test(request.headers["content-type"] ?? "");
    const answer =
      !telemetryDisabledByEnvironment() && isJson && hasNoRecords(request.body) ? SUCCESS : DISABLED;
    return reply.type("application/json").send(answer);
  });
}

/** mlflow's `is_telemetry_disabled`, from the switches a user sets: MLFLOW_DISABLE_TELEMETRY and DO_NOT_TRACK. */
function telemetryDisabledByEnvironment(): boolean {
  const disable = (process.env.MLFLOW_DISABLE_TELEMETRY ?? "").toLowerCase();
  return disable === "true" || disable === "1" || (process.env.DO_NOT_TRACK ?? "").toLowerCase() === "true";
}

/** Whether the body is a JSON object whose `records` is missing or falsy in Python's sense. */
function hasNoRecords(body: unknown): boolean {
  if (typeof body !== "string") return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return false;
  const records = (parsed as Record<string, unknown>).records;
  if (records === undefined || records === null || records === false || records === 0 || records === "")
    return true;
  if (Array.isArray(records)) return records.length === 0;
  return typeof records === "object" && Object.keys(records).length === 0;
}
