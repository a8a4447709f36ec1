/**
 * Body parsing of the serving routes, set per route plugin: the KServe protocols read any body as JSON (curl
 * -d sends form encoding by default, and KServe's own server does not look at the type), while MLflow's
 * `/invocations` takes the raw bytes so its payload parser can apply MLflow's media-type rules (JSON or CSV,
 * UTF-8 only, else 415). Each body is parsed once.
 */
import type { FastifyInstance } from "fastify";
import { FlowOpsError } from "../../errors.js";

export function parseEveryBodyAsJson(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") {
      done(new FlowOpsError("BAD_REQUEST", "request body is empty; expected a JSON object"), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      done(new FlowOpsError("BAD_REQUEST", `request body is not valid JSON: ${reason}`), undefined);
    }
  });
}

export function keepEveryBodyRaw(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
}
