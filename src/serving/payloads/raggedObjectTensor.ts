/**
 * What `np.array(value, dtype=object)` makes of a ragged value, as MLflow casts one for an object tensor spec: an
 * object array of the shape numpy detected (numpyShape.ts), each element what the value holds at that depth. An
 * ONNX string input gets each element's `str()`: mlflow 3.17.2 answers {"y": ["[1, 2]", "[1, 2, 3]"]} for
 * `{"inputs": {"x": [[1, 2], [1, 2, 3]]}}` over a tensor(string) Identity graph with a (-1,) object signature.
 * Every other cast refuses such a value first (mlflowNumpyCasts.ts), so no other model runs this tensor.
 */
import type { FloatLiterals } from "./jsonFloatLiterals.js";
import { pythonObjectRepr } from "./listCellText.js";
import { numpyShape } from "./numpyShape.js";
import { pythonFloatRepr } from "./pythonRepr.js";
import { pythonStr } from "./stringInputNumbers.js";
import type { Tensor } from "../tensor.js";

/** The value as such a tensor named `name`, or undefined when it is not ragged. */
export function raggedObjectTensor(
  name: string,
  value: unknown,
  floats: FloatLiterals | undefined,
): Tensor | undefined {
  const { shape, ragged } = numpyShape(value);
  if (!ragged) return undefined;
  const wholeFloat = (container: object, key: number | string): boolean =>
    floats !== undefined && floats.has(container, key);
  const data: string[] = [];
  const nulls: number[] = [];
  // As deep as the detected shape, which the body's depth bounds (checkJsonDepth).
  const visit = (list: readonly unknown[], depth: number): void => {
    list.forEach((element, index) => {
      if (depth + 1 < shape.length) return visit(element as unknown[], depth + 1);
      if (element === null) nulls.push(data.length);
      data.push(elementStr(list, index, element, wholeFloat));
    });
  };
  visit(value as unknown[], 0);
  const tensor: Tensor = { name, datatype: "BYTES", shape, data };
  if (nulls.length > 0) tensor.nulls = nulls;
  return tensor;
}

/** Python's `str()` of an element as json.loads made it: text as itself, a whole float as `2.0`, lists as repr. */
function elementStr(
  list: readonly unknown[],
  index: number,
  element: unknown,
  wholeFloat: (container: object, key: number | string) => boolean,
): string {
  if (element === null) return "";
  if (typeof element === "object") return pythonObjectRepr(element, wholeFloat);
  if (typeof element === "number" && Number.isSafeInteger(element) && wholeFloat(list, index))
    return pythonFloatRepr(element);
  return pythonStr(element);
}
