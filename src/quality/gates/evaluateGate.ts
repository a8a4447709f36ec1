/**
 * Evaluates a gate policy against a run's latest metrics and, when a model version is named, records the
 * outcome (gate record + `flowops.gate.*` tags) so the promotion guard can trust it. Only the server calls
 * this with a version: clients ask the server, they never write records themselves. A gate for a version
 * judges the version's own run (the run it was registered from): a client may name that run or leave it
 * out, and naming any other run is refused, so a good run cannot vouch for a model it did not produce.
 *
 * The champion is the version the policy's champion alias points to for the same model; its metrics come
 * from the run it was registered from. With no champion (alias unset, no model named) or when the champion
 * is the version being gated, champion conditions pass with a note: the first version has nothing to beat.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { invalidParameter, notFound } from "../../errors.js";
import { parseModelVersion, validateModelName } from "../../registry/validation.js";
import { storedMetricValue } from "../../tracking/runReader.js";
import {
  UNSUCCESSFUL_EXPECTATIONS_METRIC,
  compareValues,
  usesChampion,
  type GateCondition,
} from "./gateConditions.js";
import type { GatePolicy } from "./gatePolicy.js";
import { assertJudgesVersionRun, recordGateResult, versionRunId, type GateRecord } from "./gateRecords.js";
import { formatNumber, type ConditionResult, type GateChampion, type GateResult } from "./gateResult.js";
import { liveVersionRun } from "../../registry/modelVersionStore.js";

export interface GateTarget {
  /** Required without a model version; with one, it may be left out and must be the version's run. */
  runId?: string | undefined;
  modelName?: string | undefined;
  version?: string | number | undefined;
}

export interface GateEvaluation {
  result: GateResult;
  /** Present when the target named a model version. */
  record?: GateRecord;
}

/** Metrics of one run, and how to name that run in messages. */
interface MetricSource {
  runId: string;
  label: string;
  metrics: ReadonlyMap<string, number>;
}

/** Champion side of the comparison: metrics to compare with, or a note saying why there is nothing to beat. */
type ChampionSide =
  | { kind: "none"; note: string; champion: GateChampion | null }
  | { kind: "present"; champion: GateChampion; source: MetricSource | undefined; missingRun: string };

export async function evaluateGate(
  db: Kysely<Database>,
  policy: GatePolicy,
  target: GateTarget,
  now: number,
): Promise<GateEvaluation> {
  if (target.version !== undefined && target.modelName === undefined) {
    throw invalidParameter("A model version was given without its model name: pass both, or neither.");
  }
  if (target.modelName !== undefined) validateModelName(target.modelName);
  const version = target.version === undefined ? undefined : parseModelVersion(target.version);
  const runId = await judgedRun(db, target, version);

  const run: MetricSource = {
    runId,
    label: `run ${runId}`,
    metrics: await runMetrics(db, runId, true),
  };
  const side = await championSide(db, policy.champion, target.modelName, version);
  const conditions = policy.conditions.map(({ condition, line }) => ({
    line,
    ...evaluateCondition(condition, run, side),
  }));
  const notes =
    side.kind === "none" && policy.conditions.some((c) => usesChampion(c.condition)) ? [side.note] : [];

  const result: GateResult = {
    policy_name: policy.name,
    policy_file: policy.file,
    policy_digest: policy.digest,
    run_id: runId,
    ...(target.modelName === undefined ? {} : { model_name: target.modelName }),
    ...(version === undefined ? {} : { version: String(version) }),
    passed: conditions.every((c) => c.passed),
    champion_alias: policy.champion,
    champion: side.champion,
    conditions,
    notes,
    evaluated_at: now,
  };
  if (version === undefined) return { result };
  return { result, record: await recordGateResult(db, result, now) };
}

/** The run to judge: the version's own when a version is named, else the one given. */
async function judgedRun(
  db: Kysely<Database>,
  target: GateTarget,
  version: number | undefined,
): Promise<string> {
  if (version === undefined || target.modelName === undefined) {
    if (target.runId === undefined || target.runId === "") {
      throw invalidParameter("A run id is required when no model version is named.");
    }
    return target.runId;
  }
  const versionRun = await versionRunId(db, target.modelName, version);
  assertJudgesVersionRun(`${target.modelName}/${version}`, versionRun, target.runId || undefined);
  return versionRun;
}

function evaluateCondition(
  condition: GateCondition,
  run: MetricSource,
  side: ChampionSide,
): Omit<ConditionResult, "line"> {
  const text = condition.text;
  if (condition.kind === "expectations") {
    const observed = run.metrics.get(UNSUCCESSFUL_EXPECTATIONS_METRIC);
    if (observed === undefined) {
      return missing(
        text,
        `metric ${UNSUCCESSFUL_EXPECTATIONS_METRIC} not logged on ${run.label} (run \`flowops validate\` for it first)`,
        0,
      );
    }
    const passed = compareValues(observed, "==", 0);
    const message = passed
      ? "every expectation passed"
      : `${formatNumber(observed)} expectation(s) failed (${UNSUCCESSFUL_EXPECTATIONS_METRIC} = ${formatNumber(observed)}, expected 0)`;
    return { condition: text, passed, observed, threshold: 0, message };
  }

  const observed = run.metrics.get(condition.metric);
  const { rhs, op, metric } = condition;
  let threshold: number;
  if (rhs.kind === "number") {
    threshold = rhs.value;
  } else if (side.kind === "none") {
    return {
      condition: text,
      passed: observed !== undefined,
      observed: observed ?? null,
      threshold: null,
      message: observed === undefined ? `metric ${metric} not logged on ${run.label}` : side.note,
    };
  } else {
    const base = side.source?.metrics.get(rhs.metric);
    if (base === undefined) {
      const where = side.source?.label ?? side.missingRun;
      return missing(text, `metric ${rhs.metric} not logged on ${where}`, null, observed);
    }
    // Rounded to 12 significant digits so that 0.9 - 0.01 is 0.89, not 0.8900000000000001.
    threshold = Number((base + rhs.offset).toPrecision(12));
  }
  if (observed === undefined) return missing(text, `metric ${metric} not logged on ${run.label}`, threshold);
  const passed = compareValues(observed, op, threshold);
  const comparison = `${metric} = ${formatNumber(observed)}`;
  const message = passed
    ? `${comparison} ${op} ${formatNumber(threshold)}`
    : Number.isNaN(observed)
      ? `${metric} is NaN on ${run.label}`
      : `${comparison}, expected ${op} ${formatNumber(threshold)}`;
  return { condition: text, passed, observed, threshold, message };
}

function missing(
  condition: string,
  message: string,
  threshold: number | null,
  observed?: number,
): Omit<ConditionResult, "line"> {
  return { condition, passed: false, observed: observed ?? null, threshold, message };
}

async function championSide(
  db: Kysely<Database>,
  alias: string,
  modelName: string | undefined,
  version: number | undefined,
): Promise<ChampionSide> {
  if (modelName === undefined) {
    return {
      kind: "none",
      champion: null,
      note: "no champion: no model named, so there is nothing to compare with",
    };
  }
  const pointer = await db
    .selectFrom("registered_model_aliases")
    .select("version")
    .where("name", "=", modelName)
    .where("alias", "=", alias)
    .executeTakeFirst();
  if (pointer === undefined) {
    return {
      kind: "none",
      champion: null,
      note: `no champion: first version (alias '${alias}' of model ${modelName} is not set)`,
    };
  }
  const championVersion = Number(pointer.version);
  const row = await liveVersionRun(db, modelName, championVersion);
  const runId = row?.run_id || null;
  const champion: GateChampion = {
    alias,
    model_name: modelName,
    version: String(championVersion),
    run_id: runId,
  };
  if (championVersion === version) {
    return {
      kind: "none",
      champion,
      note: `the champion (alias '${alias}') is this version, ${modelName}/${championVersion}: nothing to beat`,
    };
  }
  const label = `champion run ${runId ?? "(none)"} (${modelName}/${championVersion}, alias '${alias}')`;
  if (runId === null) {
    return {
      kind: "present",
      champion,
      source: undefined,
      missingRun: `${label}: the champion version names no run`,
    };
  }
  return {
    kind: "present",
    champion,
    source: { runId, label, metrics: await runMetrics(db, runId, false) },
    missingRun: label,
  };
}

/** The run's latest value per metric key; a missing evaluated run is an error, a missing champion run is empty. */
async function runMetrics(
  db: Kysely<Database>,
  runId: string,
  required: boolean,
): Promise<Map<string, number>> {
  const run = await db.selectFrom("runs").select("run_uuid").where("run_uuid", "=", runId).executeTakeFirst();
  if (run === undefined && required) throw notFound(`Run with id=${runId} not found`);
  const rows = await db
    .selectFrom("latest_metrics")
    .select(["key", "value", "is_nan"])
    .where("run_uuid", "=", runId)
    .execute();
  return new Map(rows.map((r) => [r.key, storedMetricValue(r.value, r.is_nan)]));
}
