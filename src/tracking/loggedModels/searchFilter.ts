/**
 * The filter and order_by rules of logged-model search (`SearchLoggedModelsUtils` in MLflow's
 * search_utils.py): which keys are searchable, how one clause matches one model, and the sort key. Matching
 * follows MLflow: a missing metric, param or tag fails every comparison; LIKE is case-sensitive, ILIKE not;
 * a metric clause holds when any of the model's values for that key (on the requested datasets) satisfies it.
 */
import { FlowOpsError, invalidParameter } from "../../errors.js";
import { parseSearchFilter, type FilterClause } from "../search/filterParser.js";
import { tokenize } from "../search/filterTokenizer.js";
import {
  LIST_COMPARATORS,
  NUMERIC_COMPARATORS,
  STRING_COMPARATORS,
  validateFilter,
  type FilterSchema,
  type KeyRule,
} from "../search/filterValidation.js";
import type { LoggedModel, LoggedModelMetric } from "./entities.js";
import { restoreValueText, substituteValueTexts } from "./filterValueText.js";

export interface DatasetFilter {
  dataset_name: string;
  dataset_digest?: string | undefined;
}

export interface LoggedModelOrderBy {
  field_name: string;
  ascending?: boolean | undefined;
  dataset_name?: string | undefined;
  dataset_digest?: string | undefined;
}

const STRING_ATTRIBUTE: KeyRule = {
  valueType: "string",
  comparators: [...STRING_COMPARATORS, ...LIST_COMPARATORS],
};
const NUMERIC_ATTRIBUTE: KeyRule = { valueType: "number", comparators: NUMERIC_COMPARATORS };

const FILTER_SCHEMA: FilterSchema = {
  attribute: {
    name: STRING_ATTRIBUTE,
    model_id: STRING_ATTRIBUTE,
    model_type: STRING_ATTRIBUTE,
    status: STRING_ATTRIBUTE,
    source_run_id: STRING_ATTRIBUTE,
    creation_timestamp: NUMERIC_ATTRIBUTE,
    creation_time: { ...NUMERIC_ATTRIBUTE, canonicalKey: "creation_timestamp" },
    last_updated_timestamp: NUMERIC_ATTRIBUTE,
    // MLflow's SQL store filters on any column of its logged_models table by name.
    creation_timestamp_ms: { ...NUMERIC_ATTRIBUTE, canonicalKey: "creation_timestamp" },
    last_updated_timestamp_ms: { ...NUMERIC_ATTRIBUTE, canonicalKey: "last_updated_timestamp" },
    experiment_id: STRING_ATTRIBUTE,
    artifact_location: STRING_ATTRIBUTE,
    lifecycle_stage: STRING_ATTRIBUTE,
    status_message: STRING_ATTRIBUTE,
  },
  metric: { valueType: "number", comparators: NUMERIC_COMPARATORS },
  parameter: STRING_ATTRIBUTE,
  tag: STRING_ATTRIBUTE,
};

/**
 * The order_by names MLflow 3.17's SQL store sorts by, as sent (it trims nothing): `SqlLoggedModel.ALIASES`
 * and the table's columns. `last_updated_time` is no alias there. Each maps to the field sortValue reads.
 */
const ORDER_BY_FIELDS: Readonly<Record<string, string>> = {
  creation_time: "creation_timestamp",
  creation_timestamp: "creation_timestamp",
  creation_timestamp_ms: "creation_timestamp",
  last_updated_timestamp: "last_updated_timestamp",
  last_updated_timestamp_ms: "last_updated_timestamp",
  ...Object.fromEntries(
    [
      "model_id",
      "experiment_id",
      "name",
      "artifact_location",
      "status",
      "lifecycle_stage",
      "model_type",
      "source_run_id",
      "status_message",
    ].map((column) => [column, column]),
  ),
};

/** MLflow's `EntityType` values: the only prefixes its logged-model filter takes, plural and lower-case. */
const FILTER_ENTITIES: readonly string[] = ["attributes", "metrics", "params", "tags"];

export function parseLoggedModelFilter(filter: string | undefined): FilterClause[] {
  if (filter === undefined) return [];
  refuseEntitiesMlflowRefuses(filter);
  const substituted = substituteValueTexts(filter, isNumericKey);
  let clauses: FilterClause[];
  try {
    clauses = validateFilter(parseSearchFilter(substituted.filter), FILTER_SCHEMA);
  } catch (error) {
    // The message should quote the filter as sent, not its placeholders.
    validateFilter(parseSearchFilter(filter), FILTER_SCHEMA);
    throw error;
  }
  return clauses.map((clause) => ({
    ...clause,
    value: Array.isArray(clause.value)
      ? clause.value.map((item) => restoreValueText(item, substituted.values))
      : restoreValueText(clause.value, substituted.values),
  }));
}

/** MLflow's `Entity.from_str(...).is_numeric()`: a metric, or an attribute held in a numeric column. */
function isNumericKey(identifier: string): boolean {
  const entity = /^([a-z]+)\.(.+)$/s.exec(identifier);
  if (entity?.[1] === "metrics") return true;
  if (entity !== null && entity[1] !== "attributes") return false;
  const key = (entity?.[2] ?? identifier).replace(/^[`"]|[`"]$/g, "");
  const attributes = FILTER_SCHEMA.attribute ?? {};
  return Object.hasOwn(attributes, key) && attributes[key]?.valueType === "number";
}

/**
 * The shared parser takes the run-search aliases (`metric.`, `param.`, `attr.`, any case); MLflow's
 * logged-model parser (`search_logged_model_utils.Entity`) takes a lower-case prefix only when it is one of
 * FILTER_ENTITIES, and reads an identifier whose prefix is not lower-case letters as one attribute name.
 */
function refuseEntitiesMlflowRefuses(filter: string): void {
  for (const identifier of clauseIdentifiers(filter)) {
    const dot = identifier.indexOf(".");
    if (dot < 0) continue;
    const prefix = identifier.slice(0, dot);
    if (!/^[a-z]+$/.test(prefix)) {
      const keys = Object.keys(FILTER_SCHEMA.attribute ?? {});
      throw invalidParameter(
        `Invalid attribute key '${identifier}' specified. Valid keys are '${keys.join("', '")}'`,
      );
    }
    if (!FILTER_ENTITIES.includes(prefix)) {
      throw invalidParameter(
        `Invalid entity type: '${prefix}'. Expected one of ['${FILTER_ENTITIES.join("', '")}'].`,
      );
    }
  }
}

/** The first word of each comparison: the token at the start and after each AND. */
function clauseIdentifiers(filter: string): string[] {
  const identifiers: string[] = [];
  let atClauseStart = true;
  for (const token of tokenize(filter, "filter")) {
    if (token.kind === "word" && token.text.toUpperCase() === "AND") {
      atClauseStart = true;
    } else if (atClauseStart) {
      if (token.kind === "word") identifiers.push(token.text);
      atClauseStart = false;
    }
  }
  return identifiers;
}

/** A model matches when every clause holds; with datasets and no metric clause it needs a metric on one. */
export function matchesFilter(
  model: LoggedModel,
  clauses: readonly FilterClause[],
  datasets: readonly DatasetFilter[],
): boolean {
  if (datasets.length > 0 && !clauses.some((c) => c.type === "metric")) {
    if (!model.data.metrics.some((m) => onAnyDataset(m, datasets))) return false;
  }
  return clauses.every((clause) => matchesClause(model, clause, datasets));
}

function matchesClause(
  model: LoggedModel,
  clause: FilterClause,
  datasets: readonly DatasetFilter[],
): boolean {
  switch (clause.type) {
    case "metric":
      return model.data.metrics
        .filter((m) => m.key === clause.key && (datasets.length === 0 || onAnyDataset(m, datasets)))
        .some((m) => compare(m.value, clause));
    case "parameter":
      return compare(model.data.params.find((p) => p.key === clause.key)?.value, clause);
    case "tag":
      return compare(model.info.tags.find((t) => t.key === clause.key)?.value, clause);
    case "attribute":
      return compare(attributeValue(model, clause.key), clause);
    case "dataset":
      throw invalidParameter(`Invalid logged model search key '${clause.key}'`);
  }
}

function attributeValue(model: LoggedModel, key: string): string | number | undefined {
  const info = model.info;
  switch (key) {
    case "name":
      return info.name;
    case "model_id":
      return info.model_id;
    // MLflow's server stores the proto default "" when a request leaves these out, and "" compares as a
    // value (`model_type != 'agent'` holds for a model without a type), not as a missing one.
    case "model_type":
      return info.model_type ?? "";
    case "status":
      return info.status;
    case "source_run_id":
      return info.source_run_id ?? "";
    case "creation_timestamp":
      return info.creation_timestamp_ms;
    case "last_updated_timestamp":
      return info.last_updated_timestamp_ms;
    case "experiment_id":
      return info.experiment_id;
    case "artifact_location":
      return info.artifact_uri;
    // Search reads active models only.
    case "lifecycle_stage":
      return "active";
    // NULL in MLflow's table when never set, which no comparison matches.
    case "status_message":
      return info.status_message;
    default:
      throw invalidParameter(`Invalid logged model search key '${key}'`);
  }
}

function compare(lhs: string | number | undefined, clause: FilterClause): boolean {
  // Not offered by the logged-model filter schema; answered here so the switch below stays exhaustive.
  if (clause.comparator === "IS NULL" || clause.comparator === "IS NOT NULL") {
    return (lhs === undefined) === (clause.comparator === "IS NULL");
  }
  if (lhs === undefined || (typeof lhs === "number" && Number.isNaN(lhs))) return false;
  const rhs = clause.value;
  switch (clause.comparator) {
    case "=":
      return lhs === rhs;
    case "!=":
      return lhs !== rhs;
    case ">":
      return lhs > rhs;
    case ">=":
      return lhs >= rhs;
    case "<":
      return lhs < rhs;
    case "<=":
      return lhs <= rhs;
    case "LIKE":
      return likePattern(String(rhs), "").test(String(lhs));
    case "ILIKE":
      return likePattern(String(rhs), "i").test(String(lhs));
    case "IN":
      return Array.isArray(rhs) && rhs.includes(String(lhs));
    case "NOT IN":
      return Array.isArray(rhs) && !rhs.includes(String(lhs));
    case "RLIKE":
      // MLflow's logged-model filter refuses RLIKE, and FILTER_SCHEMA lists it nowhere.
      throw invalidParameter("RLIKE is not supported in logged model search");
  }
}

/** SQL LIKE as a regular expression: `%` any run, `_` one character, everything else literal. */
function likePattern(pattern: string, flags: string): RegExp {
  const body = [...pattern]
    .map((c) => (c === "%" ? ".*" : c === "_" ? "." : c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, `s${flags}`);
}

function onAnyDataset(metric: LoggedModelMetric, datasets: readonly DatasetFilter[]): boolean {
  return datasets.some(
    (d) =>
      metric.dataset_name === d.dataset_name &&
      (d.dataset_digest === undefined ||
        d.dataset_digest === "" ||
        metric.dataset_digest === d.dataset_digest),
  );
}

interface SortTerm {
  field: string;
  ascending: boolean;
  datasetName?: string | undefined;
  datasetDigest?: string | undefined;
}

/**
 * Checks order_by entries as MLflow 3.17's SQL store does (`_apply_order_by_search_logged_models`) and adds
 * its tiebreaks: creation time (newest first), then model id.
 */
export function parseLoggedModelOrderBy(orderBy: readonly LoggedModelOrderBy[]): SortTerm[] {
  const terms: SortTerm[] = orderBy.map((entry) => {
    let field = entry.field_name;
    if (field.includes(".")) {
      if (field.split(".", 1)[0] !== "metrics") {
        throw invalidParameter(`Invalid order by field name: ${field}. Only metrics are supported.`);
      }
    } else {
      const known = Object.hasOwn(ORDER_BY_FIELDS, field) ? ORDER_BY_FIELDS[field] : undefined;
      if (known === undefined) {
        // MLflow's store marks this one refusal (a column lookup that failed) ATTRIBUTE_NOT_FOUND, KAM04.
        throw new FlowOpsError("INVALID_PARAMETER_VALUE", `Invalid order by field name: ${field}`, {
          errorClass: "ATTRIBUTE_NOT_FOUND",
        });
      }
      field = known;
    }
    if (entry.dataset_digest && !entry.dataset_name) {
      throw invalidParameter("`dataset_digest` can only be specified if `dataset_name` is also specified.");
    }
    return {
      field,
      ascending: entry.ascending ?? true,
      datasetName: entry.dataset_name,
      datasetDigest: entry.dataset_digest,
    };
  });
  if (!terms.some((t) => t.field === "creation_timestamp")) {
    terms.push({ field: "creation_timestamp", ascending: false });
  }
  if (!terms.some((t) => t.field === "model_id")) terms.push({ field: "model_id", ascending: true });
  return terms;
}

/** A comparator over models; missing and NaN metric values sort last in either direction. */
export function compareModels(terms: readonly SortTerm[]): (a: LoggedModel, b: LoggedModel) => number {
  return (a, b) => {
    for (const term of terms) {
      const left = sortValue(a, term);
      const right = sortValue(b, term);
      const leftMissing = left === undefined || (typeof left === "number" && Number.isNaN(left));
      const rightMissing = right === undefined || (typeof right === "number" && Number.isNaN(right));
      if (leftMissing || rightMissing) {
        if (leftMissing && rightMissing) continue;
        return leftMissing ? 1 : -1;
      }
      if (left === right) continue;
      const order = left < right ? -1 : 1;
      return term.ascending ? order : -order;
    }
    return 0;
  };
}

function sortValue(model: LoggedModel, term: SortTerm): string | number | undefined {
  if (!term.field.startsWith("metrics.")) return sortableColumn(model, term.field);
  const key = term.field.slice("metrics.".length);
  // The latest value by timestamp (then step) is the model's value for sorting, as in MLflow.
  let latest: LoggedModelMetric | undefined;
  for (const m of model.data.metrics) {
    if (m.key !== key) continue;
    if (term.datasetName && m.dataset_name !== term.datasetName) continue;
    if (term.datasetDigest && m.dataset_digest !== term.datasetDigest) continue;
    if (
      latest === undefined ||
      m.timestamp > latest.timestamp ||
      (m.timestamp === latest.timestamp && m.step > latest.step)
    ) {
      latest = m;
    }
  }
  return latest?.value;
}

/** The columns only order_by reads; MLflow's experiment_id column is an integer, so it sorts as one. */
function sortableColumn(model: LoggedModel, field: string): string | number | undefined {
  switch (field) {
    case "experiment_id":
      return Number(model.info.experiment_id);
    case "artifact_location":
      return model.info.artifact_uri;
    // Search reads active models only.
    case "lifecycle_stage":
      return "active";
    case "status_message":
      return model.info.status_message;
    default:
      return attributeValue(model, field);
  }
}
