/**
 * Links from traces to the prompt versions they used (mlflow's `link_prompts_to_trace`): the client
 * calls LinkPromptsToTrace when a trace that loaded a prompt is exported, and then sets the
 * `mlflow.linkedPrompts` tag itself, so the server keeps only the links. They are read by the
 * `prompt = "name/version"` search filter, which mlflow also applies to `tags.mlflow.linkedPrompts`.
 * Prompt versions are not looked up: mlflow links by name and version alone, registered or not.
 */
import { sql, type Kysely, type RawBuilder, type SqlBool } from "kysely";
import type { MetadataDb } from "../../db/connect.js";
import type { TracePromptLinkDatabase } from "../../db/schema.js";
import { invalidParameter } from "../../errors.js";
import { inChunks } from "../inChunks.js";
import type { TraceFilterClause } from "./searchFilter.js";
import { traceNotFound } from "./store.js";

export interface PromptVersionRef {
  name: string;
  version: number;
}

/** The tables this store reads and writes (migration 0014) beside the rest. */
export function withPromptLinks(meta: MetadataDb): Kysely<TracePromptLinkDatabase> {
  return meta.db.withTables<Pick<TracePromptLinkDatabase, "trace_prompt_links">>();
}

export class TracePromptLinkStore {
  private readonly db: Kysely<TracePromptLinkDatabase>;

  constructor(
    meta: MetadataDb,
    private readonly now: () => number = Date.now,
  ) {
    this.db = withPromptLinks(meta);
  }

  /**
   * Links each version to the trace; links it already has are left as they are. An empty list links
   * nothing and, as in mlflow, does not check that the trace exists.
   */
  async link(traceId: string, versions: readonly PromptVersionRef[]): Promise<void> {
    if (versions.length === 0) return;
    const createdTime = this.now();
    const rows = versions.map((v) => ({
      request_id: traceId,
      prompt_name: v.name,
      prompt_version: String(v.version),
      created_time: createdTime,
    }));
    await this.db.transaction().execute(async (trx) => {
      const trace = await trx
        .selectFrom("trace_info")
        .select("request_id")
        .where("request_id", "=", traceId)
        .executeTakeFirst();
      if (trace === undefined) throw traceNotFound(traceId);
      for (const chunk of inChunks(rows)) {
        // Conflicts are links that exist already (or that a concurrent exporter just made).
        await trx
          .insertInto("trace_prompt_links")
          .values(chunk)
          .onConflict((oc) => oc.columns(["request_id", "prompt_name", "prompt_version"]).doNothing())
          .execute();
      }
    });
  }

  /** The trace's links as mlflow names them (`name/version`), oldest first. */
  async linkedVersions(traceId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("trace_prompt_links")
      .select(["prompt_name", "prompt_version"])
      .where("request_id", "=", traceId)
      .orderBy("created_time")
      .orderBy("prompt_name")
      .orderBy("prompt_version")
      .execute();
    return rows.map((r) => `${r.prompt_name}/${r.prompt_version}`);
  }
}

/**
 * The `prompt = "name/version"` clause over trace `t`, with mlflow's checks and messages: only `=`, and a
 * value with exactly one `/`. The version is compared as written, so `p/05` matches no link to `p/5`.
 */
export function linkedPromptClauseSql(clause: TraceFilterClause): RawBuilder<SqlBool> {
  if (clause.comparator !== "=") {
    throw invalidParameter(
      `Invalid comparator '${clause.comparator}' for prompts filter. Only '=' is supported with format: prompt = "name/version"`,
    );
  }
  const value = String(clause.value);
  const parts = value.split("/");
  if (parts.length !== 2) {
    throw invalidParameter(
      `Invalid prompts filter value '${value}'. Expected format: prompt = "name/version"`,
    );
  }
  const [name, version] = parts;
  return sql<SqlBool>`exists (select 1 from trace_prompt_links pl where pl.request_id = t.request_id and pl.prompt_name = ${name} and pl.prompt_version = ${version})`;
}
