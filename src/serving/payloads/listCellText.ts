/**
 * The text a list or dict cell reaches an ONNX string input as under an MLflow column signature: the model gets a
 * DataFrame whose cell is a Python object, and onnxruntime writes each element of an object array as its `str()`.
 * What that object is depends on the payload form (checked against mlflow 3.17.2's scoring_server.invocations
 * through onnxruntime 1.32 over an Identity graph of tensor(string)):
 * - a DataFrame body's cell is json.loads' own list or dict: `[None, 1.5, True]`, `{'k': 'v', 'n': None}`;
 * - `inputs` or `instances` rows (or an `inputs` dict member of rows) are first cast `np.array(rows, str)`, then
 *   each row is `tolist()`: a list of the leaves' text, `['a', 'None']`, `['1', '2.0']`; `instances` records'
 *   lists end up the same way;
 * - an `inputs` record's list stays the cast numpy array, printed as numpy does: `['a' 'None']`;
 * - a dict anywhere is cast as a single value, `np.array([d], str)[0]`, which is its repr.
 */
import { pythonStrRepr } from "../../pythonRepr.js";
import { isJsonObject } from "./invalidInput.js";
import { numpyArrayStr } from "./numpyRepr.js";
import { isPythonDict, type DictFloats } from "./objectTensor.js";
import { pythonFloatRepr } from "./pythonRepr.js";
import { pythonStr } from "./stringInputNumbers.js";

const NO_FLOATS: DictFloats = () => false;

/**
 * Python's `repr()` of a list or dict as json.loads made it; `wholeFloat` tells the members the body wrote as
 * whole floats (`2.0`). The body's depth is bounded (checkJsonDepth), which bounds the recursion.
 */
export function pythonObjectRepr(value: unknown, wholeFloat: DictFloats = NO_FLOATS): string {
  if (Array.isArray(value))
    return `[${value.map((item, index) => memberRepr(value, index, item, wholeFloat)).join(", ")}]`;
  if (isJsonObject(value)) {
    const members = Object.keys(value).map(
      (key) => `${pythonStrRepr(key)}: ${memberRepr(value, key, value[key], wholeFloat)}`,
    );
    return `{${members.join(", ")}}`;
  }
  return scalarRepr(value);
}

function memberRepr(container: object, key: number | string, value: unknown, wholeFloat: DictFloats): string {
  if (typeof value === "number" && Number.isSafeInteger(value) && wholeFloat(container, key))
    return pythonFloatRepr(value);
  return pythonObjectRepr(value, wholeFloat);
}

function scalarRepr(value: unknown): string {
  return typeof value === "string" ? pythonStrRepr(value) : pythonStr(value);
}

/**
 * Python's `repr()` of a dict an `inputs` or `instances` array holds as a Python object (objectTensor.ts's
 * PythonDict, whole floats marked), which is what onnxruntime writes for it in an object array bound for a
 * string input: `{'k': 1, 'f': 2.0, 'n': None}`. Nested values are bounded by the body's depth (checkJsonDepth).
 */
export function heldObjectRepr(value: unknown): string {
  if (isPythonDict(value))
    return `{${value.object.map(([key, member]) => `${pythonStrRepr(key)}: ${heldObjectRepr(member)}`).join(", ")}}`;
  if (Array.isArray(value)) return `[${value.map(heldObjectRepr).join(", ")}]`;
  return scalarRepr(value);
}

/**
 * `str(np.array(value, str).tolist())` for a nested list: each leaf its Python text (a null 'None', a whole float
 * '2.0'), quoted as a str. A dict leaf is its repr, as numpy's str cast writes it.
 */
export function castListRepr(value: unknown, wholeFloat: DictFloats = NO_FLOATS): string {
  if (!Array.isArray(value)) return pythonStrRepr(leafText(undefined, 0, value, wholeFloat));
  const items = value.map((item, index) =>
    Array.isArray(item)
      ? castListRepr(item, wholeFloat)
      : pythonStrRepr(leafText(value, index, item, wholeFloat)),
  );
  return `[${items.join(", ")}]`;
}

/** `str(np.array(value, str))` for a list: numpy's own print of the cast array, `['a' 'b']`. */
export function castArrayStr(value: readonly unknown[], wholeFloat: DictFloats = NO_FLOATS): string {
  const shape: number[] = [];
  for (let level: unknown = value; Array.isArray(level); level = level[0]) shape.push(level.length);
  const values: string[] = [];
  const walk = (container: readonly unknown[], depth: number): void => {
    container.forEach((item, index) => {
      if (depth + 1 < shape.length && Array.isArray(item)) walk(item, depth + 1);
      else values.push(leafText(container, index, item, wholeFloat));
    });
  };
  walk(value, 0);
  return numpyArrayStr({ dtype: "str", shape, values });
}

/** A leaf as `np.array(..., str)` writes it: its Python `str()`, a dict's repr. */
function leafText(
  container: object | undefined,
  key: number | string,
  leaf: unknown,
  wholeFloat: DictFloats,
): string {
  if (isJsonObject(leaf)) return pythonObjectRepr(leaf, wholeFloat);
  if (
    container !== undefined &&
    typeof leaf === "number" &&
    Number.isSafeInteger(leaf) &&
    wholeFloat(container, key)
  )
    return pythonFloatRepr(leaf);
  return pythonStr(leaf);
}

/** Each row of a cast text tensor (`shape` [N, ...]) as `str()` of its `tolist()`: `['a', 'None']`. */
export function castRowsRepr(texts: readonly string[], shape: readonly number[]): string[] {
  const inner = shape.slice(1);
  const perRow = inner.reduce((product, dim) => product * dim, 1);
  const nest = (offset: number, axis: number): string => {
    if (axis === inner.length) return pythonStrRepr(texts[offset] as string);
    const stride = inner.slice(axis + 1).reduce((product, dim) => product * dim, 1);
    const items: string[] = [];
    for (let i = 0; i < (inner[axis] as number); i++) items.push(nest(offset + i * stride, axis + 1));
    return `[${items.join(", ")}]`;
  };
  const rows: string[] = [];
  for (let r = 0; r < (shape[0] as number); r++) rows.push(nest(r * perRow, 0));
  return rows;
}
