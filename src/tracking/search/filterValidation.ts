/**
 * Checks parsed filter clauses against what one search allows: which entities, which keys, which
 * comparators and which value types. Each search (runs, experiments, registered models, model versions,
 * logged models) describes itself with a `FilterSchema`; this module gives them one wording for errors and
 * maps key aliases (`created`, `run name`) to canonical keys.
 */
import { invalidParameter } from "../../errors.js";
import { NULL_COMPARATORS, type Comparator, type EntityType, type FilterClause } from "./filterSyntax.js";

export const STRING_COMPARATORS: readonly Comparator[] = ["=", "!=", "LIKE", "ILIKE"];
export const NUMERIC_COMPARATORS: readonly Comparator[] = ["=", "!=", ">", ">=", "<", "<="];
export const LIST_COMPARATORS: readonly Comparator[] = ["IN", "NOT IN"];

export interface KeyRule {
  valueType: "string" | "number";
  comparators: readonly Comparator[];
  /** The key the search uses internally when the filter names an alias (`created` -> `start_time`). */
  canonicalKey?: string;
}

/**
 * What a search accepts. `attribute` and `dataset` list their keys; `metric`, `parameter` and `tag`
 * accept any key with one rule. An absent entity is not searchable.
 */
export interface FilterSchema {
  attribute?: Readonly<Record<string, KeyRule>>;
  dataset?: Readonly<Record<string, KeyRule>>;
  metric?: KeyRule;
  parameter?: KeyRule;
  tag?: KeyRule;
}

const ENTITY_NAMES: Readonly<Record<EntityType, string>> = {
  attribute: "attribute",
  dataset: "dataset",
  metric: "metric",
  parameter: "parameter",
  tag: "tag",
};

/** Returns the clauses with canonical keys, or throws INVALID_PARAMETER_VALUE naming the bad clause. */
export function validateFilter(clauses: readonly FilterClause[], schema: FilterSchema): FilterClause[] {
  return clauses.map((clause) => {
    const rule = ruleFor(clause, schema);
    const name = ENTITY_NAMES[clause.type];
    if (!rule.comparators.includes(clause.comparator)) {
      if (NULL_COMPARATORS.includes(clause.comparator)) throw nullComparatorRefused(clause, schema);
      throw invalidParameter(
        `Invalid comparator '${clause.comparator}' for ${name} '${clause.key}'; ` +
          `valid comparators are '${rule.comparators.join("', '")}'`,
      );
    }
    const value = clause.value;
    if (NULL_COMPARATORS.includes(clause.comparator)) {
      // No value to check: the clause asks whether the entity exists.
    } else if (Array.isArray(value)) {
      // The parser only builds lists for IN / NOT IN, and lists hold quoted strings.
      if (rule.valueType !== "string") {
        throw invalidParameter(`Expected a numeric value for ${name} '${clause.key}', found a list`);
      }
    } else if (rule.valueType === "number" && typeof value !== "number") {
      throw invalidParameter(`Expected a numeric value for ${name} '${clause.key}', found '${value}'`);
    } else if (rule.valueType === "string" && typeof value !== "string") {
      throw invalidParameter(
        `Value for ${name} '${clause.key}' must be a quoted string (use single or double quotes), found ${value}`,
      );
    }
    return { ...clause, key: rule.canonicalKey ?? clause.key };
  });
}

/**
 * Names the entities that do take IS NULL in this search, as MLflow's messages do for runs ("tags and params")
 * and experiments ("tags"); registry searches take it nowhere, where MLflow 3.17.2 answers a 500.
 */
function nullComparatorRefused(clause: FilterClause, schema: FilterSchema) {
  const takers = (["tag", "parameter"] as const).filter((type) =>
    schema[type]?.comparators.some((c) => NULL_COMPARATORS.includes(c)),
  );
  const name = ENTITY_NAMES[clause.type];
  if (takers.length === 0) {
    return invalidParameter(
      `IS NULL / IS NOT NULL is not supported in this search (${name} '${clause.key}')`,
    );
  }
  const plural = takers.map((type) => (type === "tag" ? "tags" : "params")).join(" and ");
  return invalidParameter(
    `IS NULL / IS NOT NULL is only supported for ${plural}, not for '${name}' '${clause.key}'`,
  );
}

function ruleFor(clause: FilterClause, schema: FilterSchema): KeyRule {
  switch (clause.type) {
    case "attribute":
    case "dataset": {
      const keys = schema[clause.type];
      if (keys === undefined) throw invalidEntity(clause.type, schema);
      const rule = Object.hasOwn(keys, clause.key) ? keys[clause.key] : undefined;
      if (rule === undefined) {
        throw invalidParameter(
          `Invalid ${ENTITY_NAMES[clause.type]} key '${clause.key}' specified. ` +
            `Valid keys are '${Object.keys(keys).join("', '")}'`,
        );
      }
      return rule;
    }
    case "metric":
    case "parameter":
    case "tag": {
      const rule = schema[clause.type];
      if (rule === undefined) throw invalidEntity(clause.type, schema);
      return rule;
    }
  }
}

function invalidEntity(type: EntityType, schema: FilterSchema) {
  const valid = (Object.keys(ENTITY_NAMES) as EntityType[]).filter((t) => schema[t] !== undefined);
  return invalidParameter(
    `Invalid entity type '${ENTITY_NAMES[type]}' in filter. Valid values are '${valid.join("', '")}'`,
  );
}
