/**
 * Parses `order_by` entries of the form `<identifier> [ASC|DESC]` (ASC by default) with the same
 * identifier syntax as filters, and checks them against what one search can sort by.
 */
import { invalidParameter } from "../../errors.js";
import { parseIdentifier, TokenCursor, type EntityType } from "./filterSyntax.js";
import { excerpt, tokenize } from "./filterTokenizer.js";
import { pythonStringListRepr } from "../validationMessages.js";

export interface OrderByTerm {
  type: EntityType;
  /** Canonical key for attributes (`created` -> `start_time`), the entity's key otherwise. */
  key: string;
  ascending: boolean;
}

/** Sortable attributes (accepted spelling -> canonical key) and whether metric/param/tag keys sort. */
export interface OrderBySchema {
  attribute: Readonly<Record<string, string>>;
  metric?: boolean;
  parameter?: boolean;
  tag?: boolean;
}

const WHAT = "order_by clause";

export function parseOrderBy(clauses: readonly string[] | undefined, allowed: OrderBySchema): OrderByTerm[] {
  return (clauses ?? []).map((clause) => parseOrderByClause(clause, allowed));
}

/**
 * MLflow's SQL stores refuse a field named twice (`created` and `start_time DESC` are one field), quoting
 * the whole list as Python writes it. MLflow raises it without an error code, a 500; it is the client's
 * mistake, so a 400 here.
 */
export function refuseDuplicateOrderBy(
  terms: readonly OrderByTerm[],
  clauses: readonly string[] | undefined,
): void {
  const seen = new Set<string>();
  for (const { type, key } of terms) {
    const field = `${type}\u0000${key}`;
    if (seen.has(field)) {
      throw invalidParameter(
        `\`order_by\` contains duplicate fields: ${pythonStringListRepr(clauses ?? [])}`,
      );
    }
    seen.add(field);
  }
}

function parseOrderByClause(clause: string, allowed: OrderBySchema): OrderByTerm {
  if (clause.trim() === "")
    throw invalidParameter(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  const cursor = new TokenCursor(clause, tokenize(clause, WHAT), WHAT);
  const identifier = parseIdentifier(cursor);
  let ascending = true;
  const direction = cursor.next();
  if (direction !== undefined) {
    const upper = direction.kind === "word" ? direction.text.toUpperCase() : "";
    if (upper !== "ASC" && upper !== "DESC") {
      throw cursor.errorAt(direction, `expected ASC or DESC, found '${excerpt(direction.text)}'`);
    }
    ascending = upper === "ASC";
    const extra = cursor.next();
    if (extra !== undefined)
      throw cursor.errorAt(extra, `unexpected '${excerpt(extra.text)}' after ${upper}`);
  }
  switch (identifier.type) {
    case "attribute": {
      const key = Object.hasOwn(allowed.attribute, identifier.key)
        ? allowed.attribute[identifier.key]
        : undefined;
      if (key === undefined) {
        throw invalidParameter(
          `Invalid order_by clause '${excerpt(clause)}': invalid attribute key '${identifier.key}'. ` +
            `Valid keys are '${Object.keys(allowed.attribute).join("', '")}'`,
        );
      }
      return { type: "attribute", key, ascending };
    }
    case "metric":
    case "parameter":
    case "tag":
      if (allowed[identifier.type] === true) return { ...identifier, ascending };
      break;
    case "dataset":
      break;
  }
  throw invalidParameter(
    `Invalid order_by clause '${excerpt(clause)}': cannot order by ${identifier.type} '${identifier.key}'`,
  );
}
