/**
 * `POST /ajax-api/2.0/mlflow/runs/create-promptlab-run`, the UI's prompt engineering run. Its body is read
 * as Python's json reads it (floats keep their `.0` when stored as params) and its Content-Type is checked
 * with MLflow's `_validate_content_type` messages, so this route keeps its own body parsers.
 */
import type { FastifyInstance } from "fastify";
import { createArtifactLocator } from "../../artifacts/location.js";
import { FlowOpsError, invalidParameter } from "../../errors.js";
import { parsePythonJson, type PythonJsonValue } from "../../pythonJson.js";
import { createPromptlabRun, parsePromptlabRunRequest } from "../../tracking/promptlabRun.js";
import type { ServerContext } from "../context.js";
import { sendWire } from "../rpc.js";
import { withoutEmptyRepeated } from "../wire.js";

/** What Werkzeug answers when `request.json` cannot decode the body. */
const UNDECODABLE_BODY = "The browser (or proxy) sent a request that this server could not understand.";

export async function promptlabRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const locator = createArtifactLocator(ctx.config);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, parsePythonJson((body as string).replace(/^\uFEFF/, "")));
    } catch {
      done(new FlowOpsError("BAD_REQUEST", UNDECODABLE_BODY), undefined);
    }
  });
  // Any other type is refused by the handler, with MLflow's message for it.
  app.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));

  app.post("/ajax-api/2.0/mlflow/runs/create-promptlab-run", async (request, reply) => {
    assertJsonContentType(request.headers["content-type"]);
    if (request.body === undefined) throw new FlowOpsError("BAD_REQUEST", UNDECODABLE_BODY);
    const input = parsePromptlabRunRequest(request.body as PythonJsonValue, ctx.now());
    const run = await createPromptlabRun(ctx.meta.db, input, {
      now: () => ctx.now(),
      openArtifacts: (uri) => locator.open(uri),
    });
    // mlflow answers with `message_to_json(CreateRun.Response)`: a run without metrics has no `metrics` key.
    return sendWire(reply, withoutEmptyRepeated({ run }));
  });
}

/** `_validate_content_type(request, ["application/json"])`: the header as sent, parameters dropped. */
function assertJsonContentType(header: string | undefined): void {
  if (header === undefined) throw invalidParameter("Bad Request. Content-Type header is missing.");
  if (header.split(";")[0] !== "application/json") {
    throw invalidParameter("Bad Request. Content-Type must be one of ['application/json'].");
  }
}
