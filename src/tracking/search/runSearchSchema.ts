/**
 * What runs/search accepts (`mlflow/utils/search_utils.py`): which attributes, metric/param/tag and dataset
 * keys can be filtered with which comparators, and what can be sorted. Aliases map to canonical keys here so
 * the SQL layer sees only `run_id`, `run_name`, `status`, `artifact_uri`, `user_id`, `start_time`, `end_time`.
 */
import { NULL_COMPARATORS, type FilterClause } from "./filterSyntax.js";
import {
  LIST_COMPARATORS,
  NUMERIC_COMPARATORS,
  STRING_COMPARATORS,
  validateFilter,
  type FilterSchema,
  type KeyRule,
} from "./filterValidation.js";
import type { OrderBySchema } from "./orderBy.js";
import { exactTimeValue } from "./timeFilterValue.js";

const stringAttribute: KeyRule = { valueType: "string", comparators: STRING_COMPARATORS };
const numericAttribute: KeyRule = { valueType: "number", comparators: NUMERIC_COMPARATORS };
const runName: KeyRule = { ...stringAttribute, canonicalKey: "run_name" };
const created: KeyRule = { ...numericAttribute, canonicalKey: "start_time" };
const datasetKey: KeyRule = {
  valueType: "string",
  comparators: [...STRING_COMPARATORS, ...LIST_COMPARATORS],
};

export const RUN_FILTER_SCHEMA: FilterSchema = {
  attribute: {
    run_id: { valueType: "string", comparators: [...STRING_COMPARATORS, ...LIST_COMPARATORS] },
    run_name: stringAttribute,
    "run name": runName,
    "Run name": runName,
    "Run Name": runName,
    status: stringAttribute,
    artifact_uri: stringAttribute,
    user_id: stringAttribute,
    start_time: numericAttribute,
    end_time: numericAttribute,
    created,
    Created: created,
  },
  dataset: { name: datasetKey, digest: datasetKey, context: datasetKey },
  metric: { valueType: "number", comparators: NUMERIC_COMPARATORS },
  // SearchUtils.VALID_PARAM_COMPARATORS / VALID_TAG_COMPARATORS: only params and tags can be missing.
  parameter: { valueType: "string", comparators: [...STRING_COMPARATORS, ...NULL_COMPARATORS] },
  tag: { valueType: "string", comparators: [...STRING_COMPARATORS, ...NULL_COMPARATORS] },
};

export const RUN_ORDER_BY_SCHEMA: OrderBySchema = {
  attribute: {
    run_id: "run_id",
    run_name: "run_name",
    "run name": "run_name",
    "Run name": "run_name",
    "Run Name": "run_name",
    status: "status",
    artifact_uri: "artifact_uri",
    user_id: "user_id",
    experiment_id: "experiment_id",
    start_time: "start_time",
    end_time: "end_time",
    created: "start_time",
    Created: "start_time",
  },
  metric: true,
  parameter: true,
  tag: true,
};

/** Validates run filter clauses; times must be integers in int64's range (see timeFilterValue.ts). */
export function validateRunFilter(clauses: readonly FilterClause[]): FilterClause[] {
  const valid = validateFilter(clauses, RUN_FILTER_SCHEMA);
  for (const clause of valid) {
    if (clause.type === "attribute" && typeof clause.value === "number")
      exactTimeValue({ ...clause, value: clause.value });
  }
  return valid;
}
