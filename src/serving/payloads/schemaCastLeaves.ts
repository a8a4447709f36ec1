/**
 * The numbers of a request sent for the Python worker's schema cast (objectCells.ts), kept as json.loads made
 * them. MLflow casts an `inputs` or `instances` member with `np.array(value, dtype)` on the Python values, so a
 * string column's `[1, 2.5]` becomes '1' and '2.5', and an integer beyond 2^53 keeps every digit; the typed
 * tensor FlowOps infers holds them as float64 (1.0, 9007199254740992.0). Each numeric tensor of such a request
 * therefore also carries its leaves as sent (`jsonData`), which the worker hands MLflow's cast instead. The same
 * leaves give an ONNX model's string input the text MLflow's cast writes (stringInputNumbers.ts).
 */
import type { Tensor } from "../tensor.js";
import { isJsonObject } from "./invalidInput.js";
import type { FloatLiterals } from "./jsonFloatLiterals.js";
import { withWholeFloats } from "./jsonTensor.js";
import type { MlflowInputKey } from "./mlflowMessages.js";
import { pythonFloat } from "./objectTensor.js";
import { UNNAMED_INPUT, type ModelInput } from "./predictRequest.js";

/** Gives each numeric tensor of `input` (read from `body[key]`) the leaves the body sent, where it lacks them. */
export function keepSentNumbers(
  input: ModelInput,
  body: Record<string, unknown>,
  key: MlflowInputKey,
  floats: FloatLiterals | undefined,
): void {
  if (input.kind !== "tensors") return;
  const leavesOf = sentLeavesOf(body, key, floats);
  for (const tensor of input.tensors) {
    if (tensor.jsonData !== undefined || tensor.datatype === "BYTES") continue;
    const leaves = leavesOf(tensor);
    if (leaves !== undefined) tensor.jsonData = leaves;
  }
}

/**
 * The leaves `body[key]` sent for a tensor read from it (the member under the tensor's name, or the whole value
 * for the unnamed one), whole floats marked; undefined for a tensor it did not send.
 */
export function sentLeavesOf(
  body: Record<string, unknown>,
  key: MlflowInputKey,
  floats: FloatLiterals | undefined,
): (tensor: Tensor) => unknown[] | undefined {
  return (tensor) => {
    const value = body[key];
    if (tensor.name === UNNAMED_INPUT && !isJsonObject(value))
      return sentLeaves(tensor, value, body, key, floats);
    if (isJsonObject(value) && Object.hasOwn(value, tensor.name))
      return sentLeaves(tensor, value[tensor.name], value, tensor.name, floats);
    return undefined;
  };
}

/** `value`'s leaves in order, whole floats marked; `container[member]` is `value`, for a bare number's literal. */
function sentLeaves(
  tensor: Tensor,
  value: unknown,
  container: object,
  member: string,
  floats: FloatLiterals | undefined,
): unknown[] {
  if (!Array.isArray(value)) {
    const whole =
      typeof value === "number" && Number.isInteger(value) && floats?.has(container, member) === true;
    return [whole ? pythonFloat(value) : value];
  }
  const leaves: unknown[] = [];
  const collect = (item: unknown, depth: number): void => {
    if (depth < tensor.shape.length && Array.isArray(item))
      for (const inner of item) collect(inner, depth + 1);
    else leaves.push(item);
  };
  collect(value, 0);
  const wholeFloat =
    floats === undefined ? undefined : (list: readonly unknown[], i: number) => floats.has(list, i);
  return withWholeFloats(value, tensor.shape, leaves, wholeFloat);
}
