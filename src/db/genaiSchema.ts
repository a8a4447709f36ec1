/**
 * Row types of MLflow 3's GenAI tables (migrations 0012-0018). They are not members of `Database`: each store
 * adds its own tables with `withTables` through the `...Database` types here, so the core schema stays as it was.
 */
import type { Database } from "./schema.js";

/** A registered scorer (mlflow's `scorers`): a name within an experiment and its stable id. */
export interface ScorerTable {
  scorer_id: string;
  experiment_id: number;
  scorer_name: string;
}

/** One registration of a scorer; `serialized_scorer` is the client's JSON, stored as sent. */
export interface ScorerVersionTable {
  scorer_id: string;
  scorer_version: number;
  serialized_scorer: string;
  creation_time: number | string | bigint;
}

/** How often and on which traces a scorer runs automatically (mlflow's `online_scoring_configs`). */
export interface OnlineScoringConfigTable {
  online_scoring_config_id: string;
  scorer_id: string;
  sample_rate: number;
  experiment_id: number;
  filter_string: string | null;
}

/** The tables of migration 0012, declared beside `Database` as the assessments store declares its own. */
export type ScorerDatabase = Database & {
  scorers: ScorerTable;
  scorer_versions: ScorerVersionTable;
  online_scoring_configs: OnlineScoringConfigTable;
};

/** An MLflow 3 evaluation dataset (mlflow's `evaluation_datasets`); `schema` and `profile` are JSON text. */
export interface EvaluationDatasetTable {
  dataset_id: string;
  name: string;
  schema: string | null;
  profile: string | null;
  digest: string | null;
  created_time: number | string | bigint;
  last_update_time: number | string | bigint;
  created_by: string | null;
  last_updated_by: string | null;
}

export interface EvaluationDatasetTagTable {
  dataset_id: string;
  key: string;
  value: string | null;
}

/** One record; `inputs`, `outputs`, `expectations`, `tags` and `source` are JSON text, null when unset. */
export interface EvaluationDatasetRecordTable {
  dataset_record_id: string;
  dataset_id: string;
  inputs: string;
  outputs: string | null;
  expectations: string | null;
  tags: string | null;
  source: string | null;
  source_id: string | null;
  source_type: string | null;
  created_time: number | string | bigint;
  last_update_time: number | string | bigint;
  created_by: string | null;
  last_updated_by: string | null;
  input_hash: string;
}

export interface EvaluationDatasetExperimentTable {
  dataset_id: string;
  experiment_id: string;
  created_time: number | string | bigint;
}

/** The tables of migration 0013, declared beside `Database` as the scorer store declares its own. */
export type EvaluationDatasetDatabase = Database & {
  evaluation_datasets: EvaluationDatasetTable;
  evaluation_dataset_tags: EvaluationDatasetTagTable;
  evaluation_dataset_records: EvaluationDatasetRecordTable;
  evaluation_dataset_experiments: EvaluationDatasetExperimentTable;
};

/** A trace's use of a prompt version; `prompt_version` is the version number as decimal text. */
export interface TracePromptLinkTable {
  request_id: string;
  prompt_name: string;
  prompt_version: string;
  created_time: number | string | bigint;
}

/** The table of migration 0014, declared beside `Database` as the scorer store declares its own. */
export type TracePromptLinkDatabase = Database & { trace_prompt_links: TracePromptLinkTable };

/**
 * A span logged over OTLP (mlflow's `spans`): `content` is mlflow's span dict as JSON; times are nanoseconds,
 * past 2^53, so they are written as decimal text and read back from `content`, never as doubles.
 */
export interface SpanTable {
  trace_id: string;
  experiment_id: number;
  span_id: string;
  parent_span_id: string | null;
  name: string | null;
  type: string | null;
  status: string;
  start_time_unix_nano: string | bigint | number;
  end_time_unix_nano: string | bigint | number | null;
  content: string;
}

/** The table of migration 0015, declared beside `Database` as the scorer store declares its own. */
export type TraceSpanDatabase = Database & { spans: SpanTable };

/** A label schema (mlflow's `label_schemas`); `type` is "feedback" or "expectation" as mlflow stores it. */
export interface LabelSchemaTable {
  schema_id: string;
  experiment_id: number;
  name: string;
  type: string;
  instruction: string | null;
  enable_comment: number;
  input_type: string;
  input_config: string;
  created_by: string | null;
  created_time: number | string | bigint;
  last_update_time: number | string | bigint;
  is_default: number;
}

/** The table of migration 0016, declared beside `Database` as the scorer store declares its own. */
export type LabelSchemaDatabase = Database & { label_schemas: LabelSchemaTable };

/** An issue found in traces (mlflow's `issues`); `root_causes` and `categories` are JSON arrays as text. */
export interface IssueTable {
  issue_id: string;
  experiment_id: number;
  name: string;
  description: string;
  status: string;
  severity: string | null;
  root_causes: string | null;
  source_run_id: string | null;
  categories: string | null;
  created_timestamp: number | string | bigint;
  last_updated_timestamp: number | string | bigint;
  created_by: string | null;
}

/** The table of migration 0017, declared beside `Database` as the scorer store declares its own. */
export type IssueDatabase = Database & { issues: IssueTable };

/** A review queue (mlflow's `review_queues`); `name_key` is the lower-cased name that carries uniqueness. */
export interface ReviewQueueTable {
  queue_id: string;
  experiment_id: number;
  name: string;
  name_key: string;
  queue_type: string;
  created_by: string | null;
  creation_time_ms: number | string | bigint;
  last_update_time_ms: number | string | bigint;
}

/** A user assigned to a review queue (mlflow's `review_queue_users`). */
export interface ReviewQueueUserTable {
  queue_id: string;
  user_id: string;
}

/** A trace attached to a review queue with its review status (mlflow's `review_queue_items`). */
export interface ReviewQueueItemTable {
  queue_id: string;
  item_type: string;
  item_id: string;
  status: string;
  completed_by: string | null;
  completed_time_ms: number | string | bigint | null;
  creation_time_ms: number | string | bigint;
  last_update_time_ms: number | string | bigint;
}

/** A label schema attached to a custom review queue (mlflow's `review_queue_label_schemas`). */
export interface ReviewQueueLabelSchemaTable {
  queue_id: string;
  schema_id: string;
}

/** The tables of migration 0018, declared beside `Database` as the scorer store declares its own. */
export type ReviewQueueDatabase = LabelSchemaDatabase & {
  review_queues: ReviewQueueTable;
  review_queue_users: ReviewQueueUserTable;
  review_queue_items: ReviewQueueItemTable;
  review_queue_label_schemas: ReviewQueueLabelSchemaTable;
};
