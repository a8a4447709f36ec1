/**
 * `GET|POST /ajax-api/2.0/mlflow/gateway-proxy` (mlflow's `gateway_proxy_handler`): with no
 * MLFLOW_DEPLOYMENTS_TARGET the UI is told of an empty gateway, whatever it sent; with one, the request's
 * `json_data` is forwarded to `{target}/{gateway_path}` and a 200 answer is passed back.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { FlowOpsError, invalidParameter } from "../../errors.js";
import { sendWire } from "../rpc.js";
import { parseJsonBody } from "../wire.js";

export interface GatewayProxyOptions {
  /** Read on every request, as MLflow reads MLFLOW_DEPLOYMENTS_TARGET; process.env by default. */
  env?: NodeJS.ProcessEnv;
}

const PATH = "/ajax-api/2.0/mlflow/gateway-proxy";

export async function gatewayProxyRoutes(
  app: FastifyInstance,
  options: GatewayProxyOptions = {},
): Promise<void> {
  // With no target MLflow never reads the body, so no body is refused here; the handler decodes it when needed.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));

  app.route({
    method: ["GET", "POST"],
    url: PATH,
    handler: async (request, reply) => {
      const target = (options.env ?? process.env).MLFLOW_DEPLOYMENTS_TARGET;
      // Flask's jsonify ends its body with a newline.
      if (!target) return reply.type("application/json").send('{"endpoints":[]}\n');
      const args = requestArgs(request);
      const gatewayPath = args.gateway_path;
      validateGatewayPath(request.method, gatewayPath);
      const forwarded = await forward(request.method, `${target}/${String(gatewayPath)}`, args.json_data);
      return sendWire(reply, forwarded);
    },
  });
}

function requestArgs(request: FastifyRequest): Record<string, unknown> {
  if (request.method === "GET") return request.query as Record<string, unknown>;
  const body = typeof request.body === "string" ? request.body : "";
  try {
    const parsed = parseJsonBody(body);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // Falls through to Werkzeug's answer for a body it cannot decode.
  }
  throw new FlowOpsError(
    "BAD_REQUEST",
    "The browser (or proxy) sent a request that this server could not understand.",
  );
}

/** `_validate_gateway_path`: GET may only list endpoints, POST may only invoke one. */
function validateGatewayPath(method: string, gatewayPath: unknown): void {
  if (typeof gatewayPath !== "string" || gatewayPath === "") {
    throw invalidParameter("Deployments proxy request must specify a gateway_path.");
  }
  const path = gatewayPath.replace(/^\/+|\/+$/g, "");
  const allowed =
    method === "GET" ? path === "api/2.0/endpoints" : /^gateway\/[^/]+\/invocations$/.test(path);
  if (!allowed) throw invalidParameter(`Invalid gateway_path: ${gatewayPath} for method: ${method}`);
}

async function forward(method: string, url: string, jsonData: unknown): Promise<unknown> {
  const init: RequestInit =
    jsonData === undefined || jsonData === null
      ? { method }
      : { method, body: JSON.stringify(jsonData), headers: { "content-type": "application/json" } };
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new FlowOpsError("INTERNAL_ERROR", `Deployments proxy request to ${url} failed: ${String(error)}`, {
      cause: error,
    });
  }
  const text = await response.text();
  // MLflow passes the HTTP status as the error code, which names no ErrorCode and so becomes INTERNAL_ERROR.
  if (response.status !== 200) {
    throw new FlowOpsError(
      "INTERNAL_ERROR",
      `Deployments proxy request failed with error code ${response.status}. Error message: ${text}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new FlowOpsError(
      "INTERNAL_ERROR",
      `Deployments proxy target answered non-JSON: ${text.slice(0, 200)}`,
      {
        cause: error,
      },
    );
  }
}
