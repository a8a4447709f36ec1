/**
 * The registry changes that webhooks hear about, and which event and payload each becomes, as mlflow's
 * handlers decide it (`mlflow/server/handlers.py`, `deliver_webhook` calls). A registered model tagged
 * `mlflow.prompt.is_prompt=true` holds a prompt: its changes are prompt events instead of model events,
 * and tags on the registered model itself are heard about only for prompts. Pure: whether the model is
 * a prompt is an argument.
 */
import { PROMPT_TAG_KEY, type RegistryTag } from "../entities.js";
import { webhookEvent, type WebhookAction, type WebhookEntity } from "./webhookEvents.js";
import { tagDict, type WebhookNotice } from "./webhookPayloads.js";

/** `PROMPT_TYPE_TAG_KEY`, `PROMPT_TEXT_TAG_KEY`: internal prompt tags mlflow leaves out of prompt payloads. */
const PROMPT_TYPE_TAG_KEY = "_mlflow_prompt_type";
const PROMPT_TEXT_TAG_KEY = "mlflow.prompt.text";

export type RegistryChange =
  | {
      kind: "registered_model_created";
      name: string;
      tags: readonly RegistryTag[];
      description?: string | undefined;
    }
  | {
      kind: "model_version_created";
      name: string;
      version: string;
      source: string;
      run_id?: string | undefined;
      tags: readonly RegistryTag[];
      description?: string | undefined;
    }
  | { kind: "registered_model_tag_set"; name: string; key: string; value: string }
  | { kind: "registered_model_tag_deleted"; name: string; key: string }
  | { kind: "model_version_tag_set"; name: string; version: string; key: string; value: string }
  | { kind: "model_version_tag_deleted"; name: string; version: string; key: string }
  | { kind: "alias_set"; name: string; alias: string; version: string }
  | { kind: "alias_deleted"; name: string; alias: string };

/**
 * Whether the change concerns a prompt when that cannot be read from the change itself: creations carry
 * their own tags (`_is_prompt_request`); other changes ask the registered model (`_is_prompt(name)`).
 */
export function promptFromRequest(change: RegistryChange): boolean | undefined {
  switch (change.kind) {
    case "registered_model_created":
    case "model_version_created":
      return (tagDict(change.tags).get(PROMPT_TAG_KEY) ?? "false").toLowerCase() === "true";
    default:
      return undefined;
  }
}

/** The notice mlflow would deliver for `change`, or undefined when it delivers none. */
export function noticeFor(change: RegistryChange, isPrompt: boolean): WebhookNotice | undefined {
  switch (change.kind) {
    case "registered_model_created": {
      const tags = tagDict(change.tags);
      // mlflow reads the proto2 field directly here, so an unset description is "" rather than null.
      const description = change.description ?? "";
      if (!isPrompt) {
        return notice("registered_model", "created", { name: change.name, tags, description });
      }
      tags.delete(PROMPT_TAG_KEY);
      tags.delete(PROMPT_TYPE_TAG_KEY);
      return notice("prompt", "created", { name: change.name, tags, description });
    }
    case "model_version_created": {
      const tags = tagDict(change.tags);
      const description = change.description || null;
      if (!isPrompt) {
        return notice("model_version", "created", {
          name: change.name,
          version: change.version,
          source: change.source,
          run_id: change.run_id || null,
          tags,
          description,
        });
      }
      const template = tags.get(PROMPT_TEXT_TAG_KEY) ?? null;
      for (const key of [PROMPT_TEXT_TAG_KEY, PROMPT_TAG_KEY, PROMPT_TYPE_TAG_KEY]) tags.delete(key);
      return notice("prompt_version", "created", {
        name: change.name,
        version: change.version,
        template,
        tags,
        description,
      });
    }
    case "registered_model_tag_set":
      if (!isPrompt) return undefined;
      return notice("prompt_tag", "set", { name: change.name, key: change.key, value: change.value });
    case "registered_model_tag_deleted":
      if (!isPrompt) return undefined;
      return notice("prompt_tag", "deleted", { name: change.name, key: change.key });
    case "model_version_tag_set":
      return notice(isPrompt ? "prompt_version_tag" : "model_version_tag", "set", {
        name: change.name,
        version: change.version,
        key: change.key,
        value: change.value,
      });
    case "model_version_tag_deleted":
      return notice(isPrompt ? "prompt_version_tag" : "model_version_tag", "deleted", {
        name: change.name,
        version: change.version,
        key: change.key,
      });
    case "alias_set":
      return notice(isPrompt ? "prompt_alias" : "model_version_alias", "created", {
        name: change.name,
        alias: change.alias,
        version: change.version,
      });
    case "alias_deleted":
      return notice(isPrompt ? "prompt_alias" : "model_version_alias", "deleted", {
        name: change.name,
        alias: change.alias,
      });
    default:
      return assertNever(change);
  }
}

function notice(entity: WebhookEntity, action: WebhookAction, data: WebhookNotice["data"]): WebhookNotice {
  return { event: webhookEvent(entity, action), data };
}

function assertNever(value: never): never {
  throw new Error(`Unhandled registry change: ${JSON.stringify(value)}`);
}
