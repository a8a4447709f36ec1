/**
 * MLflow 3 issue RPCs under /api/3.0/mlflow/issues (CreateIssue, GetIssue, UpdateIssue, SearchIssues) as
 * mlflow's handlers read them. Requests are validated here; behaviour is in src/tracking/issues.
 *
 * mlflow's protobuf parser skips a field whose JSON type it cannot read (`"status": 5`, `"max_results": 1.5`)
 * and the handler goes on without it; the optional fields here do the same. Only CreateIssue's name,
 * description and experiment_id are checked as strings, with mlflow's messages. UpdateIssue reads the issue
 * from the path but, like mlflow, still requires `issue_id` in the body (the client always sends it).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { toIssueWire, parseIssueSeverity, parseIssueStatus } from "../../tracking/issues/entities.js";
import { searchIssues } from "../../tracking/issues/search.js";
import { IssueStore } from "../../tracking/issues/store.js";
import type { ServerContext } from "../context.js";
import { registerRpc } from "../rpc.js";
import { protoBool, protoString, requiredString } from "./protoScalars.js";
import { protoQueryInteger } from "./queryIntegers.js";

const V3_PREFIXES = ["/api/3.0/mlflow", "/ajax-api/3.0/mlflow"] as const;

/** `[_assert_required]` alone: any value but a missing one, null or "" (the body's issue_id is never read). */
const requiredAny = () =>
  z.unknown().refine((value) => value !== undefined && value !== null && value !== "", "missing");

/**
 * A repeated string field; a value that is not a list of strings is skipped whole, as protobuf does. Unlike
 * the review queues' lists (protoLeadingStrings), the strings before a bad element are not kept.
 */
const protoStrings = () =>
  z
    .unknown()
    .transform((value) =>
      Array.isArray(value) && value.every((item) => typeof item === "string")
        ? (value as string[])
        : undefined,
    )
    .optional();

/** mlflow's handlers pass `field or None`: an empty string is as good as not sent. */
const textOrUndefined = (text: string | undefined) => (text === "" ? undefined : text);

export async function issueRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const store = new IssueStore(ctx.meta, () => ctx.now());
  const rpc = (route: Parameters<typeof registerRpc>[1]) => registerRpc(app, route, V3_PREFIXES);

  rpc({
    method: "POST",
    path: "issues",
    // In mlflow's order of checks: name, description, then experiment_id.
    request: z.object({
      name: requiredString(),
      description: requiredString(),
      experiment_id: requiredString(),
      status: protoString(),
      severity: protoString(),
      root_causes: protoStrings(),
      source_run_id: protoString(),
      created_by: protoString(),
      categories: protoStrings(),
    }),
    async handle(input: {
      name: string;
      description: string;
      experiment_id: string;
      status: string | undefined;
      severity: string | undefined;
      root_causes: string[] | undefined;
      source_run_id: string | undefined;
      created_by: string | undefined;
      categories: string[] | undefined;
    }) {
      const issue = await store.create({
        experimentId: input.experiment_id,
        name: input.name,
        description: input.description,
        // A sent status or severity is read even when empty, which no enum value is.
        status: input.status === undefined ? undefined : parseIssueStatus(input.status),
        severity: input.severity === undefined ? undefined : parseIssueSeverity(input.severity),
        rootCauses: input.root_causes,
        sourceRunId: textOrUndefined(input.source_run_id),
        categories: input.categories,
        createdBy: textOrUndefined(input.created_by),
      });
      return { issue: toIssueWire(issue) };
    },
  });

  rpc({
    method: "POST",
    path: "issues/search",
    request: z.object({
      experiment_id: protoString(),
      filter_string: protoString(),
      max_results: protoQueryInteger("int32").optional(),
      page_token: protoString(),
      include_trace_count: protoBool(),
    }),
    async handle(input: {
      experiment_id: string | undefined;
      filter_string: string | undefined;
      max_results: number | undefined;
      page_token: string | undefined;
      include_trace_count: boolean | undefined;
    }) {
      const page = await searchIssues(ctx.meta, {
        experimentId: textOrUndefined(input.experiment_id),
        filter: textOrUndefined(input.filter_string),
        maxResults: input.max_results,
        pageToken: textOrUndefined(input.page_token),
        includeTraceCount: input.include_trace_count,
      });
      // next_page_token has field presence and the handler always sets it, so "" is written out.
      return {
        ...(page.issues.length > 0 && { issues: page.issues.map(toIssueWire) }),
        next_page_token: page.nextPageToken ?? "",
      };
    },
  });

  rpc({
    method: "GET",
    path: "issues/:issueId",
    request: z.object({ issueId: z.string() }),
    async handle(input: { issueId: string }) {
      return { issue: toIssueWire(await store.get(input.issueId)) };
    },
  });

  rpc({
    method: "PATCH",
    path: "issues/:issueId",
    request: z.object({
      issueId: z.string(),
      issue_id: requiredAny(),
      name: protoString(),
      description: protoString(),
      status: protoString(),
      severity: protoString(),
    }),
    async handle(input: {
      issueId: string;
      name: string | undefined;
      description: string | undefined;
      status: string | undefined;
      severity: string | undefined;
    }) {
      const issue = await store.update(input.issueId, {
        status: input.status === undefined ? undefined : parseIssueStatus(input.status),
        name: textOrUndefined(input.name),
        description: textOrUndefined(input.description),
        severity: input.severity === undefined ? undefined : parseIssueSeverity(input.severity),
      });
      return { issue: toIssueWire(issue) };
    },
  });
}
