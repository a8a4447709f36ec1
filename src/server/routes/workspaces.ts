/**
 * MLflow 3's workspace endpoints. FlowOps keeps one namespace, like `mlflow server` started without
 * `--enable-workspaces` (server-info says `workspaces_enabled: false`), so each answers as mlflow 3.17.2's
 * `_disable_if_workspaces_disabled` does there: a 503 whose plain-text body names the route rule as the request
 * spelled its prefix. A client that lists workspaces learns why, rather than reading a 404 as a missing server.
 */
import type { FastifyInstance } from "fastify";

const WORKSPACE_RULES: ReadonlyArray<{
  rule: string;
  methods: ReadonlyArray<"GET" | "POST" | "PATCH" | "DELETE">;
}> = [
  { rule: "/3.0/mlflow/workspaces", methods: ["GET", "POST"] },
  { rule: "/3.0/mlflow/workspaces/<workspace_name>", methods: ["GET", "PATCH", "DELETE"] },
];

export function workspacesDisabledMessage(rule: string): string {
  return (
    `Endpoint: ${rule} disabled because the server is running without workspaces support. ` +
    "To enable workspace, run `mlflow server` with `--enable-workspaces`"
  );
}

export async function workspaceRoutes(app: FastifyInstance): Promise<void> {
  // mlflow refuses before it reads the body, so no body (malformed JSON, any content type) changes the answer.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
  for (const prefix of ["/api", "/ajax-api"]) {
    for (const { rule, methods } of WORKSPACE_RULES) {
      const flaskRule = `${prefix}${rule}`;
      const url = flaskRule.replace("<workspace_name>", ":workspace_name");
      app.route({
        method: [...methods],
        url,
        handler: async (request, reply) => {
          // Werkzeug decodes `%2F` before routing and needs a non-empty segment, so such names match no rule.
          const name = (request.params as { workspace_name?: string }).workspace_name;
          if (name !== undefined && (name === "" || name.includes("/"))) return reply.callNotFound();
          return reply.code(503).type("text/html; charset=utf-8").send(workspacesDisabledMessage(flaskRule));
        },
      });
    }
  }
}
