/**
 * Issues with the semantics of mlflow's SqlAlchemyStore (`create_issue`, `get_issue`, `update_issue`): an
 * issue is created in an active experiment, pending unless told otherwise, with a server-made
 * `iss-<32 hex>` id; an update changes only the fields it is given and always stamps the update time.
 * Searching is in search.ts.
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import type { Database, IssueDatabase, IssueTable } from "../../db/schema.js";
import { FlowOpsError, notFound } from "../../errors.js";
import { requireActiveExperimentId } from "../experimentReader.js";
import type { Issue, IssueSeverity, IssueStatus } from "./entities.js";

export interface NewIssue {
  experimentId: string;
  name: string;
  description: string;
  status?: IssueStatus | undefined;
  severity?: IssueSeverity | undefined;
  rootCauses?: readonly string[] | undefined;
  sourceRunId?: string | undefined;
  categories?: readonly string[] | undefined;
  createdBy?: string | undefined;
}

/** The fields an update sets; undefined ones keep their values. */
export interface IssueChanges {
  status?: IssueStatus | undefined;
  name?: string | undefined;
  description?: string | undefined;
  severity?: IssueSeverity | undefined;
}

/** The tables this store reads and writes (migration 0017) beside the rest. */
export function withIssues(db: Kysely<Database>): Kysely<IssueDatabase> {
  return db.withTables<{ issues: IssueTable }>();
}

export function issueNotFound(issueId: string): FlowOpsError {
  return notFound(`Issue with ID '${issueId}' not found`);
}

/** A stored JSON array; mlflow writes none for an empty list, so null and "[]" both read as no list. */
function listFrom(text: string | null): string[] | undefined {
  if (text === null || text === "") return undefined;
  const parsed = JSON.parse(text) as unknown;
  return Array.isArray(parsed) && parsed.length > 0 ? parsed.map(String) : undefined;
}

export function toIssue(row: Selectable<IssueTable>): Issue {
  return {
    issueId: row.issue_id,
    experimentId: String(row.experiment_id),
    name: row.name,
    description: row.description,
    status: row.status as IssueStatus,
    severity: (row.severity ?? undefined) as IssueSeverity | undefined,
    rootCauses: listFrom(row.root_causes),
    sourceRunId: row.source_run_id ?? undefined,
    createdTimestamp: Number(row.created_timestamp),
    lastUpdatedTimestamp: Number(row.last_updated_timestamp),
    createdBy: row.created_by ?? undefined,
    categories: listFrom(row.categories),
  };
}

/** A foreign key refused by either engine: SQLite's extended result code, PostgreSQL's SQLSTATE 23503. */
function isForeignKeyViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === "SQLITE_CONSTRAINT_FOREIGNKEY" || code === "23503";
}

export class IssueStore {
  private readonly db: Kysely<IssueDatabase>;

  constructor(
    private readonly meta: MetadataDb,
    private readonly now: () => number = Date.now,
  ) {
    this.db = withIssues(meta.db);
  }

  async create(input: NewIssue): Promise<Issue> {
    const experimentId = await requireActiveExperimentId(this.meta.db, input.experimentId);
    const now = this.now();
    const listText = (list: readonly string[] | undefined) =>
      list === undefined || list.length === 0 ? null : JSON.stringify(list);
    const row: Selectable<IssueTable> = {
      issue_id: `iss-${randomUUID().replace(/-/g, "")}`,
      experiment_id: experimentId,
      name: input.name,
      description: input.description,
      status: input.status ?? "pending",
      severity: input.severity ?? null,
      root_causes: listText(input.rootCauses),
      source_run_id: input.sourceRunId === undefined || input.sourceRunId === "" ? null : input.sourceRunId,
      categories: listText(input.categories),
      created_timestamp: now,
      last_updated_timestamp: now,
      created_by: input.createdBy === undefined || input.createdBy === "" ? null : input.createdBy,
    };
    try {
      await this.db.insertInto("issues").values(row).execute();
    } catch (error) {
      // The experiment was just found, so the refused key is the source run. mlflow lets the database's
      // IntegrityError through as its message; the code and status are mlflow's, the words are plainer.
      if (isForeignKeyViolation(error)) {
        throw new FlowOpsError(
          "BAD_REQUEST",
          `FOREIGN KEY constraint failed: source_run_id '${String(row.source_run_id)}' names no run.`,
          { cause: error },
        );
      }
      throw error;
    }
    return toIssue(row);
  }

  async get(issueId: string): Promise<Issue> {
    const row = await this.db
      .selectFrom("issues")
      .selectAll()
      .where("issue_id", "=", issueId)
      .executeTakeFirst();
    if (row === undefined) throw issueNotFound(issueId);
    return toIssue(row);
  }

  async update(issueId: string, changes: IssueChanges): Promise<Issue> {
    const updated = await this.db
      .updateTable("issues")
      .set({
        ...(changes.status !== undefined && { status: changes.status }),
        ...(changes.name !== undefined && { name: changes.name }),
        ...(changes.description !== undefined && { description: changes.description }),
        ...(changes.severity !== undefined && { severity: changes.severity }),
        last_updated_timestamp: this.now(),
      })
      .where("issue_id", "=", issueId)
      .returningAll()
      .executeTakeFirst();
    if (updated === undefined) throw issueNotFound(issueId);
    return toIssue(updated);
  }
}
