/**
 * Refuses to promote a model version to a protected alias or stage unless the newest quality-gate record
 * of that version passed. The registry routes call it before setting an alias or transitioning a stage,
 * so the check holds for every client, including MLflow's own. It reads records; it never writes.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.js";
import { FlowOpsError, invalidParameter } from "../errors.js";
import { latestGateRecord, type GateRecord } from "../quality/gates/gateRecords.js";
import { isReservedGateTag } from "../quality/gates/gateTags.js";
import { canonicalStage, STAGES } from "./entities.js";
import { assertModelVersionExists } from "./modelVersionStore.js";

export interface PromotionProtection {
  /** Aliases compared case-insensitively. */
  aliases: readonly string[];
  /** Stages in canonical spelling (`Production`). */
  stages: readonly string[];
}

export const DEFAULT_PROTECTED_ALIASES: readonly string[] = ["production"];
export const DEFAULT_PROTECTED_STAGES: readonly string[] = ["Production"];

/** The protection a server runs with; unset fields take the defaults, an empty list protects nothing. */
export function promotionProtection(config: {
  protectedAliases?: readonly string[] | undefined;
  protectedStages?: readonly string[] | undefined;
}): PromotionProtection {
  return {
    aliases: (config.protectedAliases ?? DEFAULT_PROTECTED_ALIASES).map((a) => a.toLowerCase()),
    stages: (config.protectedStages ?? DEFAULT_PROTECTED_STAGES).map((s) => canonicalStage(s)),
  };
}

/**
 * A comma-separated list from a flag or an environment variable: undefined stays undefined (use the
 * default), "" means none, blanks around names are dropped.
 */
export function parseProtectedList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** Checks protected stage names up front, so a typo fails at start-up instead of protecting nothing. */
export function validateProtectedStages(stages: readonly string[], source: string): string[] {
  return stages.map((stage) => {
    try {
      return canonicalStage(stage);
    } catch {
      throw invalidParameter(
        `${source}: '${stage}' is not a model version stage; expected one of ${STAGES.join(", ")}.`,
      );
    }
  });
}

export interface PromotionRequest {
  name: string;
  version: string | number;
  alias?: string | undefined;
  stage?: string | undefined;
}

export async function assertPromotionAllowed(
  db: Kysely<Database>,
  request: PromotionRequest,
  protection: PromotionProtection,
): Promise<void> {
  const target = protectedTarget(request, protection);
  if (target === undefined) return;
  // A missing version is reported as such, before any word about gates.
  const number = await assertModelVersionExists(db, request.name, request.version);
  const latest = await latestGateRecord(db, request.name, number);
  const ref = `${request.name}/${number}`;
  if (latest?.passed === true) {
    // Records made before gates were tied to the version's run may have judged another run.
    const versionRun = await db
      .selectFrom("model_versions")
      .select("run_id")
      .where("name", "=", request.name)
      .where("version", "=", number)
      .executeTakeFirst();
    if (versionRun?.run_id === latest.run_id) return;
    throw new FlowOpsError(
      "PERMISSION_DENIED",
      `Model version ${ref}'s latest passing quality gate record judged run ${latest.run_id}, not the ` +
        `version's own run ${versionRun?.run_id ?? "(none)"}: run \`flowops gate --policy <gates.yaml> ` +
        `--model ${request.name} --version ${number}\` before ${target}.`,
    );
  }
  throw new FlowOpsError(
    "PERMISSION_DENIED",
    `Model version ${ref} has no passing quality gate record${latestFailure(latest)}: run ` +
      `\`flowops gate --policy <gates.yaml> --run <run_id> --model ${request.name} --version ${number}\` ` +
      `before ${target}.`,
  );
}

/** MLflow's tag API may not set or delete `flowops.gate.*`: only a gate evaluation writes them. */
export function assertModelVersionTagWritable(key: string): void {
  if (isReservedGateTag(key)) {
    throw invalidParameter(
      `Model version tag '${key}' is reserved: flowops.gate.* tags are written by the server when a ` +
        "quality gate is evaluated, and cannot be set or deleted through the tag API.",
    );
  }
}

function protectedTarget(request: PromotionRequest, protection: PromotionProtection): string | undefined {
  if (request.alias !== undefined && protection.aliases.includes(request.alias.toLowerCase())) {
    return `setting alias '${request.alias}'`;
  }
  if (request.stage !== undefined) {
    const stage = canonicalStage(request.stage);
    if (protection.stages.includes(stage)) return `transitioning to stage '${stage}'`;
  }
  return undefined;
}

function latestFailure(latest: GateRecord | undefined): string {
  if (latest === undefined) return "";
  const failed = latest.result.conditions.filter((c) => !c.passed).map((c) => c.condition);
  const when = new Date(latest.created_at).toISOString();
  return ` (the latest, policy '${latest.policy_name}' at ${when}, failed: ${failed.join("; ") || "see its report"})`;
}
