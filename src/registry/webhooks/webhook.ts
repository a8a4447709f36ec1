/**
 * Registry webhooks as the API shows them (`webhooks.proto`: `Webhook`, `WebhookTestResult`) and the rules
 * on their names, statuses and descriptions. The secret is write-only: no type here can carry it out.
 */
import { invalidParameter } from "../../errors.js";
import type { WireWebhookEvent } from "./webhookEvents.js";

export const WEBHOOK_STATUSES = ["ACTIVE", "DISABLED"] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

export interface Webhook {
  webhook_id: string;
  name: string;
  /** Absent when empty, as mlflow's `to_proto` leaves it unset. */
  description?: string;
  url: string;
  events: WireWebhookEvent[];
  status: WebhookStatus;
  creation_timestamp: number;
  last_updated_timestamp: number;
}

/** What `test_webhook` reports: the receiver's answer, or why there was none. */
export interface WebhookTestResult {
  /** True when the receiver answered with a status below 400. */
  success: boolean;
  response_status?: number;
  response_body?: string;
  error_message?: string;
}

/** `_WEBHOOK_NAME_REGEX`: 1 to 63 letters, digits, `.`, `_` and `-`, alphanumeric at both ends. */
const NAME_PATTERN = /^(?=.{1,63}$)[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i;

/** mlflow stores descriptions in a 1000-character column; a longer one fails there, so it is refused here. */
const MAX_DESCRIPTION_LENGTH = 1000;

export function validateWebhookName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw invalidParameter(
      `Webhook name '${name}' is invalid. It must start and end with a letter or digit, ` +
        "be less than 63 characters long, and contain only letters, digits, dots (.), " +
        "underscores (_), and hyphens (-).",
    );
  }
}

export function validateWebhookDescription(description: string): void {
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw invalidParameter(
      `Webhook description exceeds the maximum length of ${MAX_DESCRIPTION_LENGTH} characters.`,
    );
  }
}

/** A status from a request: the enum name, or its number (ACTIVE = 1, DISABLED = 2). */
export function parseWebhookStatus(value: string | number): WebhookStatus {
  const found =
    typeof value === "number" ? WEBHOOK_STATUSES[value - 1] : WEBHOOK_STATUSES.find((s) => s === value);
  if (found === undefined) {
    throw invalidParameter(
      `Invalid webhook status ${JSON.stringify(value)}. Known values: ${WEBHOOK_STATUSES.join(", ")}.`,
    );
  }
  return found;
}
