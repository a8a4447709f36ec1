/**
 * MLflow's answer to a request that lacks inputs its signature requires. Its pyfunc schema enforcement
 * (`mlflow.models.utils._enforce_schema`) raises "Model is missing inputs [...]", which `_validate_prediction_input`
 * and the scoring server wrap with the data and schema reprs; mlflow 3.17.2 answers 400 INVALID_PARAMETER_VALUE:
 * "Failed to predict data '   k\n0  1'. \nError: Failed to enforce schema of data '   k\n0  1' with schema
 * '['a': double (required)]'. Error: Model is missing inputs ['a']. Note that there were extra inputs: ['k']."
 * The same check runs for every flavor served through pyfunc (ONNX included), so FlowOps words it so for all.
 */
import { FlowOpsError } from "../../errors.js";
import type { ColumnSpec, ColumnType } from "../signature.js";
import { pythonListRepr } from "./mlflowMessages.js";
import { arrayDictRepr, dataFrameRepr, type ReprColumn, type ReprKind } from "./pandasRepr.js";
import type { ModelInput } from "./predictRequest.js";

type Frame = ModelInput & { kind: "frame" };

/** MLflow's error for the frame when it lacks a required column of `schema`; undefined when it lacks none. */
export function missingInputsError(frame: Frame, schema: readonly ColumnSpec[]): FlowOpsError | undefined {
  const columns = frame.columns ?? [];
  const missing = schema.filter((spec) => spec.required && !columns.includes(spec.name as string));
  if (missing.length === 0) return undefined;
  const declared = new Set(schema.map((spec) => spec.name));
  // MLflow lists the extra inputs in the order of a Python set: the frame's own order is exact for one of them.
  const extra = columns.filter((name) => !declared.has(name));
  let reason = `Model is missing inputs ${pythonListRepr(missing.map((spec) => spec.name as string))}.`;
  if (extra.length > 0) reason += ` Note that there were extra inputs: ${pythonListRepr(extra)}.`;
  const data = dataRepr(frame, schema);
  const enforced = `Failed to enforce schema of data '${data}' with schema '${schemaRepr(schema)}'. Error: ${reason}`;
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `Failed to predict data '${data}'. \nError: ${enforced}`,
  );
}

/** `repr(Schema)` of a column signature: `['a': double (required), 'o': double (optional)]`. */
export function schemaRepr(schema: readonly ColumnSpec[]): string {
  const items = schema.map((spec) => {
    const name = spec.name === undefined ? "" : `${pythonListRepr([spec.name]).slice(1, -1)}: `;
    return `${name}${spec.type} (${spec.required ? "required" : "optional"})`;
  });
  return `[${items.join(", ")}]`;
}

/** The data as MLflow holds it when it checks the schema: `instances` records as a dict of arrays, else a frame. */
function dataRepr(frame: Frame, schema: readonly ColumnSpec[]): string {
  const columns = (frame.columns ?? []).map((name, c): ReprColumn => {
    const cells = frame.rows.map((row) => (row[c] === undefined ? null : row[c]));
    const declared = schema.find((spec) => spec.name === name)?.type as ColumnType | undefined;
    const kind = declared === undefined ? inferredKind(cells, frame, c) : declaredKind(declared);
    return { name, kind, cells: kind === "text" || frame.textCells !== "csv" ? cells : cells.map(csvNumber) };
  });
  return frame.recordArrays === true
    ? arrayDictRepr(columns)
    : dataFrameRepr(columns, frame.rows.length, frame.index);
}

/** How MLflow casts a signature column (`_enforce_mlflow_datatype`). */
function declaredKind(type: ColumnType): ReprKind {
  switch (type) {
    case "double":
    case "float":
      return "float";
    case "long":
    case "integer":
      return "int";
    case "boolean":
      return "bool";
    default:
      return "text";
  }
}

/** The dtype pandas (or numpy) infers for a column the signature does not declare. */
function inferredKind(cells: readonly unknown[], frame: Frame, column: number): ReprKind {
  const values = frame.textCells === "csv" ? cells.map(csvNumber) : cells;
  const present = values.filter((cell) => cell !== null);
  const missing = present.length < values.length;
  if (present.length > 0 && present.every((cell) => typeof cell === "boolean"))
    return missing ? "text" : "bool";
  if (!present.every((cell) => typeof cell === "number" || typeof cell === "bigint")) return "text";
  const integral = present.every((cell) => typeof cell === "bigint" || Number.isInteger(cell));
  return integral && !missing && frame.floatColumn?.(column) !== true ? "int" : "float";
}

/** A CSV cell as pandas.read_csv types it: a number where the text is one, missing where it is empty. */
function csvNumber(cell: unknown): unknown {
  if (cell === null || cell === "") return null;
  if (typeof cell !== "string") return cell;
  const value = Number(cell);
  return cell.trim() !== "" && Number.isFinite(value) ? value : cell;
}
