/**
 * The events a registry webhook subscribes to, as mlflow 3.17.2 defines them (`mlflow/entities/webhook.py`
 * and `webhooks.proto`): an entity and an action, of which only some pairs are valid. Inside FlowOps an
 * event is spelled as in payloads (`model_version`, `created`); on the API it is the proto enum names
 * (`MODEL_VERSION`, `CREATED`), which clients may also send as enum numbers.
 */
import { invalidParameter } from "../../errors.js";

export const WEBHOOK_ENTITIES = [
  "registered_model",
  "model_version",
  "model_version_tag",
  "model_version_alias",
  "prompt",
  "prompt_version",
  "prompt_tag",
  "prompt_version_tag",
  "prompt_alias",
  "budget_policy",
] as const;
export type WebhookEntity = (typeof WEBHOOK_ENTITIES)[number];

export const WEBHOOK_ACTIONS = ["created", "updated", "deleted", "set", "exceeded"] as const;
export type WebhookAction = (typeof WEBHOOK_ACTIONS)[number];

/** `VALID_ENTITY_ACTIONS`: every other pair is refused when a webhook is created or updated. */
const VALID_ACTIONS: Record<WebhookEntity, readonly WebhookAction[]> = {
  registered_model: ["created"],
  model_version: ["created"],
  model_version_tag: ["set", "deleted"],
  model_version_alias: ["created", "deleted"],
  prompt: ["created"],
  prompt_version: ["created"],
  prompt_tag: ["set", "deleted"],
  prompt_version_tag: ["set", "deleted"],
  prompt_alias: ["created", "deleted"],
  budget_policy: ["exceeded"],
};

export interface WebhookEvent {
  entity: WebhookEntity;
  action: WebhookAction;
}

/** An event as the API spells it: proto enum names. */
export interface WireWebhookEvent {
  entity: string;
  action: string;
}

/** Builds an event, refusing a pair mlflow does not define with mlflow's message. */
export function webhookEvent(entity: WebhookEntity, action: WebhookAction): WebhookEvent {
  const valid = VALID_ACTIONS[entity];
  if (!valid.includes(action)) {
    const names = [...valid]
      .sort()
      .map((a) => `'${a}'`)
      .join(", ");
    throw invalidParameter(
      `Invalid action '${action}' for entity '${entity}'. Valid actions are: [${names}]`,
    );
  }
  return { entity, action };
}

/** `entity.action`, as mlflow prints an event (`registered_model.created`). */
export function eventName(event: WebhookEvent): string {
  return `${event.entity}.${event.action}`;
}

/**
 * Orders events by entity, then action. mlflow's SQL store returns a webhook's events in its primary-key
 * order, which is this one, and `test_webhook` without an event tests the first, so the order is visible.
 */
export function compareEvents(a: WebhookEvent, b: WebhookEvent): number {
  return a.entity === b.entity ? compare(a.action, b.action) : compare(a.entity, b.entity);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted and without repeats: a repeated event is one subscription (mlflow's key would reject it). */
export function normaliseEvents(events: readonly WebhookEvent[]): WebhookEvent[] {
  const unique = new Map(events.map((e) => [eventName(e), e]));
  return [...unique.values()].sort(compareEvents);
}

export function toWireEvent(event: WebhookEvent): WireWebhookEvent {
  return { entity: event.entity.toUpperCase(), action: event.action.toUpperCase() };
}

/**
 * Reads an event from a request: enum names or numbers, as protobuf's JSON parser accepts. mlflow answers
 * an unknown or unspecified value with a 500; here it is a bad parameter.
 */
export function parseWireEvent(wire: { entity?: unknown; action?: unknown }): WebhookEvent {
  const entity = enumValue(wire.entity, WEBHOOK_ENTITIES, "entity");
  const action = enumValue(wire.action, WEBHOOK_ACTIONS, "action");
  return webhookEvent(entity, action);
}

/** Proto enum numbers start at 1; 0 is ENTITY_UNSPECIFIED / ACTION_UNSPECIFIED. */
function enumValue<T extends string>(value: unknown, values: readonly T[], field: string): T {
  const found =
    typeof value === "number"
      ? values[value - 1]
      : typeof value === "string"
        ? values.find((v) => v.toUpperCase() === value)
        : undefined;
  if (found === undefined) {
    const known = values.map((v) => v.toUpperCase()).join(", ");
    throw invalidParameter(
      `Invalid webhook event ${field} ${JSON.stringify(value ?? null)}. Known values: ${known}.`,
    );
  }
  return found;
}
