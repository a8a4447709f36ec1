/**
 * Model-registry domain objects in MLflow's proto shape (`model_registry.proto`, snake_case), so the REST
 * API, the client and the CLI show one shape. Optional fields are absent when unset, as proto JSON omits
 * them. Stages and their canonical spelling live here too: every layer compares stages the same way.
 */
import { invalidParameter } from "../errors.js";

export interface RegistryTag {
  key: string;
  value: string;
}

export interface RegisteredModelAlias {
  alias: string;
  /** A string on the wire, as the proto declares it. */
  version: string;
}

export type ModelVersionStatus = "PENDING_REGISTRATION" | "FAILED_REGISTRATION" | "READY";

export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  current_stage: Stage;
  description?: string;
  source: string;
  run_id?: string;
  run_link?: string;
  status: ModelVersionStatus;
  status_message?: string;
  tags: RegistryTag[];
  aliases: string[];
  model_id?: string;
}

export interface RegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  description?: string;
  latest_versions: ModelVersion[];
  tags: RegistryTag[];
  aliases: RegisteredModelAlias[];
}

export const STAGES = ["None", "Staging", "Production", "Archived"] as const;
export type Stage = (typeof STAGES)[number];

/** The stages whose current holders `archive_existing_versions` may archive. */
export const ACTIVE_STAGES: readonly Stage[] = ["Staging", "Production"];

/** MLflow's `get_canonical_stage`: stage names are matched case-insensitively. */
export function canonicalStage(stage: string): Stage {
  const found = STAGES.find((s) => s.toLowerCase() === stage.toLowerCase());
  if (found === undefined) {
    throw invalidParameter(
      `Invalid Model Version stage: ${stage}. Value must be one of ${STAGES.join(", ")}.`,
    );
  }
  return found;
}

/** Marks registered models that hold prompts (MLflow 3); searches leave them out unless asked for. */
export const PROMPT_TAG_KEY = "mlflow.prompt.is_prompt";

/**
 * True when tags mark a prompt, as MLflow's `_is_prompt_request`: the last value of the prompt tag wins and
 * only "true" (any case) counts.
 */
export function isPromptTagged(tags: readonly RegistryTag[]): boolean {
  let value = "false";
  for (const tag of tags) if (tag.key === PROMPT_TAG_KEY) value = tag.value;
  return value.toLowerCase() === "true";
}
