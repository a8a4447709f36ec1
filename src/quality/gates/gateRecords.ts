/**
 * The gate-record store: appends the outcome of a gate for a model version together with the version's
 * `flowops.gate.*` tags (one transaction, so tags never disagree with the newest record), and reads
 * records back newest first. Rows stay inside this module; callers get GateRecord objects.
 *
 * A record belongs to one model version, whose identity is its name and number: the registry moves
 * records on rename and deletes them with the version (registeredModelStore, modelVersionStore), and a
 * record only ever judges the version's own run, so no other run can vouch for the version.
 */
import type { Kysely, Selectable } from "kysely";
import type { Database, GateRecordTable } from "../../db/schema.js";
import { invalidParameter } from "../../errors.js";
import {
  assertModelVersionExists,
  liveVersionRun,
  noModelVersion,
} from "../../registry/modelVersionStore.js";
import { parseModelVersion, validateModelName } from "../../registry/validation.js";
import type { GateResult } from "./gateResult.js";
import { GATE_TAGS } from "./gateTags.js";

export interface GateRecord {
  id: string;
  model_name: string;
  version: string;
  run_id: string;
  policy_name: string;
  policy_digest: string;
  passed: boolean;
  /** Epoch milliseconds. */
  created_at: number;
  /** The gate result the record was made from. */
  result: GateResult;
}

/** Stores a result that names a model version, and sets that version's gate tags. */
export async function recordGateResult(
  db: Kysely<Database>,
  result: GateResult,
  now: number,
): Promise<GateRecord> {
  const { model_name: name, version } = result;
  if (name === undefined || version === undefined) {
    throw invalidParameter("A gate record needs a model name and a version.");
  }
  return db.transaction().execute(async (tx) => {
    const number = await assertModelVersionExists(tx, name, version);
    // Checked again here, in the transaction that writes, so the record can never name another run.
    assertJudgesVersionRun(`${name}/${number}`, await versionRunId(tx, name, number), result.run_id);
    const row = await tx
      .insertInto("gate_records")
      .values({
        model_name: name,
        version: number,
        run_id: result.run_id,
        policy_name: result.policy_name,
        policy_digest: result.policy_digest,
        passed: result.passed ? 1 : 0,
        report_json: JSON.stringify(result),
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const tags = {
      [GATE_TAGS.status]: result.passed ? "passed" : "failed",
      [GATE_TAGS.policy]: result.policy_name,
      [GATE_TAGS.runId]: result.run_id,
      [GATE_TAGS.at]: new Date(now).toISOString(),
    };
    for (const [key, value] of Object.entries(tags)) {
      await tx
        .insertInto("model_version_tags")
        .values({ name, version: number, key, value })
        .onConflict((oc) => oc.columns(["name", "version", "key"]).doUpdateSet({ value }))
        .execute();
    }
    return toGateRecord(row);
  });
}

/**
 * The run a gate on this version judges: the run the version was registered from. A version without one
 * cannot be gated, since a pass on any other run would vouch for a model that run did not produce.
 */
export async function versionRunId(db: Kysely<Database>, name: string, version: number): Promise<string> {
  const row = await liveVersionRun(db, name, version);
  if (row === undefined) throw noModelVersion(name, version);
  if (row.run_id === null || row.run_id === "") {
    throw invalidParameter(
      `Model version ${name}/${version} was registered without a run, so no quality gate can judge it: ` +
        "register the model version from the run that produced it (run_id or a runs:/ source).",
    );
  }
  return row.run_id;
}

/** Refuses a gate that would judge `requested` for a version registered from another run. */
export function assertJudgesVersionRun(ref: string, versionRun: string, requested: string | undefined): void {
  if (requested === undefined || requested === versionRun) return;
  throw invalidParameter(
    `Run ${requested} is not the run of model version ${ref}, which was registered from run ` +
      `${versionRun}: a quality gate judges the version's own run. Pass run ${versionRun}, or leave ` +
      "the run out to judge the version's run.",
  );
}

/** The newest record of a version, or undefined when no gate has run for it. */
export async function latestGateRecord(
  db: Kysely<Database>,
  name: string,
  version: string | number,
): Promise<GateRecord | undefined> {
  const [latest] = await listGateRecords(db, { modelName: name, version, maxResults: 1 });
  return latest;
}

/** Records newest first: of one version when `version` is given, else of every version of the model. */
export async function listGateRecords(
  db: Kysely<Database>,
  options: { modelName: string; version?: string | number | undefined; maxResults?: number | undefined },
): Promise<GateRecord[]> {
  validateModelName(options.modelName);
  const limit = options.maxResults ?? 1000;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw invalidParameter(`max_results must be an integer between 1 and 10000, got ${limit}.`);
  }
  let query = db.selectFrom("gate_records").selectAll().where("model_name", "=", options.modelName);
  if (options.version !== undefined) query = query.where("version", "=", parseModelVersion(options.version));
  const rows = await query.orderBy("id", "desc").limit(limit).execute();
  return rows.map(toGateRecord);
}

function toGateRecord(row: Selectable<GateRecordTable>): GateRecord {
  return {
    id: String(row.id),
    model_name: row.model_name,
    version: String(row.version),
    run_id: row.run_id,
    policy_name: row.policy_name,
    policy_digest: row.policy_digest,
    passed: Number(row.passed) === 1,
    created_at: Number(row.created_at),
    result: JSON.parse(row.report_json) as GateResult,
  };
}
