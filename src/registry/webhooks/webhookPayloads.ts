/**
 * The `data` of each webhook delivery (`mlflow/webhooks/types.py`), and the example payload of every event,
 * which `test_webhook` sends. Field order is mlflow's: the body is written as Python writes it.
 */
import { PythonFloat, type PythonJsonValue } from "../../pythonJson.js";
import { eventName, type WebhookEvent } from "./webhookEvents.js";

export type WebhookPayload = { readonly [key: string]: PythonJsonValue };

/** One thing that happened, ready to deliver to the webhooks subscribed to its event. */
export interface WebhookNotice {
  event: WebhookEvent;
  data: WebhookPayload;
}

const EXAMPLE_TAGS = { example_key: "example_value" };

/** `<Payload>.example()` for every event mlflow 3.17.2 defines, keyed by `entity.action`. */
const EXAMPLES: Readonly<Record<string, WebhookPayload>> = {
  "registered_model.created": {
    name: "example_model",
    tags: EXAMPLE_TAGS,
    description: "An example registered model",
  },
  "model_version.created": {
    name: "example_model",
    version: "1",
    source: "models:/123",
    run_id: "abcd1234abcd5678",
    tags: EXAMPLE_TAGS,
    description: "An example model version",
  },
  "model_version_tag.set": {
    name: "example_model",
    version: "1",
    key: "example_key",
    value: "example_value",
  },
  "model_version_tag.deleted": { name: "example_model", version: "1", key: "example_key" },
  "model_version_alias.created": { name: "example_model", alias: "example_alias", version: "1" },
  "model_version_alias.deleted": { name: "example_model", alias: "example_alias" },
  "prompt.created": { name: "example_prompt", tags: EXAMPLE_TAGS, description: "An example prompt" },
  "prompt_version.created": {
    name: "example_prompt",
    version: "1",
    template: "Hello {{name}}!",
    tags: EXAMPLE_TAGS,
    description: "An example prompt version",
  },
  "prompt_tag.set": { name: "example_prompt", key: "example_key", value: "example_value" },
  "prompt_tag.deleted": { name: "example_prompt", key: "example_key" },
  "prompt_version_tag.set": {
    name: "example_prompt",
    version: "1",
    key: "example_key",
    value: "example_value",
  },
  "prompt_version_tag.deleted": { name: "example_prompt", version: "1", key: "example_key" },
  "prompt_alias.created": { name: "example_prompt", alias: "example_alias", version: "1" },
  "prompt_alias.deleted": { name: "example_prompt", alias: "example_alias" },
  "budget_policy.exceeded": {
    budget_policy_id: "bp-abc123",
    budget_unit: "USD",
    budget_amount: new PythonFloat(100),
    current_spend: new PythonFloat(105.5),
    duration_unit: "MONTHS",
    duration_value: 1,
    target_scope: "ENDPOINT",
    workspace: "default",
    target_value: "ep-abc123",
    window_start: 1704067200000,
  },
};

/** The example payload `test_webhook` sends for `event`; every valid event has one. */
export function examplePayload(event: WebhookEvent): WebhookPayload {
  const example = EXAMPLES[eventName(event)];
  if (example === undefined) throw new Error(`No example payload for webhook event ${eventName(event)}`);
  return example;
}

/**
 * Tags as mlflow's payloads hold them: a dict, where a repeated key keeps its first place and last value.
 * A Map, because a plain object would move integer-like keys to the front.
 */
export function tagDict(tags: readonly { key: string; value: string }[]): Map<string, string> {
  const dict = new Map<string, string>();
  for (const tag of tags) dict.set(tag.key, tag.value);
  return dict;
}
