/**
 * Issues as the store returns them and as MLflow's `Issue` message spells them: fields in the proto's
 * order, optional ones left out when empty (mlflow's `Issue.to_proto` sets severity, root causes, source run,
 * categories and creator only when truthy), `trace_count` only when a search asked for it, 0 included.
 */
import { invalidParameter } from "../../errors.js";
import { pythonStrRepr } from "../../pythonRepr.js";

/** mlflow's IssueStatus values. */
export const ISSUE_STATUSES = ["pending", "rejected", "resolved"] as const;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];

/** mlflow's IssueSeverity values, lowest first: a search ranks by this order. */
export const ISSUE_SEVERITIES = ["not_an_issue", "low", "medium", "high"] as const;
export type IssueSeverity = (typeof ISSUE_SEVERITIES)[number];

export interface Issue {
  issueId: string;
  experimentId: string;
  name: string;
  description: string;
  status: IssueStatus;
  severity: IssueSeverity | undefined;
  rootCauses: string[] | undefined;
  sourceRunId: string | undefined;
  createdTimestamp: number;
  lastUpdatedTimestamp: number;
  createdBy: string | undefined;
  categories: string[] | undefined;
  /** Set by a search with `include_trace_count` only. */
  traceCount?: number | undefined;
}

/**
 * `IssueStatus(text)`. mlflow's handler lets the enum's ValueError escape as a 500 for an unknown or empty
 * value; FlowOps answers the same words as a 400, since the request is what is wrong.
 */
export function parseIssueStatus(text: string): IssueStatus {
  if ((ISSUE_STATUSES as readonly string[]).includes(text)) return text as IssueStatus;
  throw invalidParameter(`${pythonStrRepr(text)} is not a valid IssueStatus`);
}

/** `IssueSeverity(text)`, refused as parseIssueStatus refuses a status. */
export function parseIssueSeverity(text: string): IssueSeverity {
  if ((ISSUE_SEVERITIES as readonly string[]).includes(text)) return text as IssueSeverity;
  throw invalidParameter(`${pythonStrRepr(text)} is not a valid IssueSeverity`);
}

/** The `Issue` message. */
export function toIssueWire(issue: Issue) {
  const nonEmpty = (list: string[] | undefined) => (list !== undefined && list.length > 0 ? list : undefined);
  return {
    issue_id: issue.issueId,
    experiment_id: issue.experimentId,
    name: issue.name,
    description: issue.description,
    status: issue.status,
    ...(issue.severity !== undefined && { severity: issue.severity }),
    ...(nonEmpty(issue.rootCauses) !== undefined && { root_causes: issue.rootCauses }),
    ...(issue.sourceRunId !== undefined && issue.sourceRunId !== "" && { source_run_id: issue.sourceRunId }),
    created_timestamp: issue.createdTimestamp,
    last_updated_timestamp: issue.lastUpdatedTimestamp,
    ...(issue.createdBy !== undefined && issue.createdBy !== "" && { created_by: issue.createdBy }),
    ...(nonEmpty(issue.categories) !== undefined && { categories: issue.categories }),
    ...(issue.traceCount !== undefined && { trace_count: issue.traceCount }),
  };
}
