/**
 * `GET` and `POST /graphql`, as MLflow's `_graphql` handler answers them: the request is a JSON body (a GET
 * too: MLflow reads the body whatever the method, and never the query string), the query is parsed, held to
 * querySafety's limits, then validated and run against MLflow's schema. The answer is always 200 with
 * `{"data": ..., "errors": [message, ...] | null}`; what makes MLflow's handler itself fail (no JSON body, no
 * query, a syntax error) is a 500 here too, in FlowOps' error shape.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  execute,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
} from "graphql";
import { FlowOpsError, invalidParameter } from "../../errors.js";
import type { ServerContext } from "../context.js";
import { mlflowErrorMessage } from "./errorWording.js";
import type { GraphqlContext } from "./graphqlContext.js";
import { protoFieldResolver } from "./protoFieldResolver.js";
import { querySafetyProblem } from "./querySafety.js";
import { mlflowGraphqlSchema } from "./schema.js";
import { flaskJson } from "./flaskJson.js";

const JSON_CONTENT_TYPES = ["application/json"];

export async function graphqlRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  // The body is judged by the handler, as Flask's `get_json(force=True, silent=True)` judges it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

  app.route({
    method: ["GET", "POST"],
    url: "/graphql",
    handler: async (request, reply) => {
      if (request.method === "POST") assertJsonContentType(request.headers["content-type"]);
      const body = request.method === "GET" ? await readBody(request, ctx.config.bodyLimit) : request.body;
      const result = await runGraphql(jsonObject(body), { server: ctx });
      const answer = {
        data: result.data ?? null,
        errors: result.errors === undefined ? null : result.errors.map(mlflowErrorMessage),
      };
      return reply.code(200).type("application/json").send(flaskJson(answer));
    },
  });
}

async function runGraphql(
  request: Record<string, unknown>,
  context: GraphqlContext,
): Promise<ExecutionResult> {
  const document = parseQuery(request.query);
  const problem = querySafetyProblem(document);
  if (problem !== undefined) return { errors: [new GraphQLError(problem)] };
  const errors = validate(mlflowGraphqlSchema, document);
  if (errors.length > 0) return { errors };
  return execute({
    schema: mlflowGraphqlSchema,
    document,
    variableValues: variablesOf(request.variables, document),
    operationName: typeof request.operationName === "string" ? request.operationName : undefined,
    contextValue: context,
    fieldResolver: protoFieldResolver,
  });
}

/** MLflow's `parse(query)` raises outside its error handling, so a missing or malformed query is a 500. */
function parseQuery(query: unknown): DocumentNode {
  if (typeof query !== "string") {
    throw new FlowOpsError("INTERNAL_ERROR", "The GraphQL request has no query string.");
  }
  try {
    return parse(query);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new FlowOpsError("INTERNAL_ERROR", `The GraphQL query does not parse: ${message}`, {
      cause: error,
    });
  }
}

/** Variables that are not an object break graphql-core only once an operation declares a variable. */
function variablesOf(variables: unknown, document: DocumentNode): Record<string, unknown> | undefined {
  if (variables === undefined || variables === null) return undefined;
  if (typeof variables === "object" && !Array.isArray(variables)) return variables as Record<string, unknown>;
  const declaresVariables = document.definitions.some(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && (definition.variableDefinitions?.length ?? 0) > 0,
  );
  if (declaresVariables) {
    throw new FlowOpsError("INTERNAL_ERROR", "The GraphQL request's variables are not a JSON object.");
  }
  return undefined;
}

/** MLflow's `_validate_content_type`, which holds POST (and PUT) bodies to JSON. */
function assertJsonContentType(header: string | undefined): void {
  if (header === undefined) throw invalidParameter("Bad Request. Content-Type header is missing.");
  const type = header.split(";")[0]?.trim() ?? "";
  if (!JSON_CONTENT_TYPES.includes(type)) {
    throw invalidParameter("Bad Request. Content-Type must be one of ['application/json'].");
  }
}

/** The request body as a JSON object; anything else fails MLflow's `request_json.get(...)` with a 500. */
function jsonObject(body: unknown): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = Buffer.isBuffer(body) ? JSON.parse(body.toString("utf8")) : undefined;
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new FlowOpsError("INTERNAL_ERROR", "The GraphQL request body is not a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

/** A GET's body, which Fastify does not read for bodyless methods. */
async function readBody(request: FastifyRequest, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      throw new FlowOpsError("REQUEST_LIMIT_EXCEEDED", "Request body is larger than the server's limit.");
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
