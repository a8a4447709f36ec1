/**
 * How the server delivers registry webhooks, read from mlflow's own environment variables so a deployment
 * configured for `mlflow server` behaves the same under `flowops server`.
 */
import { invalidParameter } from "../../errors.js";
import { DEFAULT_WEBHOOK_URL_POLICY, type WebhookUrlPolicy } from "./webhookUrlPolicy.js";

export interface WebhookDeliverySettings {
  urlPolicy: WebhookUrlPolicy;
  /** One attempt's limit, in ms (`MLFLOW_WEBHOOK_REQUEST_TIMEOUT`, 30 s). */
  timeoutMs: number;
  /** Attempts after the first, on a network error or a 429/5xx (`MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES`, 3). */
  maxRetries: number;
  /** Deliveries in flight at once (`MLFLOW_WEBHOOK_DELIVERY_MAX_WORKERS`, 10); the rest wait their turn. */
  maxConcurrent: number;
  /** Back-off unit between retries, in ms: none, then 2, 4, 8... units (urllib3's factor 1.0 = 1 s). */
  backoffMs: number;
}

export const DEFAULT_WEBHOOK_DELIVERY: WebhookDeliverySettings = {
  urlPolicy: DEFAULT_WEBHOOK_URL_POLICY,
  timeoutMs: 30_000,
  maxRetries: 3,
  maxConcurrent: 10,
  backoffMs: 1000,
};

export function webhookSettingsFromEnv(env: NodeJS.ProcessEnv): WebhookDeliverySettings {
  const schemes = env.MLFLOW_WEBHOOK_ALLOWED_SCHEMES;
  return {
    urlPolicy: {
      allowedSchemes:
        schemes === undefined
          ? DEFAULT_WEBHOOK_URL_POLICY.allowedSchemes
          : schemes.split(",").map((s) => s.trim()),
      allowPrivateIps: booleanVariable(env, "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS") ?? false,
    },
    timeoutMs: 1000 * integerVariable(env, "MLFLOW_WEBHOOK_REQUEST_TIMEOUT", 30, 1),
    maxRetries: integerVariable(env, "MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES", 3, 0),
    maxConcurrent: integerVariable(env, "MLFLOW_WEBHOOK_DELIVERY_MAX_WORKERS", 10, 1),
    backoffMs: DEFAULT_WEBHOOK_DELIVERY.backoffMs,
  };
}

/** mlflow's boolean variables take true/false/1/0 in any case and refuse anything else. */
function booleanVariable(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const lower = value.trim().toLowerCase();
  if (lower === "true" || lower === "1") return true;
  if (lower === "false" || lower === "0") return false;
  throw invalidParameter(`${name} must be one of true, false, 1, 0 (case-insensitive), got '${value}'.`);
}

function integerVariable(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const value = env[name];
  if (value === undefined || value.trim() === "") return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < min) {
    throw invalidParameter(`${name} must be an integer of at least ${min}, got '${value}'.`);
  }
  return parsed;
}
