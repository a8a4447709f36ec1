/**
 * The numbers of a request sent for the Python worker's schema cast (objectCells.ts), kept as json.loads made
 * them. MLflow casts an `inputs` or `instances` member with `np.array(value, dtype)` on the Python values, so a
 * string column's `[1, 2.5]` becomes '1' and '2.5', and an integer beyond 2^53 keeps every digit; the typed
 * tensor FlowOps infers holds them as float64 (1.0, 9007199254740992.0). Each numeric tensor of such a request
 * therefore also carries its leaves as sent (`jsonData`), which the worker hands MLflow's cast instead.
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
  const value = body[key];
  for (const tensor of input.tensors) {
    if (tensor.jsonData !== undefined || tensor.datatype === "BYTES") continue;
    if (tensor.name === UNNAMED_INPUT && !isJsonObject(value)) {
      tensor.jsonData = sentLeaves(tensor, value, body, key, floats);
    } else if (isJsonObject(value) && Object.hasOwn(value, tensor.name)) {
      tensor.jsonData = sentLeaves(tensor, value[tensor.name], value, tensor.name, floats);
    }
  }
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
