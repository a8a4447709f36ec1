/**
 * Profiles of training data, built where the data is (the CLI, a pipeline, training code) because the tracking
 * server never sees the data: `profileTrainingData` turns a table file or a DriftTable, plus optionally the
 * model's predictions on it as a `prediction` column, into the ReferenceProfile that drift monitoring compares
 * live windows with. `tryProfileTrainingFile` is the lenient form for automatic logging: a path that is not a
 * readable table file (a directory, an unknown extension, a broken file) gives a reason instead of an error.
 * Nothing here talks to the server; profileArtifact.ts uploads.
 */
import { stat } from "node:fs/promises";
import { FlowOpsError, invalidParameter } from "../../errors.js";
import { openTable } from "../../tables/openTable.js";
import { formatFromPath } from "../../tables/tableFormat.js";
import type { DriftTable } from "../drift/datasetDrift.js";
import { readDriftTable } from "../drift/driftTableReader.js";
import { buildProfile, type ProfileOptions, type ReferenceProfile } from "../drift/referenceProfile.js";

/** The column the drift monitor fills with a model's answers (inputSampler.ts), so predictions go there too. */
export const PREDICTION_COLUMN = "prediction";

export interface TrainingProfileOptions extends ProfileOptions {
  /** Columns to profile (default: all of the file's). Leave out the label: requests do not carry it. */
  columns?: readonly string[] | undefined;
  /** Columns profiled as categories even when every value is a number. */
  categorical?: readonly string[] | undefined;
  /**
   * A table file with the model's predictions on the same rows, in a `prediction` column (or its only
   * column); profiled as the `prediction` column.
   */
  predictionsFile?: string | undefined;
  /** The predictions in memory, one per row, instead of a file. */
  predictions?: ArrayLike<number> | readonly (string | null)[] | undefined;
}

export type TrainingProfileAttempt = { readonly profile: ReferenceProfile } | { readonly skipped: string };

/**
 * The reference profile of training data.
 * @example const profile = await profileTrainingData("data/train.csv", { columns: ["age", "income"] });
 */
export async function profileTrainingData(
  source: string | DriftTable,
  options: TrainingProfileOptions = {},
): Promise<ReferenceProfile> {
  const table =
    typeof source === "string"
      ? await readDriftTable(openTable(source, { columns: options.columns }), {
          columns: options.columns,
          categorical: options.categorical,
        })
      : selectColumns(source, options.columns);
  const predictions = await predictionColumn(options);
  if (predictions === undefined) return buildProfile(table, options);
  if (table.some((column) => column.name === PREDICTION_COLUMN)) {
    throw invalidParameter(
      `the training data already has a column '${PREDICTION_COLUMN}'; leave it out with the columns option ` +
        `or do not pass predictions`,
    );
  }
  return buildProfile([...table, predictions], options);
}

/**
 * Profiles `path` when it is a table file FlowOps reads (csv, tsv, jsonl, parquet); otherwise says why not.
 * Only a wrong option (a column the file lacks) is still an error, since the caller asked for it.
 */
export async function tryProfileTrainingFile(
  path: string,
  options: TrainingProfileOptions = {},
): Promise<TrainingProfileAttempt> {
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch (error) {
    return { skipped: `${path} cannot be read: ${(error as Error).message}` };
  }
  if (!isFile) return { skipped: `${path} is a directory, not a table file` };
  try {
    formatFromPath(path);
  } catch {
    return { skipped: `${path} is not a table file FlowOps reads (csv, tsv, jsonl, parquet)` };
  }
  try {
    return { profile: await profileTrainingData(path, options) };
  } catch (error) {
    if (options.columns !== undefined || options.categorical !== undefined) throw error;
    const reason = error instanceof FlowOpsError ? error.message : (error as Error).message;
    return { skipped: `${path} could not be profiled: ${reason}` };
  }
}

function selectColumns(table: DriftTable, columns: readonly string[] | undefined): DriftTable {
  if (columns === undefined) return table;
  return columns.map((name) => {
    const column = table.find((candidate) => candidate.name === name);
    if (column === undefined) {
      throw invalidParameter(
        `the training table has no column '${name}'; its columns are: ${table.map((c) => c.name).join(", ")}`,
      );
    }
    return column;
  });
}

async function predictionColumn(options: TrainingProfileOptions): Promise<DriftTable[number] | undefined> {
  if (options.predictions !== undefined && options.predictionsFile !== undefined) {
    throw invalidParameter("give the predictions either in memory or as a file, not both");
  }
  if (options.predictions !== undefined) {
    const values = options.predictions;
    const numeric = Array.prototype.every.call(values, (value: unknown) => typeof value === "number");
    return {
      name: PREDICTION_COLUMN,
      values: numeric
        ? Float64Array.from(values as ArrayLike<number>)
        : Array.from(values as ArrayLike<string | number | null>, (v) => (v === null ? null : String(v))),
    };
  }
  if (options.predictionsFile === undefined) return undefined;
  const source = openTable(options.predictionsFile);
  const columns = await source.columns();
  const name = columns.includes(PREDICTION_COLUMN)
    ? PREDICTION_COLUMN
    : columns.length === 1
      ? columns[0]!
      : undefined;
  if (name === undefined) {
    throw invalidParameter(
      `${options.predictionsFile} has no column '${PREDICTION_COLUMN}' and more than one column ` +
        `(${columns.join(", ")}); name the predictions column '${PREDICTION_COLUMN}'`,
    );
  }
  const [column] = await readDriftTable(openTable(options.predictionsFile, { columns: [name] }), {
    columns: [name],
  });
  return { name: PREDICTION_COLUMN, values: column!.values };
}
