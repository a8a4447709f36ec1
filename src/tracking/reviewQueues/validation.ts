/**
 * mlflow's review-queue validation (mlflow/genai/review_queues/validation.py) with its messages: users are
 * stripped and lower-cased (they are matched against assessment sources), custom queue names stripped but
 * case-kept, ids stripped, lists de-duplicated in order. Lengths count code points, as Python's `len` does,
 * and are capped at mlflow's column widths.
 */
import { invalidParameter } from "../../errors.js";
import { pythonStrRepr } from "../../pythonRepr.js";
import type { ReviewQueueType, ReviewStatus } from "./entities.js";

export const QUEUE_NAME_MAX_LENGTH = 250;
export const USER_MAX_LENGTH = 250;
export const SCHEMA_ID_MAX_LENGTH = 36;
export const ITEM_ID_MAX_LENGTH = 50;
/** The no-auth default user's queue name; custom queues may not take it in any casing. */
const RESERVED_QUEUE_NAME = "default";
export const MAX_ASSIGNED_USERS = 10;

/** The characters Python's `str.strip()` removes (`str.isspace`), which differ from JavaScript's `trim`. */
const PYTHON_SPACE =
  "[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const EDGE_SPACE = new RegExp(`^${PYTHON_SPACE}+|${PYTHON_SPACE}+$`, "gu");

export const pythonStrip = (text: string): string => text.replace(EDGE_SPACE, "");
const codePoints = (text: string): number => [...text].length;

/** Python's repr of a list of strings, as the messages quote lists. */
export const pythonListRepr = (values: readonly string[]): string =>
  `[${values.map(pythonStrRepr).join(", ")}]`;

function requireNonEmpty(value: string, field: string, maxLength: number): void {
  if (value === "") throw invalidParameter(`\`${field}\` must be a non-empty string; got ''.`);
  const length = codePoints(value);
  if (length > maxLength) {
    throw invalidParameter(`\`${field}\` must be at most ${maxLength} characters; got ${length}.`);
  }
}

const dedup = (values: readonly string[]): string[] => [...new Set(values)];

export const normalizeUser = (user: string): string => pythonStrip(user).toLowerCase();
export const normalizeItemId = (itemId: string): string => pythonStrip(itemId);

export function normalizeUsers(users: readonly string[]): string[] {
  const normalized = users.map((user) => {
    const value = normalizeUser(user);
    requireNonEmpty(value, "user", USER_MAX_LENGTH);
    return value;
  });
  const unique = dedup(normalized);
  if (unique.length > MAX_ASSIGNED_USERS) {
    throw invalidParameter(
      `A review queue can have at most ${MAX_ASSIGNED_USERS} assigned users; got ${unique.length}.`,
    );
  }
  return unique;
}

export function normalizeSchemaIds(schemaIds: readonly string[]): string[] {
  return dedup(
    schemaIds.map((schemaId) => {
      const value = pythonStrip(schemaId);
      requireNonEmpty(value, "schema_id", SCHEMA_ID_MAX_LENGTH);
      return value;
    }),
  );
}

/** A custom queue's name on create and rename: stripped, case kept, not the reserved name. */
export function validateCustomQueueName(name: string): string {
  const value = pythonStrip(name);
  requireNonEmpty(value, "name", QUEUE_NAME_MAX_LENGTH);
  if (value.toLowerCase() === RESERVED_QUEUE_NAME) {
    throw invalidParameter(`\`${value}\` is a reserved queue name and cannot be used for a custom queue.`);
  }
  return value;
}

/** A new owner keeps its case (owners are compared case-insensitively), unlike assigned users. */
export function validateQueueOwner(owner: string): string {
  const value = pythonStrip(owner);
  requireNonEmpty(value, "new_owner", USER_MAX_LENGTH);
  return value;
}

export interface ValidatedQueue {
  queueType: ReviewQueueType;
  name: string;
  users: string[];
  schemaIds: string[];
}

/**
 * A user queue is named by its one user and asks every question of the experiment, so it takes no schemas;
 * a custom queue has 0 to 10 users and the questions chosen for it.
 */
export function validateQueueForCreate(queue: {
  name: string;
  queueType: ReviewQueueType;
  users: readonly string[];
  schemaIds: readonly string[];
}): ValidatedQueue {
  let users = normalizeUsers(queue.users);
  const schemaIds = normalizeSchemaIds(queue.schemaIds);
  if (queue.queueType === "custom") {
    return { queueType: "custom", name: validateCustomQueueName(queue.name), users, schemaIds };
  }
  const name = normalizeUser(queue.name);
  requireNonEmpty(name, "name", QUEUE_NAME_MAX_LENGTH);
  if (users.length === 0) users = [name];
  else if (users.length !== 1 || users[0] !== name) {
    throw invalidParameter(
      "A user queue must have exactly one assigned user equal to its name; " +
        `got name=${pythonStrRepr(name)} and users=${pythonListRepr(users)}.`,
    );
  }
  if (schemaIds.length > 0) {
    throw invalidParameter(
      "A user queue cannot have explicitly-attached schemas; it resolves to all of the experiment's label schemas.",
    );
  }
  return { queueType: "user", name, users, schemaIds };
}

/** Attach and detach take a non-empty batch, checked whole before anything is written. */
export function validateItemIdsForAttach(itemIds: readonly string[]): string[] {
  if (itemIds.length === 0) throw invalidParameter("`item_ids` must be a non-empty list; got [].");
  return dedup(
    itemIds.map((itemId) => {
      const value = normalizeItemId(itemId);
      requireNonEmpty(value, "item_id", ITEM_ID_MAX_LENGTH);
      return value;
    }),
  );
}

/**
 * Who completed or declined an item: required for those, refused when reopening to pending (even as ""),
 * stored lower-cased. Undefined for pending.
 */
export function validateCompletedBy(
  status: ReviewStatus,
  completedBy: string | undefined,
): string | undefined {
  const normalized = completedBy === undefined ? undefined : normalizeUser(completedBy);
  if (status === "pending") {
    if (normalized !== undefined) {
      throw invalidParameter("`completed_by` must not be set when reopening an item to `pending`.");
    }
    return undefined;
  }
  if (normalized === undefined || normalized === "") {
    throw invalidParameter(`\`completed_by\` is required when setting status to \`${status}\`.`);
  }
  const length = codePoints(normalized);
  if (length > USER_MAX_LENGTH) {
    throw invalidParameter(`\`completed_by\` must be at most ${USER_MAX_LENGTH} characters; got ${length}.`);
  }
  return normalized;
}
