/**
 * The checks mlflow's server makes on a serialized scorer before storing it: valid JSON, no custom
 * (`@scorer`) code unless the operator allowed it, no third-party kwargs that pick where a judge sends
 * requests, a judge model that is a non-blank string, and no gateway model (FlowOps has no AI gateway, so
 * every `gateway:/` endpoint is unknown). The payload is only inspected, never deserialized or run.
 */
import { invalidParameter, notFound } from "../../errors.js";

/** mlflow's DECORATOR_SCORER_REGISTRATION_NOT_SUPPORTED_ERROR, word for word. */
export const CUSTOM_SCORER_REFUSED =
  "Custom scorer registration (using @scorer decorator) is disabled by default " +
  "outside of Databricks tracking environments due to security concerns. " +
  "Custom scorers require arbitrary code execution during deserialization.\n\n" +
  "To use custom scorers:\n" +
  "1. Configure MLflow to use a Databricks tracking URI, or\n" +
  "2. Manage your custom scorer code in a source code repository " +
  "(e.g., GitHub) and import it directly, or\n" +
  "3. On a self-managed MLflow server (or local environment) that you trust to run the " +
  "scorer's code, set the MLFLOW_SERVER_ENABLE_CUSTOM_SCORERS environment variable to true, or\n" +
  "4. Use built-in scorers or make_judge() scorers instead.";

/** mlflow's GATEWAY_DESTINATION_KEYS: options that choose the host an LLM client connects to. */
const DESTINATION_KEYS = new Set(["api_base", "base_url", "model_list", "fallbacks", "custom_llm_provider"]);

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export interface SerializedScorerPolicy {
  /** MLFLOW_SERVER_ENABLE_CUSTOM_SCORERS: store `@scorer` payloads, whose code clients run on load. */
  allowCustomScorers: boolean;
}

/**
 * The handler's checks, made before anything else (mlflow's `_validate_serialized_scorer_payload`).
 * Returns the parsed JSON for `validateScorerModel`, which mlflow's store applies after finding the
 * experiment.
 */
export function validateSerializedScorer(text: string, policy: SerializedScorerPolicy): Json {
  let data: Json;
  try {
    data = JSON.parse(text) as Json;
  } catch {
    throw invalidParameter("serialized_scorer must be valid JSON");
  }
  if (!policy.allowCustomScorers && hasCallSource(data)) throw invalidParameter(CUSTOM_SCORER_REFUSED);
  for (const thirdParty of thirdPartyData(data)) validateThirdPartyKwargs(thirdParty.kwargs);
  return data;
}

/** The judge model, if any, must be a non-blank string naming no gateway endpoint (there are none). */
export function validateScorerModel(data: Json): void {
  // mlflow reads the model with dict.get and fails with a 500 on any other JSON; a 400 says why.
  if (!isObject(data)) throw invalidParameter("serialized_scorer must be a JSON object");
  const model = scorerModel(data);
  if (model === undefined || model === null) return;
  if (typeof model !== "string") {
    throw invalidParameter(`Scorer model must be a string, got ${pythonTypeName(model)}.`);
  }
  if (model.trim() === "") throw invalidParameter("Scorer model cannot be empty or contain only whitespace.");
  const gatewayEndpoint = gatewayEndpointOf(model);
  if (gatewayEndpoint !== undefined) {
    throw notFound(`GatewayEndpoint not found (name='${gatewayEndpoint}')`);
  }
}

/** mlflow's `extract_model_from_serialized_scorer`: the judge model of the known scorer kinds. */
export function scorerModel(data: JsonObject): Json | undefined {
  const judge = data["instructions_judge_pydantic_data"];
  if (isObject(judge)) return judge["model"];
  const builtin = data["builtin_scorer_pydantic_data"];
  if (isObject(builtin)) return builtin["model"];
  const memory = data["memory_augmented_judge_data"];
  if (isObject(memory)) {
    const base = memory["base_judge"];
    return scorerModel(isObject(base) ? base : {});
  }
  const thirdParty = data["third_party_scorer_data"];
  if (isObject(thirdParty)) return thirdParty["model"];
  return undefined;
}

/** The endpoint of a `gateway:/name` model URI (mlflow's `_parse_model_uri` with provider "gateway"). */
export function gatewayEndpointOf(model: string): string | undefined {
  const at = model.indexOf(":/");
  if (at < 0 || model.slice(0, at) !== "gateway") return undefined;
  const endpoint = model.slice(at + 2).replace(/^\/+/, "");
  return endpoint === "" ? undefined : endpoint;
}

function hasCallSource(value: Json): boolean {
  if (Array.isArray(value)) return value.some(hasCallSource);
  if (!isObject(value)) return false;
  const callSource = value["call_source"];
  if (callSource !== undefined && callSource !== null) return true;
  return Object.values(value).some(hasCallSource);
}

function* thirdPartyData(value: Json): Generator<JsonObject> {
  if (Array.isArray(value)) {
    for (const item of value) yield* thirdPartyData(item);
  } else if (isObject(value)) {
    const data = value["third_party_scorer_data"];
    if (isObject(data)) yield data;
    for (const nested of Object.values(value)) yield* thirdPartyData(nested);
  }
}

function validateThirdPartyKwargs(kwargs: Json | undefined): void {
  if (kwargs === undefined || kwargs === null) return;
  if (!isObject(kwargs)) {
    throw invalidParameter(
      `third_party_scorer_data.kwargs must be a JSON object, got ${pythonTypeName(kwargs)}.`,
    );
  }
  const found = [...destinationKeys(kwargs)].sort();
  if (found.length > 0) {
    throw invalidParameter(
      `third_party_scorer_data.kwargs must not contain ${found.map((k) => `'${k}'`).join(", ")}: ` +
        "these options choose where the scorer's LLM client sends requests. Configure " +
        "the judge endpoint on the server instead, for example through a gateway " +
        "endpoint ('gateway:/<name>') or the provider's environment variables.",
    );
  }
}

/** mlflow's `_find_destination_keys`, including option maps written as lists of [key, value] pairs. */
function destinationKeys(value: Json): Set<string> {
  const found = new Set<string>();
  if (isObject(value)) {
    for (const key of Object.keys(value)) if (DESTINATION_KEYS.has(key)) found.add(key);
    for (const nested of Object.values(value)) destinationKeys(nested).forEach((k) => found.add(k));
  } else if (Array.isArray(value)) {
    for (const nested of value) {
      if (Array.isArray(nested) && nested.length === 2 && typeof nested[0] === "string") {
        if (DESTINATION_KEYS.has(nested[0])) found.add(nested[0]);
      }
      destinationKeys(nested).forEach((k) => found.add(k));
    }
  }
  return found;
}

function pythonTypeName(value: Json): string {
  if (typeof value === "string") return "str";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return "list";
  return value === null ? "NoneType" : "dict";
}
