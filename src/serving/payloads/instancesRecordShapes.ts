/**
 * `instances` records (`[{"x": [1, 2]}, {"x": [1, 2, 3]}]`) whose values numpy cannot stack. MLflow's
 * `parse_instances_data` first casts each record's value with `np.array(value)` (convert_data_type, which answers
 * a ragged value with its own "Invalid input. ..."), then builds each column with `np.array(values)`, whose
 * ValueError for values of different shapes is wrapped in "Ensure that the input is a valid JSON-formatted
 * string". Either refusal comes before any schema check, so it holds for every model, whatever its signature
 * (mlflow 3.17.2, numpy 2.4: 400 BAD_REQUEST for column, tensor and no signatures alike).
 */
import { invalidInput, isJsonObject } from "./invalidInput.js";

/** Throws MLflow's refusal when a record's value, or a column of them, is not one rectangular array. */
export function checkInstancesRecordShapes(records: readonly unknown[]): void {
  const columns = new Map<string, unknown[]>();
  for (const record of records) {
    if (!isJsonObject(record)) continue;
    for (const [name, value] of Object.entries(record)) {
      const ragged = raggedShape(value);
      if (ragged !== undefined) throw invalidInput(inhomogeneousMessage(ragged));
      let values = columns.get(name);
      if (values === undefined) columns.set(name, (values = []));
      values.push(value);
    }
  }
  for (const values of columns.values()) {
    const ragged = raggedShape(values);
    if (ragged !== undefined) {
      throw invalidInput(
        `Ensure that the input is a valid JSON-formatted string.\nError: ValueError('${inhomogeneousMessage(ragged)}')`,
      );
    }
  }
}

/**
 * The shape numpy found before the nesting stopped agreeing (lists of different lengths, or lists beside other
 * values at one depth), or undefined when `value` is rectangular. The body's depth is bounded (checkJsonDepth).
 */
export function raggedShape(value: unknown): number[] | undefined {
  const shape: number[] = [];
  let level: unknown[] = [value];
  for (;;) {
    const lists = level.filter((item) => Array.isArray(item)) as unknown[][];
    if (lists.length === 0) return undefined;
    const length = (lists[0] as unknown[]).length;
    if (lists.length < level.length || lists.some((list) => list.length !== length)) return shape;
    shape.push(length);
    level = lists.flat(1);
  }
}

function inhomogeneousMessage(shape: readonly number[]): string {
  const detected = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  return (
    "setting an array element with a sequence. The requested array has an inhomogeneous shape after " +
    `${shape.length} dimensions. The detected shape was ${detected} + inhomogeneous part.`
  );
}
