/**
 * Dataset drift: each selected column's drift (columnDrift), and Evidently's dataset verdict, drifted when
 * drifted columns / columns ≥ driftShare (default 0.5, `get_dataset_drift`). Pure and synchronous; it does not
 * read files (src/tables does, and readDriftTable turns a table file into a DriftTable).
 */

import { FlowOpsError } from "../../errors.js";
import { columnDrift, type ColumnDrift, type ColumnDriftOptions } from "./columnDrift.js";
import type { ColumnValues } from "./driftSample.js";
import type { StattestName } from "./stattest.js";

export interface DriftTableColumn {
  readonly name: string;
  /** Numbers (NaN for missing) make a numerical column; labels (null for missing) a categorical one. */
  readonly values: ColumnValues;
}

export type DriftTable = readonly DriftTableColumn[];

export interface DriftOptions {
  /** Columns to compare (default: every column of the reference; each must exist on both sides). */
  columns?: readonly string[] | undefined;
  /** Share of drifted columns at which the dataset counts as drifted (default 0.5). */
  driftShare?: number | undefined;
  perColumn?: Readonly<Record<string, { method?: StattestName; threshold?: number }>> | undefined;
  numericalMethod?: StattestName | undefined;
  categoricalMethod?: StattestName | undefined;
}

export interface DriftReport {
  readonly columns: readonly ColumnDrift[];
  readonly driftedColumns: number;
  readonly share: number;
  readonly datasetDrift: boolean;
  readonly driftShare: number;
}

export const DEFAULT_DRIFT_SHARE = 0.5;

export function detectDrift(
  reference: DriftTable,
  current: DriftTable,
  options: DriftOptions = {},
): DriftReport {
  const plan = planColumns(reference, current, options);
  const columns = plan.map((column) =>
    columnDrift(column.name, column.reference, column.current, column.options),
  );
  return summariseDrift(columns, driftShareOf(options));
}

/** One column to compare: both sides' values and the options that apply to it. */
export interface PlannedColumn {
  readonly name: string;
  readonly reference: ColumnValues;
  readonly current: ColumnValues;
  readonly options: ColumnDriftOptions;
}

/** Checks the options and pairs up the selected columns of both tables. */
export function planColumns(
  reference: DriftTable,
  current: DriftTable,
  options: DriftOptions,
): PlannedColumn[] {
  driftShareOf(options);
  const names = options.columns ?? reference.map((column) => column.name);
  if (names.length === 0) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", "drift detection needs at least one column");
  }
  for (const name of Object.keys(options.perColumn ?? {})) {
    if (!names.includes(name)) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `a per-column method or threshold names column '${name}', which is not compared; compared columns: ${names.join(", ")}`,
      );
    }
  }
  return names.map((name) => ({
    name,
    reference: findColumn(reference, name, "reference"),
    current: findColumn(current, name, "current data"),
    options: columnOptions(options, name),
  }));
}

export function driftShareOf(options: DriftOptions): number {
  const driftShare = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  if (!(driftShare >= 0 && driftShare <= 1)) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `driftShare must be between 0 and 1, got ${driftShare}`,
    );
  }
  return driftShare;
}

/** The dataset verdict over already computed columns (also used when columns run on worker threads). */
export function summariseDrift(
  columns: readonly ColumnDrift[],
  driftShare = DEFAULT_DRIFT_SHARE,
): DriftReport {
  const driftedColumns = columns.filter((column) => column.drifted).length;
  const share = driftedColumns / columns.length;
  return { columns, driftedColumns, share, datasetDrift: share >= driftShare, driftShare };
}

function columnOptions(options: DriftOptions, name: string): ColumnDriftOptions {
  const own = options.perColumn?.[name];
  return {
    method: own?.method,
    threshold: own?.threshold,
    numericalMethod: options.numericalMethod,
    categoricalMethod: options.categoricalMethod,
  };
}

function findColumn(table: DriftTable, name: string, side: string): ColumnValues {
  const column = table.find((candidate) => candidate.name === name);
  if (column === undefined) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `the ${side} has no column '${name}'; its columns are: ${table.map((c) => c.name).join(", ")}`,
    );
  }
  return column.values;
}
