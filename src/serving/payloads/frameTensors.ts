/**
 * Frames (rows of cells) into model tensors, two ways: stacked into one [N, ...] tensor for a model with a
 * single multi-dimensional input (ONNX's [-1, F]), in the signature's column order; or one tensor per column
 * for models that take named columns (an MLflow column signature, or several inputs). A model that declares no
 * inputs gets frames typed from their values instead (untypedFrameTensors.ts).
 */
import { FlowOpsError } from "../../errors.js";
import type { ColumnSpec } from "../signature.js";
import { columnDatatype } from "../signature.js";
import {
  dataFromJsonValues,
  elementCount,
  flattenJsonArray,
  type Datatype,
  type Tensor,
  type TensorSpec,
} from "../tensor.js";
import { checkRowWidths } from "./batchRows.js";
import { prepareCells } from "./frameCells.js";
import { missingInputsError } from "./mlflowMissingInputs.js";
import type { ModelInput } from "./predictRequest.js";
import { pandasColumnText, pythonNullText } from "./stringInputNumbers.js";

export type Frame = ModelInput & { kind: "frame" };

/** A column the model takes: its name, the datatype it is sent as, whether a request may leave it out. */
export interface ColumnTarget {
  name: string;
  datatype: Datatype;
  /** [-1] or [-1, 1] (sklearn-onnx takes each column as [N, 1]). */
  shape: readonly number[];
  required: boolean;
  /** Null cells are kept as missing values (MLflow `string` columns take None) rather than refused. */
  nullable?: boolean;
  /** The signature's column it comes from: a request lacking one is answered as MLflow's schema check does. */
  column?: ColumnSpec;
}

/** Stacks the rows into one tensor for `spec` (shape [-1, ...]); `order` picks frame columns by name. */
export function stackFrame(frame: Frame, spec: TensorSpec, order: readonly ColumnSpec[] | undefined): Tensor {
  const picks =
    order === undefined || frame.columns === undefined ? undefined : columnPicks(frame, frame.columns, order);
  const columnText = spec.datatype === "BYTES" ? stringInputText(frame) : undefined;
  const rows = columnText === undefined ? frame.rows : textRows(frame, columnText);
  let trailing = spec.shape.slice(1);
  let perRow = trailing.includes(-1) ? -1 : elementCount(trailing);
  const values: unknown[] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as unknown[];
    const before = values.length;
    const width = picks === undefined ? row.length : picks.length;
    for (let c = 0; c < width; c++) {
      const cell = picks === undefined ? row[c] : row[picks[c] as number];
      if (Array.isArray(cell)) flattenJsonArray(cell, values);
      else values.push(cell);
    }
    const count = values.length - before;
    if (perRow === -1) {
      trailing = concreteTrailing(spec, picks === undefined ? row : picks.map((i) => row[i]), count);
      perRow = elementCount(trailing);
    }
    if (count !== perRow) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `row ${r} has ${count} values, but input '${spec.name}' of shape [${spec.shape.join(",")}] takes ${perRow} per row`,
      );
    }
  }
  if (perRow === -1) {
    trailing = trailing.map((dim) => (dim === -1 ? 0 : dim));
    perRow = 0;
  }
  prepareCells(values, spec.datatype);
  const data = dataFromJsonValues(spec.datatype, values, (index) => {
    // Column names are only gathered for the message, so a request that converts cleanly never builds them.
    const names =
      picks === undefined ? frame.columns : (order as readonly ColumnSpec[]).map((c) => c.name as string);
    const row = (frame.firstRow ?? 0) + Math.floor(index / perRow);
    const column =
      names !== undefined && perRow === names.length
        ? `column '${names[index % perRow]}'`
        : `value ${index % perRow}`;
    return `input '${spec.name}' row ${row} ${column}`;
  });
  return { name: spec.name, datatype: spec.datatype, shape: [rows.length, ...trailing], data };
}

/** Where each signature column sits in the frame; undefined when the frame already has exactly that order. */
function columnPicks(
  frame: Frame,
  columns: readonly string[],
  order: readonly ColumnSpec[],
): number[] | undefined {
  // Clients usually send the signature's columns in its order: a cheap check spares the search per column.
  if (columns.length === order.length && order.every((column, i) => column.name === columns[i])) {
    return undefined;
  }
  const missing = missingInputsError(frame, order);
  if (missing !== undefined) throw missing;
  return order.map((column) => {
    const index = columns.indexOf(column.name as string);
    if (index === -1) {
      // Only an optional column is missing, which MLflow lets pass, but one stacked tensor cannot leave out.
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `missing column '${column.name}' (the model's columns are: ${order.map((c) => c.name).join(", ")})`,
      );
    }
    return index;
  });
}

/** Fills the spec's -1 trailing dims from the first row (its flat width, or the nesting of its cells). */
function concreteTrailing(spec: TensorSpec, cells: readonly unknown[], count: number): number[] {
  const trailing = spec.shape.slice(1);
  if (trailing.length === 1) return [count];
  const nested: number[] = [cells.length];
  for (let level: unknown = cells[0]; Array.isArray(level); level = level[0]) nested.push(level.length);
  if (nested.length !== trailing.length) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `row 0 nests ${nested.length} levels, but input '${spec.name}' of shape [${spec.shape.join(",")}] takes ${trailing.length}`,
    );
  }
  return trailing.map((dim, i) => (dim === -1 ? (nested[i] as number) : dim));
}

/** One tensor per target column, found by name (or by position when the frame has no column names). */
export function frameColumns(frame: Frame, targets: readonly ColumnTarget[]): Tensor[] {
  const rows = frame.rows;
  const columns = frame.columns;
  if (columns === undefined) {
    checkRowWidths(
      rows,
      targets.length,
      `the model takes ${targets.length} columns (${targets.map((t) => t.name).join(", ")}); ` +
        `send rows of ${targets.length} values or named columns`,
    );
  }
  const schema = targets.map((target) => target.column);
  if (columns !== undefined && schema.every((column) => column !== undefined)) {
    const missing = missingInputsError(frame, schema as ColumnSpec[]);
    if (missing !== undefined) throw missing;
  }
  const tensors: Tensor[] = [];
  targets.forEach((target, position) => {
    const index = columns === undefined ? position : columns.indexOf(target.name);
    if (index === -1) {
      if (!target.required) return;
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `missing column '${target.name}' (the model's columns are: ${targets.map((t) => t.name).join(", ")})`,
      );
    }
    let values = columnValues(rows, index);
    const columnText = target.datatype === "BYTES" ? stringInputText(frame) : undefined;
    if (columnText !== undefined) values = columnText(values, index, frame);
    prepareCells(values, target.datatype);
    const nulls = target.nullable === true ? takeNulls(values) : undefined;
    const first = frame.firstRow ?? 0;
    const data = dataFromJsonValues(
      target.datatype,
      values,
      (row) => `row ${first + row} column '${target.name}'`,
    );
    const shape = target.shape.length === 2 ? [rows.length, 1] : [rows.length];
    const tensor: Tensor = { name: target.name, datatype: target.datatype, shape, data };
    if (nulls !== undefined) tensor.nulls = nulls;
    tensors.push(tensor);
  });
  return tensors;
}

/** Column targets of a column signature; the runtime's spec of the same name, when there is one, decides the type. */
export function signatureTargets(
  columns: readonly ColumnSpec[],
  specs: readonly TensorSpec[],
): ColumnTarget[] {
  return columns.map((column, index) => {
    const name = column.name ?? String(index);
    const spec = specs.find((s) => s.name === name);
    return {
      name,
      datatype: spec?.datatype ?? columnDatatype(column.type),
      shape: spec?.shape ?? [-1],
      required: column.required,
      // MLflow's schema enforcement leaves a string column's None alone (`_enforce_mlflow_datatype`).
      nullable: column.type === "string" && (spec?.datatype ?? "BYTES") === "BYTES",
      column,
    };
  });
}

/** Indices of the null cells, each replaced by "" in `values`; undefined when there are none. */
function takeNulls(values: unknown[]): number[] | undefined {
  let nulls: number[] | undefined;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) {
      (nulls ??= []).push(i);
      values[i] = "";
    }
  }
  return nulls;
}

type ColumnText = typeof pandasColumnText;

/** How MLflow writes the frame's cells for an ONNX string input, where FlowOps was asked to (mlflowPayload.ts). */
function stringInputText(frame: Frame): ColumnText | undefined {
  if (frame.pandasText === true) return pandasColumnText;
  return frame.pythonNulls === true ? pythonNullText : undefined;
}

/** The frame's rows with each column's cells as MLflow feeds an ONNX string input. */
function textRows(frame: Frame, columnText: ColumnText): unknown[][] {
  const width = Math.max(0, ...frame.rows.map((row) => row.length));
  const columns: unknown[][] = [];
  for (let c = 0; c < width; c++) columns.push(columnText(columnValues(frame.rows, c), c, frame));
  return frame.rows.map((row, r) => row.map((_, c) => (columns[c] as unknown[])[r]));
}

/** The cells of column `index`, null where a row is too short. */
export function columnValues(rows: readonly unknown[][], index: number): unknown[] {
  const values = new Array<unknown>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const value = (rows[r] as unknown[])[index];
    values[r] = value === undefined ? null : value;
  }
  return values;
}
