/**
 * Versioned schema migrations, applied in order at start-up. Each migration is a file under migrations/
 * and runs once, recorded in `flowops_migrations`; Kysely's migrator takes a lock so replicas starting
 * together on PostgreSQL do not race.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from "kysely";
import { FlowOpsError } from "../errors.js";
import type { SqlDialectName } from "./dialect.js";
import * as initial from "./migrations/0001_initial.js";
import * as datasetVersions from "./migrations/0002_dataset_versions.js";
import * as gateRecords from "./migrations/0003_gate_records.js";
import * as deployments from "./migrations/0004_deployments.js";
import * as monitoring from "./migrations/0005_monitoring.js";
import * as monitoringEvents from "./migrations/0006_monitoring_events.js";
import * as retraining from "./migrations/0007_retraining.js";
import * as gateRecordsFollowVersions from "./migrations/0008_gate_records_follow_versions.js";
import * as webhooks from "./migrations/0009_webhooks.js";
import * as traces from "./migrations/0010_traces.js";
import * as assessments from "./migrations/0011_assessments.js";
import * as scorers from "./migrations/0012_scorers.js";
import * as evaluationDatasets from "./migrations/0013_evaluation_datasets.js";
import * as tracePromptLinks from "./migrations/0014_trace_prompt_links.js";
import * as traceSpans from "./migrations/0015_trace_spans.js";
import * as labelSchemas from "./migrations/0016_label_schemas.js";
import * as issues from "./migrations/0017_issues.js";
import * as reviewQueues from "./migrations/0018_review_queues.js";
import * as runDataOrder from "./migrations/0019_run_data_order.js";

type DialectMigration = { up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> };

/** Ordered by name; append, never edit a migration that has shipped. */
const MIGRATIONS: Record<string, DialectMigration> = {
  "0001_initial": initial,
  "0002_dataset_versions": datasetVersions,
  "0003_gate_records": gateRecords,
  "0004_deployments": deployments,
  "0005_monitoring": monitoring,
  "0006_monitoring_events": monitoringEvents,
  "0007_retraining": retraining,
  "0008_gate_records_follow_versions": gateRecordsFollowVersions,
  "0009_webhooks": webhooks,
  "0010_traces": traces,
  "0011_assessments": assessments,
  "0012_scorers": scorers,
  "0013_evaluation_datasets": evaluationDatasets,
  "0014_trace_prompt_links": tracePromptLinks,
  "0015_trace_spans": traceSpans,
  "0016_label_schemas": labelSchemas,
  "0017_issues": issues,
  "0018_review_queues": reviewQueues,
  "0019_run_data_order": runDataOrder,
};

export function migrationProvider(dialect: SqlDialectName): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return Object.fromEntries(
        Object.entries(MIGRATIONS).map(([name, m]) => [
          name,
          { up: (db: Kysely<unknown>) => m.up(db, dialect) },
        ]),
      );
    },
  };
}

export async function migrateToLatest<T>(db: Kysely<T>, dialect: SqlDialectName): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider(dialect),
    migrationTableName: "flowops_migrations",
    migrationLockTableName: "flowops_migrations_lock",
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new FlowOpsError("INTERNAL_ERROR", `Database migration ${failed} failed: ${String(error)}`, {
      cause: error,
    });
  }
}
